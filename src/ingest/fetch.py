"""The one HTTP client: timeouts, a body cap, a redirect limit, a User-Agent, per-host
politeness, and retries with backoff on 5xx and timeouts only."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from dossier.settings import Settings


class FetchError(Exception):
    """A request that failed for good; `reason` is one line a person can act on."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HostThrottle:
    """Spaces requests to each host by a minimum delay; share one across concurrent fetchers."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, url: str) -> None:
        """Block until this request's turn for its host."""
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self.delay
        if slot > now:
            time.sleep(slot - now)


@dataclass
class Fetcher:
    """A polite HTTP client; use as a context manager so its connections are closed."""

    settings: Settings
    throttle: HostThrottle | None = None
    _client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self._client = httpx.Client(
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=True,
            max_redirects=s.max_redirects,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        if self.throttle is None:
            self.throttle = HostThrottle(s.host_delay)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET `url` (conditionally when validators are given); raise FetchError on failure."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(url, "only http and https URLs are fetched")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        delay = self.settings.retry_backoff
        for attempt in range(1, attempts + 1):
            self.throttle.wait(url)
            try:
                response = self._request(url, headers)
            except httpx.TimeoutException as exc:
                failure = FetchError(url, f"timed out ({type(exc).__name__})")
            except httpx.TooManyRedirects:
                raise FetchError(url, f"more than {self.settings.max_redirects} redirects") from None
            except httpx.TransportError as exc:
                # Only 5xx and timeouts are retried: a refused or broken connection fails at once.
                raise FetchError(url, f"connection failed: {exc or type(exc).__name__}") from None
            else:
                if response.status < 500:
                    if response.status >= 400:
                        raise FetchError(url, f"HTTP {response.status}", response.status)
                    return response
                failure = FetchError(url, f"HTTP {response.status}", response.status)
            if attempt < attempts:
                time.sleep(delay)
                delay *= 2
        raise failure

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        limit = self.settings.max_body_bytes
        with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(url, f"body of {declared} bytes exceeds the {limit}-byte limit")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, f"body exceeds the {limit}-byte limit")
                chunks.append(chunk)
            return Response(
                url=url, final_url=str(response.url), status=response.status_code,
                body=b"".join(chunks), headers={k.lower(): v for k, v in response.headers.items()},
            )
