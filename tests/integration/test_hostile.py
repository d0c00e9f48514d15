"""Hostile input from a loopback server: every case is recorded, the run completes, memory
stays bounded, nothing waits past the configured timeouts, and the good article survives."""

from __future__ import annotations

import resource
import time

import duckdb
import pytest

from dossier.flows.ingest import ingest_feeds
from tests.support.hostile import HEADER_FEEDS, HostileSite, gzip_bomb, layered_bomb
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

HOSTILE_FEEDS = ("/feeds/laughs.xml", "/feeds/huge.xml", "/feeds/huge-undeclared.xml", "/feeds/drip.xml",
                 "/feeds/invalid-utf8.xml", "/feeds/utf16-said-utf8.xml", "/feeds/binary.xml", "/feeds/empty.xml",
                 "/feeds/storm.xml")
HOSTILE_PAGES = ("/articles/binary.html", "/articles/nobody.html", "/articles/loop-a.html", "/articles/storm.html",
                 "/articles/drip.html", "/articles/header-drip.html", "/articles/gzip-bomb.html", "/articles/huge.html",
                 "/articles/layered-bomb.html")
# A Retry-After over the cap pauses the whole host for the run: these get a host (port) of their own.
PAUSING_FEEDS = ("/feeds/retry-after-huge.xml", "/feeds/retry-after-nines.xml")
HEADER_FAILURES = {path: why for path, why in {
    "/feeds/retry-after-superscript.xml": "HTTP 429",
    "/feeds/bogus-gzip.xml": "declared gzip does not decode", "/feeds/bogus-deflate.xml": "declared deflate does not decode",
    "/feeds/to-javascript.xml": "refused redirect to javascript:", "/feeds/to-data.xml": "refused redirect to data:",
    "/feeds/to-mailto.xml": "refused redirect to mailto:", "/feeds/to-about.xml": "refused redirect to about:",
    "/feeds/to-urn.xml": "refused redirect to urn:",
}.items()}
ODD_VALIDATORS = ("/feeds/etag-non-ascii.xml", "/feeds/last-modified-non-ascii.xml")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope="module")
def hostile_run(prefect_harness, tmp_path_factory):
    gzip_bomb(), layered_bomb()  # built before the run, so the server answers within the read timeout
    with HostileSite() as site, HostileSite() as pausing, LoopbackSite() as robots_site:
        # A host whose robots.txt answers 429 with a Retry-After of "¹" (a digit to str.isdigit()).
        robots_site.routes["/robots.txt"] = Route(status=429, headers={"Retry-After": "\u00b9"})
        robots_site.routes["/feed.xml"] = Route(body=b"<rss/>", content_type="application/rss+xml")
        path = tmp_path_factory.mktemp("hostile") / "dossier.duckdb"
        # Backoff after one failure, so each failing feed shows it engaged. Every hostile route
        # shares one host here, so its three drips must not strike it out before the other cases
        # are heard (the strike-out has its own test, test_politeness).
        settings = test_settings(path, read_timeout=1.0, connect_timeout=1.0, retries=1, retry_backoff=0.05,
                                 request_deadline=3.0, retry_after_cap=2.0, allowed_hosts=["127.0.0.1"],
                                 feed_backoff_after=1, host_strikes=10)
        feeds = ([site.url("/feeds/main.xml")] + [site.url(p) for p in HOSTILE_FEEDS]
                 + [site.url(p) for p in HEADER_FEEDS if p not in PAUSING_FEEDS]
                 + [pausing.url(p) for p in PAUSING_FEEDS] + [robots_site.url("/feed.xml")])
        rss_before, started = peak_rss_mb(), time.monotonic()
        summary = ingest_feeds(feeds, settings)
        elapsed, rss_after = time.monotonic() - started, peak_rss_mb()
        # The next run polls the feeds whose odd validators the first run met: once stored, they
        # used to fail every later run building its conditional request.
        again = ingest_feeds([site.url(p) for p in ODD_VALIDATORS], settings)
        yield {"site": site, "pausing": pausing, "robots_site": robots_site, "summary": summary, "again": again,
               "path": path, "elapsed": elapsed, "rss_growth_mb": rss_after - rss_before, "settings": settings}


def reasons(summary) -> dict[str, str]:
    return {f.item: f.reason for f in summary.failures}


def test_the_run_completes_within_the_timeouts_and_bounded_memory(hostile_run):
    summary = hostile_run["summary"]
    assert summary.status == "completed"
    # Every slow or endless response is cut at the request deadline (3 s) or the body cap;
    # the whole run stays far from "forever" even with retries.
    assert hostile_run["elapsed"] < 90, hostile_run["elapsed"]
    # 50 MB bodies, a 100 MB gzip bomb, a 256 MiB layered one and an entity bomb never land in memory whole.
    assert hostile_run["rss_growth_mb"] < 400, hostile_run["rss_growth_mb"]


def test_every_hostile_feed_is_recorded_with_a_reason(hostile_run):
    site, summary = hostile_run["site"], hostile_run["summary"]
    failed = reasons(summary)
    warned = " ".join(summary.warnings)
    for path in HOSTILE_FEEDS:
        url = site.url(path)
        assert url in failed or url in warned, f"{path} left no trace"
    assert "limit" in failed[site.url("/feeds/huge.xml")]
    assert "limit" in failed[site.url("/feeds/huge-undeclared.xml")]
    assert "deadline" in failed[site.url("/feeds/drip.xml")]
    assert "429" in failed[site.url("/feeds/storm.xml")]


def test_every_hostile_page_is_recorded_with_a_reason(hostile_run):
    site, summary = hostile_run["site"], hostile_run["summary"]
    failed = reasons(summary)
    for path in HOSTILE_PAGES:
        assert site.url(path) in failed, f"{path} left no trace"
    assert "redirect" in failed[site.url("/articles/loop-a.html")]
    assert "429" in failed[site.url("/articles/storm.html")]
    assert "limit" in failed[site.url("/articles/gzip-bomb.html")]
    # gzip inside gzip: each layer is capped as it inflates, so 256 MiB never builds up.
    assert "limit" in failed[site.url("/articles/layered-bomb.html")]
    assert "limit" in failed[site.url("/articles/huge.html")]
    assert "deadline" in failed[site.url("/articles/drip.html")]
    # Headers dripped a byte at a time: the deadline (3 s) covers them too, not only the body.
    assert "deadline" in failed[site.url("/articles/header-drip.html")]
    assert site.hits["/articles/header-drip.html"] == 1  # final, not retried
    assert hostile_run["settings"].request_deadline <= site.held["/articles/header-drip.html"] < 5.0
    # Entries with no link, or a link that is not http(s) (file:///etc/passwd), and a repeated
    # GUID are never fetched; the feed's warning says how many were skipped and why.
    main = next(w for w in summary.warnings if w.startswith(site.url("/feeds/main.xml")))
    assert "3 entries without an http(s) link skipped" in main
    assert "1 entries repeating an earlier entry's id skipped" in main
    assert "file:///etc/passwd" not in failed and site.hits.get("/etc/passwd") is None
    con = duckdb.connect(str(hostile_run["path"]), read_only=True)
    stored = dict(con.execute("SELECT url, error FROM articles WHERE status = 'failed'").fetchall())
    con.close()
    for path in HOSTILE_PAGES:
        assert stored.get(site.url(path)), f"{path} has no failure row"


def test_a_page_in_another_charset_than_declared_is_kept_with_a_warning(hostile_run):
    site, summary = hostile_run["site"], hostile_run["summary"]
    url = site.url("/articles/wrong-charset.html")
    [warning] = [w for w in summary.warnings if w.startswith(url)]
    assert "declared utf-8 does not decode; decoded as " in warning
    assert summary.stage_counts["text"]["warned"] == 1
    con = duckdb.connect(str(hostile_run["path"]), read_only=True)
    try:
        stored = con.execute("SELECT status, text FROM articles WHERE url = ?", [url]).fetchone()
        warnings = con.execute("SELECT warnings FROM runs WHERE id = ?", [summary.run_id]).fetchone()[0]
    finally:
        con.close()
    assert stored[0] == "ok" and "M\u00fcnster" in stored[1]
    assert warning in str(warnings)  # recorded with the run, not only logged


def test_an_article_listed_by_several_feeds_is_fetched_and_counted_once(hostile_run):
    site, summary = hostile_run["site"], hostile_run["summary"]
    # main.xml, invalid-utf8.xml and utf16-said-utf8.xml list the same pages.
    assert site.hits["/articles/good.html"] == 1 and site.hits["/articles/future.html"] == 1
    con = duckdb.connect(str(hostile_run["path"]), read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0]
    finally:
        con.close()
    assert summary.articles_new == stored
    assert summary.stage_counts["feed_parse"]["repeated"] > 0


def test_the_good_article_and_odd_entries_survive(hostile_run):
    site = hostile_run["site"]
    con = duckdb.connect(str(hostile_run["path"]), read_only=True)
    try:
        ok = dict(con.execute("SELECT url, published FROM articles WHERE status = 'ok'").fetchall())
        names = {r[0] for r in con.execute("SELECT name FROM entities WHERE kind = 'organisation'").fetchall()}
        claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
    finally:
        con.close()
    assert site.url("/articles/good.html") in ok
    assert {"Brightwater Grid", "Kelso Electric"} <= names and claims >= 1
    # Both entries sharing a GUID are kept apart by the one the feed gave first; neither crashes the run.
    assert site.url("/articles/dup-1.html") in ok or site.url("/articles/dup-2.html") in ok
    # Absurd or unreadable dates never become dates in the future or before the web.
    for path in ("/articles/future.html", "/articles/ancient.html", "/articles/nonsense-date.html"):
        assert site.url(path) in ok
        published = ok[site.url(path)]
        assert published is None or 1990 <= published.year <= 2100, (path, published)


def feed_rows(path) -> dict[str, tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT url, error_count, next_poll_after, last_error, etag, last_modified FROM feeds").fetchall()}
    finally:
        con.close()


def test_a_hostile_header_or_encoding_fails_its_feed_alone_and_engages_its_backoff(hostile_run):
    site, pausing, summary = hostile_run["site"], hostile_run["pausing"], hostile_run["summary"]
    assert summary.status == "completed"
    failed, feeds = reasons(summary), feed_rows(hostile_run["path"])
    for path, why in HEADER_FAILURES.items():
        url = site.url(path)
        assert why in failed[url], (path, failed.get(url))
        error_count, next_poll_after, last_error, *_ = feeds[url]
        assert error_count == 1 and next_poll_after is not None and why in last_error, (path, feeds[url])
    for path in PAUSING_FEEDS:
        url = pausing.url(path)
        assert "pause" in failed[url]
        error_count, next_poll_after, *_ = feeds[url]
        # The server's pause is honoured, bounded (30 days), and stored without overflowing.
        assert error_count == 1 and next_poll_after is not None and next_poll_after.year < 2100
    # The good article beside them was written, and its drafts with it.
    assert summary.articles_new > 0 and summary.drafts_created > 0


def test_a_hostile_robots_txt_skips_its_host_without_failing_the_run(hostile_run):
    site, summary = hostile_run["robots_site"], hostile_run["summary"]
    skipped = {f.item: f.reason for f in summary.skipped}
    assert "robots.txt unavailable" in skipped[site.url("/feed.xml")]
    assert site.routes["/feed.xml"].hits == 0


def test_non_ascii_validators_are_not_stored_and_the_next_run_works(hostile_run):
    site, again = hostile_run["site"], hostile_run["again"]
    assert again.status == "completed" and not reasons(again)
    feeds = feed_rows(hostile_run["path"])
    for path in ODD_VALIDATORS:
        *_, etag, last_modified = feeds[site.url(path)]
        for value in (etag, last_modified):
            assert value is None or value.isascii(), (path, value)
    assert site.url("/articles/own.html") in {f for f in _ok_urls(hostile_run["path"])}


def _ok_urls(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in con.execute("SELECT url FROM articles WHERE status = 'ok'").fetchall()}
    finally:
        con.close()
