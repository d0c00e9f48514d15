"""Real-news evaluation: the annotated BBC stories (`../shared/data/bbc-news/gold`), fold by fold.

Each of the five fixed folds (`folds.py`) is analysed by the analyser `analyser_for_fold(k)`
returns, so anything learned is scored only on the fold it was not trained on; the figures
"over all folds" add up the five held-out folds' counts (micro-averaged), so every article is
scored exactly once, by a model that never saw it. The default factory gives every fold the
same analyser (the rule pipeline learns nothing); once `load_analyser` takes a `fold`
keyword (per-fold learned components), the default factory passes it.

Scoring is the gold set's (`gold.score_article`): organisation P/R/F1 with false positives
and negatives grouped by error class (`error_classes.py`), alias-cluster accuracy, place →
country accuracy, claim P/R/F1 on (subject, type) overall and per type, polarity and
modality accuracy with their gold × predicted confusion matrices.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from dossier.evaluation.folds import FOLDS, assign_folds, fold_sizes, load_realnews, realnews_gold_dir
from dossier.evaluation.gold import GoldArticle, GoldScores, corpus_hash, score_article
from dossier.records import Analysis


class FoldAnalyser(Protocol):
    """What the evaluation needs of an analyser: texts in, `Analysis` records out, in order."""

    def analyse(self, texts: Any, batch_size: int = ..., n_process: int = ...) -> Any: ...


AnalyserFactory = Callable[[int], FoldAnalyser]


def default_analyser_factory(model: str) -> AnalyserFactory:
    """`analyser_for_fold(k)`: `load_analyser(model, fold=k)` if it takes a fold, else `load_analyser(model)`."""
    from dossier.extract.analyse import load_analyser

    takes_fold = "fold" in inspect.signature(load_analyser).parameters

    def analyser_for_fold(fold: int) -> FoldAnalyser:
        return load_analyser(model, fold=fold) if takes_fold else load_analyser(model)  # type: ignore[call-arg]

    return analyser_for_fold


def score_folds(
    articles: Sequence[GoldArticle], analyses: dict[str, Analysis], folds: int = FOLDS
) -> tuple[dict[int, GoldScores], GoldScores]:
    """(scores per fold, scores over all folds) of articles whose analyses are given by id."""
    assigned = assign_folds(articles, folds)
    per_fold = {k: GoldScores() for k in range(folds)}
    overall = GoldScores()
    for article in articles:
        score_article(article, analyses[article.id], per_fold[assigned[article.id]])
        score_article(article, analyses[article.id], overall)
    for k, scores in per_fold.items():
        for error in scores.errors:
            error["fold"] = k
    return per_fold, overall


def analyse_folds(
    articles: Sequence[GoldArticle], analyser_for_fold: AnalyserFactory, folds: int = FOLDS, n_process: int = 1
) -> dict[str, Analysis]:
    """{article id: analysis}, each fold's articles analysed by that fold's analyser."""
    assigned = assign_folds(articles, folds)
    analyses: dict[str, Analysis] = {}
    for k in range(folds):
        held_out = [a for a in articles if assigned[a.id] == k]
        if not held_out:
            continue
        analyser = analyser_for_fold(k)
        results = analyser.analyse([a.text for a in held_out], n_process=n_process)
        analyses.update(zip((a.id for a in held_out), results))
    return analyses


def evaluate_realnews(
    shared: Path, model: str, analyser_for_fold: AnalyserFactory | None = None, n_process: int = 1
) -> dict[str, Any]:
    """Real-news scores per fold and over all folds, with the corpus hash and every error."""
    articles = load_realnews(shared)
    if not articles:
        raise FileNotFoundError(f"no annotated real-news stories under {realnews_gold_dir(shared)}")
    factory = analyser_for_fold or default_analyser_factory(model)
    per_fold, overall = score_folds(articles, analyse_folds(articles, factory, n_process=n_process))
    sizes = fold_sizes(articles)
    return {
        "articles": len(articles),
        "corpus_sha256": corpus_hash(realnews_gold_dir(shared)),
        "folds": {str(k): {"articles": sizes[k], **s.as_dict()} for k, s in per_fold.items()},
        "all": overall.as_dict(),
        "errors": [e for k in sorted(per_fold) for e in per_fold[k].errors],
    }
