"""The `feeds` table: configured feeds, their validators and their health."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from dossier.records import FeedPoll
from dossier.records.warehouse import Feed
from dossier.store.warehouse import fetch_dicts, upsert, utcnow

if TYPE_CHECKING:
    from dossier.store.session import Session


def add_feed(con: Session, url: str, publisher: str | None = None, reliability: float | None = None) -> bool:
    """Add a feed (or re-activate it); return True when it was not active before."""
    existing = con.execute("SELECT active FROM feeds WHERE url = ?", [url]).fetchone()
    if existing is None:
        con.execute(
            "INSERT INTO feeds (url, publisher, reliability, added_at, origin, active) VALUES (?, ?, ?, ?, 'user', TRUE)",
            [url, publisher, reliability, utcnow()],
        )
        return True
    # Adding a feed again is also how an operator asks for a backed-off feed to be polled now.
    con.execute(
        "UPDATE feeds SET active = TRUE, origin = 'user', publisher = coalesce(?, publisher),"
        " reliability = coalesce(?, reliability), next_poll_after = NULL WHERE url = ?",
        [publisher, reliability, url],
    )
    return not existing[0]


def ensure_feeds(con: Session, urls: list[str], origin: str) -> None:
    """Make sure each URL has a row (to keep its validators) without activating it."""
    for url in urls:
        con.execute(
            "INSERT INTO feeds (url, added_at, origin, active) VALUES (?, ?, ?, FALSE) ON CONFLICT (url) DO NOTHING",
            [url, utcnow(), origin],
        )


def feed_state(con: Session, urls: list[str]) -> dict[str, Feed]:
    """Stored rows of the given feeds, by URL."""
    rows = fetch_dicts(con, "SELECT * FROM feeds WHERE url IN (SELECT unnest(?))", [urls])
    return {row["url"]: Feed.model_validate(row) for row in rows}


def remove_feed(con: Session, url: str) -> bool:
    """Deactivate a feed (its articles and evidence stay); return False if it was not configured."""
    found = con.execute("SELECT 1 FROM feeds WHERE url = ? AND active", [url]).fetchone()
    if found:
        con.execute("UPDATE feeds SET active = FALSE WHERE url = ?", [url])
    return found is not None


def list_feeds(con: Session, active_only: bool = True) -> list[Feed]:
    """Configured feeds, oldest first."""
    where = "WHERE active AND origin = 'user'" if active_only else ""
    return [Feed.model_validate(row) for row in fetch_dicts(con, f"SELECT * FROM feeds {where} ORDER BY added_at, url")]


def record_polls(
    con: Session,
    polls: list[tuple[FeedPoll, str | None]],
    backoff: Callable[[int], float | None] = lambda failures: None,
) -> None:
    """Store each poll's outcome in one bulk upsert: validators, status, warning, the count of
    consecutive failures and, once `backoff(failures)` gives a delay (or the server asked for a
    pause with Retry-After), the earliest next poll.
    A poll robots.txt refused changes neither. A stored (configured) publisher is kept over the one given."""
    state = feed_state(con, [poll.feed_url for poll, _ in polls])
    now = utcnow()
    rows = []
    for poll, publisher in polls:
        row = state[poll.feed_url].model_dump()
        if poll.skipped is not None:
            row.update(last_polled=now, last_status=None, last_warning=f"skipped: {poll.skipped}")
            rows.append(row)
            continue
        failed = poll.error is not None
        failures = row["error_count"] + 1 if failed else 0
        delay = backoff(failures) if failed else None
        if failed and poll.retry_after:
            # A server that asked for a longer pause than the backoff gets it.
            delay = max(delay or 0.0, poll.retry_after)
        row.update(
            title=poll.title or row["title"], site_url=poll.site_url or row["site_url"],
            publisher=row["publisher"] or publisher, etag=poll.etag, last_modified=poll.modified,
            last_polled=now, last_status=poll.status, last_error=poll.error, last_warning=poll.warning,
            error_count=failures, next_poll_after=now + timedelta(seconds=delay) if delay is not None else None,
            last_success=row["last_success"] if failed else now,
        )
        rows.append(row)
    upsert(con, "feeds", rows, key=["url"], keep=("added_at", "origin", "active"), touch=())
