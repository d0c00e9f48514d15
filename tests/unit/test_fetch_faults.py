"""Hostile header values, encodings and redirects (issue 16): each is the request's failure,
as a FetchError, never an exception that escapes the fetcher and fails the run."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest

from dossier.ingest.fetch import (
    LONGEST_PAUSE,
    BudgetSpent,
    Fetcher,
    FetchError,
    HostThrottle,
    RobotsDisallowed,
    RunBudget,
    retry_after_seconds,
    usable_validator,
)
from tests.support.hostile import layered_bomb
from tests.support.loopback import Route
from tests.support.settings import test_settings

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, seconds", [
    ("\u00b2", None), ("\u00b9", None), ("\u0663", None),  # digits to str.isdigit(), not to HTTP
    ("999999999999", LONGEST_PAUSE), ("9" * 400, LONGEST_PAUSE),
    ("Fri, 31 Dec 9999 23:59:59 GMT", LONGEST_PAUSE), ("Mon, 01 Jan 0001 00:00:00 GMT", 0.0),
    ("-5", None), ("1.5", None), (" 7 ", 7.0),
])
def test_retry_after_values_are_parsed_defensively_and_bounded(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


def test_a_superscript_retry_after_is_a_failed_request_not_a_crash(site, tmp_path):
    site.routes["/a"] = Route(statuses=[429] * 5, headers={"Retry-After": "\u00b2"})
    with Fetcher(test_settings(tmp_path / "w.duckdb", retries=1, obey_robots=False)) as fetcher:
        with pytest.raises(FetchError, match="HTTP 429") as failure:
            fetcher.get(site.url("/a"))
    assert failure.value.retry_after is None


def test_a_huge_retry_after_pauses_the_host_for_a_bounded_time(site, tmp_path):
    site.routes["/a"] = Route(statuses=[503] * 5, headers={"Retry-After": "9" * 400})
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False)) as fetcher:
        with pytest.raises(FetchError, match="pause") as failure:
            fetcher.get(site.url("/a"))
    assert failure.value.retry_after == LONGEST_PAUSE


@pytest.mark.parametrize("value, usable", [
    ('"abc-123"', '"abc-123"'), ("W/\"x\"", "W/\"x\""), ("Mon, 02 Mar 2026 12:00:00 GMT", "Mon, 02 Mar 2026 12:00:00 GMT"),
    ('"caf\u00e9"', None), ("\u00e9t\u00e9", None), ("a\r\nX-Injected: 1", None), ("x" * 513, None), ("", None),
])
def test_only_sendable_validators_are_kept(value, usable):
    assert usable_validator(value) == usable


def test_non_ascii_validators_are_neither_kept_nor_sent(site, tmp_path):
    site.routes["/a"] = Route(body=b"ok", headers={"Last-Modified": "Lun, 02 Nov 2026 \u00e9t\u00e9"})
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False)) as fetcher:
        response = fetcher.get(site.url("/a"))
        assert response.last_modified is None and response.etag is not None
        # As an earlier run may have stored them: dropped, and the request goes out unconditionally.
        assert fetcher.get(site.url("/a"), etag='"caf\u00e9"', last_modified="\u00e9t\u00e9").status == 200
    assert "if-none-match" not in site.routes["/a"].request_headers[1]


@pytest.mark.parametrize("encoding, body", [
    ("gzip", gzip.compress(b"<rss>hello</rss>")),
    ("deflate", zlib.compress(b"<rss>hello</rss>")),
    ("deflate", zlib.compress(b"<rss>hello</rss>")[2:-4]),  # raw deflate, as some servers send it
    ("gzip, gzip", gzip.compress(gzip.compress(b"<rss>hello</rss>"))),
    ("identity", b"<rss>hello</rss>"),
    ("utf-8", b"<rss>hello</rss>"),  # not an encoding at all: ignored, as httpx ignores it
], ids=["gzip", "deflate", "raw-deflate", "gzip-gzip", "identity", "nonsense"])
def test_honest_encodings_decode(site, tmp_path, encoding, body):
    site.routes["/a"] = Route(body=body, headers={"Content-Encoding": encoding})
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False)) as fetcher:
        assert fetcher.get(site.url("/a")).body == b"<rss>hello</rss>"


@pytest.mark.parametrize("encoding, match", [
    ("gzip", "declared gzip does not decode"), ("deflate", "declared deflate does not decode"),
    ("br", "'br' was not asked for"), ("gzip, gzip, gzip, gzip", "4 layers"),
])
def test_bodies_that_do_not_decode_fail_the_request(site, tmp_path, encoding, match):
    site.routes["/a"] = Route(body=b"<rss>not compressed at all</rss>" * 4, headers={"Content-Encoding": encoding})
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False)) as fetcher:
        with pytest.raises(FetchError, match=match):
            fetcher.get(site.url("/a"))


def test_a_layered_compression_bomb_is_cut_at_the_cap_in_bounded_memory(site, tmp_path):
    bomb = layered_bomb()
    assert len(bomb) < 4096  # on the wire
    site.routes["/bomb"] = Route(body=bomb, headers={"Content-Encoding": "gzip, gzip"})
    limit = 5_000_000
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False, max_body_bytes=limit)) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="limit"):
                fetcher.get(site.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # 256 MiB two layers down; decoding stops at the 5 MB cap, a 64 KiB step at a time per layer.
    assert peak < 3 * limit, peak


@pytest.mark.parametrize("location", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", "mailto:someone@example.org", "about:blank",
    "urn:isbn:0451450523", "file:///etc/passwd", "ftp://127.0.0.1/x",
])
def test_redirects_to_other_schemes_are_refused(site, tmp_path, location):
    site.routes["/a"] = Route(redirect_to=location)
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False)) as fetcher:
        with pytest.raises(FetchError, match="refused redirect to .*is not http or https"):
            fetcher.get(site.url("/a"))


@pytest.mark.parametrize("robots", [
    Route(status=429, headers={"Retry-After": "\u00b9"}),
    Route(body=b"User-agent: *\nDisallow:\n", headers={"Content-Encoding": "gzip"}),
    Route(body=b"User-agent: *\nDisallow:\n", headers={"Content-Encoding": "deflate"}),
], ids=["superscript-retry-after", "bogus-gzip", "bogus-deflate"])
def test_a_hostile_robots_txt_keeps_us_off_the_host_without_crashing(site, tmp_path, robots):
    site.routes["/robots.txt"] = robots
    site.routes["/a"] = Route(body=b"ok")
    with Fetcher(test_settings(tmp_path / "w.duckdb", retries=0)) as fetcher:
        with pytest.raises(RobotsDisallowed, match="robots.txt unavailable"):
            fetcher.get(site.url("/a"))
    assert site.routes["/a"].hits == 0


def test_a_host_is_struck_out_after_repeated_deadline_cuts(site, tmp_path):
    for name in "abcd":
        site.routes[f"/{name}"] = Route(body=b"late", delay=2.0)
    settings = test_settings(tmp_path / "w.duckdb", obey_robots=False, read_timeout=5.0, request_deadline=0.3,
                             host_strikes=2)
    throttle = HostThrottle(0.0, strikes=settings.host_strikes)
    started = time.monotonic()
    with Fetcher(settings, throttle=throttle) as fetcher:
        for name in "ab":
            with pytest.raises(FetchError, match="request deadline"):
                fetcher.get(site.url(f"/{name}"))
        for name in "cd":
            with pytest.raises(FetchError, match="struck out") as failure:
                fetcher.get(site.url(f"/{name}"))
            # Our choice, not the server's: nothing to store as a pause the server asked for.
            assert failure.value.retry_after is None
    assert site.routes["/c"].hits == 0 and site.routes["/d"].hits == 0
    assert time.monotonic() - started < 2 * 0.3 + 1.0


def test_the_run_budget_cuts_a_request_and_refuses_the_next(site, tmp_path):
    site.routes["/slow"] = Route(body=b"late", delay=2.0)
    site.routes["/b"] = Route(body=b"ok")
    settings = test_settings(tmp_path / "w.duckdb", obey_robots=False, read_timeout=5.0, request_deadline=10.0)
    started = time.monotonic()
    with Fetcher(settings, budget=RunBudget.starting_now(0.5)) as fetcher:
        with pytest.raises(BudgetSpent, match="run budget"):
            fetcher.get(site.url("/slow"))
        with pytest.raises(BudgetSpent, match="run budget of 0.5 s spent"):
            fetcher.get(site.url("/b"))
    assert time.monotonic() - started < 1.5
    assert site.routes["/b"].hits == 0
