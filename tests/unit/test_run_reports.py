"""Run reports in isolation: stage timing, structured logs, feed backoff, the Markdown report,
conditional GET of articles and robots.txt refusals in the fetch stage."""

from __future__ import annotations

import io
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dossier.ingest.feeds import backoff_seconds
from dossier.pipeline.fetch import fetch_articles
from dossier.pipeline.plan import FeedConfig, FetchJob, due_feeds
from dossier.pipeline.summary import RunSummary
from dossier.records import Failure, FeedEntry
from dossier.tracing import Stopwatch, configure_logging, remove_logging, run_context, stage_context
from tests.support.loopback import Route
from tests.support.settings import test_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def test_stopwatch_times_nested_stages_exclusively():
    watch = Stopwatch()
    with watch.time("assembly"):
        time.sleep(0.05)
        with watch.time("scoring"):
            time.sleep(0.1)
    with watch.time("assembly"):
        time.sleep(0.05)
    assert 0.09 <= watch.durations["assembly"] < 0.2  # the nested scoring is not counted twice
    assert 0.09 <= watch.durations["scoring"] < 0.2
    watch.merge({"scoring": 1.0, "nlp": 2.0})
    assert watch.durations["nlp"] == 2.0 and watch.durations["scoring"] > 1.09


def test_json_logs_carry_the_run_id_and_the_stage():
    stream = io.StringIO()
    handler = configure_logging("json", "INFO", stream)
    try:
        log = logging.getLogger("dossier.pipeline")
        with run_context("abc123"):
            with Stopwatch().time("fetch"):
                log.warning("article %s failed: %s", "http://x/a", "HTTP 429")
            log.info("run completed", extra={"counts": {"articles_new": 2}})
        with stage_context("nlp"):
            log.error("outside a run")
    finally:
        remove_logging(handler)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(r["run_id"], r["stage"], r["level"]) for r in records] == [
        ("abc123", "fetch", "warning"), ("abc123", None, "info"), (None, "nlp", "error")]
    assert records[0]["message"] == "article http://x/a failed: HTTP 429" and records[0]["logger"] == "dossier.pipeline"
    assert records[1]["counts"] == {"articles_new": 2}


def test_text_logs_name_the_run_and_stage_too():
    stream = io.StringIO()
    handler = configure_logging("text", "WARNING", stream)
    try:
        with run_context("r1"), stage_context("write"):
            logging.getLogger("dossier.store").warning("slow batch")
            logging.getLogger("dossier.store").info("not shown at WARNING")
    finally:
        remove_logging(handler)
    [line] = stream.getvalue().splitlines()
    assert "WARNING dossier.store [run r1, write] slow batch" in line


def test_feed_backoff_starts_after_the_threshold_doubles_and_is_capped():
    assert [backoff_seconds(n, 3, 900, 86_400) for n in (1, 2)] == [None, None]
    assert [backoff_seconds(n, 3, 900, 86_400) for n in (3, 4, 5)] == [900, 1800, 3600]
    assert backoff_seconds(40, 3, 900, 86_400) == 86_400


def test_backed_off_feeds_are_skipped_with_their_reason_until_their_time():
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    feeds = [FeedConfig(url="http://a/rss"),
             FeedConfig(url="http://b/rss", error_count=4, next_poll_after=now + timedelta(hours=1), last_error="HTTP 500"),
             FeedConfig(url="http://c/rss", error_count=4, next_poll_after=now - timedelta(seconds=1))]
    due, backed_off = due_feeds(feeds, now)
    assert [f.url for f in due] == ["http://a/rss", "http://c/rss"]
    [skip] = backed_off
    assert skip.item == "http://b/rss" and skip.reason == (
        "backed off after 4 consecutive failures until 2026-03-02 13:00:00 UTC (last: HTTP 500)")


def test_the_markdown_report_has_stages_failures_and_skips():
    started = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    summary = RunSummary(run_id="r1", started_at=started, finished_at=started + timedelta(seconds=3),
                         warehouse_path="w.duckdb", durations={"fetch": 0.25, "nlp": 1.5},
                         failures=[Failure(stage="fetch", item="http://x/a", reason="HTTP 429")],
                         skipped=[Failure(stage="robots", item="http://x/p", reason="disallowed by robots.txt")])
    summary.count("fetch", requested=2, failed=1)
    summary.count("fetch", requested=1)
    summary.count("feed_parse", entries=0)
    markdown = summary.to_markdown()
    assert "| feed_parse |  | entries 0 |" in markdown  # counted but not timed: still reported
    assert "| fetch | 0.250 | failed 1, requested 3 |" in markdown
    assert "| nlp | 1.500 |  |" in markdown
    assert "## Failures" in markdown and "| fetch | http://x/a | HTTP 429 |" in markdown
    assert "## Skipped" in markdown and "| robots | http://x/p | disallowed by robots.txt |" in markdown


def _job(site, path: str, **known) -> FetchJob:
    entry = FeedEntry(feed_url=site.url("/rss"), key=path, link=site.url(path))
    return FetchJob(entry=entry, publisher="example", reliability=0.6, **known)


def test_articles_are_fetched_conditionally_and_robots_refusals_are_skips(site, tmp_path):
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /private/\n")
    site.routes["/a.html"] = Route(body=(FIXTURES / "quayside.html").read_bytes())
    site.routes["/private/b.html"] = Route(body=b"<html><body><p>not for us</p></body></html>")
    settings = test_settings(tmp_path / "w.duckdb")
    first = fetch_articles([_job(site, "/a.html"), _job(site, "/private/b.html")], settings)
    [article] = first.articles
    assert article.page.etag  # stored on the article row, sent on the next fetch
    assert [(s.stage, s.reason) for s in first.skipped] == [("robots", "disallowed by robots.txt")]
    assert site.routes["/private/b.html"].hits == 0
    again = fetch_articles([_job(site, "/a.html", known_id="x", known_hash="h", etag=article.page.etag)], settings)
    assert (again.unchanged, again.not_modified, again.articles) == (1, 1, ())
    assert site.routes["/a.html"].request_headers[-1]["if-none-match"] == article.page.etag
    assert set(first.durations) == {"fetch", "text"} and set(again.durations) == {"fetch"}
