"""The eval gate: quality floors pinned in a baseline file with hashes of the gold corpora.

A run that falls below a floor fails; so does a gold corpus whose hash differs from the
baseline's (edited gold must come with a deliberately rewritten baseline); the real-news
gold (`../shared/data/bbc-news/gold`) has its own hash, checked when that part ran. Floors are the
measured figures rounded down to two decimals, so noise in the third decimal never trips it.
Ceilings are fixed targets for figures where lower is better (the calibration error), not
measurements: a run above one fails.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from dossier.evaluation.report import lookup

GATED = (
    "gold.all.organisation.f1", "gold.all.alias_cluster_accuracy", "gold.all.place_country_accuracy",
    "gold.all.claim.f1", "gold.all.polarity_accuracy", "gold.all.modality_accuracy",
    "conll.ORG.f1", "conll.LOC.f1", "extraction.f1",
    # Real news over all held-out folds (checked when ../shared/data is present).
    "realnews.all.organisation.f1", "realnews.all.organisation.precision", "realnews.all.alias_cluster_accuracy",
    "realnews.all.place_country_accuracy", "realnews.all.claim.f1", "realnews.all.claim.precision",
    "realnews.all.polarity_accuracy", "realnews.all.modality_accuracy",
)


# Figures that must stay at or below a target: claim calibration error (ECE) at most 0.10, and an
# affirmed real-news claim read as negated at most 3 % of the time.
CEILINGS = {"gold.calibration.ece": 0.10, "realnews.all.affirmed_read_as_negated": 0.03}


def floor2(value: float) -> float:
    return math.floor(value * 100) / 100


def make_baseline(results: dict[str, Any]) -> dict[str, Any]:
    """A baseline from a full evaluation run."""
    return {
        "corpus_sha256": results["gold"]["corpus_sha256"],
        "realnews_corpus_sha256": results["realnews"]["corpus_sha256"],
        "models_version": results["models_version"],
        "floors": {name: floor2(lookup(results, name)) for name in GATED if lookup(results, name) is not None},
        "ceilings": dict(CEILINGS),
    }


def check_gate(results: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Reasons the results fail the baseline (empty when they pass). Unrun evaluations are not checked."""
    problems = []
    if "gold" in results and results["gold"]["corpus_sha256"] != baseline["corpus_sha256"]:
        problems.append("the gold corpus changed; re-run `dossier eval --write-baseline tests/eval/baseline.json` deliberately")
    pinned = baseline.get("realnews_corpus_sha256")
    if "realnews" in results and pinned is not None and results["realnews"]["corpus_sha256"] != pinned:
        problems.append("the real-news gold (bbc-news/gold) changed; re-measure and re-pin the baseline deliberately")
    for name, floor in baseline["floors"].items():
        measured = lookup(results, name)
        if measured is not None and measured < floor:
            problems.append(f"{name} = {measured:.4f} fell below its floor {floor:.2f}")
    for name, ceiling in baseline.get("ceilings", {}).items():
        measured = lookup(results, name)
        if measured is not None and measured > ceiling:
            problems.append(f"{name} = {measured:.4f} rose above its ceiling {ceiling:.2f}")
    return problems


def read_baseline(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
