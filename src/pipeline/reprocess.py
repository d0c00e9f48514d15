"""Reprocessing: stored article texts analysed again when the extraction assets moved on.

Every article row carries the models version that analysed it (`articles.models_version`).
When models/VERSION changes, the stored texts are put through the same analysis workers as
new articles (`dossier.pipeline.analyse`) and written through the same path as an article
whose content changed (`dossier.pipeline.write`), so their evidence is replaced exactly as it
would be for an updated article: claim ids do not depend on the version, reviewer verdicts
follow their claims while the evidence sentence reads the same, and judgements and overrides
are applied again by the resolver and the draft refresh. Nothing is fetched.

A batch's rows are restamped in the batch's own transaction, so a run killed midway leaves
the written batches current and the next run picks up only what is still stale.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime

from dossier.assets import models_version
from dossier.ingest.publisher import publisher_of
from dossier.pipeline.analyse import AnalysedArticle
from dossier.pipeline.fetch import FetchedArticle
from dossier.pipeline.plan import FetchJob, reliability_of
from dossier.pipeline.write import WriteOutcome, write_batch
from dossier.records import ArticleText, FeedEntry, Page
from dossier.store.articles import StaleSelection, StoredArticle
from dossier.store.warehouse import Warehouse

log = logging.getLogger("dossier.pipeline")


def stale_selection(
    everything: bool = False, since: datetime | None = None, feed_url: str | None = None
) -> StaleSelection:
    """The stored articles to analyse again: those stamped with another models version than the
    one installed now (or every one), published since `since`, of the feed `feed_url`."""
    return StaleSelection(version=models_version(), everything=everything, since=since, feed_url=feed_url)


def count_stale(warehouse: Warehouse, selection: StaleSelection | None = None) -> int:
    """How many stored articles are stamped with another models version (or match `selection`)."""
    with warehouse.write() as session:  # a run reads through its own writer, between its batches
        return session.articles.count_stale(selection or stale_selection())


def plan_reprocess(
    warehouse: Warehouse, selection: StaleSelection, chunk_size: int, limit: int | None = None
) -> tuple[deque[list[str]], int]:
    """The ids to analyse again in chunks of `chunk_size` (at most `limit` of them, oldest first),
    and how many match the selection in all."""
    with warehouse.write() as session:
        total = session.articles.count_stale(selection)
        ids = session.articles.stale_article_ids(selection, limit)
    return deque(ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)), total


def load_batch(warehouse: Warehouse, ids: Sequence[str]) -> list[FetchedArticle]:
    """The stored articles with these ids, as the fetch stage would have handed them on."""
    with warehouse.write() as session:
        stored = session.articles.load_stored_articles(list(ids))
    return [as_fetched(article) for article in stored]


def as_fetched(stored: StoredArticle) -> FetchedArticle:
    """A stored article as a fetched one: its entry, page facts and text as they were stored, and
    the source reliability its fetch gave it (the feed's own for the feed's publisher, else the
    publisher's prior), so its claims score as they did."""
    feed_url = stored.feed_url or stored.url
    feed_publisher = stored.feed_publisher or publisher_of(feed_url)
    publisher = stored.publisher or feed_publisher
    reliability = reliability_of(publisher, stored.feed_reliability if publisher == feed_publisher else None)
    entry = FeedEntry(feed_url=feed_url, key=stored.entry_key or stored.url, link=stored.url, title=stored.title,
                      published=stored.published, updated=stored.entry_updated, author=stored.author)
    job = FetchJob(entry=entry, publisher=publisher, reliability=reliability, configured_publisher=stored.feed_publisher,
                   known_id=stored.id, known_hash=stored.content_hash, etag=stored.etag,
                   last_modified=stored.last_modified)
    fetched_at = stored.fetched or stored.published or datetime.now(UTC)
    page = Page(url=stored.url, final_url=stored.url, status=200, html="", etag=stored.etag,
                last_modified=stored.last_modified, fetched_at=fetched_at)
    article = ArticleText(url=stored.url, canonical_url=stored.canonical_url, title=stored.title, author=stored.author,
                          published=stored.published, site_name=stored.site_name, language=stored.language,
                          text=stored.text, content_hash=stored.content_hash or "")
    # An access-limited article stays limited: its stored text is still all that could be read.
    return FetchedArticle(job=job, page=page, article=article, is_new=False, limited_reason=stored.limited_reason)


def write_reprocessed(warehouse: Warehouse, analysed: Sequence[AnalysedArticle]) -> WriteOutcome:
    """Write one re-analysed batch as an updated article's batch is written: evidence replaced,
    the rows restamped with the installed models version, their organisations queued for refresh."""
    outcome = write_batch(warehouse, analysed, [])
    log.info("re-analysed %d stored articles", len(analysed), extra={"stage": "reprocess"})
    return outcome
