"""The built-in demo: a loopback HTTP server for the packaged corpus in demo/site.

It behaves like a well-run news site: validators (ETag, Last-Modified) on every response and
304 Not Modified for conditional requests, so the demo exercises the same code path as
real feeds. `{{BASE}}` in the files becomes the server's own base URL.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

SITE = "site"
CONTENT_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8",
                 ".html": "text/html; charset=utf-8"}
# A fixed Last-Modified: the packaged corpus changes only with a new dossier release.
LAST_MODIFIED = formatdate(1764547200, usegmt=True)  # 2025-12-01


def demo_files() -> dict[str, bytes]:
    """Every servable file of the demo site by URL path ("/feeds/ledgerwire.xml" -> bytes)."""
    root = resources.files("dossier.demo").joinpath(SITE)
    files: dict[str, bytes] = {}
    for folder in ("feeds", "articles"):
        for entry in root.joinpath(folder).iterdir():
            files[f"/{folder}/{entry.name}"] = entry.read_bytes()
    return files


def feed_paths() -> list[str]:
    """URL paths of the demo feeds."""
    return sorted(p for p in demo_files() if p.startswith("/feeds/"))


# The publisher each demo feed stands for. The three share one loopback host, so a publisher
# cannot come from where the pages are fetched; the demo vouches for it here, as an operator
# does with `dossier feeds add --publisher` (a feed's own <link> is never believed).
DEMO_PUBLISHERS = {"/feeds/ledgerwire.xml": "ledgerwire.example", "/feeds/circuitdaily.atom": "circuitdaily.example",
                   "/feeds/northgate.xml": "northgate-review.example"}


def demo_feeds(base: str) -> dict[str, str]:
    """Feed URL -> publisher for the demo served at `base` (pass it as `ingest_feeds(publishers=...)`)."""
    return {base + path: DEMO_PUBLISHERS[path] for path in feed_paths()}


def make_handler(files: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    """A request handler serving `files` (bodies with `{{BASE}}` already substituted)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "dossier-demo/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            body = files.get(path)
            if body is None:
                self.send_error(404, "not in the demo corpus")
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            suffix = path[path.rfind("."):]
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPES.get(suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet: the run summary reports
            return

    return Handler


@contextmanager
def serve_demo(port: int = 0) -> Iterator[str]:
    """Serve the demo on 127.0.0.1 (`port`, or any free port if it is taken); yield the base URL."""
    raw = demo_files()
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.RequestHandlerClass = make_handler({p: b.replace(b"{{BASE}}", base.encode()) for p, b in raw.items()})
    thread = threading.Thread(target=server.serve_forever, name="dossier-demo", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
