"""Run stall (issue 16, item 6): dripping entries cost a few request deadlines, not one each;
the run budget bounds a run; good entries of the same chunk are not held behind drips."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from dossier.flows.ingest import ingest_feeds
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
DRIPS = 8


def feed(drip_base: str, good_url: str) -> bytes:
    items = "".join(f"<item><title>Drip {i}</title><link>{drip_base}/drip/{i}.html</link><guid>d-{i}</guid></item>"
                    for i in range(DRIPS))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow Ledger</title><link>{drip_base}/</link>'
            f"{items}<item><title>Good</title><link>{good_url}</link><guid>good</guid></item></channel></rss>").encode()


@pytest.fixture
def sites():
    with LoopbackSite("127.0.0.1") as slow, LoopbackSite("127.0.0.2") as good:
        good.routes["/quayside.html"] = Route(body=(FIXTURES / "quayside.html").read_bytes())
        slow.routes["/feed.xml"] = Route(body=feed(slow.base, good.url("/quayside.html")),
                                         content_type="application/rss+xml")
        yield slow, good


def rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_dripping_entries_strike_their_host_out_and_the_good_entry_is_written(prefect_harness, sites, tmp_path):
    slow, good = sites
    for i in range(DRIPS):
        slow.routes[f"/drip/{i}.html"] = Route(body=b"<p>late</p>", delay=4.0)
    path = tmp_path / "dossier.duckdb"
    settings = test_settings(path, allowed_hosts=["127.0.0.0/8"], read_timeout=10.0, request_deadline=1.0, retries=0,
                             host_strikes=2, obey_robots=False)
    started = time.monotonic()
    summary = ingest_feeds([slow.url("/feed.xml")], settings)
    elapsed = time.monotonic() - started
    assert summary.status == "completed"
    asked = sum(slow.routes[f"/drip/{i}.html"].hits for i in range(DRIPS))
    # Two cuts strike the host out; at most the requests already in flight beside them go out.
    assert asked <= settings.host_strikes + settings.host_concurrency, asked
    reasons = [f.reason for f in summary.failures]
    assert sum("struck out" in r for r in reasons) >= DRIPS - asked
    assert rows(path, "SELECT count(*) FROM articles WHERE status = 'ok'") == [(1,)]
    # Eight drips one after another took eight deadlines; now a few, and the run's own overhead.
    assert elapsed < 60, elapsed


def test_the_run_budget_bounds_a_run_and_its_feed_is_polled_in_full_next_time(prefect_harness, sites, tmp_path):
    slow, good = sites
    for i in range(DRIPS):
        slow.routes[f"/drip/{i}.html"] = Route(body=b"<p>late</p>", delay=30.0)
    path = tmp_path / "dossier.duckdb"
    settings = test_settings(path, allowed_hosts=["127.0.0.0/8"], read_timeout=60.0, request_deadline=60.0, retries=0,
                             host_strikes=100, obey_robots=False, run_budget=4.0)
    started = time.monotonic()
    summary = ingest_feeds([slow.url("/feed.xml")], settings)
    elapsed = time.monotonic() - started
    assert summary.status == "completed"
    budget = [f for f in summary.skipped if f.stage == "budget"]
    assert budget and all("run budget of 4 s" in f.reason for f in budget)
    assert summary.articles_skipped == len(budget)
    # Not 8 × 60 s: the budget cut every request still waiting when it ran out.
    assert elapsed < 60, elapsed
    # The feed keeps its old validators (none yet), so the next run hears the entries again.
    assert rows(path, f"SELECT etag FROM feeds WHERE url = '{slow.url('/feed.xml')}'") == [(None,)]
    skipped = rows(path, "SELECT count(*) FROM articles WHERE status = 'skipped' AND error LIKE 'budget:%'")[0][0]
    assert skipped == len(budget)
