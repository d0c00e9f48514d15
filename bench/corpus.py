"""The benchmark corpus and the loopback site that serves it.

Real pages: the 181 pages of ../shared/data/article-extraction-benchmark, read at bench time
(never copied), served again and again under distinct URLs until the corpus holds the
number of articles asked for. Each copy's canonical link is rewritten to its own URL, so
every copy is a distinct article to the pipeline (as the same wire story on many sites).
Without ../shared, a corpus generated from our own sentence templates takes their place.

Feeds list the article URLs, several feeds of equal size, with validators, so a second
poll of unchanged feeds is answered `304 Not Modified`.
"""

from __future__ import annotations

import gzip
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from dossier.demo import loopback

SHARED_BENCHMARK = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "article-extraction-benchmark"
FEEDS = 8
# Entries are dated over the 90 days before this instant, so a timeline query has data to find.
EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
LAST_MODIFIED = format_datetime(EPOCH, usegmt=True)


@dataclass(frozen=True)
class SourcePage:
    """One page of the corpus: its HTML and the canonical URL written in it (if any)."""

    key: str
    html: bytes
    canonical: bytes | None
    title: str


def real_pages(folder: Path = SHARED_BENCHMARK) -> list[SourcePage]:
    """The benchmark's pages, each with the canonical URL the text extractor reads from it."""
    from dossier.ingest.text import NoText, decode_body, extract_article
    from dossier.records import Page

    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    probe = "http://bench.invalid/probe.html"
    for key in sorted(truth):
        # Decoded once and served as UTF-8 with the charset declared, as a well-run site does.
        text = decode_body(gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()), None)
        html = text.encode("utf-8")
        page = Page(url=probe, final_url=probe, status=200, html=text, fetched_at=datetime.now(UTC))
        canonical, title = None, key
        try:
            article = extract_article(page)
        except NoText:
            article = None  # served anyway: a page without text is part of real traffic
        if article is not None:
            title = article.title or key
            if article.canonical_url != probe and article.canonical_url.encode() in html:
                canonical = article.canonical_url.encode()
        pages.append(SourcePage(key=key, html=html, canonical=canonical, title=title))
    return pages


# --- the generated corpus (our own words), for machines without ../shared ---------------

_ORGS = ["Quarry Lane Robotics", "Halvard Semiconductor", "Brightwater Grid", "Osprey Cloud Systems",
         "Tamsin Logistics", "Corvid Analytics", "Redfern Materials", "Ashgrove Bank", "Lumen Harbour Energy",
         "Kestrel Aerospace", "Marlowe Foods", "Northbeam Networks", "Pellucid Health", "Sable Mining"]
_PLACES = ["Ohio", "Wisconsin", "Texas", "Bavaria", "Osaka", "Ontario", "Lyon", "Gdansk", "Penang", "Monterrey"]
_SENTENCES = [
    "{a} said on Tuesday it will build a new assembly plant in {p}, hiring about {n} workers over two years.",
    "{a} and {b} signed a partnership to develop battery packs for delivery vans, the companies said.",
    "{a} agreed to acquire {b} for {n} million dollars, according to people familiar with the talks.",
    "The regulator in {p} opened an investigation into pricing at {a} last month.",
    "{a} reported quarterly revenue of {n} million dollars, ahead of what analysts had expected.",
    "Executives at {b} declined to comment on whether the deal could be delayed.",
    "{a} may expand its warehouse network in {p} if demand keeps rising, a spokesperson said.",
    "There is no binding purchase commitment between {a} and {b}, the filing shows.",
    "{b} supplies sensors and cabling to {a} from its factory near {p}.",
    "Analysts said the move puts {a} in direct competition with {b} across {p}.",
    "Shares of {a} rose {m} percent in early trading after the announcement.",
    "{a} plans to open a research office in {p} next year and move {m} engineers there.",
    "Local officials in {p} welcomed the investment and promised faster permits.",
    "The company has struggled with supply shortages since the start of the year.",
]


def generated_pages(count: int = 60, seed: int = 7) -> list[SourcePage]:
    """Article pages written from the templates above (about 600 words each), deterministic."""
    rng = random.Random(seed)
    pages = []
    for i in range(count):
        a, b = rng.sample(_ORGS, 2)
        paragraphs = []
        for _ in range(12):
            sentences = [rng.choice(_SENTENCES).format(a=a, b=b, p=rng.choice(_PLACES), n=rng.randint(20, 900),
                                                       m=rng.randint(2, 15)) for _ in range(3)]
            paragraphs.append(" ".join(sentences))
        title = f"{a} and {b}: report {i + 1}"
        body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
        html = (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
                f"<nav>Home | Business | Markets</nav><article><h1>{escape(title)}</h1>\n{body}</article>"
                f"<footer>Generated for the dossier benchmark</footer></body></html>").encode()
        pages.append(SourcePage(key=f"gen{i:03d}", html=html, canonical=None, title=title))
    return pages


def load_pages(generated: bool = False) -> tuple[str, list[SourcePage]]:
    """(corpus name, pages): the shared benchmark pages when present, else the generated ones."""
    if not generated and (SHARED_BENCHMARK / "ground-truth.json").is_file():
        return "article-extraction-benchmark (181 real pages)", real_pages()
    return "generated (our own templates)", generated_pages()


# --- the site ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    path: str
    page: int
    title: str
    published: datetime


def plan_items(pages: list[SourcePage], articles: int) -> list[Item]:
    """`articles` items: copy 0 of every page, then copy 1, ...; each under its own path."""
    items = []
    for n in range(articles):
        copy, index = divmod(n, len(pages))
        page = pages[index]
        published = EPOCH - timedelta(minutes=(n * 61) % (90 * 24 * 60))
        items.append(Item(path=f"/c{copy:03d}/{page.key}.html", page=index, title=page.title, published=published))
    return items


def feed_xml(base: str, number: int, items: list[Item]) -> bytes:
    """An RSS 2.0 feed of `items`."""
    entries = "".join(
        f"<item><title>{xml_escape(it.title)}</title><link>{base}{it.path}</link><guid>{base}{it.path}</guid>"
        f"<pubDate>{format_datetime(it.published, usegmt=True)}</pubDate></item>\n"
        for it in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bench wire {number}</title>'
            f"<link>{base}/</link><description>benchmark feed</description>\n{entries}</channel></rss>").encode()


class BenchSite:
    """Serves the feeds and the article copies on 127.0.0.1 from memory (one copy of each page),
    with keep-alive, as a real site would."""

    def __init__(self, pages: list[SourcePage], articles: int, feeds: int = FEEDS) -> None:
        self.pages = pages
        self.items = plan_items(pages, articles)
        self._by_path = {it.path: it for it in self.items}
        self.server = loopback.LoopbackServer(loopback.answer_pages(self.page, LAST_MODIFIED), keep_alive=True,
                                              name="bench-site")
        self.base = self.server.base
        size = -(-len(self.items) // feeds)
        self.feeds = {f"/feeds/wire-{i}.xml": feed_xml(self.base, i, self.items[i * size:(i + 1) * size])
                      for i in range(feeds) if self.items[i * size:(i + 1) * size]}

    def feed_urls(self) -> list[str]:
        return [self.base + path for path in sorted(self.feeds)]

    def body(self, path: str) -> bytes | None:
        """The body served at `path`: a feed, or a page with its canonical link set to its own URL."""
        if path in self.feeds:
            return self.feeds[path]
        item = self._by_path.get(path)
        if item is None:
            return None
        page = self.pages[item.page]
        if page.canonical is None:
            return page.html
        return page.html.replace(page.canonical, (self.base + path).encode())

    def page(self, path: str) -> loopback.Page | None:
        """What the site answers at `path`, built on request (a large corpus is never held twice)."""
        body = self.body(path)
        if body is None:
            return None
        kind = "application/rss+xml; charset=utf-8" if path.startswith("/feeds/") else "text/html; charset=utf-8"
        return loopback.Page(body, kind)

    def __enter__(self) -> BenchSite:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)


def serve_forever(generated: bool, articles: int, ready) -> None:  # pragma: no cover - runs in a child process
    """Entry point of the site's own process: serve, report the feed URLs on `ready`, wait."""
    _, pages = load_pages(generated)
    with BenchSite(pages, articles) as site:
        ready.send(site.feed_urls())
        threading.Event().wait()


def iter_paths(site: BenchSite) -> Iterator[str]:
    yield from site.feeds
    yield from (it.path for it in site.items)
