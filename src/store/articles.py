"""Articles and their evidence (entities, aliases, mentions, claims), written one batch per transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dossier.records.warehouse import ArticleBatch, ArticleRow, EntityLinkRow, EntryState
from dossier.store.warehouse import fetch_dicts, upsert

if TYPE_CHECKING:
    from dossier.store.session import Session


def load_entry_state(con: Session, feed_urls: Sequence[str]) -> dict[tuple[str, str], EntryState]:
    """What the warehouse knows of each feed entry: {(feed_url, entry_key): article row subset}."""
    if not feed_urls:
        return {}
    rows = fetch_dicts(
        con,
        "SELECT feed_url, entry_key, id, status, entry_updated, etag, last_modified, content_hash, canonical_url"
        " FROM articles WHERE feed_url IN (SELECT unnest(?))",
        [list(feed_urls)],
    )
    state: dict[tuple[str, str], EntryState] = {}
    for row in rows:
        key = (row["feed_url"], row["entry_key"])
        # An ok row wins over a stale failure of the same entry.
        if key not in state or row["status"] == "ok":
            state[key] = EntryState.model_validate(row)
    return state


def load_alias_index(con: Session) -> dict[str, tuple[str, str]]:
    """{alias key: (entity id, entity name)} over every organisation alias known so far."""
    rows = con.execute(
        "SELECT a.alias_key, e.id, e.name FROM aliases a JOIN entities e ON e.id = a.entity_id"
        " WHERE e.kind = 'organisation' ORDER BY a.first_seen, a.alias_key"
    ).fetchall()
    index: dict[str, tuple[str, str]] = {}
    for key, entity_id, name in rows:
        index.setdefault(key, (entity_id, name))
    return index


def load_near_duplicate_candidates(
    con: Session, buckets: Sequence[int], ids: Sequence[str]
) -> list[tuple[str, str, bytes]]:
    """(article id, cluster id, signature), oldest first, of the stored articles that share one
    of `buckets` or are one of `ids`: all a batch's near-duplicate matching needs to see."""
    if not buckets and not ids:
        return []
    return con.execute(
        "SELECT id, coalesce(cluster_id, id), minhash FROM articles"
        " WHERE status = 'ok' AND minhash IS NOT NULL AND (id IN (SELECT unnest(?))"
        "   OR id IN (SELECT article_id FROM article_buckets WHERE bucket IN (SELECT unnest(?))))"
        " ORDER BY coalesce(published, fetched), id",
        [list(ids), list(buckets)],
    ).fetchall()


def write_buckets(con: Session, buckets: dict[str, list[int]]) -> int:
    """Replace the near-duplicate index entries of the given articles; return rows written."""
    if not buckets:
        return 0
    con.execute("DELETE FROM article_buckets WHERE article_id IN (SELECT unnest(?))", [list(buckets)])
    table = pa.table({
        "bucket": pa.array([b for keys in buckets.values() for b in keys], pa.int64()),
        "article_id": pa.array([a for a, keys in buckets.items() for _ in keys], pa.string()),
    })
    con.register("_batch_buckets", table)
    try:
        con.execute("INSERT INTO article_buckets SELECT bucket, article_id FROM _batch_buckets")
    finally:
        con.unregister("_batch_buckets")
    return table.num_rows


def load_entity_names(con: Session, ids: set[str]) -> dict[str, str]:
    """{entity id: name} for the given ids."""
    if not ids:
        return {}
    return dict(con.execute("SELECT id, name FROM entities WHERE id IN (SELECT unnest(?))", [list(ids)]).fetchall())


def write_failures(con: Session, rows: Sequence[ArticleRow]) -> int:
    """Record articles that failed (keyed by their entry link), keeping any earlier good copy."""
    return upsert(con, "articles", rows, key=["id"])


_LINK_COLUMNS = ("known_id", "ticker", "isin", "wikipedia_url")


def link_entities(con: Session, rows: Sequence[EntityLinkRow]) -> int:
    """Set the external identifiers of entities linked to reference data; return how many
    entities changed. An UPDATE, not the upsert: an entity's unlinked mentions never clear
    a link, and re-running over the same evidence changes nothing."""
    unique = {row["id"]: row for row in rows if row.get("known_id")}
    if not unique:
        return 0
    schema = pa.schema([(c, pa.string()) for c in ("id", *_LINK_COLUMNS)])
    table = pa.Table.from_pylist([{c: row.get(c) for c in schema.names} for row in unique.values()], schema=schema)
    con.register("_batch_entity_links", table)
    try:
        sets = ", ".join(f"{c} = b.{c}" for c in _LINK_COLUMNS)
        changed = " OR ".join(f"entities.{c} IS DISTINCT FROM b.{c}" for c in _LINK_COLUMNS)
        return con.execute(
            f"UPDATE entities SET {sets} FROM _batch_entity_links b WHERE entities.id = b.id AND ({changed})"
        ).fetchone()[0]
    finally:
        con.unregister("_batch_entity_links")


def write_articles(con: Session, batch: ArticleBatch) -> dict[str, int]:
    """Upsert one batch of analysed articles and replace their evidence; return rows written per table."""
    articles = batch["articles"]
    article_ids = [a["id"] for a in articles]
    written = {
        "articles": upsert(con, "articles", articles, key=["id"]),
        "entities": upsert(con, "entities", batch["entities"], key=["id"]),
        "aliases": upsert(con, "aliases", batch["aliases"], key=["entity_id", "alias"], keep=("first_seen", "learned")),
        "entity_links": link_entities(con, batch.get("entity_links", [])),
    }
    # Evidence of a re-extracted article replaces the old: rows no longer found go, the rest upsert.
    for table, rows in (("mentions", batch["mentions"]), ("claims", batch["claims"]), ("ties", batch["ties"])):
        keep_ids = [r["id"] for r in rows]
        con.execute(
            f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?)) AND id NOT IN (SELECT unnest(?))",
            [article_ids, keep_ids],
        )
        written[table] = upsert(con, table, rows, key=["id"])
    # Failures (and robots.txt skips) of the same entries are resolved by these articles.
    con.execute(
        "DELETE FROM articles WHERE status IN ('failed', 'skipped') AND EXISTS (SELECT 1 FROM articles ok"
        " WHERE ok.id IN (SELECT unnest(?)) AND ok.status = 'ok'"
        " AND ok.feed_url = articles.feed_url AND ok.entry_key = articles.entry_key)",
        [article_ids],
    )
    return written


# --- re-analysis of stored texts (`dossier reprocess`) ----------------------------------

@dataclass(frozen=True)
class StoredArticle:
    """A stored article's text and the facts of its fetch, enough to analyse it again without fetching."""

    id: str
    url: str
    canonical_url: str
    feed_url: str | None
    entry_key: str | None
    entry_updated: datetime | None
    title: str | None
    published: datetime | None
    fetched: datetime | None
    author: str | None
    site_name: str | None
    publisher: str | None
    language: str | None
    text: str
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    models_version: str | None
    feed_publisher: str | None       # the publisher configured for its feed, if any
    feed_reliability: float | None   # the reliability configured for its feed, if any
    limited_reason: str | None = None  # why its page could not be read whole, when it could not


@dataclass(frozen=True)
class StaleSelection:
    """Which stored articles to analyse again: those stamped with a models version other than
    `version`, or every one (`everything`); narrowed to a publication time and a feed."""

    version: str
    everything: bool = False
    since: datetime | None = None
    feed_url: str | None = None


def _stale_where(selection: StaleSelection) -> tuple[str, list[Any]]:
    sql = "status = 'ok' AND text IS NOT NULL"
    params: list[Any] = []
    if not selection.everything:
        sql += " AND models_version IS DISTINCT FROM ?"
        params.append(selection.version)
    if selection.since is not None:
        sql += " AND coalesce(published, fetched) >= ?"
        params.append(selection.since)
    if selection.feed_url is not None:
        sql += " AND feed_url = ?"
        params.append(selection.feed_url)
    return sql, params


def count_stale(con: Session, selection: StaleSelection) -> int:
    """How many stored articles the selection would analyse again."""
    where, params = _stale_where(selection)
    return int(con.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0])


def stale_article_ids(con: Session, selection: StaleSelection, limit: int | None = None) -> list[str]:
    """Ids of the articles the selection would analyse again, oldest first (a rerun after a kill
    sees the same order, minus what was done)."""
    where, params = _stale_where(selection)
    sql = f"SELECT id FROM articles WHERE {where} ORDER BY coalesce(published, fetched), id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in con.execute(sql, params).fetchall()]


def load_stored_articles(con: Session, ids: Sequence[str]) -> list[StoredArticle]:
    """The stored articles with these ids (in the order given), with their feed's configured source."""
    if not ids:
        return []
    rows = fetch_dicts(
        con,
        "SELECT a.id, a.url, a.canonical_url, a.feed_url, a.entry_key, a.entry_updated, a.title, a.published,"
        " a.fetched, a.author, a.site_name, a.publisher, a.language, a.text, a.content_hash, a.etag,"
        " a.last_modified, a.models_version, f.publisher AS feed_publisher, f.reliability AS feed_reliability,"
        " a.limited_reason"
        " FROM articles a LEFT JOIN feeds f ON f.url = a.feed_url"
        " WHERE a.id IN (SELECT unnest(?)) AND a.status = 'ok' AND a.text IS NOT NULL",
        [list(ids)],
    )
    by_id = {row["id"]: StoredArticle(**row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]
