"""Feeds: conditional polling and parsing with feedparser."""

from __future__ import annotations

import calendar
import html
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from dossier.ingest.fetch import BudgetSpent, Fetcher, FetchError, RobotsDisallowed
from dossier.records import FeedEntry, FeedPoll
from dossier.tracing import Stopwatch

# The longest feed summary kept: a summary stands in for a refused page, never for a whole feed of text.
MAX_SUMMARY_CHARS = 20_000
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")

# A date outside this window is a feed bug, not news; it is dropped rather than trusted.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def _to_datetime(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        value = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    if value < _EARLIEST or value.year > datetime.now(UTC).year + 1:
        return None
    return value


def summary_text(value: str | None) -> str | None:
    """A feed entry's summary as plain text (markup dropped, entities decoded, spaces folded), bounded:
    what is analysed in place of a page the publisher refused (dossier.ingest.access)."""
    if not value:
        return None
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value[: MAX_SUMMARY_CHARS * 2]))).strip()
    return text[:MAX_SUMMARY_CHARS] or None


def parse_feed(feed_url: str, body: bytes, headers: dict[str, str] | None = None) -> FeedPoll:
    """Parse a feed document; a malformed ("bozo") feed keeps its entries and gains a warning."""
    parsed = feedparser.parse(body, response_headers=headers or {})
    warnings = []
    if parsed.bozo:
        warnings.append(f"malformed feed: {parsed.bozo_exception}")
    # .get: a document with no recognisable root (an empty body, binary) lacks even `version`.
    if not parsed.get("version") and not parsed.get("entries"):
        return FeedPoll(feed_url=feed_url, status=200, error="not an RSS/Atom feed: " + (warnings[0] if warnings else "no entries"))
    entries, skipped, duplicates = [], 0, 0
    seen: set[str] = set()
    for item in parsed.get("entries", []):
        link = (item.get("link") or "").strip()
        key = (item.get("id") or link).strip()
        if urlsplit(link).scheme not in ("http", "https"):
            skipped += 1
            continue
        if key in seen:
            duplicates += 1  # the feed's first entry with this id is the one kept
            continue
        seen.add(key)
        entries.append(FeedEntry(
            feed_url=feed_url, key=key, link=link, title=item.get("title"),
            published=_to_datetime(item.get("published_parsed")),
            # dict.get: feedparser's own .get maps a missing updated_parsed to published_parsed, with a warning.
            updated=_to_datetime(dict.get(item, "updated_parsed")) or _to_datetime(item.get("published_parsed")),
            author=item.get("author"), summary=summary_text(item.get("summary")),
        ))
    if skipped:
        warnings.append(f"{skipped} entries without an http(s) link skipped")
    if duplicates:
        warnings.append(f"{duplicates} entries repeating an earlier entry's id skipped")
    channel = parsed.get("feed", {})
    return FeedPoll(
        feed_url=feed_url, status=200, title=channel.get("title"), site_url=channel.get("link"),
        entries=tuple(entries), warning="; ".join(warnings) or None,
    )


def poll_feed(fetcher: Fetcher, feed_url: str, etag: str | None = None, modified: str | None = None) -> FeedPoll:
    """Conditionally GET and parse one feed; a 304 returns no entries and keeps the validators.
    A feed robots.txt keeps us from, or the run budget did not reach, is skipped (with the reason), not failed."""
    watch = Stopwatch()
    try:
        with watch.time("feed_poll"):
            response = fetcher.get(feed_url, etag=etag, last_modified=modified)
    except (RobotsDisallowed, BudgetSpent) as exc:  # not the feed's fault: no failure counted against it
        return FeedPoll(feed_url=feed_url, status=None, etag=etag, modified=modified, skipped=exc.reason,
                        durations=watch.durations)
    except FetchError as exc:
        return FeedPoll(feed_url=feed_url, status=exc.status, etag=etag, modified=modified, error=exc.reason,
                        retry_after=exc.retry_after, durations=watch.durations)
    new_etag = response.etag or etag
    new_modified = response.last_modified or modified
    if response.not_modified:
        return FeedPoll(feed_url=feed_url, status=304, not_modified=True, etag=new_etag, modified=new_modified,
                        durations=watch.durations)
    with watch.time("feed_parse"):
        try:
            poll = parse_feed(feed_url, response.body, response.headers)
        except Exception as exc:  # noqa: BLE001 - a feed the parser chokes on fails alone, with its reason
            return FeedPoll(feed_url=feed_url, status=response.status, etag=etag, modified=modified,
                            error=f"feed could not be parsed: {type(exc).__name__}: {exc}", durations=watch.durations)
    return poll.model_copy(update={"status": response.status, "etag": new_etag, "modified": new_modified,
                                   "durations": watch.durations})


def backoff_seconds(failures: int, after: int, base: float, cap: float) -> float | None:
    """How long a feed with `failures` consecutive failures waits before its next poll:
    nothing until `after` failures, then `base` doubling with each further one, at most `cap`."""
    if failures < after:
        return None
    return min(cap, base * 2 ** min(failures - after, 32))
