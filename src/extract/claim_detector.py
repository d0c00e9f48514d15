"""The learned claim detector: which claim types a sentence states, beside the trigger rules.

A small spaCy pipeline (a blank English tokenizer and a bag-of-words `textcat_multilabel`)
scores every sentence of a parsed document for each claim type. Organisation names are
masked first, so the model learns how events are told, not which companies had them. The
rules keep the claims it agrees with; the detector then

- **vetoes** a rule claim whose sentence it gives a very low probability for that claim's
  type (a trigger that over-fires: "announced a record profit" as a product launch), and
- **proposes** a claim of a type it finds likely in a sentence where the rules found none of
  that type, when the sentence has an organisation subject. Subject, object, polarity and
  modality of a proposed claim come from the parse and the cue lists, exactly as for a rule
  claim (`dossier.extract.claims`); only the type is learned.

The shipped model (trained on every annotated article) and the five fold models (each
trained without one fold of the real-news evaluation) live under models/claim_detector/,
with the thresholds chosen by cross-validation in `detector.json`. `make train` rebuilds
them (dossier.training.claim_detector).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from dossier.errors import UsageError
from dossier.extract.claims import (
    _org_at,
    clause_chain,
    find_object,
    is_negated,
    load_claim_rules,
    read_modality,
)
from dossier.records import Claim

DETECTOR_FOLDER = "claim_detector"
META_FILE = "detector.json"
# Stands in for every organisation name, in training and at run time alike.
ORG_MASK = "_org_"
NUMBER_MASK = "_num_"
PROPOSED_RULE = "detector"
_SUBJECT_DEPS = ("nsubj", "nsubjpass")


class DetectorMissing(UsageError, RuntimeError):
    """The claim detector's files are not where the models package says they are."""


@dataclass(frozen=True)
class DetectorThresholds:
    """Probability cut-offs, chosen by cross-validation over the real-news folds."""

    propose: float  # a type at or above this in a sentence with no rule claim of it is proposed
    veto: float  # a rule claim whose sentence scores its type below this is dropped
    propose_types: frozenset[str]  # types the detector may propose (those it helped on held-out folds)
    # "sentence": the claim's own sentence must score its type; "document": any sentence of the
    # article may (annotators mark an event once, at its first telling, so a rule claim from a
    # later retelling is right although that sentence carries no label).
    veto_scope: Literal["sentence", "document"] = "sentence"


def sentence_words(sent: Span) -> list[str]:
    """The sentence's words as the detector reads them: lemmas, lower-cased, numbers as one
    word and organisation names as one mask each. There is little training data: "rose",
    "rise" and "rising", or "$5bn" and "$7m", are better one feature than several."""
    words: list[str] = []
    for token in sent:
        if token.ent_type_ == "ORG":
            if token.ent_iob_ == "B" or token.i == sent.start:
                words.append(ORG_MASK)
        elif not token.is_space:
            words.append(NUMBER_MASK if token.like_num else token.lemma_.lower())
    return words or [ORG_MASK]


class ClaimDetector:
    """A trained sentence classifier and its thresholds."""

    def __init__(self, nlp: Language, thresholds: DetectorThresholds) -> None:
        self.nlp = nlp
        self.thresholds = thresholds
        self.labels: tuple[str, ...] = tuple(nlp.get_pipe("textcat_multilabel").labels)

    def score_sentences(self, sents: Iterable[Span]) -> list[dict[str, float]]:
        """{claim type: probability} for each sentence, in order."""
        docs = [Doc(self.nlp.vocab, words=sentence_words(s)) for s in sents]
        return [dict(d.cats) for d in self.nlp.get_pipe("textcat_multilabel").pipe(docs, batch_size=256)]

    def revise(self, doc: Doc, claims: list[Claim], span_names: dict[tuple[int, int], str]) -> list[Claim]:
        """The rule claims minus the vetoed ones, plus the proposed ones, in document order."""
        sents = list(doc.sents)
        return apply_detector(sents, claims, span_names, self.score_sentences(sents), self.thresholds)


def apply_detector(sents: list[Span], claims: list[Claim], span_names: dict[tuple[int, int], str],
                   scores: list[dict[str, float]], thresholds: DetectorThresholds) -> list[Claim]:
    """Veto and propose with given sentence scores (one {type: probability} per sentence)."""
    if not sents:
        return claims
    starts = [s.start_char for s in sents]
    best = {t: max(s[t] for s in scores) for t in scores[0]}
    kept = []
    for claim in claims:
        probability = (best.get(claim.type) if thresholds.veto_scope == "document"
                       else scores[max(bisect.bisect_right(starts, claim.start) - 1, 0)].get(claim.type))
        # A negated claim is kept whatever the score: the rules' negation reading is the
        # signal a reviewer must see ("no binding purchase commitment").
        if probability is not None and probability < thresholds.veto and claim.polarity == "affirmed":
            continue
        kept.append(claim)
    token_names = {i: name for (start, end), name in span_names.items() for i in range(start, end)}
    ruled = {(c.start, c.type) for c in claims}
    proposed = []
    previous_subject: str | None = None
    for sent, sent_scores in zip(sents, scores):
        wanted = [t for t, p in sent_scores.items() if p >= thresholds.propose and t in thresholds.propose_types]
        offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        wanted = [t for t in wanted if (offset, t) not in ruled]
        if wanted:
            subject, verb = sentence_subject(sent, token_names, previous_subject)
            if subject is not None and verb is not None:
                proposed.extend(propose_claim(sent, verb, subject, t, sent_scores[t], token_names) for t in wanted)
        named = _named_subject(sent, token_names)
        if named is not None:
            previous_subject = named
    # One claim per (subject, type, object) per article, as for the rules: the rules' reading
    # first, then the earliest proposal.
    seen = {(c.subject, c.type, c.object) for c in kept}
    unique = []
    for claim in proposed:
        if (claim.subject, claim.type, claim.object) not in seen:
            seen.add((claim.subject, claim.type, claim.object))
            unique.append(claim)
    return sorted([*kept, *unique], key=lambda c: (c.start, c.subject, c.type))


def _named_subject(sent: Span, token_names: dict[int, str]) -> str | None:
    for token in _subject_tokens(sent):
        name = _org_at(token, token_names)
        if name:
            return name
    return None


def _subject_tokens(sent: Span) -> list[Token]:
    """Subject tokens of the sentence, the main clause's first."""
    found = [t for t in sent if t.dep_ in _SUBJECT_DEPS]
    return sorted(found, key=lambda t: (t.head != sent.root, t.i))


_PLURAL_PRONOUNS = frozenset({"they", "them", "we"})


def sentence_subject(sent: Span, token_names: dict[int, str], previous: str | None) -> tuple[str | None, Token | None]:
    """(organisation acting in the sentence, the verb it is subject of), or (None, None).

    The first clause subject that names an organisation ("Foxconn", "Foxconn's unit"), else
    one whose phrase holds one ("profits at TimeWarner jumped"); a pronoun or "the firm" as
    subject stands for the organisation last named as a subject before.
    """
    rules = load_claim_rules()
    # Clause by clause, the main clause first: "The bank said it had no plans until the
    # Reserve Bank ... gave a signal" is the bank's sentence, not the Reserve Bank's.
    for token in _subject_tokens(sent):
        name = _org_at(token, token_names) or next((token_names[t.i] for t in token.subtree if t.i in token_names), None)
        if name:
            return name, token.head
        if token.lower_ in _PLURAL_PRONOUNS:
            continue  # "they" stands for organisations named together (the rules' reading), never one
        if previous and (token.lower_ in rules.pronouns or (
                token.lemma_.lower() in ("company", "firm", "group", "bank", "business")
                and any(c.lower_ in ("the", "its") for c in token.children))):
            return previous, token.head
    return None, None


def event_anchor(verb: Token, reporting: frozenset[str]) -> Token:
    """Where a proposed claim's event sits below its subject's verb: through reporting verbs to
    the clause they report ("said it would not close ..." -> close), then the verb's direct
    object ("called off its takeover" -> takeover), so that negations and modal cues above
    the event govern it as they govern a rule trigger."""
    anchor = verb
    for _ in range(4):
        if anchor.lemma_.lower() not in reporting:
            break
        reported = [c for c in anchor.children if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX")]
        if not reported:
            break
        anchor = reported[0]
    objects = [c for c in anchor.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")]
    return objects[0] if objects else anchor


def _negates_itself(token: Token, cues: dict) -> bool:
    """The event word is itself a refusal ("pulled out of the venture", "cancelled the order"),
    or its object or passive subject is denied ("had no plans to", "no jobs would be lost")."""
    lemma = token.lemma_.lower()
    particle = cues["governor_particles"].get(lemma)
    if lemma in cues["governors"] or (particle is not None and any(c.lower_ == particle for c in token.children)):
        return True
    return any(g.dep_ == "det" and g.lower_ in cues["determiners"]
               for c in token.children if c.dep_ in ("dobj", "nsubjpass") for g in c.children)


def propose_claim(sent: Span, verb: Token, subject: str, claim_type: str, probability: float,
                  token_names: dict[int, str]) -> Claim:
    """A claim of a learned type, read off the parse at the subject's verb as the rules read theirs."""
    rules = load_claim_rules()
    anchor = event_anchor(verb, frozenset(rules.modality["reported_verbs"]))
    event_verb = anchor if anchor.pos_ in ("VERB", "AUX") else anchor.head
    chain = clause_chain(anchor)
    match = anchor.doc[anchor.i : anchor.i + 1]
    negated = is_negated(chain, match, rules.negation) or _negates_itself(event_verb, rules.negation)
    obj, obj_is_org, _ = find_object(verb, {subject}, token_names)
    evidence = sent.text.strip()
    offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
    return Claim(
        subject=subject, type=claim_type, object=obj, object_is_organisation=obj_is_org,
        polarity="negated" if negated else "affirmed",
        modality=read_modality(chain, rules.modality), evidence=evidence,
        start=offset, end=offset + len(evidence),
        # Below the rules' parse-based certainty: the type is a guess from the words alone.
        confidence=round(min(0.7, 0.4 + 0.3 * probability), 3), rule=PROPOSED_RULE,
    )


def detector_path(fold: int | None = None) -> Path:
    """Where the shipped detector (fold None) or fold k's detector lives in the models package."""
    base = resources.files("dossier.assets").joinpath(DETECTOR_FOLDER)
    target = base if fold is None else base.joinpath("folds", str(fold))
    return Path(str(target))


def read_thresholds(folder: Path) -> DetectorThresholds:
    """The thresholds saved beside the shipped model."""
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    return DetectorThresholds(propose=float(meta["propose"]), veto=float(meta["veto"]),
                              propose_types=frozenset(meta["propose_types"]), veto_scope=meta["veto_scope"])


@lru_cache(maxsize=6)
def load_detector(fold: int | None = None) -> ClaimDetector:
    """The detector for a fold (None: the shipped one, trained on everything), loaded once per process.

    Every fold model uses the thresholds of the shipped model's `detector.json`: they were
    chosen on held-out folds scored by exactly these fold models.
    """
    folder = detector_path(fold)
    if not (folder / "config.cfg").is_file():
        raise DetectorMissing(f"no claim detector at {folder}; run `make train`")
    nlp = spacy.load(folder)
    return ClaimDetector(nlp, read_thresholds(detector_path(None)))
