"""Claim quality of the rules on the annotated real news, by fold group (issue 15, items 2–5).

    .venv/bin/python -m bench.claim_quality [--shared ../shared/data] [--json FILE]

Reads `bbc-news/gold` under the shared corpora (never copies its text) and prints, for the
error-analysis folds 0–2, the held-out folds 3–4 and all stories: claim precision, recall
and F1 on (subject, type) as `dossier eval` scores them, polarity accuracy on matched claims
with the rates of affirmed read as negated and negated read as affirmed, the modality
confusion matrix (gold × predicted) and precision / recall per claim type.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from dossier.evaluation.folds import assign_folds, load_realnews

# The scorer's own matching rules, so these figures agree with `dossier eval`.
from dossier.evaluation.gold import (
    GoldScores,
    _same_object,
    _same_sentence,
    match_organisations,
    score_article,
)
from dossier.extract.analyse import load_analyser
from dossier.settings import load_settings

MODALITIES = ("asserted", "reported", "planned", "hedged")
GROUPS = {"folds 0-2": {0, 1, 2}, "folds 3-4 (held out)": {3, 4}, "all": {0, 1, 2, 3, 4}}


class GroupTally:
    """Scores of one group of folds: the scorer's own, plus the confusion counts it does not keep."""

    def __init__(self) -> None:
        self.scores = GoldScores()
        self.polarity: Counter[tuple[str, str]] = Counter()
        self.modality: Counter[tuple[str, str]] = Counter()
        self.types: dict[str, list[int]] = {}  # type -> [true positives, predicted, gold]

    def add(self, article: Any, analysis: Any) -> None:
        score_article(article, analysis, self.scores)
        predicted = [{"name": o.name, "aliases": list(o.aliases)} for o in analysis.organisations]
        pairs = match_organisations(predicted, list(article.organisations))
        to_gold = {predicted[p]["name"]: article.organisations[g]["name"] for g, p in pairs.items()}
        pred: dict[tuple[str, str], list[Any]] = {}
        for claim in analysis.claims:
            pred.setdefault((to_gold.get(claim.subject, claim.subject), claim.type), []).append(claim)
        gold: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for claim in article.claims:
            gold.setdefault((claim["subject"], claim["type"]), []).append(claim)
        for key in set(pred) | set(gold):
            counts = self.types.setdefault(key[1], [0, 0, 0])
            counts[0] += key in pred and key in gold
            counts[1] += key in pred
            counts[2] += key in gold
        for key in set(pred) & set(gold):
            for gclaim in gold[key]:
                same = [c for c in pred[key] if _same_sentence(c.evidence, gclaim["evidence"])]
                if not same:
                    continue
                pclaim = next((c for c in same if _same_object(c.object, gclaim["object"])), same[0])
                self.polarity[(gclaim["polarity"], pclaim.polarity)] += 1
                self.modality[(gclaim["modality"], pclaim.modality)] += 1

    def as_dict(self) -> dict[str, Any]:
        out = self.scores.as_dict()
        affirmed = sum(v for (g, _), v in self.polarity.items() if g == "affirmed")
        negated = sum(v for (g, _), v in self.polarity.items() if g == "negated")
        return {
            "claim": out["claim"], "matched_claims": out["matched_claims"],
            "polarity_accuracy": out["polarity_accuracy"], "modality_accuracy": out["modality_accuracy"],
            "affirmed_read_as_negated": [self.polarity[("affirmed", "negated")], affirmed],
            "negated_read_as_affirmed": [self.polarity[("negated", "affirmed")], negated],
            "modality_confusion": {g: {p: self.modality[(g, p)] for p in MODALITIES} for g in MODALITIES},
            "types": {t: {"precision": round(tp / pr, 3) if pr else 0.0, "recall": round(tp / go, 3) if go else 0.0,
                          "true_positives": tp, "predicted": pr, "gold": go}
                      for t, (tp, pr, go) in sorted(self.types.items())},
        }


def measure(shared: Path) -> dict[str, Any]:
    """Scores per group of folds on the real-news gold set (empty when it is absent)."""
    articles = load_realnews(shared)
    folds = assign_folds(articles)
    tallies = {name: GroupTally() for name in GROUPS}
    analyser = load_analyser(load_settings().spacy_model)
    for article, analysis in zip(articles, analyser.analyse(a.text for a in articles)):
        for name, members in GROUPS.items():
            if folds[article.id] in members:
                tallies[name].add(article, analysis)
    return {name: tally.as_dict() for name, tally in tallies.items()} | {"articles": len(articles)}


def render(results: dict[str, Any]) -> str:
    lines = [f"{results['articles']} annotated real-news stories"]
    for name in GROUPS:
        r = results[name]
        c = r["claim"]
        a2n, aff = r["affirmed_read_as_negated"]
        n2a, neg = r["negated_read_as_affirmed"]
        lines += [
            f"\n## {name}",
            f"claim (subject, type): P {c['precision']:.3f} R {c['recall']:.3f} F1 {c['f1']:.3f}"
            f" ({c['true_positives']}/{c['predicted']} predicted, {c['gold']} gold)",
            f"matched {r['matched_claims']}: polarity {r['polarity_accuracy']:.3f}, affirmed read as negated"
            f" {a2n}/{aff}, negated read as affirmed {n2a}/{neg}; modality {r['modality_accuracy']:.3f}",
            "modality, gold (rows) x predicted: " + " ".join(f"{m:>9}" for m in MODALITIES),
        ]
        lines += [f"  {g:>9} " + " ".join(f"{r['modality_confusion'][g][p]:>9}" for p in MODALITIES) for g in MODALITIES]
        lines.append("per type: " + ", ".join(
            f"{t} P {v['precision']:.2f} R {v['recall']:.2f} ({v['true_positives']}/{v['predicted']}/{v['gold']})"
            for t, v in r["types"].items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args()
    results = measure(args.shared)
    if not results["articles"]:
        raise SystemExit(f"no annotated real news under {args.shared}")
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
