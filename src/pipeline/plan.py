"""Planning a run: the feeds to poll, what the warehouse remembers of them, and the entries worth fetching.

Feed state is read before the run polls and stored after every entry the feeds listed is
written (`record_polls`), so a run killed midway polls the same feeds in full again.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dossier.assets import load_json
from dossier.ingest.feeds import backoff_seconds
from dossier.ingest.publisher import publisher_of
from dossier.records import Failure, FeedEntry, FeedPoll, Record
from dossier.records.warehouse import EntryState
from dossier.scoring.confidence import DEFAULT_RELIABILITY
from dossier.settings import Settings
from dossier.store import articles as article_store
from dossier.store import feeds as feed_store
from dossier.store.warehouse import Warehouse

log = logging.getLogger("dossier.pipeline")


class FeedConfig(Record):
    """A feed to poll, with what the warehouse remembers of it."""

    url: str
    etag: str | None = None
    modified: str | None = None
    publisher: str | None = None
    reliability: float | None = None
    error_count: int = 0                   # consecutive failures
    next_poll_after: datetime | None = None  # backed off until then
    last_error: str | None = None


class FetchJob(Record):
    """An entry to fetch, with validators and hash of the copy already stored (if any).

    `publisher` and `reliability` are the feed's until the page is fetched; then the page's
    own (`dossier.pipeline.fetch.article_source`)."""

    entry: FeedEntry
    publisher: str
    reliability: float
    configured_publisher: str | None = None  # what the operator said the feed's own host publishes
    known_id: str | None = None
    known_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class PlanOutcome:
    jobs: list[FetchJob] = field(default_factory=list)
    unchanged: int = 0
    repeated: int = 0   # listings of a link another feed of the run already lists (planned once)


def reliability_of(publisher: str, feed_value: float | None) -> float:
    """A feed's own reliability, else the publisher's prior from models/, else the default."""
    if feed_value is not None:
        return feed_value
    table = load_json("source_reliability.json")
    return float(table["publishers"].get(publisher, table.get("default", DEFAULT_RELIABILITY)))


def publisher_for(feed: FeedConfig) -> str:
    """The configured publisher, else the registered domain of the feed's own URL.

    Never the site a feed names in its `<channel><link>`: any feed can claim any site there,
    and with it that site's reliability prior and its articles' ids."""
    return feed.publisher or publisher_of(feed.url)


# --- feeds ------------------------------------------------------------------------------

def load_feed_configs(
    warehouse: Warehouse, urls: Sequence[str], origin: str, publishers: Mapping[str, str] | None = None
) -> list[FeedConfig]:
    """Feed configs for the given URLs (rows created as needed, so validators persist).

    `publishers` names the publisher of feeds the caller vouches for (the built-in demo serves
    three publishers from one loopback host); otherwise the stored, operator-configured one."""
    publishers = publishers or {}
    with warehouse.write() as con:
        feed_store.ensure_feeds(con, list(urls), origin)
        state = feed_store.feed_state(con, list(urls))
    return [
        FeedConfig(url=url, etag=state[url]["etag"], modified=state[url]["last_modified"],
                   publisher=publishers.get(url) or state[url]["publisher"], reliability=state[url]["reliability"],
                   error_count=state[url]["error_count"], next_poll_after=state[url].next_poll_after,
                   last_error=state[url]["last_error"])
        for url in urls
    ]


def due_feeds(feeds: Sequence[FeedConfig], now: datetime) -> tuple[list[FeedConfig], list[Failure]]:
    """The feeds to poll now, and the backed-off ones as skipped items with their reason."""
    due, backed_off = [], []
    for feed in feeds:
        if feed.next_poll_after is not None and feed.next_poll_after > now:
            until = feed.next_poll_after.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            reason = f"backed off after {feed.error_count} consecutive failures until {until} (last: {feed.last_error})"
            backed_off.append(Failure(stage="feed", item=feed.url, reason=reason))
            log.warning("feed %s %s", feed.url, reason, extra={"stage": "feed_poll"})
        else:
            due.append(feed)
    return due, backed_off


def configured_feed_urls(warehouse: Warehouse) -> list[str]:
    """URLs of the feeds added with `dossier feeds add` (none when the warehouse is new)."""
    with warehouse.write() as con:
        return [row["url"] for row in feed_store.list_feeds(con)]


def record_polls(warehouse: Warehouse, feeds: Sequence[FeedConfig], polls: Sequence[FeedPoll], settings: Settings) -> None:
    """Store each poll's validators and status; a feed that keeps failing is backed off."""

    def backoff(failures: int) -> float | None:
        return backoff_seconds(failures, settings.feed_backoff_after, settings.feed_backoff_base,
                               settings.feed_backoff_max)

    with warehouse.write() as con:
        # Only a configured publisher is stored: a derived one is worked out from the feed's URL each run.
        feed_store.record_polls(con, [(poll, feed.publisher) for feed, poll in zip(feeds, polls)], backoff)


def polls_to_record(feeds: Sequence[FeedConfig], polls: Sequence[FeedPoll], unreached: set[str]) -> list[FeedPoll]:
    """The polls as `record_polls` should store them: a feed with entries the run budget did not
    reach keeps its old validators, so the next run hears the whole feed again, not "304"."""
    return [poll.model_copy(update={"etag": feed.etag, "modified": feed.modified}) if poll.feed_url in unreached
            else poll for feed, poll in zip(feeds, polls)]


# --- entries ----------------------------------------------------------------------------

def plan_fetches(warehouse: Warehouse, feeds: Sequence[FeedConfig], polls: Sequence[FeedPoll]) -> PlanOutcome:
    """Entries worth fetching: new ones, earlier failures, and those the feed marks as updated.

    A link listed by several feeds (syndication, or one feed served twice) is planned once, so it
    is fetched once and counted once; the other listings are counted in `repeated`."""
    with warehouse.write() as con:
        state = article_store.load_entry_state(con, [p.feed_url for p in polls if p.entries])
    plan = PlanOutcome()
    for link, listings in _listings_by_link(feeds, polls).items():
        entry, publisher, reliability, configured = _chosen_listing(listings, state)
        if len(listings) > 1:
            plan.repeated += len(listings) - 1
            log.info("article %s listed by %d feeds; fetched once, for %s", link, len(listings), entry.feed_url,
                     extra={"stage": "feed_parse", "item": link})
        known = state.get((entry.feed_url, entry.key))
        ok = known if known is not None and known["status"] == "ok" else None
        if ok is not None:
            stored = ok["entry_updated"]
            if entry.updated is None or (stored is not None and entry.updated <= stored):
                plan.unchanged += 1
                continue
        plan.jobs.append(FetchJob(
            entry=entry, publisher=publisher, reliability=reliability, configured_publisher=configured,
            known_id=ok["id"] if ok else None, known_hash=ok["content_hash"] if ok else None,
            etag=ok["etag"] if ok else None, last_modified=ok["last_modified"] if ok else None,
        ))
    return plan


def chunk_jobs(jobs: Sequence[FetchJob], size: int) -> deque[list[FetchJob]]:
    """The jobs in chunks of `size`, in plan order: a chunk is fetched, analysed and written as one batch."""
    return deque(list(jobs[i : i + size]) for i in range(0, len(jobs), size))


Listing = tuple[FeedEntry, str, float, str | None]  # an entry, its feed's publisher, reliability, configured publisher


def _listings_by_link(feeds: Sequence[FeedConfig], polls: Sequence[FeedPoll]) -> dict[str, list[Listing]]:
    """Every feed's entries grouped by link, links and listings in feed order."""
    by_link: dict[str, list[Listing]] = {}
    for feed, poll in zip(feeds, polls):
        publisher = publisher_for(feed)
        reliability = reliability_of(publisher, feed.reliability)
        for entry in poll.entries:
            by_link.setdefault(entry.link, []).append((entry, publisher, reliability, feed.publisher))
    return by_link


def _chosen_listing(listings: Sequence[Listing], state: dict[tuple[str, str], EntryState]) -> Listing:
    """The listing a repeated link is fetched for: the one whose feed already holds the article
    (so it keeps its feed, validators and stored copy from run to run), else the first feed's."""
    for listing in listings:
        known = state.get((listing[0].feed_url, listing[0].key))
        if known is not None and known["status"] == "ok":
            return listing
    return listings[0]
