"""The `reprocess_articles` flow: stored article texts analysed again; orchestration only.

Like `ingest_feeds`, a run owns its lifecycle: the run lock, a run context and its ledger, a
run record (kind `reprocess`), the draft refresh, the snapshot and the Prefect artifact. The
work lives in dossier.pipeline.reprocess: which articles are stale, turning them back into
fetched articles, writing them as updated ones. Analysis goes through the ingest flow's own
analysis task (the same workers), batches queued ahead of the single writer as ingest does.
`reprocess_stale` is also what an ingest run calls with its `reprocess_budget`.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from dossier.flows.ingest import (
    analyse_task,
    publish_artifact,
    publish_run_snapshot,
    refresh_task,
    task_runner_for,
)
from dossier.pipeline import alerts, analyse, record, reprocess
from dossier.pipeline.context import RunContext
from dossier.pipeline.summary import RunSummary
from dossier.pipeline.write import WriteOutcome
from dossier.settings import Settings
from dossier.store.articles import StaleSelection
from dossier.store.lock import run_lock
from dossier.store.warehouse import Warehouse
from dossier.tracing import run_context

log = logging.getLogger("dossier.flow")

KIND = "reprocess"


@task(name="write-reprocessed", cache_policy=NO_CACHE)
def write_reprocessed_task(warehouse: Warehouse, analysed: list[analyse.AnalysedArticle]) -> WriteOutcome:
    """Write one re-analysed batch in one transaction (only the run's own process writes)."""
    return reprocess.write_reprocessed(warehouse, analysed)


@flow(name="reprocess_articles", validate_parameters=False)
def reprocess_articles(
    settings: Settings, selection: StaleSelection | None = None, limit: int | None = None, origin: str = "user",
    lock_wait: float | None = None,
) -> RunSummary:
    """Analyse stored texts again (those stamped with another models version, or `selection`),
    at most `limit`, refresh the drafts they touched, record the run, publish a snapshot.

    Holds the warehouse's run lock like an ingest run: the two never write at once."""
    warehouse = Warehouse(Path(settings.warehouse_path))
    wait = settings.run_lock_wait if lock_wait is None else lock_wait
    with run_lock(warehouse.path, wait=wait, holder=f"reprocess ({origin})"):
        ctx = RunContext.start(settings, warehouse)
        ctx.ledger.summary.kind = KIND
        with run_context(ctx.run_id):
            record.open_run(warehouse, ctx.run_id, ctx.started_at, kind=KIND)
            log.info("reprocess run started", extra={"stage": "run"})
            try:
                summary = _run(ctx, selection or reprocess.stale_selection(), limit)
            except BaseException as exc:
                log.error("run failed: %s: %s", type(exc).__name__, exc, extra={"stage": "run"})
                failed = record.fail_run(warehouse, ctx.run_id, ctx.started_at, exc, kind=KIND)
                publish_artifact(failed, "reprocess")
                raise
            log.info("run %s in %.1f s", summary.status, summary.duration_s,
                     extra={"stage": "run", "counts": summary.counts(), "durations": summary.durations})
            if settings.snapshot_after_run:
                publish_run_snapshot(warehouse, settings, summary)
    publish_artifact(summary, "reprocess")
    return summary


def _run(ctx: RunContext, selection: StaleSelection, limit: int | None) -> RunSummary:
    """The body of `reprocess_articles`: analyse and write batch by batch, refresh, record."""
    reprocess_stale(ctx, selection, limit)
    analyse.release_analysis()
    drafts, durations = refresh_task(ctx.warehouse, quote(ctx.ledger.affected))
    ctx.ledger.record_refresh(drafts, durations)
    # Watchlists are evaluated as after an ingest run: re-extracted claims keep their first
    # sighting, so only what the new models find for the first time raises an alert.
    ctx.ledger.record_alerts(alerts.raise_alerts(ctx.warehouse, ctx.settings, ctx.run_id, ctx.started_at, ctx.ledger.affected))
    ctx.ledger.record_stale(reprocess.count_stale(ctx.warehouse))
    return record.close_run(ctx.warehouse, ctx.ledger.close())


def reprocess_stale(ctx: RunContext, selection: StaleSelection, limit: int | None = None) -> None:
    """Analyse again and write up to `limit` of the selected stored articles, oldest first, batch
    by batch (each committed as it is written), in the ledger of the run `ctx`.

    As in ingest, analysis batches run on the flow's task runner while this process writes the
    batch before and reads the next one; with worker processes or Dask, batches queue ahead."""
    settings = ctx.settings
    chunks, stale = reprocess.plan_reprocess(ctx.warehouse, selection, settings.article_chunk_size, limit)
    ctx.ledger.start_reprocess(sum(map(len, chunks)), stale)
    on_dask = settings.task_runner == "dask"
    in_flight = settings.analysis_in_flight if on_dask or settings.nlp_processes > 1 else 1
    analysis_settings = settings.model_copy(update={"nlp_processes": 1}) if on_dask else settings
    batch = (lambda articles: articles) if on_dask else quote
    pending: deque[tuple[list[str], Any]] = deque()
    while chunks:
        ids = chunks.popleft()
        articles = reprocess.load_batch(ctx.warehouse, ids)
        ready = [pending.popleft() for _ in range(max(0, len(pending) - in_flight + 1))]
        pending.append((ids, analyse_task.submit(batch(articles), analysis_settings) if articles else None))
        for item in ready:  # written while the batch just submitted is analysed
            _write(ctx, *item)
    while pending:
        _write(ctx, *pending.popleft())


def _write(ctx: RunContext, ids: list[str], future: Any) -> None:
    """Wait for one batch's analysis, write it, and enter it in the ledger."""
    nlp = future.result() if future is not None else analyse.AnalyseOutcome()
    written = write_reprocessed_task(ctx.warehouse, quote(list(nlp.analysed))) if nlp.analysed else WriteOutcome()
    ctx.ledger.record_reprocess(len(ids), nlp, written)


def run_reprocess(settings: Settings, **options: Any) -> RunSummary:
    """Run `reprocess_articles` on the task runner the settings choose (`task_runner`, `dask_*`)."""
    runner = task_runner_for(settings)
    flow_ = reprocess_articles if runner is None else reprocess_articles.with_options(task_runner=runner)
    return flow_(settings, **options)
