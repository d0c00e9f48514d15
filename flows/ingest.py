"""The `ingest_feeds` flow: orchestration only; the work lives in dossier.pipeline.stages.

Tasks work on batches (one feed, one chunk of articles), never one task per article, so
Prefect's per-task overhead stays a small share of a run.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from dossier.ingest.fetch import HostThrottle
from dossier.pipeline import stages
from dossier.pipeline.summary import RunSummary
from dossier.records import FeedPoll
from dossier.settings import Settings
from dossier.store.warehouse import Warehouse


@task(name="poll-feed", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def poll_feed_task(feed: stages.FeedConfig, settings: Settings, throttle: HostThrottle) -> FeedPoll:
    return stages.poll_one(feed, settings, throttle)


@task(name="fetch-articles", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def fetch_task(jobs: list[stages.FetchJob], settings: Settings, throttle: HostThrottle) -> stages.FetchOutcome:
    return stages.fetch_articles(jobs, settings, throttle)


@task(name="analyse-articles", cache_policy=NO_CACHE)
def analyse_task(articles: list[stages.FetchedArticle], settings: Settings) -> stages.AnalyseOutcome:
    return stages.analyse_articles(articles, settings)


@task(name="write-batch", cache_policy=NO_CACHE)
def write_task(warehouse: Warehouse, analysed: list[stages.AnalysedArticle], failed: list[dict]) -> stages.WriteOutcome:
    return stages.write_batch(warehouse, analysed, failed)


@task(name="refresh-profiles", cache_policy=NO_CACHE)
def refresh_task(warehouse: Warehouse, entity_ids: set[str]) -> dict[str, int]:
    return stages.refresh_profiles(warehouse, entity_ids)


@flow(name="ingest_feeds", validate_parameters=False)
def ingest_feeds(
    feed_urls: list[str], settings: Settings, origin: str = "user", host_delay: float | None = None
) -> RunSummary:
    """Poll feeds, fetch new articles, extract evidence, refresh drafts, record the run."""
    started = datetime.now(timezone.utc)
    run_id = uuid.uuid4().hex[:12]
    warehouse = Warehouse(Path(settings.warehouse_path))
    throttle = HostThrottle(settings.host_delay if host_delay is None else host_delay)
    stages.open_run(warehouse, run_id, started)
    try:
        summary = _run(feed_urls, settings, origin, warehouse, throttle, run_id, started)
    except BaseException as exc:
        stages.fail_run(warehouse, run_id, started, exc)
        raise
    create_markdown_artifact(key="ingest-run-summary", markdown=summary.to_markdown(), description="dossier ingest run")
    return summary


def _run(
    feed_urls: list[str], settings: Settings, origin: str, warehouse: Warehouse, throttle: HostThrottle,
    run_id: str, started: datetime,
) -> RunSummary:
    """The body of `ingest_feeds`: poll, plan, then fetch / analyse / write chunk by chunk."""
    durations: dict[str, float] = {}

    clock = time.perf_counter()
    feeds = stages.load_feed_configs(warehouse, feed_urls, origin)
    polls = [f.result() for f in [poll_feed_task.submit(feed, settings, throttle) for feed in feeds]]
    stages.record_polls(warehouse, feeds, polls)
    plan = stages.plan_fetches(warehouse, feeds, polls)
    durations["feeds"] = time.perf_counter() - clock

    summary = RunSummary(
        run_id=run_id, started_at=started, finished_at=started, warehouse_path=str(settings.warehouse_path),
        feeds_polled=len(polls), feeds_not_modified=sum(p.not_modified for p in polls),
        feeds_failed=sum(p.error is not None for p in polls), articles_unchanged=plan.unchanged,
        failures=[stages.Failure(stage="feed", item=p.feed_url, reason=p.error) for p in polls if p.error],
        warnings=[f"{p.feed_url}: {p.warning}" for p in polls if p.warning],
    )
    affected: set[str] = set()
    size = settings.article_chunk_size
    chunks = [plan.jobs[i : i + size] for i in range(0, len(plan.jobs), size)]
    for name in ("fetch", "analyse", "write"):
        durations[name] = 0.0
    done = 0
    stages.report_progress("articles", done, len(plan.jobs))
    for chunk in chunks:
        clock = time.perf_counter()
        fetched = fetch_task(chunk, settings, throttle)
        durations["fetch"] += time.perf_counter() - clock
        clock = time.perf_counter()
        nlp = analyse_task(list(fetched.articles), settings) if fetched.articles else stages.AnalyseOutcome()
        durations["analyse"] += time.perf_counter() - clock
        clock = time.perf_counter()
        jobs_by_link = {job.entry.link: job for job in chunk}
        failures = [*fetched.failures, *nlp.failures]
        failed = stages.failure_rows(failures, jobs_by_link, datetime.now(timezone.utc))
        written = write_task(warehouse, list(nlp.analysed), failed)
        durations["write"] += time.perf_counter() - clock
        affected |= written.affected_entities
        summary.articles_new += sum(a.fetched.is_new for a in nlp.analysed)
        summary.articles_updated += sum(not a.fetched.is_new for a in nlp.analysed)
        summary.articles_unchanged += fetched.unchanged
        summary.articles_failed += len(failures)
        summary.failures.extend(failures)
        done += len(chunk)
        stages.report_progress("articles", done, len(plan.jobs))

    clock = time.perf_counter()
    drafts = refresh_task(warehouse, affected)
    durations["profiles"] = time.perf_counter() - clock
    summary.organisations_touched = len(affected)
    summary.drafts_created, summary.drafts_updated = drafts["created"], drafts["updated"]
    summary.durations = {k: round(v, 3) for k, v in durations.items()}
    summary.finished_at = datetime.now(timezone.utc)
    summary = stages.close_run(warehouse, summary)
    return summary
