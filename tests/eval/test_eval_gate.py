"""The eval gate (as trafilatura's tests/eval_gate.py): no silent regression of extraction quality."""

from pathlib import Path

import pytest

from dossier.evaluation.gate import check_gate, read_baseline
from dossier.evaluation.gold import corpus_hash
from dossier.evaluation.report import run_evaluations
from dossier.settings import load_settings

HERE = Path(__file__).resolve().parent
BASELINE = read_baseline(HERE / "baseline.json")


def test_gold_corpus_is_the_one_the_floors_were_measured_on():
    assert corpus_hash(HERE / "gold") == BASELINE["corpus_sha256"], (
        "tests/eval/gold changed: re-measure and pin with `dossier eval --write-baseline tests/eval/baseline.json`")


def test_gold_set_scores_stay_above_their_floors():
    results = run_evaluations(HERE / "gold", None, load_settings().spacy_model, {"gold"})
    assert check_gate(results, BASELINE) == []


@pytest.mark.shared
def test_shared_corpora_scores_stay_above_their_floors(shared_data):
    results = run_evaluations(HERE / "gold", shared_data, load_settings().spacy_model, {"conll", "extraction"})
    assert not results["skipped"]
    assert check_gate(results, BASELINE) == []


@pytest.fixture(scope="module")
def realnews_results(shared_data):
    """The real-news evaluation, run once for every test that reads it (263 articles, ≈ 30 s)."""
    return run_evaluations(HERE / "gold", shared_data, load_settings().spacy_model, {"realnews"})


@pytest.mark.shared
def test_real_news_gold_is_the_one_the_floors_were_measured_on(realnews_results):
    assert realnews_results["realnews"]["corpus_sha256"] == BASELINE["realnews_corpus_sha256"], (
        "bbc-news/gold changed: re-measure and re-pin with `dossier eval --write-baseline tests/eval/baseline.json`")


@pytest.mark.shared
def test_real_news_scores_stay_above_their_floors(realnews_results):
    assert any(name.startswith("realnews.") for name in BASELINE["floors"])
    assert check_gate(realnews_results, BASELINE) == []


@pytest.mark.shared
def test_real_news_is_scored_fold_by_fold_on_every_article_once(realnews_results):
    realnews = realnews_results["realnews"]
    folds = realnews["folds"]
    assert sorted(folds) == ["0", "1", "2", "3", "4"]
    assert sum(f["articles"] for f in folds.values()) == realnews["articles"] >= 263
    for measure in ("organisation", "claim"):
        assert sum(f[measure]["gold"] for f in folds.values()) == realnews["all"][measure]["gold"]
    assert realnews["all"]["organisation_error_classes"]["org_fp"]
    matrix = realnews["all"]["polarity_confusion"]
    assert matrix["total"] == realnews["all"]["matched_claims"] > 0


def test_the_gate_refuses_a_regression_and_a_changed_corpus():
    results = {"gold": {"corpus_sha256": "other", "all": {"claim": {"f1": 0.01}}}}
    problems = check_gate(results, {"corpus_sha256": "x", "floors": {"gold.all.claim.f1": 0.5}})
    assert len(problems) == 2 and "gold corpus changed" in problems[0] and "fell below" in problems[1]


def test_the_gate_refuses_a_calibration_error_above_its_ceiling():
    baseline = {"corpus_sha256": "x", "floors": {}, "ceilings": {"gold.calibration.ece": 0.10}}
    assert check_gate({"gold": {"corpus_sha256": "x", "calibration": {"ece": 0.10}}}, baseline) == []
    problems = check_gate({"gold": {"corpus_sha256": "x", "calibration": {"ece": 0.11}}}, baseline)
    assert len(problems) == 1 and "rose above its ceiling" in problems[0]


def test_the_baseline_gates_calibration():
    assert BASELINE["ceilings"]["gold.calibration.ece"] <= 0.10
