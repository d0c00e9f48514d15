"""A loopback site for tests: routes with bodies, statuses, delays and validators, served by
dossier's one loopback server (dossier.demo.loopback)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from dossier.demo.loopback import LoopbackServer, etag_of


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0                 # seconds to wait before answering (a stalled server)
    statuses: list[int] = field(default_factory=list)  # served first, in order (e.g. [503, 503])
    redirect_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # sent with every answer (e.g. Retry-After)
    hits: int = 0
    request_headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0             # most requests this route served at once


class LoopbackSite:
    """Serves `routes` on 127.0.0.1 (or another loopback `host`); tests mutate routes between requests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        self.server = LoopbackServer(self._answer, host=host, name="test-site")
        self.base = self.server.base

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> LoopbackSite:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(request.path)
        if route is None:
            request.send_error(404)
            return
        with self.lock:
            route.hits += 1
            route.request_headers.append({k.lower(): v for k, v in request.headers.items()})
            # Counted down before any byte of the answer goes out, so a client that has its
            # answer (and starts the next request) is never still counted here.
            route.in_flight += 1
            route.max_in_flight = max(route.max_in_flight, route.in_flight)
        try:
            if route.delay:
                time.sleep(route.delay)
        finally:
            with self.lock:
                route.in_flight -= 1
        send_route(request, route)


def send_route(request: BaseHTTPRequestHandler, route: Route) -> None:
    """The route's answer: a queued status, a redirect, a 304 for its own ETag, or its body."""
    if route.statuses:
        _send_bare(request, route.statuses.pop(0), route.headers)
        return
    if route.redirect_to:
        _send_bare(request, 302, {**route.headers, "Location": route.redirect_to})
        return
    etag = etag_of(route.body)
    if request.headers.get("If-None-Match") == etag:
        request.send_response(304)
        _send_headers(request, {**route.headers, "ETag": etag})
        return
    request.send_response(route.status)
    _send_headers(request, {"Content-Type": route.content_type, "Content-Length": str(len(route.body)),
                            "ETag": etag, **route.headers})
    request.wfile.write(route.body)


def _send_bare(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
    request.send_response(status)
    _send_headers(request, {**headers, "Content-Length": "0"})


def _send_headers(request: BaseHTTPRequestHandler, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        request.send_header(name, value)
    request.end_headers()
