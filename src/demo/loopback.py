"""One threaded HTTP server on a loopback address, for the demo, the benchmarks and the tests.

Every local site dossier serves (the packaged demo, the benchmark corpora, the test sites with
their faults) is this server with its own `answer` function, so they all speak HTTP the same
way. `answer_pages` answers like a well-run news site: validators on every response (ETag,
Last-Modified) and 304 Not Modified for a conditional request, the path real feeds take.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[BaseHTTPRequestHandler], None]
"""Answers one GET request: reads `request.path` and `request.headers`, writes the response."""

# Served when a file's suffix says nothing (a page path without one is served as HTML).
CONTENT_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8",
                 ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
# A fixed Last-Modified: a served corpus changes only with a new release of it.
LAST_MODIFIED = formatdate(1764547200, usegmt=True)  # 2025-12-01


@dataclass(frozen=True)
class Page:
    """One servable body and its media type."""

    body: bytes
    content_type: str


def content_type(path: str) -> str:
    """Media type of a served path, from its suffix."""
    name = path.rsplit("/", 1)[-1]
    suffix = name[name.rfind("."):] if "." in name else ".html"
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def etag_of(body: bytes) -> str:
    """A strong validator derived from the body, so an unchanged body is never sent twice."""
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class LoopbackServer:
    """Serves GET (and POST) requests on `host` (any 127/8 address is loopback on Linux: a second one is a
    second publisher) in a thread per connection, until the context exits.

    `keep_alive` speaks HTTP/1.1 with persistent connections, as a busy real site does; without it
    each answer closes its connection (HTTP/1.0). A client that hangs up mid-answer is expected
    (timeouts are part of what the sites test) and is not an error.
    """

    def __init__(self, answer: Answer, *, host: str = "127.0.0.1", port: int = 0, keep_alive: bool = False,
                 name: str = "dossier-loopback") -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            server_version = "dossier-loopback/1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                try:
                    answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up

            do_POST = do_GET  # noqa: N815 - `answer` reads `request.command` (a test's webhook receiver)

            def log_message(self, format: str, *args: object) -> None:  # quiet: the callers report
                return

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def answer_pages(find: Callable[[str], Page | None], last_modified: str = LAST_MODIFIED) -> Answer:
    """An `Answer` serving the page `find(path)` gives (404 for None), with validators: 304 when
    If-None-Match names the body's ETag, or (without If-None-Match) If-Modified-Since is
    `last_modified`."""

    def answer(request: BaseHTTPRequestHandler) -> None:
        page = find(request.path.split("?", 1)[0])
        if page is None:
            request.send_error(404, "not on this site")
            return
        etag = etag_of(page.body)
        asked = request.headers.get("If-None-Match")
        if asked == etag or (asked is None and request.headers.get("If-Modified-Since") == last_modified):
            request.send_response(304)
            request.send_header("ETag", etag)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("Content-Type", page.content_type)
        request.send_header("Content-Length", str(len(page.body)))
        request.send_header("ETag", etag)
        request.send_header("Last-Modified", last_modified)
        request.end_headers()
        request.wfile.write(page.body)

    return answer
