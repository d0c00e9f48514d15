"""Politeness, resilience and run reports end to end: loopback server, a real DuckDB file,
the real model, Prefect's harness, and the CLI reading the runs back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.flows.ingest import ingest_feeds
from dossier.pipeline.summary import STAGES
from dossier.tracing import configure_logging, remove_logging
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Ledger</title><link>https://harbourledger.example/</link>
<item><title>Quayside and Marrowgate sign deal</title><link>{base}/articles/quayside.html</link><guid>p-1</guid>
<pubDate>Mon, 06 Oct 2025 08:00:00 GMT</pubDate></item>
<item><title>Members only</title><link>{base}/private/members.html</link><guid>p-2</guid></item>
<item><title>A server under siege</title><link>{base}/articles/busy.html</link><guid>p-3</guid></item>
</channel></rss>"""

EMPTY_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>
<link>https://quiet.example/</link></channel></rss>"""


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def polite_run(prefect_harness, tmp_path_factory):
    """One run over a feed with a good article, one robots.txt forbids and one behind a 429 storm,
    with JSON logs captured."""
    with LoopbackSite() as site:
        site.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        site.routes["/feeds/polite.xml"] = Route(body=FEED.format(base=site.base).encode(), content_type="application/rss+xml")
        site.routes["/articles/quayside.html"] = Route(body=(FIXTURES / "quayside.html").read_bytes())
        site.routes["/private/members.html"] = Route(body=b"<html><body><p>members</p></body></html>")
        site.routes["/articles/busy.html"] = Route(statuses=[429] * 20, headers={"Retry-After": "0"})
        path = tmp_path_factory.mktemp("polite") / "dossier.duckdb"
        stream = io.StringIO()
        handler = configure_logging("json", "INFO", stream)
        try:
            summary = ingest_feeds([site.url("/feeds/polite.xml")], test_settings(path, retries=2))
        finally:
            remove_logging(handler)
        hits = {p: r.hits for p, r in site.routes.items()}
    return {"summary": summary, "path": path, "hits": hits, "logs": [json.loads(x) for x in stream.getvalue().splitlines()]}


def test_robots_txt_is_fetched_once_and_a_disallowed_article_is_skipped_with_its_reason(polite_run):
    summary, hits = polite_run["summary"], polite_run["hits"]
    assert hits["/robots.txt"] == 1 and hits["/private/members.html"] == 0
    assert summary.articles_skipped == 1
    assert [(s.stage, s.item.rsplit("/", 1)[-1], s.reason) for s in summary.skipped] == [
        ("robots", "members.html", "disallowed by robots.txt")]
    [(status, error)] = query(polite_run["path"], "SELECT status, error FROM articles WHERE entry_key = 'p-2'")
    assert (status, error) == ("skipped", "robots: disallowed by robots.txt")


def test_a_429_storm_ends_in_a_recorded_failure(polite_run):
    summary = polite_run["summary"]
    assert polite_run["hits"]["/articles/busy.html"] == 3  # the first try and two retries, then it gives up
    reasons = {f.item.rsplit("/", 1)[-1]: (f.stage, f.reason) for f in summary.failures}
    assert reasons["busy.html"] == ("fetch", "HTTP 429")
    assert summary.status == "completed" and summary.articles_new == 1
    [(status, error)] = query(polite_run["path"], "SELECT status, error FROM articles WHERE entry_key = 'p-3'")
    assert (status, error) == ("failed", "fetch: HTTP 429")


def test_counts_and_durations_per_stage_are_recorded(polite_run):
    summary = polite_run["summary"]
    [(counts, durations, skipped, failures)] = query(
        polite_run["path"], "SELECT stage_counts, durations, skipped, failures FROM runs WHERE id = ?", [summary.run_id])
    counts, durations = json.loads(counts), json.loads(durations)
    assert counts["feed_poll"] == {"feeds": 1, "backed_off": 0, "polled": 1, "not_modified": 0, "failed": 0, "skipped": 0}
    assert counts["feed_parse"]["entries"] == 3 and counts["feed_parse"]["to_fetch"] == 3
    assert counts["fetch"] == {"requested": 2, "not_modified": 0, "failed": 1, "skipped": 1}
    assert counts["text"] == {"extracted": 1, "unchanged": 0, "failed": 0, "warned": 0}
    assert counts["nlp"] == {"analysed": 1, "failed": 0}
    assert counts["write"]["articles"] == 1 and counts["write"]["failure_rows"] == 2 and counts["write"]["claims"] >= 1
    assert counts["assembly"]["organisations"] >= 2 and counts["assembly"]["drafts_created"] >= 2
    assert set(durations) == set(STAGES) and all(seconds >= 0 for seconds in durations.values())
    assert durations["nlp"] > durations["feed_parse"]
    assert "members.html" in skipped and "busy.html" in failures


def test_the_prefect_artifact_is_the_run_report(polite_run):
    from prefect.artifacts import Artifact

    artifact = Artifact.get("ingest-run-summary")
    assert artifact is not None and artifact.data.startswith(f"# dossier run {polite_run['summary'].run_id}")
    for text in ("## Stages", "| nlp |", "## Failures", "HTTP 429", "## Skipped", "disallowed by robots.txt"):
        assert text in artifact.data, text


def test_json_logs_carry_the_run_id_and_stage(polite_run):
    run_id = polite_run["summary"].run_id
    logs = polite_run["logs"]
    assert logs and all(r["run_id"] == run_id for r in logs)
    busy = [r for r in logs if "busy.html" in r["message"]]
    assert busy and busy[0]["stage"] == "fetch" and busy[0]["level"] == "warning"
    skipped = [r for r in logs if "members.html" in r["message"]]
    assert skipped and skipped[0]["stage"] == "fetch" and "robots.txt" in skipped[0]["message"]
    assert any(r["stage"] == "run" and r["message"].startswith("run completed") for r in logs)


def test_runs_list_and_show_read_the_report_back(polite_run, monkeypatch):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(polite_run["path"]))
    run_id = polite_run["summary"].run_id
    runner = CliRunner()
    listed = runner.invoke(app, ["runs", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and run_id in listed.stdout and "completed" in listed.stdout
    [row] = [json.loads(line) for line in runner.invoke(app, ["runs", "list", "--json"]).stdout.splitlines()]
    assert row["id"] == run_id and row["counts"]["articles_skipped"] == 1 and row["stage_counts"]["nlp"]["analysed"] == 1
    shown = runner.invoke(app, ["runs", "show", run_id[:6]], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for text in (f"run {run_id}", "completed", "feed_poll", "nlp", "assembly", "scoring", "write",
                 "failed 1, not modified 0, requested 2, skipped 1", "failed fetch", "HTTP 429",
                 "skipped robots", "disallowed by robots.txt"):
        assert text in shown.stdout, text
    markdown = runner.invoke(app, ["runs", "show", "latest", "--markdown"]).stdout
    assert markdown.startswith(f"# dossier run {run_id}") and "## Skipped" in markdown and "| nlp |" in markdown
    assert json.loads(runner.invoke(app, ["runs", "show", run_id, "--json"]).stdout)["id"] == run_id
    missing = runner.invoke(app, ["runs", "show", "nosuchrun"])
    assert missing.exit_code == 1 and "no single run" in missing.output


def test_a_failing_feed_is_backed_off_reported_and_recovers(prefect_harness, tmp_path, monkeypatch):
    path = tmp_path / "dossier.duckdb"
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", '["127.0.0.1"]')  # `feeds add` refuses loopback otherwise
    runner = CliRunner()
    settings = test_settings(path, retries=0, feed_backoff_after=2, feed_backoff_base=600)
    with LoopbackSite() as site:
        route = site.routes["/feeds/flaky.xml"] = Route(status=500, body=b"down", content_type="text/plain")
        url = site.url("/feeds/flaky.xml")
        assert runner.invoke(app, ["feeds", "add", url]).exit_code == 0
        first = ingest_feeds([url], settings)
        second = ingest_feeds([url], settings)
        assert (first.feeds_failed, second.feeds_failed, second.feeds_backed_off) == (1, 1, 0)
        [(count, until)] = query(path, "SELECT error_count, next_poll_after FROM feeds")
        assert count == 2 and until is not None  # backed off once it failed twice in a row

        third = ingest_feeds([url], settings)
        assert route.hits == 2  # not asked again while backed off
        assert (third.feeds_polled, third.feeds_backed_off) == (0, 1)
        [skip] = third.skipped
        assert skip.item == url and skip.reason.startswith("backed off after 2 consecutive failures until")
        assert "(last: HTTP 500)" in skip.reason
        listed = runner.invoke(app, ["feeds", "list"], env={"COLUMNS": "250"})
        assert "backed off until" in listed.stdout and str(until.year) in listed.stdout
        [feed] = [json.loads(line) for line in runner.invoke(app, ["feeds", "list", "--json"]).stdout.splitlines()]
        assert feed["error_count"] == 2 and feed["next_poll_after"]
        shown = runner.invoke(app, ["runs", "show", third.run_id], env={"COLUMNS": "250"})
        assert "backed off after 2 consecutive failures" in shown.stdout

        # Time passes (the backoff expires) and the feed is back.
        con = duckdb.connect(str(path))
        con.execute("UPDATE feeds SET next_poll_after = now() - INTERVAL 1 SECOND")
        con.close()
        route.status, route.body, route.content_type = 200, EMPTY_FEED, "application/rss+xml"
        fourth = ingest_feeds([url], settings)
    assert (fourth.feeds_polled, fourth.feeds_failed, fourth.feeds_backed_off) == (1, 0, 0)
    [(count, until, success)] = query(path, "SELECT error_count, next_poll_after, last_success FROM feeds")
    assert count == 0 and until is None and success is not None
