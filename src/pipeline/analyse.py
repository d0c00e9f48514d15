"""Analysis: a chunk of article texts through the NLP pipeline, one article's fault isolated.

These run wherever the flow's task runner puts them (a thread of the run's process, analysis
worker processes, a Dask worker): they take only picklable records and settings, never the run context.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from dossier.extract.analyse import load_analyser, release_workers
from dossier.extract.nlp import ModelNotInstalled
from dossier.pipeline.fetch import FetchedArticle
from dossier.records import Analysis, Failure, Record
from dossier.settings import Settings
from dossier.tracing import Stopwatch

log = logging.getLogger("dossier.pipeline")


class AnalysedArticle(Record):
    fetched: FetchedArticle
    analysis: Analysis


class AnalyseOutcome(Record):
    analysed: tuple[AnalysedArticle, ...] = ()
    failures: tuple[Failure, ...] = ()
    durations: dict[str, float] = {}     # seconds in nlp (model loading included the first time)
    dask_worker: str | None = None       # the Dask worker that analysed the batch, if one did


def analyse_articles(articles: Sequence[FetchedArticle], settings: Settings) -> AnalyseOutcome:
    """Run the NLP pipeline (loaded once per process) over a chunk of articles.

    If the batch fails, the articles are analysed one by one so only the bad one is lost
    (and recorded); the rest of the chunk goes on."""
    watch = Stopwatch()
    with watch.time("nlp"):
        outcome = _analyse(articles, settings)
        log.info("analysed %d articles (%d failed)", len(outcome.analysed), len(outcome.failures))
    return outcome.model_copy(update={"durations": watch.durations})


def _analyse(articles: Sequence[FetchedArticle], settings: Settings) -> AnalyseOutcome:
    analyser = load_analyser(settings.spacy_model)
    try:
        analyses = list(analyser.analyse([a.article.text for a in articles], batch_size=settings.nlp_batch_size,
                                         n_process=settings.nlp_processes, batch_chars=settings.nlp_batch_chars))
        return AnalyseOutcome(analysed=tuple(AnalysedArticle(fetched=a, analysis=r) for a, r in zip(articles, analyses)))
    except ModelNotInstalled:  # no article can be analysed: the run fails, naming the model
        raise
    except Exception:  # noqa: BLE001 - isolate the article that broke the batch
        log.exception("NLP batch of %d articles failed; retrying one by one", len(articles))
    analysed, failures = [], []
    for item in articles:
        try:
            [result] = analyser.analyse([item.article.text])
        except Exception as exc:  # noqa: BLE001
            failures.append(Failure(stage="nlp", item=item.job.entry.link, reason=f"{type(exc).__name__}: {exc}"))
            log.exception("article %s failed in NLP", item.article.url)
            continue
        analysed.append(AnalysedArticle(fetched=item, analysis=result))
    return AnalyseOutcome(analysed=tuple(analysed), failures=tuple(failures))


def release_analysis() -> None:
    """Stop the analysis worker processes once a run's analysis is done: each holds its model
    and parsing memory (several hundred MiB), which the draft refresh that follows would
    otherwise sit on top of. The next run with articles starts them again (seconds)."""
    release_workers()
