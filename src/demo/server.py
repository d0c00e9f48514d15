"""The built-in demo: the packaged corpus in demo/site, served on loopback.

It is served as a well-run news site serves (dossier.demo.loopback): validators on every
response and 304 Not Modified for conditional requests, so the demo exercises the same code
path as real feeds. `{{BASE}}` in the files becomes the server's own base URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from dossier.demo.loopback import LoopbackServer, Page, answer_pages, content_type

SITE = "site"


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


@contextmanager
def serve_demo(port: int = 0) -> Iterator[str]:
    """Serve the demo on 127.0.0.1 (`port`, or any free port if it is taken); yield the base URL."""
    pages: dict[str, Page] = {}
    try:
        server = LoopbackServer(answer_pages(pages.get), port=port, name="dossier-demo")
    except OSError:
        server = LoopbackServer(answer_pages(pages.get), name="dossier-demo")
    base = server.base.encode()
    pages.update({path: Page(body.replace(b"{{BASE}}", base), content_type(path)) for path, body in demo_files().items()})
    with server:
        yield server.base
