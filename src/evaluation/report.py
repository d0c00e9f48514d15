"""`dossier eval`: every evaluation in one run, as a table and as JSON."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dossier.assets import models_version
from dossier.evaluation.calibration import reliability_table
from dossier.evaluation.conll import read_conll, score_entities
from dossier.evaluation.extraction import evaluate_benchmark
from dossier.evaluation.folds import realnews_gold_dir
from dossier.evaluation.gold import GoldScores, claim_outcomes, corpus_hash, load_gold, score_article
from dossier.evaluation.realnews import AnalyserFactory, evaluate_realnews
from dossier.extract.analyse import load_analyser

# Quality targets (docs/evaluation.md), checked in the report (the gate in tests/eval pins floors instead).
TARGETS = {
    "conll.ORG.f1": 0.60, "conll.LOC.f1": 0.85,
    "gold.all.organisation.f1": 0.90, "gold.all.claim.f1": 0.75, "gold.all.polarity_accuracy": 0.97,
    "gold.all.modality_accuracy": 0.85, "gold.all.place_country_accuracy": 0.95,
    "extraction.f1": 0.94,
    # Real news (the annotated BBC folds), over all held-out folds.
    "realnews.all.organisation.f1": 0.88, "realnews.all.organisation.precision": 0.88,
    "realnews.all.place_country_accuracy": 0.92,
    "realnews.all.claim.f1": 0.60, "realnews.all.claim.precision": 0.65,
    "realnews.all.claim_types.partnership.recall": 0.5, "realnews.all.claim_types.acquisition.recall": 0.5,
    "realnews.all.claim_types.investment.recall": 0.5, "realnews.all.claim_types.financial_result.recall": 0.5,
    "realnews.all.polarity_accuracy": 0.95, "realnews.all.modality_accuracy": 0.85,
}
# Figures where lower is better (an affirmed claim read as negated at most 3 % of the time).
TARGET_CEILINGS = {"realnews.all.affirmed_read_as_negated": 0.03}
PARTS = ("gold", "realnews", "conll", "extraction")


def evaluate_gold(folder: Path, model: str) -> dict[str, Any]:
    """Gold-set scores for the dev split, the held-out split and both, and claim calibration."""
    articles = load_gold(folder)
    analyser = load_analyser(model)
    scores = {"dev": GoldScores(), "test": GoldScores(), "all": GoldScores()}
    calibration: list[tuple[float, bool]] = []
    for article, analysis in zip(articles, analyser.analyse(a.text for a in articles)):
        score_article(article, analysis, scores[article.split])
        score_article(article, analysis, scores["all"])
        calibration.extend(claim_outcomes(article, analysis))
    out: dict[str, Any] = {split: s.as_dict() for split, s in scores.items()}
    out["articles"] = len(articles)
    out["corpus_sha256"] = corpus_hash(folder)
    out["errors"] = scores["all"].errors
    out["calibration"] = reliability_table(calibration)
    return out


def evaluate_conll(path: Path, model: str) -> dict[str, Any]:
    """CoNLL-2003 dev exact-span ORG and LOC scores of dossier's pipeline."""
    docs = list(read_conll(path))
    analyser = load_analyser(model)
    predictions = [[(e.label, e.start, e.end) for e in a.entities] for a in analyser.analyse(d.text for d in docs)]
    return {label: prf.as_dict() for label, prf in score_entities(docs, predictions).items()} | {"documents": len(docs)}


def run_evaluations(gold: Path, shared: Path | None, model: str, parts: set[str], dev: Path | None = None,
                    analyser_for_fold: AnalyserFactory | None = None) -> dict[str, Any]:
    """Run the selected evaluations; those needing ../shared/data are skipped (noted) without it.
    `analyser_for_fold(k)` analyses real-news fold k (default: `default_analyser_factory`)."""
    results: dict[str, Any] = {"model": model, "models_version": models_version(), "skipped": {}}
    timings = {}
    realnews = realnews_gold_dir(shared) if shared else None
    if "realnews" in parts:
        if realnews is not None and realnews.is_dir():
            started = time.perf_counter()
            results["realnews"] = evaluate_realnews(shared, model, analyser_for_fold)
            timings["realnews"] = round(time.perf_counter() - started, 2)
        else:
            results["skipped"]["realnews"] = f"{realnews or '../shared/data'} is absent"
    if "gold" in parts:
        started = time.perf_counter()
        results["gold"] = evaluate_gold(gold, model)
        timings["gold"] = round(time.perf_counter() - started, 2)
    if "gold" in parts and dev is not None and dev.is_dir():
        # The second development set: for error analysis only, never gated.
        results["dev_set"] = {k: v for k, v in evaluate_gold(dev, model).items() if k in ("all", "articles")}
    conll = shared / "conll2003" / "eng.testa" if shared else None
    if "conll" in parts:
        if conll is not None and conll.exists():
            started = time.perf_counter()
            results["conll"] = evaluate_conll(conll, model)
            timings["conll"] = round(time.perf_counter() - started, 2)
        else:
            results["skipped"]["conll"] = f"{conll or '../shared/data'} is absent"
    bench = shared / "article-extraction-benchmark" if shared else None
    if "extraction" in parts:
        if bench is not None and (bench / "ground-truth.json").exists():
            started = time.perf_counter()
            results["extraction"] = evaluate_benchmark(bench)
            timings["extraction"] = round(time.perf_counter() - started, 2)
        else:
            results["skipped"]["extraction"] = f"{bench or '../shared/data'} is absent"
    results["seconds"] = timings
    results["targets"] = {name: {"target": target, "measured": lookup(results, name),
                                 "met": (lookup(results, name) or 0) >= target}
                          for name, target in TARGETS.items() if lookup(results, name) is not None}
    results["targets"] |= {name: {"ceiling": ceiling, "measured": lookup(results, name),
                                  "met": (lookup(results, name) or 0) <= ceiling}
                           for name, ceiling in TARGET_CEILINGS.items() if lookup(results, name) is not None}
    return results


def lookup(results: dict[str, Any], dotted: str) -> float | None:
    """A figure by dotted path ("gold.all.claim.f1"), or None if that evaluation did not run."""
    value: Any = results
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
