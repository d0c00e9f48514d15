"""The `ingest_feeds` flow: orchestration only; the work lives in dossier.pipeline.

A run owns its lifecycle (zavod's `crawl`): the flow takes the run lock, builds the run's
context (`dossier.pipeline.context`), opens the run record, hands every stage's outcome to the
context's ledger, and closes (or fails) the record; plan, fetch, analyse, write and refresh
are plain functions in dossier.pipeline.

Tasks work on batches (one feed, one chunk of articles), never one task per article, so
Prefect's per-task overhead stays a small share of a run.
Batches go to local tasks wrapped in `quote`: Prefect otherwise walks every argument looking for
futures to wait on, which over chunks of pages, texts and analyses took 8-10 s of the ingesting
process's CPU in a profiled 600-article run. The flow passes no futures inside them (nor in the
run context, quoted too).
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from dossier.pipeline import alerts, analyse, fetch, plan, record, refresh, write
from dossier.pipeline.context import RunContext
from dossier.pipeline.summary import RunSummary
from dossier.records import FeedPoll
from dossier.settings import ConfigError, Settings
from dossier.store.lock import run_lock
from dossier.store.snapshot import publish_snapshot
from dossier.store.warehouse import Warehouse, WarehouseError
from dossier.tracing import Stopwatch, run_context

log = logging.getLogger("dossier.flow")

# A chunk of jobs, what its fetch gave, and the analysis under way (None: nothing to analyse).
Batch = tuple[list[plan.FetchJob], fetch.FetchOutcome, Any]


@task(name="poll-feed", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def poll_feed_task(feed: plan.FeedConfig, ctx: RunContext) -> FeedPoll:
    """Poll one feed (on a local thread: it shares the run's throttle and robots.txt cache)."""
    return fetch.poll_one(feed, ctx.settings, ctx.throttle, ctx.robots, ctx.budget)


@task(name="fetch-articles", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def fetch_task(jobs: list[plan.FetchJob], ctx: RunContext) -> fetch.FetchOutcome:
    """Fetch and extract one chunk of entries, in the run's own process."""
    return fetch.fetch_articles(jobs, ctx.settings, ctx.throttle, ctx.robots, ctx.budget)


@task(name="analyse-articles", cache_policy=NO_CACHE)
def analyse_task(articles: list[fetch.FetchedArticle], settings: Settings) -> analyse.AnalyseOutcome:
    """Analyse one chunk wherever the flow's task runner puts it; says which Dask worker, if one did."""
    outcome = analyse.analyse_articles(articles, settings)
    return outcome.model_copy(update={"dask_worker": dask_worker_address()})


def dask_worker_address() -> str | None:
    """The address of the Dask worker running this code; None outside one (or without dask).

    Recorded per analysis batch so a run report shows the scale-out really happened, rather
    than a misconfigured runner silently analysing in the flow's own process."""
    try:
        from distributed import get_worker
    except ImportError:
        return None
    try:
        return get_worker().address
    except ValueError:  # "No worker found": not on a Dask worker
        return None


@task(name="write-batch", cache_policy=NO_CACHE)
def write_task(warehouse: Warehouse, analysed: list[analyse.AnalysedArticle], failed: list[dict]) -> write.WriteOutcome:
    """Write one analysed batch in one transaction (only the run's own process writes)."""
    return write.write_batch(warehouse, analysed, failed)


@task(name="refresh-profiles", cache_policy=NO_CACHE)
def refresh_task(warehouse: Warehouse, entity_ids: set[str]) -> tuple[dict[str, int], dict[str, float]]:
    """Refresh the drafts the run touched (and whatever is queued); the counts and the seconds by stage."""
    watch = Stopwatch()
    drafts = refresh.refresh_profiles(warehouse, entity_ids, watch)
    return drafts, watch.durations


@flow(name="ingest_feeds", validate_parameters=False)
def ingest_feeds(
    feed_urls: list[str], settings: Settings, origin: str = "user", host_delay: float | None = None,
    lock_wait: float | None = None, publishers: dict[str, str] | None = None,
) -> RunSummary:
    """Poll feeds, fetch new articles, extract evidence, refresh drafts, record the run, publish a snapshot.

    The whole run holds the warehouse's run lock (waiting up to `lock_wait` seconds, default
    `settings.run_lock_wait`), so two runs never write at once. `publishers` (feed URL ->
    publisher domain) vouches for feeds whose publisher cannot be told from their URL (the demo).
    """
    warehouse = Warehouse(Path(settings.warehouse_path))
    wait = settings.run_lock_wait if lock_wait is None else lock_wait
    with run_lock(warehouse.path, wait=wait, holder=f"ingest ({origin})"):
        ctx = RunContext.start(settings, warehouse, host_delay=host_delay)
        with run_context(ctx.run_id):
            record.open_run(warehouse, ctx.run_id, ctx.started_at)
            log.info("run started", extra={"stage": "run", "feeds": len(feed_urls)})
            try:
                summary = _run(ctx, feed_urls, origin, publishers)
            except BaseException as exc:
                log.error("run failed: %s: %s", type(exc).__name__, exc, extra={"stage": "run"})
                failed = record.fail_run(warehouse, ctx.run_id, ctx.started_at, exc)
                # The operator looking at Prefect needs the failed run's report most of all.
                publish_artifact(failed)
                raise
            log.info("run %s in %.1f s", summary.status, summary.duration_s,
                     extra={"stage": "run", "counts": summary.counts(), "durations": summary.durations})
            if settings.snapshot_after_run:
                publish_run_snapshot(warehouse, settings, summary)
    publish_artifact(summary)
    return summary


def _run(ctx: RunContext, feed_urls: list[str], origin: str, publishers: dict[str, str] | None) -> RunSummary:
    """The body of `ingest_feeds`: plan and poll, then fetch / analyse / write chunk by chunk, refresh, record."""
    feeds = plan.load_feed_configs(ctx.warehouse, feed_urls, origin, publishers)
    due, backed_off = plan.due_feeds(feeds, ctx.started_at)
    polls = _poll_all(ctx, due)
    fetches = plan.plan_fetches(ctx.warehouse, due, polls)
    ctx.ledger.record_plan(feeds, backed_off, polls, fetches)
    chunks = plan.chunk_jobs(fetches.jobs, ctx.settings.article_chunk_size)
    # From here on, each entry is held by its chunk alone and goes once its chunk is written:
    # the polls keep only what record_polls needs (a feed may list thousands of entries).
    polls = [poll.model_copy(update={"entries": ()}) for poll in polls]
    del fetches
    _fetch_analyse_write(ctx, chunks)
    _reprocess_within_budget(ctx)
    analyse.release_analysis()
    # The feeds' new validators are stored only once every entry they listed is written: a run
    # killed before this point polls the feeds in full again, instead of hearing "304" and
    # never fetching the entries it had not reached.
    plan.record_polls(ctx.warehouse, due, plan.polls_to_record(due, polls, ctx.ledger.unreached), ctx.settings)
    drafts, durations = refresh_task(ctx.warehouse, quote(ctx.ledger.affected))
    ctx.ledger.record_refresh(drafts, durations)
    ctx.ledger.record_alerts(alerts.raise_alerts(ctx.warehouse, ctx.settings, ctx.run_id, ctx.started_at, ctx.ledger.affected))
    return record.close_run(ctx.warehouse, ctx.ledger.close())


def _reprocess_within_budget(ctx: RunContext) -> None:
    """After the new articles, up to `reprocess_budget` stored ones stamped with another models
    version are analysed again (`dossier reprocess` does them all); how many remain is reported."""
    from dossier.flows.reprocess import reprocess_stale  # it imports this module's tasks
    from dossier.pipeline.reprocess import count_stale, stale_selection

    if ctx.settings.reprocess_budget > 0:
        reprocess_stale(ctx, stale_selection(), ctx.settings.reprocess_budget)
    ctx.ledger.record_stale(count_stale(ctx.warehouse))


def _poll_all(ctx: RunContext, feeds: list[plan.FeedConfig]) -> list[FeedPoll]:
    """Poll feeds concurrently on local threads, whatever the flow's task runner (they share the
    run's throttle and robots.txt cache, which never leave this process)."""
    if not feeds:
        return []
    with ThreadPoolTaskRunner(max_workers=min(8, len(feeds))) as local:
        futures = [local.submit(poll_feed_task, {"feed": feed, "ctx": quote(ctx)}) for feed in feeds]
        return [future.result() for future in futures]


def _fetch_analyse_write(ctx: RunContext, chunks: deque[list[plan.FetchJob]]) -> None:
    """Fetch, analyse and write the chunks in plan order, each written as soon as its analysis is in.

    Extraction batches run on the flow's task runner (threads, or a Dask cluster) while this
    process writes the batch before and fetches the next chunk; this process alone writes,
    batch by batch in plan order, so the warehouse ends the same whichever runner analysed
    the batches. With analysis worker processes (nlp_processes > 1) or Dask, batches queue
    ahead so no worker waits for the next chunk; otherwise one analysis at a time."""
    settings = ctx.settings
    on_dask = settings.task_runner == "dask"
    in_flight = settings.analysis_in_flight if on_dask or settings.nlp_processes > 1 else 1
    # On Dask the workers are the parallelism (and, daemonic, may not start processes of their own).
    analysis_settings = settings.model_copy(update={"nlp_processes": 1}) if on_dask else settings
    # Not on Dask: its runner handed the task the quoted articles as plain tuples; it serialises
    # the arguments it ships anyway.
    batch = (lambda articles: articles) if on_dask else quote
    pending: deque[Batch] = deque()
    ctx.ledger.start_articles()
    while chunks:
        chunk = chunks.popleft()
        fetched = fetch_task(quote(chunk), quote(ctx))
        ready = [_analysed(pending.popleft()) for _ in range(max(0, len(pending) - in_flight + 1))]
        future = analyse_task.submit(batch(list(fetched.articles)), analysis_settings) if fetched.articles else None
        pending.append((chunk, fetched, future))
        for item in ready:  # written while the chunk just submitted is analysed
            _write(ctx, *item)
    while pending:
        _write(ctx, *_analysed(pending.popleft()))


def _analysed(item: Batch) -> tuple[list[plan.FetchJob], fetch.FetchOutcome, analyse.AnalyseOutcome]:
    """A batch with its analysis done (waited for)."""
    chunk, fetched, future = item
    return chunk, fetched, future.result() if future is not None else analyse.AnalyseOutcome()


def _write(ctx: RunContext, chunk: list[plan.FetchJob], fetched: fetch.FetchOutcome, nlp: analyse.AnalyseOutcome) -> None:
    """Write one analysed batch, with its failed and skipped entries, and enter it in the ledger."""
    failed = write.chunk_failure_rows(chunk, [*fetched.failures, *nlp.failures, *fetched.skipped], datetime.now(UTC))
    written = write_task(ctx.warehouse, quote(list(nlp.analysed)), quote(failed))
    ctx.ledger.record_batch(chunk, fetched, nlp, failed, written)


def publish_artifact(summary: RunSummary, kind: str = "ingest") -> None:
    """The run report as the flow run's Prefect artifact (completed or failed): key `<kind>-run-summary`."""
    create_markdown_artifact(key=f"{kind}-run-summary", markdown=summary.to_markdown(),
                             description=f"dossier {kind} run ({summary.status})")


def publish_run_snapshot(warehouse: Warehouse, settings: Settings, summary: RunSummary) -> None:
    """Publish the readers' snapshot; a failure is reported, not fatal (the run's data is safely written)."""
    try:
        snap = publish_snapshot(warehouse, settings.effective_snapshot_path)
    except (OSError, WarehouseError) as exc:
        log.error("snapshot %s not published: %s", settings.effective_snapshot_path, exc)
        summary.warnings.append(f"snapshot {settings.effective_snapshot_path} not published: {exc}")
        return
    log.info("snapshot %s published (%d bytes, %.2f s)", snap.path, snap.bytes, snap.seconds)


def task_runner_for(settings: Settings) -> Any:
    """The task runner extraction batches run on: None for Prefect's default, else a DaskTaskRunner."""
    if settings.task_runner != "dask":
        return None
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise ConfigError("task_runner = dask needs the `dask` extra: pip install -e '.[dask]'") from None

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": settings.dask_workers, "threads_per_worker": 1, "processes": settings.dask_processes,
        "dashboard_address": ":0",  # any free port: two clusters on one machine must not collide
    })


def run_ingest(feed_urls: list[str], settings: Settings, **options: Any) -> RunSummary:
    """Run `ingest_feeds` on the task runner the settings choose (`task_runner`, `dask_*`)."""
    runner = task_runner_for(settings)
    flow_ = ingest_feeds if runner is None else ingest_feeds.with_options(task_runner=runner)
    return flow_(feed_urls, settings, **options)
