"""The `ingest_feeds` flow: orchestration only; the work lives in dossier.pipeline.stages.

Tasks work on batches (one feed, one chunk of articles), never one task per article, so
Prefect's per-task overhead stays a small share of a run.
Batches go to local tasks wrapped in `quote`: Prefect otherwise walks every argument looking for
futures to wait on, which over chunks of pages, texts and analyses took 8-10 s of the ingesting
process's CPU in a profiled 600-article run. The flow passes no futures inside them.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from dossier.ingest.fetch import HostThrottle, RunBudget
from dossier.ingest.robots import RobotsCache
from dossier.pipeline import stages
from dossier.pipeline.summary import RunSummary
from dossier.records import Failure, FeedPoll
from dossier.settings import ConfigError, Settings
from dossier.store.lock import run_lock
from dossier.store.snapshot import publish_snapshot
from dossier.store.warehouse import Warehouse, WarehouseError
from dossier.tracing import Stopwatch, run_context

log = logging.getLogger("dossier.flow")


@task(name="poll-feed", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def poll_feed_task(
    feed: stages.FeedConfig, settings: Settings, throttle: HostThrottle, robots: RobotsCache, budget: RunBudget
) -> FeedPoll:
    return stages.poll_one(feed, settings, throttle, robots, budget)


@task(name="fetch-articles", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def fetch_task(
    jobs: list[stages.FetchJob], settings: Settings, throttle: HostThrottle, robots: RobotsCache, budget: RunBudget
) -> stages.FetchOutcome:
    return stages.fetch_articles(jobs, settings, throttle, robots, budget)


@task(name="analyse-articles", cache_policy=NO_CACHE)
def analyse_task(articles: list[stages.FetchedArticle], settings: Settings) -> stages.AnalyseOutcome:
    outcome = stages.analyse_articles(articles, settings)
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
def write_task(warehouse: Warehouse, analysed: list[stages.AnalysedArticle], failed: list[dict]) -> stages.WriteOutcome:
    return stages.write_batch(warehouse, analysed, failed)


@task(name="refresh-profiles", cache_policy=NO_CACHE)
def refresh_task(warehouse: Warehouse, entity_ids: set[str]) -> tuple[dict[str, int], dict[str, float]]:
    watch = Stopwatch()
    drafts = stages.refresh_profiles(warehouse, entity_ids, watch)
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
        started = datetime.now(UTC)
        run_id = uuid.uuid4().hex[:12]
        throttle = HostThrottle(settings.host_delay if host_delay is None else host_delay, settings.host_concurrency,
                                strikes=settings.host_strikes)
        robots = RobotsCache()
        budget = RunBudget.starting_now(settings.run_budget)
        with run_context(run_id):
            stages.open_run(warehouse, run_id, started)
            log.info("run started", extra={"stage": "run", "feeds": len(feed_urls)})
            try:
                summary = _run(feed_urls, settings, origin, warehouse, throttle, robots, budget, run_id, started,
                               publishers)
            except BaseException as exc:
                log.error("run failed: %s: %s", type(exc).__name__, exc, extra={"stage": "run"})
                failed = stages.fail_run(warehouse, run_id, started, exc)
                # The operator looking at Prefect needs the failed run's report most of all.
                _publish_artifact(failed)
                raise
            log.info("run %s in %.1f s", summary.status, summary.duration_s,
                     extra={"stage": "run", "counts": summary.counts(), "durations": summary.durations})
            if settings.snapshot_after_run:
                _publish(warehouse, settings, summary)
    _publish_artifact(summary)
    return summary


def _publish_artifact(summary: RunSummary) -> None:
    """The run report as the flow run's Prefect artifact (completed or failed)."""
    create_markdown_artifact(key="ingest-run-summary", markdown=summary.to_markdown(),
                             description=f"dossier ingest run ({summary.status})")


def _publish(warehouse: Warehouse, settings: Settings, summary: RunSummary) -> None:
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


def _poll_all(
    feeds: list[stages.FeedConfig], settings: Settings, throttle: HostThrottle, robots: RobotsCache, budget: RunBudget
) -> list[FeedPoll]:
    """Poll feeds concurrently on local threads, whatever the flow's task runner (they share one
    throttle and one robots.txt cache, which never leave this process)."""
    if not feeds:
        return []
    with ThreadPoolTaskRunner(max_workers=min(8, len(feeds))) as local:
        futures = [local.submit(poll_feed_task, {"feed": feed, "settings": settings, "throttle": throttle,
                                                 "robots": robots, "budget": budget})
                   for feed in feeds]
        return [future.result() for future in futures]


def _run(
    feed_urls: list[str], settings: Settings, origin: str, warehouse: Warehouse, throttle: HostThrottle,
    robots: RobotsCache, budget: RunBudget, run_id: str, started: datetime, publishers: dict[str, str] | None = None,
) -> RunSummary:
    """The body of `ingest_feeds`: poll, plan, then fetch / analyse / write chunk by chunk.

    Durations are measured inside the stage functions (so they exclude Prefect's overhead and
    a benchmark calling the stages directly gets the same figures) and summed over batches."""
    watch = Stopwatch()
    feeds = stages.load_feed_configs(warehouse, feed_urls, origin, publishers)
    due, backed_off = stages.due_feeds(feeds, started)
    polls = _poll_all(due, settings, throttle, robots, budget)
    for poll in polls:
        watch.merge(poll.durations)
    plan = stages.plan_fetches(warehouse, due, polls)

    summary = RunSummary(
        run_id=run_id, started_at=started, finished_at=started, warehouse_path=str(settings.warehouse_path),
        feeds_polled=sum(p.skipped is None for p in polls), feeds_not_modified=sum(p.not_modified for p in polls),
        feeds_failed=sum(p.error is not None for p in polls), feeds_skipped=sum(p.skipped is not None for p in polls),
        feeds_backed_off=len(backed_off), articles_unchanged=plan.unchanged,
        failures=[Failure(stage="feed", item=p.feed_url, reason=p.error) for p in polls if p.error],
        skipped=[*backed_off, *(Failure(stage="robots", item=p.feed_url, reason=p.skipped) for p in polls if p.skipped)],
        warnings=[f"{p.feed_url}: {p.warning}" for p in polls if p.warning],
    )
    summary.count("feed_poll", feeds=len(feeds), backed_off=len(backed_off), polled=summary.feeds_polled,
                  not_modified=summary.feeds_not_modified, failed=summary.feeds_failed, skipped=summary.feeds_skipped)
    summary.count("feed_parse", entries=sum(len(p.entries) for p in polls), unchanged=plan.unchanged,
                  repeated=plan.repeated, to_fetch=len(plan.jobs))
    affected: set[str] = set()
    unreached: set[str] = set()  # feeds with entries the run budget did not reach
    size = settings.article_chunk_size
    total = len(plan.jobs)
    chunks = deque(plan.jobs[i : i + size] for i in range(0, total, size))
    # From here on, each entry is held by its chunk alone and goes once its chunk is written:
    # the polls keep only what record_polls needs (a feed may list thousands of entries).
    polls = [poll.model_copy(update={"entries": ()}) for poll in polls]
    del plan
    done = 0
    stages.report_progress("articles", done, total)
    # Extraction batches run on the flow's task runner (threads, or a Dask cluster) while this
    # process writes the batch before and fetches the next chunk; this process alone writes,
    # batch by batch in plan order, so the warehouse ends the same whichever runner analysed
    # the batches. With analysis worker processes (nlp_processes > 1) or Dask, batches queue
    # ahead so no worker waits for the next chunk; otherwise one analysis at a time.
    parallel = settings.task_runner == "dask" or settings.nlp_processes > 1
    in_flight = settings.analysis_in_flight if parallel else 1
    # On Dask the workers are the parallelism (and, daemonic, may not start processes of their own).
    analysis_settings = settings.model_copy(update={"nlp_processes": 1}) if settings.task_runner == "dask" else settings
    pending: deque[tuple[list[stages.FetchJob], stages.FetchOutcome, Any]] = deque()
    # Not on Dask: its runner handed the task the quoted articles as plain tuples; it serialises
    # the arguments it ships anyway.
    batch = (lambda articles: articles) if settings.task_runner == "dask" else quote

    def analysed(item: tuple[list[stages.FetchJob], stages.FetchOutcome, Any]) -> tuple[Any, ...]:
        chunk, fetched, future = item
        return chunk, fetched, future.result() if future is not None else stages.AnalyseOutcome()

    def write(chunk: list[stages.FetchJob], fetched: stages.FetchOutcome, nlp: stages.AnalyseOutcome) -> None:
        nonlocal done, affected
        jobs_by_link = {job.entry.link: job for job in chunk}
        unreached.update(jobs_by_link[f.item].entry.feed_url for f in fetched.skipped if f.stage == "budget")
        failures = [*fetched.failures, *nlp.failures]
        failed = stages.failure_rows([*failures, *fetched.skipped], jobs_by_link, datetime.now(UTC))
        written = write_task(warehouse, quote(list(nlp.analysed)), quote(failed))
        for part in (fetched.durations, nlp.durations, written.durations):
            watch.merge(part)
        affected |= written.affected_entities
        fetch_failed = sum(f.stage == "fetch" for f in fetched.failures)
        summary.count("fetch", requested=len(chunk) - len(fetched.skipped), not_modified=fetched.not_modified,
                      failed=fetch_failed, skipped=len(fetched.skipped))
        summary.count("text", extracted=len(fetched.articles), unchanged=fetched.unchanged - fetched.not_modified,
                      failed=len(fetched.failures) - fetch_failed, warned=len(fetched.warnings))
        summary.count("nlp", analysed=len(nlp.analysed), failed=len(nlp.failures),
                      **({"dask_batches": 1} if nlp.dask_worker else {}))
        summary.count("write", **{"failure_rows": len(failed), **written.written})
        summary.articles_new += sum(a.fetched.is_new for a in nlp.analysed)
        summary.articles_updated += sum(not a.fetched.is_new for a in nlp.analysed)
        summary.articles_unchanged += fetched.unchanged
        summary.articles_failed += len(failures)
        summary.articles_skipped += len(fetched.skipped)
        summary.failures.extend(failures)
        summary.skipped.extend(fetched.skipped)
        summary.warnings.extend(fetched.warnings)
        done += len(chunk)
        stages.report_progress("articles", done, total)

    while chunks:
        chunk = chunks.popleft()
        fetched = fetch_task(quote(chunk), settings, throttle, robots, budget)
        ready = [analysed(pending.popleft()) for _ in range(max(0, len(pending) - in_flight + 1))]
        future = analyse_task.submit(batch(list(fetched.articles)), analysis_settings) if fetched.articles else None
        pending.append((chunk, fetched, future))
        for item in ready:  # written while the chunk just submitted is analysed
            write(*item)
    while pending:
        write(*analysed(pending.popleft()))
    stages.release_analysis()
    # The feeds' new validators are stored only once every entry they listed is written: a run
    # killed before this point polls the feeds in full again, instead of hearing "304" and
    # never fetching the entries it had not reached.
    # A feed with entries the budget did not reach keeps its old validators for the same reason.
    polls = [poll.model_copy(update={"etag": feed.etag, "modified": feed.modified}) if poll.feed_url in unreached
             else poll for feed, poll in zip(due, polls)]
    stages.record_polls(warehouse, due, polls, settings)

    drafts, profile_durations = refresh_task(warehouse, quote(affected))
    watch.merge(profile_durations)
    summary.organisations_touched = len(affected)
    summary.drafts_created, summary.drafts_updated = drafts["created"], drafts["updated"]
    summary.count("assembly", organisations=len(affected), **{f"drafts_{k}": v for k, v in drafts.items()})
    summary.durations = {k: round(v, 4) for k, v in watch.durations.items()}
    summary.finished_at = datetime.now(UTC)
    summary = stages.close_run(warehouse, summary)
    return summary
