"""Claim quality on the annotated real news, by fold group, scored as `dossier eval` scores it.

    .venv/bin/python -m bench.claim_quality [--shared ../shared/data] [--json FILE]

Reads `bbc-news/gold` under the shared corpora (never copies its text), analyses each fold
with that fold's analyser and scores it with the evaluation's own scorer
(`dossier.evaluation.realnews.analyse_folds`, `dossier.evaluation.gold.score_article`), so the
figures agree with `dossier eval`. It prints, for the error-analysis folds 0–2, the held-out
folds 3–4 and all stories: claim precision, recall and F1 on (subject, type), polarity
accuracy on matched claims with the counts of affirmed read as negated and negated read as
affirmed, the modality confusion matrix (gold × predicted) and precision / recall per claim type.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dossier.evaluation.folds import assign_folds, load_realnews
from dossier.evaluation.gold import MODALITIES, GoldScores, score_article
from dossier.evaluation.realnews import analyse_folds, default_analyser_factory
from dossier.settings import load_settings

GROUPS = {"folds 0-2": {0, 1, 2}, "folds 3-4 (held out)": {3, 4}, "all": {0, 1, 2, 3, 4}}


def measure(shared: Path) -> dict[str, Any]:
    """Scores per group of folds on the real-news gold set (no groups when it is absent)."""
    articles = load_realnews(shared)
    if not articles:
        return {"articles": 0}
    folds = assign_folds(articles)
    analyses = analyse_folds(articles, default_analyser_factory(load_settings().spacy_model))
    results: dict[str, Any] = {"articles": len(articles)}
    for name, members in GROUPS.items():
        scores = GoldScores()
        for article in articles:
            if folds[article.id] in members:
                score_article(article, analyses[article.id], scores)
        results[name] = scores.as_dict()
    return results


def _misread(confusion: dict[str, Any], gold: str, predicted: str) -> tuple[int, int]:
    """(gold `gold` read as `predicted`, all gold `gold`) from a confusion matrix."""
    row = confusion["matrix"].get(gold, {})
    return row.get(predicted, 0), sum(row.values())


def render(results: dict[str, Any]) -> str:
    lines = [f"{results['articles']} annotated real-news stories"]
    for name in GROUPS:
        r = results[name]
        c = r["claim"]
        a2n, aff = _misread(r["polarity_confusion"], "affirmed", "negated")
        n2a, neg = _misread(r["polarity_confusion"], "negated", "affirmed")
        modality = r["modality_confusion"]["matrix"]
        lines += [
            f"\n## {name}",
            f"claim (subject, type): P {c['precision']:.3f} R {c['recall']:.3f} F1 {c['f1']:.3f}"
            f" ({c['true_positives']}/{c['predicted']} predicted, {c['gold']} gold)",
            f"matched {r['matched_claims']}: polarity {r['polarity_accuracy']:.3f}, affirmed read as negated"
            f" {a2n}/{aff}, negated read as affirmed {n2a}/{neg}; modality {r['modality_accuracy']:.3f}",
            "modality, gold (rows) x predicted: " + " ".join(f"{m:>9}" for m in MODALITIES),
        ]
        lines += [f"  {g:>9} " + " ".join(f"{modality[g][p]:>9}" for p in MODALITIES) for g in MODALITIES]
        lines.append("per type: " + ", ".join(
            f"{t} P {v['precision']:.2f} R {v['recall']:.2f} ({v['true_positives']}/{v['predicted']}/{v['gold']})"
            for t, v in sorted(r["claim_types"].items())))
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
