"""Fetching: the feeds polled and a chunk of entries fetched and turned into article text.

Every fault of one feed or one page is that item's failure, recorded and counted, never the
run's. Only `dossier.ingest` talks to the network; this module decides what becomes of each answer.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from dossier.ids import hash_text
from dossier.ingest.access import limited_reason, refused_reason
from dossier.ingest.feeds import poll_feed
from dossier.ingest.fetch import (
    BudgetSpent,
    Fetcher,
    FetchError,
    HostThrottle,
    Response,
    RobotsDisallowed,
    RunBudget,
)
from dossier.ingest.publisher import publisher_of
from dossier.ingest.robots import RobotsCache
from dossier.ingest.text import NoText, count_words, decode_page, extract_article
from dossier.pipeline.plan import FeedConfig, FetchJob, reliability_of
from dossier.records import ArticleText, Failure, FeedPoll, Page, Record
from dossier.settings import Settings
from dossier.tracing import Stopwatch, stage_context

log = logging.getLogger("dossier.pipeline")


class FetchedArticle(Record):
    job: FetchJob
    page: Page  # its HTML emptied once the article text is extracted
    article: ArticleText
    is_new: bool
    limited_reason: str | None = None  # why the page could not be read whole (dossier.ingest.access); None: it could


class FetchOutcome(Record):
    articles: tuple[FetchedArticle, ...] = ()
    failures: tuple[Failure, ...] = ()
    skipped: tuple[Failure, ...] = ()    # robots.txt refusals, each with its reason
    warnings: tuple[str, ...] = ()       # "url: reason" for pages kept despite a fault (a wrong charset)
    unchanged: int = 0                   # 304 Not Modified, or the same text as stored
    not_modified: int = 0                # of which 304s
    durations: dict[str, float] = {}     # seconds in fetch (HTTP) and text (extraction)


def poll_one(
    feed: FeedConfig, settings: Settings, throttle: HostThrottle | None = None, robots: RobotsCache | None = None,
    budget: RunBudget | None = None,
) -> FeedPoll:
    """Conditionally poll one feed; whatever goes wrong is this feed's failure, never the run's."""
    with stage_context("feed_poll"), Fetcher(settings, throttle=throttle, robots=robots, budget=budget) as fetcher:
        try:
            poll = poll_feed(fetcher, feed.url, etag=feed.etag, modified=feed.modified)
        except Exception as exc:  # noqa: BLE001 - a fault no family foresaw fails this feed alone
            # Recorded against the feed (its error count rises, backoff engages); the other
            # feeds' articles are still written. The traceback goes to the log for the fix.
            log.exception("feed %s failed unexpectedly", feed.url)
            poll = FeedPoll(feed_url=feed.url, status=None, etag=feed.etag, modified=feed.modified,
                            error=f"unexpected {type(exc).__name__}: {exc}"[:300])
        if poll.error:
            log.warning("feed %s failed: %s", feed.url, poll.error)
        elif poll.skipped:
            log.warning("feed %s skipped: %s", feed.url, poll.skipped)
        elif poll.warning:
            log.warning("feed %s: %s", feed.url, poll.warning)
        else:
            log.info("feed %s: HTTP %s, %d entries", feed.url, poll.status, len(poll.entries),
                     extra={"item": feed.url, "status": poll.status})
    return poll


class _Fetched(Record):
    """What became of one entry of a chunk: exactly one of the fields is set (or `unchanged`)."""

    article: FetchedArticle | None = None
    failure: Failure | None = None
    skipped: Failure | None = None
    warning: str | None = None
    unchanged: bool = False
    not_modified: bool = False
    durations: dict[str, float] = {}


def fetch_articles(
    jobs: Sequence[FetchJob], settings: Settings, throttle: HostThrottle | None = None, robots: RobotsCache | None = None,
    budget: RunBudget | None = None,
) -> FetchOutcome:
    """Fetch (conditionally, with the stored copy's validators) and extract a chunk of entries;
    failures, robots.txt refusals and entries the run budget did not reach are recorded, never raised.

    Up to `settings.fetch_concurrency` entries are fetched at once (each host still gets at most
    `host_concurrency` of them, spaced by its delay), so the good entries of a chunk are not held
    behind dripping ones, each of which may take a whole request deadline."""
    fetched, failures, skipped, warnings, unchanged, not_modified = [], [], [], [], 0, 0
    watch = Stopwatch()
    with stage_context("fetch"), Fetcher(settings, throttle=throttle, robots=robots, budget=budget) as fetcher:
        workers = max(1, min(settings.fetch_concurrency, len(jobs)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            # copy_context: the run id and stage labels reach the log records made in the threads.
            futures = [pool.submit(contextvars.copy_context().run, _fetch_one, fetcher, job) for job in jobs]
            results = [future.result() for future in futures]  # in plan order, whatever order they end in
        for result in results:
            watch.merge(result.durations)
            if result.warning:
                warnings.append(result.warning)
            if result.article is not None:
                fetched.append(result.article)
            elif result.failure is not None:
                failures.append(result.failure)
            elif result.skipped is not None:
                skipped.append(result.skipped)
            elif result.unchanged:
                unchanged += 1
                not_modified += result.not_modified
        log.info("fetched %d of %d articles (%d unchanged, %d failed, %d skipped)", len(fetched), len(jobs), unchanged,
                 len(failures), len(skipped), extra={"durations": watch.durations})
    return FetchOutcome(articles=tuple(fetched), failures=tuple(failures), skipped=tuple(skipped),
                        warnings=tuple(warnings), unchanged=unchanged, not_modified=not_modified,
                        durations=watch.durations)


def _fetch_one(fetcher: Fetcher, job: FetchJob) -> _Fetched:
    """Fetch and extract one entry (on a thread of `fetch_articles`); nothing is raised."""
    url = job.entry.link
    watch, warning = Stopwatch(), None
    try:
        with watch.time("fetch"):
            response = fetcher.get(url, etag=job.etag, last_modified=job.last_modified)
        if response.not_modified:
            return _Fetched(unchanged=True, not_modified=True, durations=watch.durations)
        with watch.time("text"):
            job, page, article, warning, limited = _read_page(job, response)
    except BudgetSpent as exc:
        return _Fetched(skipped=Failure(stage="budget", item=url, reason=exc.reason), durations=watch.durations)
    except RobotsDisallowed as exc:
        log.warning("article %s skipped: %s", url, exc.reason)
        return _Fetched(skipped=Failure(stage="robots", item=url, reason=exc.reason), durations=watch.durations)
    except FetchError as exc:
        # A stored copy read before the refusal stays (as on any failure); a new entry keeps its summary.
        if job.known_id is None and (limited := refused_reason(exc.status, job.entry.summary)) is not None:
            log.warning("article %s access-limited: %s", url, limited)
            return _summary_instead(job, exc.status or 0, limited, watch)
        log.warning("article %s failed: %s", url, exc.reason)
        return _Fetched(failure=Failure(stage="fetch", item=url, reason=exc.reason), warning=warning,
                        durations=watch.durations)
    except NoText as exc:
        log.warning("article %s failed: %s", url, exc)
        return _Fetched(failure=Failure(stage="text", item=url, reason=str(exc)), warning=warning,
                        durations=watch.durations)
    except Exception as exc:  # noqa: BLE001 - a page that breaks the parser must not stop the run
        log.exception("article %s failed in text extraction", url)
        return _Fetched(failure=Failure(stage="text", item=url, reason=f"{type(exc).__name__}: {exc}"),
                        warning=warning, durations=watch.durations)
    if job.known_hash is not None and article.content_hash == job.known_hash:
        return _Fetched(unchanged=True, warning=warning, durations=watch.durations)
    # The page's HTML is done with once its text is out: a chunk's pages (the real ones
    # run to hundreds of KB each) would otherwise stay in memory through analysis and write.
    return _Fetched(article=FetchedArticle(job=job, page=page.model_copy(update={"html": ""}), article=article,
                                           is_new=job.known_id is None, limited_reason=limited),
                    warning=warning, durations=watch.durations)


def _read_page(job: FetchJob, response: Response) -> tuple[FetchJob, Page, ArticleText, str | None, str | None]:
    """The job (with the page's own publisher), page, article text, charset warning and access
    limit of a fetched page; raise NoText when neither the page nor the feed summary has text."""
    url = job.entry.link
    warning = None
    decoded = decode_page(response.body, response.headers.get("content-type"))
    if decoded.warning:
        warning = f"{url}: {decoded.warning}"
        log.warning("article %s: %s", url, decoded.warning)
    page = Page(url=url, final_url=response.final_url, status=response.status, html=decoded.text,
                etag=response.etag, last_modified=response.last_modified, fetched_at=datetime.now(UTC))
    publisher, reliability, mirror_of = article_source(job, response.final_url)
    if (publisher, reliability) != (job.publisher, job.reliability):
        job = job.model_copy(update={"publisher": publisher, "reliability": reliability})
    try:
        article = trusted_canonical(extract_article(page), mirror_of)
        text, words = article.text, count_words(article.text)
    except NoText as exc:
        article, text, words = None, exc.text, exc.words
    limited, use_summary = limited_reason(page.html, words, text, job.entry.summary)
    if use_summary:
        article = summary_article(job, page.final_url if article is None else article.canonical_url, article)
    if article is None:
        raise NoText(f"no article text found ({words} words)")
    if limited:
        log.warning("article %s access-limited: %s", url, limited)
    return job, page, article, warning, limited


def summary_article(job: FetchJob, canonical_url: str, extracted: ArticleText | None = None) -> ArticleText:
    """The feed's summary of an entry as its article text, with the page's metadata where it had some."""
    summary = job.entry.summary or ""
    return ArticleText(
        url=job.entry.link, canonical_url=canonical_url, title=(extracted.title if extracted else None) or job.entry.title,
        author=(extracted.author if extracted else None) or job.entry.author,
        published=(extracted.published if extracted else None) or job.entry.published,
        site_name=extracted.site_name if extracted else None, language=extracted.language if extracted else None,
        text=summary, content_hash=hash_text(summary),
    )


def _summary_instead(job: FetchJob, status: int, reason: str, watch: Stopwatch) -> _Fetched:
    """A refused page's entry as an access-limited article whose text is the feed's summary."""
    page = Page(url=job.entry.link, final_url=job.entry.link, status=status, html="", fetched_at=datetime.now(UTC))
    article = summary_article(job, job.entry.link)
    if job.known_hash is not None and article.content_hash == job.known_hash:
        return _Fetched(unchanged=True, durations=watch.durations)
    return _Fetched(article=FetchedArticle(job=job, page=page, article=article, is_new=job.known_id is None,
                                           limited_reason=reason), durations=watch.durations)


def article_source(job: FetchJob, final_url: str) -> tuple[str, float, str | None]:
    """Publisher and reliability of a page fetched from `final_url`, and the one other domain its
    canonical URL may name (the configured publisher, for a page on its feed's own host).

    Identity comes from where the page was actually fetched: a feed listing another site's
    pages gains neither that site's name nor its reputation."""
    fetched = publisher_of(final_url)
    if job.configured_publisher and fetched == publisher_of(job.entry.feed_url):
        return job.configured_publisher, job.reliability, job.configured_publisher
    if fetched == job.publisher:
        return fetched, job.reliability, None
    return fetched, reliability_of(fetched, None), None


def trusted_canonical(article: ArticleText, mirror_of: str | None = None) -> ArticleText:
    """A page's declared canonical URL is kept only on the registrable domain the page was
    fetched from, or on `mirror_of` (the publisher the operator configured for the page's own
    feed host). Articles are keyed by it: a page on one site declaring another site's article
    as its canonical would otherwise take over that article's id, text and claims."""
    if article.canonical_url == article.url:
        return article
    if publisher_of(article.canonical_url) in {publisher_of(article.url), mirror_of}:
        return article
    log.warning("article %s declares a canonical URL on another site (%s); keyed by its own URL",
                article.url, article.canonical_url)
    return article.model_copy(update={"canonical_url": article.url})
