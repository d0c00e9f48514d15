"""A loopback server of hostile feeds and pages, generated here (no fixture files).

Each path misbehaves in one way an open-web server can: entity bombs, huge or endless
bodies, compression bombs, broken encodings, binary as HTML, redirect loops, 429 storms,
and feeds with duplicate GUIDs, missing links and absurd dates. One good article sits
among them so a test can show the other data is not lost.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable
from functools import lru_cache
from http.server import BaseHTTPRequestHandler

from dossier.demo.loopback import LoopbackServer

GOOD_ARTICLE = """<html><head><title>Brightwater Grid orders transformers from Kelso Electric</title></head>
<body><nav>Home | Energy | Markets</nav><article><h1>Brightwater Grid orders transformers from Kelso Electric</h1>
<p>Brightwater Grid, the regional electricity network operator, has ordered forty large power
transformers from Kelso Electric for substations it is rebuilding along the east coast.</p>
<p>Kelso Electric said on Monday that it would supply the first units next spring from its factory
in Glasgow, and that the order was the largest in the company's history.</p>
<p>The network operator said the new equipment would let it connect more wind farms to the grid
without building additional overhead lines through protected countryside.</p>
</article><footer>Cookie settings</footer></body></html>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>http://laughs.example/</link>
<item><title>&lol9;</title><link>{base}/articles/laughs-entry.html</link><description>&lol9;</description></item>
</channel></rss>"""

MAIN_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>The Hostile Herald</title><link>http://hostile.example/</link>
<item><title>Good</title><link>{base}/articles/good.html</link><guid>g-good</guid>
<pubDate>Tue, 03 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Binary</title><link>{base}/articles/binary.html</link><guid>g-binary</guid></item>
<item><title>No body</title><link>{base}/articles/nobody.html</link><guid>g-nobody</guid></item>
<item><title>Loop</title><link>{base}/articles/loop-a.html</link><guid>g-loop</guid></item>
<item><title>Storm</title><link>{base}/articles/storm.html</link><guid>g-storm</guid></item>
<item><title>Drip</title><link>{base}/articles/drip.html</link><guid>g-drip</guid></item>
<item><title>Header drip</title><link>{base}/articles/header-drip.html</link><guid>g-header-drip</guid></item>
<item><title>Bomb</title><link>{base}/articles/gzip-bomb.html</link><guid>g-bomb</guid></item>
<item><title>Layered bomb</title><link>{base}/articles/layered-bomb.html</link><guid>g-layered-bomb</guid></item>
<item><title>Huge</title><link>{base}/articles/huge.html</link><guid>g-huge</guid></item>
<item><title>Latin-1 said to be UTF-8</title><link>{base}/articles/wrong-charset.html</link><guid>g-charset</guid></item>
<item><title>Duplicate one</title><link>{base}/articles/dup-1.html</link><guid>g-dup</guid></item>
<item><title>Duplicate two</title><link>{base}/articles/dup-2.html</link><guid>g-dup</guid></item>
<item><title>No link at all</title><guid isPermaLink="false">g-nolink</guid><description>text only</description></item>
<item><title>No link, no guid</title><description>nothing to fetch</description></item>
<item><title>Far future</title><link>{base}/articles/future.html</link><guid>g-future</guid>
<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
<item><title>Ancient</title><link>{base}/articles/ancient.html</link><guid>g-ancient</guid>
<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>
<item><title>Nonsense date</title><link>{base}/articles/nonsense-date.html</link><guid>g-nonsense</guid>
<pubDate>the day after tomorrow, maybe</pubDate></item>
<item><title>Out of scope</title><link>file:///etc/passwd</link><guid>g-file</guid></item>
</channel></rss>"""

# The small feed the header-fault routes serve when they answer 200: one entry of its own.
OWN_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Odd headers</title><link>http://odd.example/</link>
<item><title>Own entry</title><link>{base}/articles/own.html</link><guid>g-own</guid></item>
</channel></rss>"""

SHORT_ARTICLE = ("<html><body><article><h1>{title}</h1><p>{title} is a test page written for the "
                 "hostile-input suite, with enough words in its paragraphs to count as an article body for "
                 "the text extractor, and nothing else of note in it.</p><p>Harrow Vale Dairies said on "
                 "Wednesday that it would open a cheese plant near Carlisle next year, hiring about two "
                 "hundred people once the site reaches full output, and that it had no plans to sell its "
                 "yoghurt business.</p></article></body></html>")

MB = 1024 * 1024


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 100 KB of gzip that inflates to 100 MB of spaces."""
    return gzip.compress(b" " * (100 * MB), compresslevel=9)


@lru_cache(maxsize=1)
def layered_bomb() -> bytes:
    """`Content-Encoding: gzip, gzip`: under 1 KB on the wire, 256 MiB of spaces two layers down
    (the red team's 1,827 bytes held 1 GiB; a quarter is as telling and builds in seconds).
    Built without ever holding it whole: the inner layer is compressed from a stream of chunks."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * MB
    parts = [inner.compress(block) for _ in range(256)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), compresslevel=9)


# Each feed beside the good one answers with one of the header or encoding faults that used
# to fail the whole run (and every later one) rather than the feed alone.
HEADER_FEEDS = {
    # "²".isdigit() is True; float("²") raises.
    "/feeds/retry-after-superscript.xml": {"status": 429, "headers": {"Retry-After": "\u00b2"}},
    # Overflowed the date arithmetic when the feed's next poll was stored.
    "/feeds/retry-after-huge.xml": {"status": 429, "headers": {"Retry-After": "999999999999"}},
    "/feeds/retry-after-nines.xml": {"status": 429, "headers": {"Retry-After": "9" * 400}},
    # Stored on the first run; every later run failed to build the conditional request.
    "/feeds/etag-non-ascii.xml": {"status": 200, "headers": {"ETag": '"caf\u00e9"'}},
    "/feeds/last-modified-non-ascii.xml": {"status": 200, "headers": {"Last-Modified": "Lun, 02 Nov 2026 \u00e9t\u00e9"}},
    # Declared compressed, but not.
    "/feeds/bogus-gzip.xml": {"status": 200, "headers": {"Content-Encoding": "gzip"}},
    "/feeds/bogus-deflate.xml": {"status": 200, "headers": {"Content-Encoding": "deflate"}},
    # Redirects to schemes no HTTP client can follow.
    "/feeds/to-javascript.xml": {"status": 302, "headers": {"Location": "javascript:alert(1)"}},
    "/feeds/to-data.xml": {"status": 302, "headers": {"Location": "data:text/html,<b>hi</b>"}},
    "/feeds/to-mailto.xml": {"status": 301, "headers": {"Location": "mailto:someone@example.org"}},
    "/feeds/to-about.xml": {"status": 307, "headers": {"Location": "about:blank"}},
    "/feeds/to-urn.xml": {"status": 308, "headers": {"Location": "urn:isbn:0451450523"}},
}


class HostileSite:
    """Serves the hostile routes on 127.0.0.1 until the context exits."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.held: dict[str, float] = {}   # seconds a dripping route held its client before it hung up
        self.stop = threading.Event()
        self.server = LoopbackServer(self._answer, keep_alive=True, name="hostile-site")
        self.base = self.server.base

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        handler = self.routes().get(path)
        if handler is None:
            request.send_error(404)
            return
        handler(request)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> HostileSite:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.__exit__(*exc)

    # --- responses ------------------------------------------------------------------

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, body: bytes, content_type: str, status: int = 200,
              headers: dict[str, str] | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _text(self, body: str, content_type: str = "text/html; charset=utf-8") -> Callable[[BaseHTTPRequestHandler], None]:
        data = body.replace("{base}", self.base).encode("utf-8")
        return lambda h: self._send(h, data, content_type)

    def _undeclared_stream(self, handler: BaseHTTPRequestHandler, chunk: bytes, total: int,
                           content_type: str, pause: float = 0.0) -> None:
        """A body with no Content-Length, ended by closing the connection."""
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        sent = 0
        while sent < total and not self.stop.is_set():
            handler.wfile.write(chunk)
            handler.wfile.flush()
            sent += len(chunk)
            if pause:
                time.sleep(pause)

    def _feed_with_headers(self, handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
        """A small valid feed (or a bare status) sent with `headers`, written as raw bytes so a
        non-ASCII value goes out as UTF-8 as a careless server sends it."""
        body = OWN_FEED.replace("{base}", self.base).encode("utf-8") if status == 200 else b""
        lines = [f"HTTP/1.1 {status} Hostile", "Content-Type: application/rss+xml; charset=utf-8",
                 f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        handler.close_connection = True
        handler.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body)

    def _header_drip(self, handler: BaseHTTPRequestHandler, path: str, pause: float = 0.2) -> None:
        """A status line, then one header byte every `pause` seconds, never ending the headers:
        each read is within any read timeout, only a deadline over the whole request ends it."""
        handler.close_connection = True
        started = time.monotonic()
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            while not self.stop.is_set():
                handler.wfile.write(b"a")
                handler.wfile.flush()
                time.sleep(pause)
        finally:
            self.held[path] = time.monotonic() - started

    def routes(self) -> dict[str, Callable[[BaseHTTPRequestHandler], None]]:
        rss = "application/rss+xml; charset=utf-8"
        page = lambda title: self._text(SHORT_ARTICLE.format(title=title))  # noqa: E731
        return {
            "/feeds/main.xml": self._text(MAIN_FEED, rss),
            "/feeds/laughs.xml": self._text(BILLION_LAUGHS, rss),
            # 50 MB of feed, declared honestly, and the same again with no length at all.
            "/feeds/huge.xml": lambda h: self._send(h, b"<rss>" + b"x" * (50 * MB) + b"</rss>", rss),
            "/feeds/huge-undeclared.xml": lambda h: self._undeclared_stream(h, b"<item>" + b"y" * 65530, 50 * MB, rss),
            # A byte every 0.2 s, forever: each read is within any read timeout.
            "/feeds/drip.xml": lambda h: self._undeclared_stream(h, b"<", 10**9, rss, pause=0.2),
            "/feeds/invalid-utf8.xml": lambda h: self._send(
                h, MAIN_FEED.replace("{base}", self.base).replace("The Hostile Herald", "Caf\udce9", 1)
                .encode("utf-8", "surrogateescape"), rss),
            "/feeds/utf16-said-utf8.xml": lambda h: self._send(
                h, MAIN_FEED.replace("{base}", self.base).encode("utf-16"), rss),
            "/feeds/binary.xml": lambda h: self._send(h, bytes(range(256)) * 64, rss),
            "/feeds/empty.xml": lambda h: self._send(h, b"", rss),
            "/feeds/storm.xml": lambda h: self._send(h, b"slow down", "text/plain", 429, {"Retry-After": "1"}),
            **{path: (lambda h, case=case: self._feed_with_headers(h, case["status"], case["headers"]))
               for path, case in HEADER_FEEDS.items()},
            "/articles/good.html": self._text(GOOD_ARTICLE),
            "/articles/own.html": page("Own entry"),
            "/articles/layered-bomb.html": lambda h: self._send(h, layered_bomb(), "text/html",
                                                                headers={"Content-Encoding": "gzip, gzip"}),
            "/articles/binary.html": lambda h: self._send(h, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 256, "text/html"),
            "/articles/nobody.html": lambda h: self._send(h, b"", "text/html"),
            "/articles/loop-a.html": lambda h: self._send(h, b"", "text/html", 302, {"Location": self.url("/articles/loop-b.html")}),
            "/articles/loop-b.html": lambda h: self._send(h, b"", "text/html", 302, {"Location": self.url("/articles/loop-a.html")}),
            "/articles/storm.html": lambda h: self._send(h, b"slow down", "text/plain", 429, {"Retry-After": "1"}),
            "/articles/drip.html": lambda h: self._undeclared_stream(h, b"<p>", 10**9, "text/html", pause=0.2),
            "/articles/header-drip.html": lambda h: self._header_drip(h, "/articles/header-drip.html"),
            "/articles/gzip-bomb.html": lambda h: self._send(h, gzip_bomb(), "text/html", headers={"Content-Encoding": "gzip"}),
            "/articles/huge.html": lambda h: self._undeclared_stream(h, b"<p>" + b"z" * 65530, 50 * MB, "text/html"),
            "/articles/wrong-charset.html": lambda h: self._send(
                h, SHORT_ARTICLE.format(title="Caf\u00e9 Lumi\u00e8re opens in M\u00fcnster").encode("latin-1"),
                "text/html; charset=utf-8"),
            "/articles/laughs-entry.html": page("Laughs entry"),
            "/articles/dup-1.html": page("Duplicate one"),
            "/articles/dup-2.html": page("Duplicate two"),
            "/articles/future.html": page("Far future"),
            "/articles/ancient.html": page("Ancient"),
            "/articles/nonsense-date.html": page("Nonsense date"),
        }
