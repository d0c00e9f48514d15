"""The one HTTP client: timeouts, a body cap, a redirect limit, a User-Agent, robots.txt,
per-host spacing and concurrency, and retries with backoff on 429, 5xx and timeouts that
honour the server's Retry-After."""

from __future__ import annotations

import re
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from dossier.errors import InputError
from dossier.ingest.scope import SCHEMES, OutOfScope, UrlScope
from dossier.settings import Settings

if TYPE_CHECKING:
    from dossier.ingest.robots import RobotsCache

# A server under load says so with these; Retry-After on them is honoured.
_BUSY = (429, 503)

# The longest pause a server can ask for and have stored: a Retry-After of 400 nines would
# otherwise overflow the date arithmetic of the feed's next poll.
LONGEST_PAUSE = 30 * 86400.0
# ASCII digits only: str.isdigit() also accepts "²" and "¹", which float() refuses.
_DELTA_SECONDS = re.compile(r"[0-9]+")
# A validator we send back must be a plain HTTP header value: printable ASCII, bounded.
_VALIDATOR = re.compile(r"[\x20-\x7e]{1,512}")
# Content-Encoding layers decoded (each with its own output cap); more is refused.
MAX_ENCODING_LAYERS = 3
# Decoded bytes produced per step: the most a layer holds in memory beyond the final body.
_DECODE_STEP = 64 * 1024

# The monotonic time by which the request in flight on this thread (or task) must be done.
_request_deadline: ContextVar[float | None] = ContextVar("request_deadline", default=None)


class FetchError(InputError):
    """A request that failed for good; `reason` is one line a person can act on."""

    def __init__(self, url: str, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to stay away, when it said so


class RobotsDisallowed(FetchError):
    """A URL the site's robots.txt (or its absence through a server error) keeps us from fetching."""


class BudgetSpent(FetchError):
    """A URL not requested because the run's time budget is spent; the next run gets to it."""


@dataclass(frozen=True)
class RunBudget:
    """The time one run may spend on the network, shared by all its fetchers.

    Request deadlines bound one request; without a bound over the run, N dripping entries
    held it for N deadlines (16.7 h for 1,000 entries at the defaults)."""

    seconds: float
    ends_at: float  # on `clock`
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def starting_now(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> RunBudget:
        return cls(seconds, clock() + seconds, clock)

    def left(self) -> float:
        """Seconds of the budget left (negative once spent)."""
        return self.ends_at - self.clock()


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

    @property
    def etag(self) -> str | None:
        """The ETag to send back next time, or None when the server's is not a sendable header value."""
        return usable_validator(self.headers.get("etag"))

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified to send back next time, or None when it is not a sendable header value."""
        return usable_validator(self.headers.get("last-modified"))


def usable_validator(value: str | None) -> str | None:
    """`value` when it can go back out as an If-None-Match / If-Modified-Since header, else None.

    A server may send any bytes as an ETag; stored as they came, a non-ASCII one made every
    later conditional request fail to build. Dropping it costs one unconditional GET."""
    if value is None:
        return None
    value = value.strip()
    return value if _VALIDATOR.fullmatch(value) else None


def host_of(url: str) -> str:
    """The host (and port, when given) a politeness rule applies to."""
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP-date), at most
    LONGEST_PAUSE; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        # Bounded before conversion: 400 nines is a valid delta-seconds and an overflow later.
        return LONGEST_PAUSE if len(value) > 9 else min(float(value), LONGEST_PAUSE)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        seconds = (when - now).total_seconds()
    except OverflowError:
        return LONGEST_PAUSE
    return min(max(0.0, seconds), LONGEST_PAUSE)


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
        strikes: int = 3,
    ) -> None:
        self.delay = delay
        self.max_per_host = max(1, max_per_host)
        self.strikes = max(1, strikes)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._gates: dict[str, threading.BoundedSemaphore] = {}
        # host -> (until, reason, whether the server asked for the pause: only then is it a Retry-After)
        self._closed: dict[str, tuple[float, str, bool]] = {}
        self._cuts: dict[str, int] = {}

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

    def close_host(self, url: str, seconds: float, reason: str, asked: bool = True) -> None:
        """Leave this host alone for `seconds` (longer than we are willing to wait); `asked`:
        the server asked for the pause, so a feed on it is not polled again before it ends."""
        with self._lock:
            self._closed[host_of(url)] = (self.clock() + seconds, reason, asked)

    def closed_reason(self, url: str) -> tuple[str, float | None] | None:
        """Why this host is left alone now and, when the server asked for it, for how many more
        seconds (None when we chose to); None when it is not left alone."""
        with self._lock:
            closed = self._closed.get(host_of(url))
            now = self.clock()
            if closed is None or closed[0] <= now:
                return None
            return closed[1], (closed[0] - now) if closed[2] else None

    def strike(self, url: str, deadline: float) -> None:
        """Count a request to this host cut at its `deadline`; after `strikes` of them the host
        is left alone for the rest of the run, so its drips stop costing a deadline each."""
        host = host_of(url)
        with self._lock:
            cuts = self._cuts[host] = self._cuts.get(host, 0) + 1
        if cuts == self.strikes:
            self.close_host(url, float("inf"), f"host struck out: {cuts} requests cut at the {deadline:g} s request "
                                               "deadline; not asked again this run", asked=False)

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
    budget: RunBudget | None = None  # the run's time budget; None: unbounded (one-off fetches)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
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
            # Every request the client sends, each redirect hop included, is checked first; a
            # Location that is not http(s) at all is refused before httpx tries to build it.
            event_hooks={"request": [self._check_scope], "response": [self._check_redirect]},
        )
        if self.throttle is None:
            self.throttle = HostThrottle(s.host_delay, s.host_concurrency, strikes=s.host_strikes)
        if self.robots is None:
            from dossier.ingest.robots import RobotsCache

            self.robots = RobotsCache()

    def _check_scope(self, request: httpx.Request) -> None:
        self.scope.check(str(request.url))

    def _check_redirect(self, response: httpx.Response) -> None:
        """Refuse a redirect to javascript:, data:, mailto:, about:, urn: ... by its scheme."""
        location = response.headers.get("location") if response.is_redirect else None
        if location is None:
            return
        target = urljoin(str(response.request.url), location.strip())
        scheme = urlsplit(target).scheme.lower()
        if scheme not in SCHEMES:
            raise OutOfScope(target[:200], f"scheme {scheme or '(none)'!r} is not http or https")

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
        # Stored by an earlier run, perhaps before validators were checked: never let one break the request.
        if etag := usable_validator(etag):
            headers["If-None-Match"] = etag
        if last_modified := usable_validator(last_modified):
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
                    # Again after the wait for the host's turn, which may be long: the budget may
                    # be spent, or the host struck out by the requests that went before.
                    self._check_budget(url)
                    closed = self.throttle.closed_reason(url)
                    if closed:
                        raise FetchError(url, closed[0], retry_after=closed[1])
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
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                # Every other failure of the HTTP client (a Location it cannot follow, a body it
                # cannot decode, ...) is this URL's failure, in one family, never the run's.
                raise FetchError(url, f"request failed: {type(exc).__name__}: {exc}"[:300]) from None
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

    def _check_budget(self, url: str) -> None:
        if self.budget is not None and self.budget.left() <= 0:
            raise BudgetSpent(url, f"run budget of {self.budget.seconds:g} s spent (DOSSIER_RUN_BUDGET); "
                                   "left for the next run")

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        """One attempt; the deadline bounds all of it (connect, headers, body), not just the body.
        It is the request deadline, or what is left of the run budget when that is sooner."""
        limit = self.settings.max_body_bytes
        deadline = self.settings.request_deadline
        budget_left = self.budget.left() if self.budget is not None else deadline
        at = time.monotonic() + min(deadline, budget_left)
        token = _request_deadline.set(at)
        try:
            return self._read(url, headers, limit)
        except httpx.TimeoutException as exc:
            # A socket wait cut short by the deadline (or refused after it): final, not retried.
            if isinstance(exc.__cause__, DeadlinePassed) or time.monotonic() >= at - 0.05:
                if budget_left < deadline:
                    raise BudgetSpent(url, f"cut when the run budget of {self.budget.seconds:g} s ran out "
                                           "(DOSSIER_RUN_BUDGET); left for the next run") from None
                self.throttle.strike(url, deadline)
                raise FetchError(url, f"response still arriving after the {deadline:g} s request deadline") from None
            raise
        finally:
            _request_deadline.reset(token)

    def _read(self, url: str, headers: dict[str, str], limit: int) -> Response:
        with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("Content-Length", "").strip()
            if _DELTA_SECONDS.fullmatch(declared) and (len(declared) > 18 or int(declared) > limit):
                raise FetchError(url, f"body of {declared[:20]} bytes exceeds the {limit}-byte limit")
            # Raw bytes, decoded here rather than by httpx: it decodes a stack of encodings
            # ("gzip, gzip") with no bound per read, so 2 KB on the wire became 1 GiB in memory
            # before any cap could look at it. Each layer here stops at the cap as it inflates.
            encodings = content_encodings(url, response.headers.get_list("content-encoding", split_commas=True))
            chunks, size = [], 0
            for chunk in decoded_stream(url, _capped_raw(url, response.iter_raw(), limit), encodings, limit):
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, f"body exceeds the {limit}-byte limit (decoded)")
                chunks.append(chunk)
            return Response(
                url=url, final_url=str(response.url), status=response.status_code,
                body=b"".join(chunks), headers={k.lower(): v for k, v in response.headers.items()},
            )


# Encodings we ask for (Accept-Encoding) and decode; "identity" is none at all.
_DECODERS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
_REFUSED = frozenset({"br", "zstd", "compress", "x-compress"})


def content_encodings(url: str, values: Iterable[str]) -> list[str]:
    """The Content-Encoding layers to undo, in the order they were applied.

    Unknown tokens are ignored, as httpx does (servers send "utf-8" there); encodings we never
    asked for and cannot decode, and more than MAX_ENCODING_LAYERS layers, fail the request."""
    layers = []
    for value in values:
        token = value.strip().lower()
        if token in _REFUSED:
            raise FetchError(url, f"Content-Encoding {token!r} was not asked for and is not decoded")
        if token in _DECODERS:
            layers.append(_DECODERS[token])
    if len(layers) > MAX_ENCODING_LAYERS:
        raise FetchError(url, f"{len(layers)} layers of Content-Encoding (at most {MAX_ENCODING_LAYERS} are decoded)")
    return layers


def _capped_raw(url: str, chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The body as it comes off the wire, failing once it passes `limit` bytes."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise FetchError(url, f"body exceeds the {limit}-byte limit")
        yield chunk


def decoded_stream(url: str, chunks: Iterable[bytes], encodings: list[str], limit: int) -> Iterator[bytes]:
    """`chunks` with every Content-Encoding layer undone, outermost (last applied) first; each
    layer inflates at most _DECODE_STEP bytes at a time and fails once its output passes `limit`."""
    for encoding in reversed(encodings):
        chunks = _inflate(url, chunks, encoding, limit)
    return iter(chunks)


def _inflate(url: str, chunks: Iterable[bytes], encoding: str, limit: int) -> Iterator[bytes]:
    """One layer of gzip or deflate undone incrementally, its output capped at `limit` bytes."""
    # deflate is meant to be zlib-wrapped but some servers send it raw: try the wrapper first, as httpx does.
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
    first, produced = True, 0  # a truncated stream is kept as far as it goes, as httpx keeps it
    for chunk in chunks:
        data = chunk
        while data and not decoder.eof:
            try:
                out = decoder.decompress(data, _DECODE_STEP)
            except zlib.error as exc:
                if first and encoding == "deflate":
                    decoder, first = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise FetchError(url, f"body declared {encoding} does not decode ({exc})") from None
            first = False
            data = decoder.unconsumed_tail
            produced += len(out)
            if produced > limit:
                raise FetchError(url, f"body exceeds the {limit}-byte limit (decoded, {encoding} layer)")
            if out:
                yield out
    try:
        tail = decoder.flush()
    except zlib.error as exc:
        raise FetchError(url, f"body declared {encoding} does not decode ({exc})") from None
    if produced + len(tail) > limit:
        raise FetchError(url, f"body exceeds the {limit}-byte limit (decoded, {encoding} layer)")
    if tail:
        yield tail
