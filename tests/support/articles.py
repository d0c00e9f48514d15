"""Articles as the pipeline sees them after fetching, and one-text ingestion into a warehouse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dossier.ids import hash_text
from dossier.pipeline.analyse import analyse_articles
from dossier.pipeline.fetch import FetchedArticle
from dossier.pipeline.plan import FetchJob
from dossier.pipeline.refresh import refresh_profiles
from dossier.pipeline.write import write_batch
from dossier.records import ArticleText, FeedEntry, Page
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse


def fetched(text: str, n: int, publisher: str | None = None) -> FetchedArticle:
    """Article `n` of a loopback feed with `text` as its extracted text (no page, no network);
    with `publisher`, of that publisher's own feed (the same sentence from two publishers)."""
    site = f"http://127.0.0.1:9/{publisher}" if publisher else "http://127.0.0.1:9"
    url = f"{site}/{n}.html"
    entry = FeedEntry(feed_url=f"{site}/rss", key=str(n), link=url)
    return FetchedArticle(
        job=FetchJob(entry=entry, publisher=publisher or "example", reliability=0.6),
        page=Page(url=url, final_url=url, status=200, html="", fetched_at=datetime.now(UTC)),
        article=ArticleText(url=url, canonical_url=url, text=text, content_hash=hash_text(text)),
        is_new=True,
    )


def ingest(warehouse: Warehouse, text: str, n: int = 1, publisher: str | None = None) -> None:
    """Analyse `text` as article `n` (of `publisher`), write its evidence and refresh the drafts it touched."""
    outcome = analyse_articles([fetched(text, n, publisher)], load_settings())
    written = write_batch(warehouse, list(outcome.analysed), [])
    refresh_profiles(warehouse, written.affected_entities)


def entity_of(path: Path, surface: str) -> set[str]:
    """Names of the entities the mentions written `surface` resolved to."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {r[0] for r in con.execute(
            "SELECT DISTINCT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.text = ?", [surface]).fetchall()}
    finally:
        con.close()
