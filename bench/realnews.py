"""`make realnews` (`python -m bench.realnews`): real news through the real ingest path, then a profile report.

Serves the business and tech sections of `../shared/data/bbc-news/articles` (read at run
time, never copied) as a loopback news site — one HTML page per story with the headline as
its title, one RSS feed per section — ingests it with `dossier ingest --feed …` into a
scratch warehouse (`.realnews/`, git-ignored, rebuilt on every run), and prints a report
anyone can judge after a change: the top organisations by mentions and sources with type,
category, base, grade, confidence, sources and aliases, and a seeded random sample of claims
with subject, type, polarity, modality and evidence sentence. The report is also written as
Markdown (`.realnews/report.md`).

The stories carry no dates; the feeds date them one hour apart going back from
2005-03-31, inside the period the stories come from (2004–05).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from dossier.demo import loopback

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ARTICLES = Path("bbc-news") / "articles"
SECTIONS = ("business", "tech")
EPOCH = datetime(2005, 3, 31, 12, tzinfo=UTC)
LAST_MODIFIED = format_datetime(EPOCH, usegmt=True)
WORKDIR = ROOT / ".realnews"


@dataclass(frozen=True)
class Story:
    """One story of the corpus: its section, number, headline and paragraphs."""

    section: str
    number: str
    headline: str
    paragraphs: tuple[str, ...]
    published: datetime

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.number}.html"


def read_story(path: Path, section: str, published: datetime) -> Story:
    """A story file: the first line is the headline, paragraphs are separated by blank lines."""
    raw = path.read_bytes().decode("utf-8", errors="replace")  # a few files carry stray bytes
    lines = raw.strip().splitlines()
    body = "\n".join(lines[1:])
    paragraphs = tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip())
    return Story(section=section, number=path.stem, headline=lines[0].strip(), paragraphs=paragraphs,
                 published=published)


def load_stories(shared: Path = SHARED, sections: Sequence[str] = SECTIONS) -> list[Story]:
    """Every story of the sections, in section and number order, dated an hour apart."""
    paths = [(section, p) for section in sections for p in sorted((shared / ARTICLES / section).glob("*.txt"))]
    return [read_story(p, section, EPOCH - timedelta(hours=n)) for n, (section, p) in enumerate(paths)]


def story_html(story: Story, base: str) -> bytes:
    """The story as a plain news page: headline as title and h1, a canonical link, paragraphs.

    The h1 stands above the article element, as on most news sites, so the text extractor
    keeps the story body alone: the stored text is the text the real-news gold annotates."""
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(story.headline)}</title>"
        f"<link rel='canonical' href='{base}{story.path}'>"
        f"<meta property='article:published_time' content='{story.published.isoformat()}'></head><body>"
        f"<header><nav><a href='/'>Home</a> | <a href='/feeds/{story.section}.xml'>{story.section.title()}</a></nav></header>"
        f"<main><h1>{escape(story.headline)}</h1>\n<article>\n{paragraphs}\n</article></main>"
        f"<footer>Served on loopback by dossier's realnews target</footer></body></html>"
    ).encode()


def feed_xml(base: str, section: str, stories: Sequence[Story]) -> bytes:
    """An RSS 2.0 feed of one section's stories, newest first."""
    items = "".join(
        f"<item><title>{xml_escape(s.headline)}</title><link>{base}{s.path}</link><guid>{base}{s.path}</guid>"
        f"<pubDate>{format_datetime(s.published, usegmt=True)}</pubDate></item>\n"
        for s in sorted(stories, key=lambda s: s.published, reverse=True)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Real news: {section}</title>'
            f"<link>{base}/</link><description>{section} stories</description>\n{items}</channel></rss>").encode()


class RealnewsSite:
    """The stories and their feeds on 127.0.0.1, from memory, with validators (304 on a re-poll)."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self.files: dict[str, loopback.Page] = {}
        self.server = loopback.LoopbackServer(loopback.answer_pages(self.files.get, LAST_MODIFIED), keep_alive=True,
                                              name="realnews-site")
        self.base = self.server.base
        self.files["/robots.txt"] = loopback.Page(b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
        for section in sorted({s.section for s in stories}):
            self.files[f"/feeds/{section}.xml"] = loopback.Page(
                feed_xml(self.base, section, [s for s in stories if s.section == section]), "application/rss+xml; charset=utf-8")
        for story in stories:
            self.files[story.path] = loopback.Page(story_html(story, self.base), "text/html; charset=utf-8")

    def feed_urls(self) -> list[str]:
        return [self.base + p for p in sorted(self.files) if p.startswith("/feeds/")]

    def __enter__(self) -> RealnewsSite:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)


# --- ingest -------------------------------------------------------------------------------

def fresh_warehouse(workdir: Path) -> Path:
    """An empty scratch warehouse path under `workdir` (earlier runs' files removed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "realnews.duckdb"
    for path in workdir.glob("realnews*.duckdb*"):
        path.unlink()
    return warehouse


def ingest(feeds: Sequence[str], warehouse: Path, workdir: Path) -> float:
    """Run `dossier ingest --feed …` (the real command, in its own process); its wall seconds."""
    env = dict(os.environ)
    env.update({
        "DOSSIER_WAREHOUSE_PATH": str(warehouse),
        # Our own loopback site is allow-listed (as the demo's server is) and polled without a delay.
        "DOSSIER_ALLOWED_HOSTS": '["127.0.0.1"]',
        "DOSSIER_HOST_DELAY": "0",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    })
    env.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    env.pop("DOSSIER_CONFIG", None)  # the scratch directory has no dossier.toml: defaults apply
    command = [str(Path(sys.executable).with_name("dossier")), "ingest"]
    for url in feeds:
        command += ["--feed", url]
    started = time.perf_counter()
    subprocess.run(command, cwd=workdir, env=env, check=True)
    return time.perf_counter() - started


# --- report -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfileRow:
    """One line of the report's organisation table."""

    name: str
    mentions: int
    sources: int
    independent_sources: int
    type: str
    category: str
    base: str
    grade: str
    confidence: float
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ClaimRow:
    """One sampled claim with its evidence."""

    subject: str
    type: str
    object: str | None
    polarity: str
    modality: str
    evidence: str
    article: str


@dataclass(frozen=True)
class Report:
    """What the report shows: warehouse totals, the top organisations, the claim sample."""

    articles: int
    organisations: int
    claims: int
    top: tuple[ProfileRow, ...]
    sample: tuple[ClaimRow, ...]
    seed: int


def read_report(warehouse: Path, top: int, sample: int, seed: int) -> Report:
    """The top organisations (mentions, then sources) and a seeded sample of claims, from the warehouse."""
    from dossier.store import profiles as profile_store
    from dossier.store.warehouse import Warehouse, fetch_dicts

    with Warehouse(warehouse).read() as con:
        profiles = profile_store.current_profiles(con)
        mentions = profile_store.mention_counts(con, [p["entity_id"] for p in profiles])
        claims = fetch_dicts(con, "SELECT claim_id, subject, type, object, polarity, modality, evidence, article_url "
                                  "FROM v_claims ORDER BY claim_id")
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    ranked = sorted(profiles, key=lambda p: (-mentions.get(p["entity_id"], 0), -p["source_count"], p["name"]))
    rows = tuple(ProfileRow(
        name=p["name"], mentions=mentions.get(p["entity_id"], 0), sources=p["source_count"],
        independent_sources=p["independent_source_count"], type=p["type"] or "unknown",
        category=p["category"] or "unknown", base=p["base"] or "unknown", grade=p["grade"],
        confidence=p["confidence"], aliases=tuple(p["aliases"] or ())) for p in ranked[:top])
    picked = random.Random(seed).sample(claims, min(sample, len(claims)))
    return Report(
        articles=articles, organisations=len(profiles), claims=len(claims), top=rows, seed=seed,
        sample=tuple(ClaimRow(subject=c["subject"], type=c["type"], object=c["object"], polarity=c["polarity"],
                              modality=c["modality"], evidence=c["evidence"], article=_short(c["article_url"]))
                     for c in picked))


def _short(url: str) -> str:
    """The story's section and number ("business/001") from its loopback URL (the port varies)."""
    match = re.search(r"/(\w+)/(\d+)\.html$", url or "")
    return f"{match.group(1)}/{match.group(2)}" if match else url


def render_markdown(report: Report, seconds: float | None = None) -> str:
    """The report as Markdown (table cells escaped: article text never breaks the table)."""
    from dossier.profiles.render import md

    lines = ["# Real news profile report", ""]
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    lines += [f"{report.articles} articles ingested{took}: {report.organisations} organisation profiles, "
              f"{report.claims} claims.", "",
              f"## Top {len(report.top)} organisations by mentions, then sources", "",
              "| # | organisation | mentions | sources (independent) | type | category | base | grade | confidence | aliases |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for n, p in enumerate(report.top, 1):
        lines.append(f"| {n} | {md(p.name)} | {p.mentions} | {p.sources} ({p.independent_sources}) | {md(p.type)} | "
                     f"{md(p.category)} | {md(p.base)} | {p.grade} | {p.confidence:.2f} | "
                     f"{md(', '.join(p.aliases[:5])) + (' …' if len(p.aliases) > 5 else '')} |")
    lines += ["", f"## {len(report.sample)} random claims (seed {report.seed})", "",
              "| # | subject | type | object | polarity | modality | evidence | story |",
              "|---|---|---|---|---|---|---|---|"]
    for n, c in enumerate(report.sample, 1):
        lines.append(f"| {n} | {md(c.subject)} | {c.type} | {md(c.object or '')} | {c.polarity} | {c.modality} | "
                     f"{md(c.evidence)} | {c.article} |")
    return "\n".join(lines) + "\n"


def print_report(report: Report) -> None:
    """The report as two rich tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(160, Console().width))
    top = Table("#", "organisation", "mentions", "sources (ind.)", "type", "category", "base", "grade", "conf.",
                "aliases", title=f"top {len(report.top)} of {report.organisations} organisations ({report.articles} articles)")
    for n, p in enumerate(report.top, 1):
        top.add_row(str(n), p.name, str(p.mentions), f"{p.sources} ({p.independent_sources})", p.type, p.category,
                    p.base, p.grade, f"{p.confidence:.2f}", ", ".join(p.aliases[:4]) + (" …" if len(p.aliases) > 4 else ""))
    console.print(top)
    claims = Table("#", "subject", "type", "object", "polarity", "modality", "evidence", "story",
                   title=f"{len(report.sample)} random claims of {report.claims} (seed {report.seed})")
    for n, c in enumerate(report.sample, 1):
        claims.add_row(str(n), c.subject, c.type, c.object or "", c.polarity, c.modality, c.evidence, c.article)
    console.print(claims)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realnews", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared corpora folder (default ../shared/data)")
    parser.add_argument("--sections", nargs="+", default=list(SECTIONS), help="bbc-news sections to serve")
    parser.add_argument("--limit", type=int, default=None, help="serve only the first N stories (a quick look)")
    parser.add_argument("--top", type=int, default=60, help="organisations in the report (default 60)")
    parser.add_argument("--claims", type=int, default=40, help="claims in the random sample (default 40)")
    parser.add_argument("--seed", type=int, default=14, help="seed of the claim sample (default 14)")
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="scratch folder (default .realnews/)")
    parser.add_argument("--out", type=Path, default=None, help="Markdown report (default WORKDIR/report.md)")
    parser.add_argument("--report-only", action="store_true", help="report on the last run's warehouse, no ingest")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    out = args.out or workdir / "report.md"
    seconds = None
    if args.report_only:
        warehouse = workdir / "realnews.duckdb"
        if not warehouse.exists():
            parser.error(f"no warehouse at {warehouse}: run without --report-only first")
    else:
        if not (args.shared / ARTICLES).is_dir():
            parser.error(f"{args.shared / ARTICLES} is absent: the realnews target needs ../shared/data")
        stories = load_stories(args.shared, args.sections)[: args.limit]
        warehouse = fresh_warehouse(workdir)
        with RealnewsSite(stories) as site:
            print(f"serving {len(stories)} stories of {', '.join(args.sections)} at {site.base}; ingesting …", flush=True)
            seconds = ingest(site.feed_urls(), warehouse, workdir)
    report = read_report(warehouse, args.top, args.claims, args.seed)
    print_report(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(report, seconds), encoding="utf-8")
    print(f"report: {out}" + (f" (ingest took {seconds:.0f} s)" if seconds is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
