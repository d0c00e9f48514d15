import time

import pytest

from dossier.ingest.fetch import FetchError, Fetcher, HostThrottle
from tests.conftest import test_settings
from tests.loopback import Route


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
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get("file:///etc/passwd")


def test_throttle_spaces_requests_to_one_host():
    throttle = HostThrottle(0.2)
    started = time.monotonic()
    for _ in range(3):
        throttle.wait("http://example.test/x")
    throttle.wait("http://other.test/x")  # another host does not wait
    assert 0.35 <= time.monotonic() - started < 1.0
