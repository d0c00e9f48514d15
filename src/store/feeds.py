"""The `feeds` table: configured feeds, their validators and their health."""

from __future__ import annotations

from typing import Any

import duckdb

from dossier.records import FeedPoll
from dossier.store.warehouse import fetch_dicts, utcnow


def add_feed(con: duckdb.DuckDBPyConnection, url: str, publisher: str | None = None, reliability: float | None = None) -> bool:
    """Add a feed (or re-activate it); return True when it was not active before."""
    existing = con.execute("SELECT active FROM feeds WHERE url = ?", [url]).fetchone()
    if existing is None:
        con.execute(
            "INSERT INTO feeds (url, publisher, reliability, added_at, origin, active) VALUES (?, ?, ?, ?, 'user', TRUE)",
            [url, publisher, reliability, utcnow()],
        )
        return True
    con.execute(
        "UPDATE feeds SET active = TRUE, origin = 'user', publisher = coalesce(?, publisher),"
        " reliability = coalesce(?, reliability) WHERE url = ?",
        [publisher, reliability, url],
    )
    return not existing[0]


def ensure_feeds(con: duckdb.DuckDBPyConnection, urls: list[str], origin: str) -> None:
    """Make sure each URL has a row (to keep its validators) without activating it."""
    for url in urls:
        con.execute(
            "INSERT INTO feeds (url, added_at, origin, active) VALUES (?, ?, ?, FALSE) ON CONFLICT (url) DO NOTHING",
            [url, utcnow(), origin],
        )


def feed_state(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, dict[str, Any]]:
    """Stored rows of the given feeds, by URL."""
    return {row["url"]: row for row in fetch_dicts(con, "SELECT * FROM feeds WHERE url IN (SELECT unnest(?))", [urls])}


def remove_feed(con: duckdb.DuckDBPyConnection, url: str) -> bool:
    """Deactivate a feed (its articles and evidence stay); return False if it was not configured."""
    found = con.execute("SELECT 1 FROM feeds WHERE url = ? AND active", [url]).fetchone()
    if found:
        con.execute("UPDATE feeds SET active = FALSE WHERE url = ?", [url])
    return found is not None


def list_feeds(con: duckdb.DuckDBPyConnection, active_only: bool = True) -> list[dict[str, Any]]:
    """Configured feeds, oldest first."""
    where = "WHERE active AND origin = 'user'" if active_only else ""
    return fetch_dicts(con, f"SELECT * FROM feeds {where} ORDER BY added_at, url")


def record_poll(con: duckdb.DuckDBPyConnection, poll: FeedPoll, publisher: str) -> None:
    """Store a poll's outcome: validators, status, warning, and the running error count."""
    failed = poll.error is not None
    con.execute(
        """
        UPDATE feeds SET
            title = coalesce(?, title), site_url = coalesce(?, site_url),
            publisher = coalesce(publisher, ?),
            etag = ?, last_modified = ?, last_polled = ?, last_status = ?,
            last_error = ?, last_warning = ?,
            error_count = CASE WHEN ? THEN error_count + 1 ELSE 0 END
        WHERE url = ?
        """,
        [poll.title, poll.site_url, publisher, poll.etag, poll.modified, utcnow(), poll.status,
         poll.error, poll.warning, failed, poll.feed_url],
    )
