import time
from datetime import UTC

import pytest

from dossier.ingest.fetch import Fetcher, FetchError, HostThrottle, RobotsDisallowed, retry_after_seconds
from tests.support.loopback import Route
from tests.support.settings import test_settings


@pytest.fixture
def fetcher(tmp_path):
    with Fetcher(test_settings(tmp_path / "w.duckdb", retries=2, max_redirects=2, max_body_bytes=2048)) as f:
        yield f


def test_user_agent_names_dossier(site, fetcher):
    site.routes["/a"] = Route(body=b"ok")
    fetcher.get(site.url("/a"))
    assert "dossier" in site.routes["/a"].request_headers[0]["user-agent"]


def test_5xx_is_retried_with_backoff_then_succeeds(site, fetcher):
    site.routes["/a"] = Route(body=b"ok", statuses=[503, 502])
    response = fetcher.get(site.url("/a"))
    assert response.status == 200 and response.body == b"ok" and site.routes["/a"].hits == 3


def test_4xx_is_not_retried(site, fetcher):
    site.routes["/a"] = Route(statuses=[403])
    with pytest.raises(FetchError, match="HTTP 403"):
        fetcher.get(site.url("/a"))
    assert site.routes["/a"].hits == 1


def test_timeouts_are_retried_and_reported(site, fetcher):
    site.routes["/slow"] = Route(body=b"late", delay=1.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetcher.get(site.url("/slow"))
    assert site.routes["/slow"].hits == 3
    assert time.monotonic() - started < 3 * 1.5 + 1


def test_bodies_over_the_limit_are_refused(site, fetcher):
    site.routes["/big"] = Route(body=b"x" * 4096)
    with pytest.raises(FetchError, match="exceeds the 2048-byte limit"):
        fetcher.get(site.url("/big"))


def test_redirect_loops_stop_at_the_limit(site, fetcher):
    site.routes["/loop"] = Route(redirect_to="/loop")
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetcher.get(site.url("/loop"))


def test_redirects_within_the_limit_are_followed(site, fetcher):
    site.routes["/old"] = Route(redirect_to="/new")
    site.routes["/new"] = Route(body=b"moved")
    response = fetcher.get(site.url("/old"))
    assert response.final_url == site.url("/new") and response.body == b"moved"


def test_non_http_schemes_are_refused(fetcher):
    with pytest.raises(FetchError, match="scheme 'file' is not http or https"):
        fetcher.get("file:///etc/passwd")


def test_loopback_is_refused_unless_allow_listed(site, tmp_path):
    site.routes["/a"] = Route(body=b"ok")
    with Fetcher(test_settings(tmp_path / "w.duckdb", allowed_hosts=[])) as strict:
        with pytest.raises(FetchError, match="loopback address 127.0.0.1"):
            strict.get(site.url("/a"))
    assert site.routes["/a"].hits == 0  # refused before any request was sent


def test_every_redirect_hop_is_checked(site, fetcher):
    # An allowed server redirecting to the cloud metadata address: the hop is refused unsent.
    site.routes["/r"] = Route(redirect_to="http://169.254.169.254/latest/meta-data/")
    site.routes["/r2"] = Route(redirect_to="file:///etc/passwd")
    with pytest.raises(FetchError, match="refused redirect to http://169.254.169.254/.*link-local"):
        fetcher.get(site.url("/r"))
    with pytest.raises(FetchError):
        fetcher.get(site.url("/r2"))


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n",  # the body drips
    b"HTTP/1.1 200 OK\r\nX-Drip: ",  # the headers drip, and never end
], ids=["body", "headers"])
def test_a_slow_drip_is_cut_at_the_request_deadline(tmp_path, head):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip():
        conn, _ = listener.accept()
        conn.sendall(head)
        ends = time.monotonic() + 8  # so a client that never gives up fails the test rather than hangs it
        while not stop.is_set() and time.monotonic() < ends:
            try:
                conn.sendall(b"a")  # one byte every 0.1 s: no single read ever times out
            except OSError:
                break
            time.sleep(0.1)
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/drip"
    settings = test_settings(tmp_path / "w.duckdb", read_timeout=1.0, request_deadline=1.5, obey_robots=False)
    started = time.monotonic()
    try:
        with Fetcher(settings) as f:
            with pytest.raises(FetchError, match="1.5 s request deadline"):
                f.get(url)
    finally:
        stop.set()
        listener.close()
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 2.5, elapsed  # cut at the deadline, and not retried


def test_throttle_spaces_requests_to_one_host():
    throttle = HostThrottle(0.2)
    started = time.monotonic()
    for _ in range(3):
        throttle.wait("http://example.test/x")
    throttle.wait("http://other.test/x")  # another host does not wait
    assert 0.35 <= time.monotonic() - started < 1.0


# --- politeness: robots.txt, Retry-After, per-host concurrency -----------------------------

class FakeTime:
    """A clock whose sleep only moves it on, so waits are asserted without being spent."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def fake_fetcher(tmp_path, clock: FakeTime, **overrides):
    settings = test_settings(tmp_path / "w.duckdb", **{"retries": 2, "retry_backoff": 0.5, **overrides})
    return Fetcher(settings, throttle=HostThrottle(0.0, clock=clock.monotonic, sleep=clock.sleep))


def test_robots_txt_disallow_is_honoured_and_fetched_once_per_host(site, tmp_path):
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.routes["/private/a"] = Route(body=b"secret")
    site.routes["/public/a"] = Route(body=b"ok")
    with Fetcher(test_settings(tmp_path / "w.duckdb")) as fetcher:
        with pytest.raises(RobotsDisallowed, match="disallowed by robots.txt"):
            fetcher.get(site.url("/private/a"))
        assert fetcher.get(site.url("/public/a")).body == b"ok"
        assert fetcher.get(site.url("/public/a")).body == b"ok"
    assert site.routes["/private/a"].hits == 0
    assert site.routes["/robots.txt"].hits == 1


def test_robots_txt_rules_for_our_agent_win_over_the_wildcard(site, tmp_path):
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nAllow: /\n\nUser-agent: dossier\nDisallow: /feeds/\n")
    site.routes["/feeds/x.xml"] = Route(body=b"<rss/>")
    with Fetcher(test_settings(tmp_path / "w.duckdb")) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.get(site.url("/feeds/x.xml"))


def test_a_missing_robots_txt_allows_all_a_failing_one_keeps_us_off_the_host(site, tmp_path):
    site.routes["/a"] = Route(body=b"ok")
    with Fetcher(test_settings(tmp_path / "w.duckdb")) as fetcher:
        assert fetcher.get(site.url("/a")).body == b"ok"  # robots.txt 404: no rules
    site.routes["/robots.txt"] = Route(status=500, body=b"oops")
    with Fetcher(test_settings(tmp_path / "w.duckdb", retries=0)) as fetcher:
        with pytest.raises(RobotsDisallowed, match=r"robots.txt unavailable \(HTTP 500\); host not crawled"):
            fetcher.get(site.url("/a"))
    assert site.routes["/a"].hits == 1


def test_robots_txt_can_be_switched_off_for_your_own_sites(site, tmp_path):
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /\n")
    site.routes["/a"] = Route(body=b"ok")
    with Fetcher(test_settings(tmp_path / "w.duckdb", obey_robots=False)) as fetcher:
        assert fetcher.get(site.url("/a")).body == b"ok"
    assert site.routes["/robots.txt"].hits == 0


def test_crawl_delay_slows_the_host(site, tmp_path):
    clock = FakeTime()
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nCrawl-delay: 7\n")
    site.routes["/a"] = Route(body=b"ok")
    with fake_fetcher(tmp_path, clock) as fetcher:
        fetcher.get(site.url("/a"))
        fetcher.get(site.url("/a"))
    assert clock.sleeps == [7.0, 7.0]  # robots.txt, then each page, 7 s apart


def test_retry_after_in_seconds_is_honoured(site, tmp_path):
    clock = FakeTime()
    site.routes["/a"] = Route(body=b"ok", statuses=[429, 503], headers={"Retry-After": "3"})
    with fake_fetcher(tmp_path, clock) as fetcher:
        assert fetcher.get(site.url("/a")).body == b"ok"
    assert clock.sleeps == [3.0, 3.0] and site.routes["/a"].hits == 3


def test_retry_after_as_an_http_date_is_honoured(site, tmp_path):
    from datetime import datetime
    from email.utils import format_datetime

    clock = FakeTime()
    fixed = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    when = format_datetime(fixed.replace(second=20), usegmt=True)
    site.routes["/a"] = Route(body=b"ok", statuses=[503], headers={"Retry-After": when})
    with fake_fetcher(tmp_path, clock) as fetcher:
        fetcher.now = lambda: fixed
        assert fetcher.get(site.url("/a")).body == b"ok"
    assert clock.sleeps == [20.0]


def test_429_without_retry_after_backs_off_exponentially(site, tmp_path):
    clock = FakeTime()
    site.routes["/a"] = Route(body=b"ok", statuses=[429, 429])
    with fake_fetcher(tmp_path, clock) as fetcher:
        assert fetcher.get(site.url("/a")).body == b"ok"
    assert clock.sleeps == [0.5, 1.0]


def test_a_429_storm_ends_in_a_failure_after_the_retries(site, tmp_path):
    clock = FakeTime()
    site.routes["/a"] = Route(body=b"ok", statuses=[429] * 50, headers={"Retry-After": "2"})
    with fake_fetcher(tmp_path, clock) as fetcher, pytest.raises(FetchError, match="HTTP 429") as failure:
        fetcher.get(site.url("/a"))
    assert failure.value.status == 429 and site.routes["/a"].hits == 3 and clock.sleeps == [2.0, 2.0]


def test_a_retry_after_over_the_cap_fails_at_once_and_pauses_the_host(site, tmp_path):
    clock = FakeTime()
    site.routes["/a"] = Route(statuses=[503] * 5, headers={"Retry-After": "3600"})
    site.routes["/b"] = Route(body=b"ok")
    with fake_fetcher(tmp_path, clock, retry_after_cap=60) as fetcher:
        with pytest.raises(FetchError, match="3600 s pause") as first:
            fetcher.get(site.url("/a"))
        with pytest.raises(FetchError, match="host paused") as second:
            fetcher.get(site.url("/b"))
    assert first.value.retry_after == 3600 and second.value.retry_after == 3600
    assert site.routes["/a"].hits == 1 and site.routes["/b"].hits == 0 and clock.sleeps == []


def test_retry_after_parsing():
    from datetime import datetime

    now = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Mon, 02 Mar 2026 12:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Mon, 02 Mar 2026 11:00:00 GMT", now) == 0.0  # in the past: no wait
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_requests_in_flight_to_one_host_are_capped(site, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    site.routes["/slow"] = Route(body=b"ok", delay=0.2)
    settings = test_settings(tmp_path / "w.duckdb", host_concurrency=2)
    throttle = HostThrottle(0.0, max_per_host=2)

    def fetch(_):
        with Fetcher(settings, throttle=throttle) as fetcher:
            return fetcher.get(site.url("/slow")).status

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(fetch, range(6))) == [200] * 6
    assert site.routes["/slow"].max_in_flight == 2


def test_clients_share_one_tls_context_that_verifies_certificates():
    import ssl

    from dossier.ingest.fetch import deadline_transport

    contexts = [deadline_transport()._pool._ssl_context for _ in range(2)]
    assert contexts[0] is contexts[1]  # built once: loading the CA bundle costs ≈ 45 ms a client
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED and contexts[0].check_hostname
