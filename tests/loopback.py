"""A loopback HTTP server for tests: routes with bodies, statuses, delays and validators."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
    """Serves `routes` on 127.0.0.1; tests mutate routes between requests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self._extra_headers: dict[str, str] = {}
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                with site.lock:
                    route.hits += 1
                    route.request_headers.append({k.lower(): v for k, v in self.headers.items()})
                    # Counted down before any byte of the answer goes out, so a client that has its
                    # answer (and starts the next request) is never still counted here.
                    route.in_flight += 1
                    route.max_in_flight = max(route.max_in_flight, route.in_flight)
                try:
                    if route.delay:
                        time.sleep(route.delay)
                finally:
                    with site.lock:
                        route.in_flight -= 1
                self._answer(route)

            def end_headers(self) -> None:
                for name, value in getattr(self, "_extra_headers", {}).items():
                    self.send_header(name, value)
                super().end_headers()

            def _answer(self, route: Route) -> None:
                self._extra_headers = route.headers
                if route.statuses:
                    self.send_response(route.statuses.pop(0))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", route.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.send_header("ETag", etag)
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts are part of the tests)

            def log_message(self, format: str, *args: object) -> None:
                return

        # Any 127/8 address is loopback on Linux: a second one is a second publisher for tests.
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
