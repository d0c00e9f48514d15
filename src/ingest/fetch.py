"""The one HTTP client: timeouts, a body cap, a redirect limit, a User-Agent, robots.txt,
per-host spacing and concurrency, and retries with backoff on 429, 5xx and timeouts that
honour the server's Retry-After."""

from __future__ import annotations

import ssl
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator
from urllib.parse import urlsplit

import httpcore
import httpx

from dossier.ingest.scope import OutOfScope, UrlScope
from dossier.settings import Settings

if TYPE_CHECKING:
    from dossier.ingest.robots import RobotsCache

# A server under load says so with these; Retry-After on them is honoured.
_BUSY = (429, 503)

# The monotonic time by which the request in flight on this thread (or task) must be done.
_request_deadline: ContextVar[float | None] = ContextVar("request_deadline", default=None)


class FetchError(Exception):
    """A request that failed for good; `reason` is one line a person can act on."""

    def __init__(self, url: str, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to stay away, when it said so


class RobotsDisallowed(FetchError):
    """A URL the site's robots.txt (or its absence through a server error) keeps us from fetching."""


class DeadlinePassed(httpcore.TimeoutException):
    """The request's deadline passed while it waited on the network (headers or body)."""


def _within_deadline(timeout: float | None) -> float | None:
    """`timeout` for one socket operation, shortened to what is left of the request's deadline.

    httpx's timeouts bound each read, not the request: a server sending a byte of headers per
    second would hold us forever. Capping every operation by the time left bounds the whole."""
    deadline = _request_deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads, writes and TLS handshake end at the deadline of the request using it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within_deadline(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within_deadline(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None) -> _DeadlineStream:  # noqa: ANN001
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _within_deadline(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with connections that honour the request deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: object = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _within_deadline(timeout), local_address,
                                                       socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: object = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _within_deadline(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one loads the CA bundle (≈ 45 ms
    here), and a run makes a client per feed poll and per chunk of articles. Contexts are
    safe to share between threads."""
    return httpx.create_ssl_context()


def deadline_transport() -> httpx.HTTPTransport:
    """httpx's transport with every connection bounded by the request deadline.

    httpx has no public hook for a network backend; its pool keeps one in `_network_backend`
    (httpx 0.28, httpcore 1.0). If that ever moves, fail here rather than fetch unbounded."""
    transport = httpx.HTTPTransport(verify=_tls_context())
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx's connection pool changed: the request deadline cannot be enforced")
    pool._network_backend = _DeadlineBackend(pool._network_backend)
    return transport


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


def host_of(url: str) -> str:
    """The host (and port, when given) a politeness rule applies to."""
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class HostThrottle:
    """Per-host politeness shared by every fetcher of a run: a minimum delay between requests,
    a cap on requests in flight, pauses a server asked for, and hosts left alone for the run.

    `clock` and `sleep` are injectable so tests can assert waits without spending them."""

    def __init__(
        self,
        delay: float,
        max_per_host: int = 2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay = delay
        self.max_per_host = max(1, max_per_host)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._gates: dict[str, threading.BoundedSemaphore] = {}
        self._closed: dict[str, tuple[float, str]] = {}

    def delay_for(self, url: str) -> float:
        return self._delays.get(host_of(url), self.delay)

    def slow_down(self, url: str, delay: float) -> None:
        """Space requests to this host by at least `delay` (a robots.txt Crawl-delay), counting
        from now: it was just asked for its robots.txt."""
        host = host_of(url)
        with self._lock:
            self._delays[host] = max(self._delays.get(host, self.delay), delay)
            now = self.clock()
            self._next_slot[host] = max(self._next_slot.get(host, now), now + self._delays[host])

    def defer(self, url: str, seconds: float) -> None:
        """No request to this host before `seconds` from now (a backoff or a Retry-After)."""
        host = host_of(url)
        with self._lock:
            now = self.clock()
            self._next_slot[host] = max(self._next_slot.get(host, now), now + seconds)

    def close_host(self, url: str, seconds: float, reason: str) -> None:
        """Leave this host alone for `seconds` (longer than we are willing to wait)."""
        with self._lock:
            self._closed[host_of(url)] = (self.clock() + seconds, reason)

    def closed_reason(self, url: str) -> tuple[str, float] | None:
        """Why this host is left alone now and for how many more seconds, or None."""
        with self._lock:
            closed = self._closed.get(host_of(url))
            now = self.clock()
            if closed is None or closed[0] <= now:
                return None
            return closed[1], closed[0] - now

    def wait(self, url: str) -> None:
        """Block until this request's turn for its host."""
        host = host_of(url)
        with self._lock:
            now = self.clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self._delays.get(host, self.delay)
        if slot > now:
            self.sleep(slot - now)

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's concurrent slots, after waiting for its turn."""
        host = host_of(url)
        with self._lock:
            gate = self._gates.setdefault(host, threading.BoundedSemaphore(self.max_per_host))
        with gate:
            self.wait(url)
            yield


@dataclass
class Fetcher:
    """A polite HTTP client; use as a context manager so its connections are closed.

    Share one `throttle` and one `robots` cache across the fetchers of a run, so each host
    is spaced, capped and asked for robots.txt once per run however many tasks fetch from it."""

    settings: Settings
    throttle: HostThrottle | None = None
    robots: RobotsCache | None = None
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    _client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.scope = UrlScope.from_allow_list(s.allowed_hosts)
        self._client = httpx.Client(
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=True,
            max_redirects=s.max_redirects,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=deadline_transport(),
            # Every request the client sends, each redirect hop included, is checked first.
            event_hooks={"request": [self._check_scope]},
        )
        if self.throttle is None:
            self.throttle = HostThrottle(s.host_delay, s.host_concurrency)
        if self.robots is None:
            from dossier.ingest.robots import RobotsCache

            self.robots = RobotsCache()

    def _check_scope(self, request: httpx.Request) -> None:
        self.scope.check(str(request.url))

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(
        self, url: str, etag: str | None = None, last_modified: str | None = None, *, check_robots: bool = True
    ) -> Response:
        """GET `url` (conditionally when validators are given); raise FetchError on failure,
        RobotsDisallowed when robots.txt keeps us out."""
        try:
            self.scope.check(url)
        except OutOfScope as exc:
            raise FetchError(url, f"refused: {exc.reason}") from None
        if check_robots and self.settings.obey_robots:
            self.robots.check(self, url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        backoff = self.settings.retry_backoff
        cap = self.settings.retry_after_cap
        for attempt in range(1, attempts + 1):
            closed = self.throttle.closed_reason(url)
            if closed:
                raise FetchError(url, closed[0], retry_after=closed[1])
            wait: float | None = None
            try:
                with self.throttle.slot(url):
                    response = self._request(url, headers)
            except httpx.TimeoutException as exc:
                failure = FetchError(url, f"timed out ({type(exc).__name__})")
            except OutOfScope as exc:  # a redirect hop left the allowed scope
                raise FetchError(url, f"refused redirect to {exc.url}: {exc.reason}") from None
            except httpx.TooManyRedirects:
                raise FetchError(url, f"more than {self.settings.max_redirects} redirects") from None
            except httpx.TransportError as exc:
                # A refused or broken connection fails at once: only 429, 5xx and timeouts are retried.
                raise FetchError(url, f"connection failed: {exc or type(exc).__name__}") from None
            else:
                status = response.status
                if status < 400:
                    return response
                if status != 429 and status < 500:
                    raise FetchError(url, f"HTTP {status}", status)
                failure = FetchError(url, f"HTTP {status}", status)
                if status in _BUSY:
                    wait = retry_after_seconds(response.headers.get("retry-after"), self.now())
                    failure.retry_after = wait
                    if wait is not None and wait > cap:
                        reason = f"HTTP {status} asking for a {wait:.0f} s pause (over the {cap:g} s Retry-After cap)"
                        self.throttle.close_host(url, wait, f"host paused after {reason}")
                        raise FetchError(url, reason, status, retry_after=wait)
            if attempt < attempts:
                # Through the throttle, so every fetcher of this host waits too.
                self.throttle.defer(url, wait if wait is not None else backoff)
                backoff *= 2
        raise failure

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        """One attempt; the deadline bounds all of it (connect, headers, body), not just the body."""
        limit = self.settings.max_body_bytes
        deadline = self.settings.request_deadline
        at = time.monotonic() + deadline
        token = _request_deadline.set(at)
        try:
            return self._read(url, headers, limit)
        except httpx.TimeoutException as exc:
            # A socket wait cut short by the deadline (or refused after it): final, not retried.
            if isinstance(exc.__cause__, DeadlinePassed) or time.monotonic() >= at - 0.05:
                raise FetchError(url, f"response still arriving after the {deadline:g} s request deadline") from None
            raise
        finally:
            _request_deadline.reset(token)

    def _read(self, url: str, headers: dict[str, str], limit: int) -> Response:
        with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(url, f"body of {declared} bytes exceeds the {limit}-byte limit")
            chunks, size = [], 0
            # iter_bytes decompresses: the limit counts decoded bytes, so a gzip bomb stops at it.
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, f"body exceeds the {limit}-byte limit (decoded)")
                chunks.append(chunk)
            return Response(
                url=url, final_url=str(response.url), status=response.status_code,
                body=b"".join(chunks), headers={k.lower(): v for k, v in response.headers.items()},
            )
