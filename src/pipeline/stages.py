"""The stages of one ingestion run as plain functions over batches.

flows/ wraps these in Prefect tasks; tests call them directly. Every function takes what it
needs and returns typed records; only `Warehouse` methods touch DuckDB and only
`dossier.ingest` touches the network.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dossier.assets import load_json, models_version
from dossier.extract.aliases import name_key
from dossier.extract.analyse import load_analyser, release_workers
from dossier.extract.gazetteer import load_gazetteer as load_known
from dossier.extract.nlp import ModelNotInstalled
from dossier.extract.places import load_gazetteer
from dossier.extract.resolution import EntityResolver, location_id
from dossier.ids import make_id
from dossier.ingest.dedupe import assign_clusters, buckets, signature
from dossier.ingest.feeds import backoff_seconds, poll_feed
from dossier.ingest.fetch import BudgetSpent, Fetcher, FetchError, HostThrottle, RobotsDisallowed, RunBudget
from dossier.ingest.publisher import publisher_of
from dossier.ingest.robots import RobotsCache
from dossier.ingest.text import NoText, decode_page, extract_article
from dossier.pipeline.summary import RunSummary
from dossier.profiles.refresh import refresh_slice, refresh_slices
from dossier.records import Analysis, ArticleText, Failure, FeedEntry, FeedPoll, Page, Record
from dossier.scoring.confidence import DEFAULT_RELIABILITY, score_claim
from dossier.settings import Settings
from dossier.store import articles as article_store
from dossier.store import feeds as feed_store
from dossier.store import profiles as profile_store
from dossier.store import runs as run_store
from dossier.store.judgements import load_judgements
from dossier.store.warehouse import Warehouse, WarehouseStorageError, to_json
from dossier.tracing import Stopwatch, stage_context

log = logging.getLogger("dossier.pipeline")
progress_log = logging.getLogger("dossier.progress")


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
    own (`article_source`)."""

    entry: FeedEntry
    publisher: str
    reliability: float
    configured_publisher: str | None = None  # what the operator said the feed's own host publishes
    known_id: str | None = None
    known_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class FetchedArticle(Record):
    job: FetchJob
    page: Page  # its HTML emptied once the article text is extracted
    article: ArticleText
    is_new: bool


class FetchOutcome(Record):
    articles: tuple[FetchedArticle, ...] = ()
    failures: tuple[Failure, ...] = ()
    skipped: tuple[Failure, ...] = ()    # robots.txt refusals, each with its reason
    warnings: tuple[str, ...] = ()       # "url: reason" for pages kept despite a fault (a wrong charset)
    unchanged: int = 0                   # 304 Not Modified, or the same text as stored
    not_modified: int = 0                # of which 304s
    durations: dict[str, float] = {}     # seconds in fetch (HTTP) and text (extraction)


class AnalysedArticle(Record):
    fetched: FetchedArticle
    analysis: Analysis


@dataclass
class PlanOutcome:
    jobs: list[FetchJob] = field(default_factory=list)
    unchanged: int = 0
    repeated: int = 0   # listings of a link another feed of the run already lists (planned once)


def report_progress(stage: str, done: int, total: int) -> None:
    """Progress events for whoever listens (the CLI draws a bar from them)."""
    progress_log.info("%s %d/%d", stage, done, total, extra={"stage": stage, "done": done, "total": total})


def reliability_of(publisher: str, feed_value: float | None) -> float:
    """A feed's own reliability, else the publisher's prior from models/, else the default."""
    if feed_value is not None:
        return feed_value
    table = load_json("source_reliability.json")
    return float(table["publishers"].get(publisher, table.get("default", DEFAULT_RELIABILITY)))


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
                   error_count=state[url]["error_count"], next_poll_after=state[url].get("next_poll_after"),
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


def publisher_for(feed: FeedConfig) -> str:
    """The configured publisher, else the registered domain of the feed's own URL.

    Never the site a feed names in its `<channel><link>`: any feed can claim any site there,
    and with it that site's reliability prior and its articles' ids."""
    return feed.publisher or publisher_of(feed.url)


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


def record_polls(
    warehouse: Warehouse, feeds: Sequence[FeedConfig], polls: Sequence[FeedPoll], settings: Settings | None = None
) -> None:
    """Store each poll's validators and status; a feed that keeps failing is backed off."""
    s = settings or Settings()

    def backoff(failures: int) -> float | None:
        return backoff_seconds(failures, s.feed_backoff_after, s.feed_backoff_base, s.feed_backoff_max)

    with warehouse.write() as con:
        # Only a configured publisher is stored: a derived one is worked out from the feed's URL each run.
        feed_store.record_polls(con, [(poll, feed.publisher) for feed, poll in zip(feeds, polls)], backoff)


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


def _chosen_listing(listings: Sequence[Listing], state: dict[tuple[str, str], dict[str, Any]]) -> Listing:
    """The listing a repeated link is fetched for: the one whose feed already holds the article
    (so it keeps its feed, validators and stored copy from run to run), else the first feed's."""
    for listing in listings:
        known = state.get((listing[0].feed_url, listing[0].key))
        if known is not None and known["status"] == "ok":
            return listing
    return listings[0]


# --- fetch and text ---------------------------------------------------------------------

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
            decoded = decode_page(response.body, response.headers.get("content-type"))
            if decoded.warning:
                warning = f"{url}: {decoded.warning}"
                log.warning("article %s: %s", url, decoded.warning)
            page = Page(
                url=url, final_url=response.final_url, status=response.status, html=decoded.text,
                etag=response.etag, last_modified=response.last_modified,
                fetched_at=datetime.now(UTC),
            )
            publisher, reliability, mirror_of = article_source(job, response.final_url)
            if (publisher, reliability) != (job.publisher, job.reliability):
                job = job.model_copy(update={"publisher": publisher, "reliability": reliability})
            article = trusted_canonical(extract_article(page), mirror_of)
    except BudgetSpent as exc:
        return _Fetched(skipped=Failure(stage="budget", item=url, reason=exc.reason), durations=watch.durations)
    except RobotsDisallowed as exc:
        log.warning("article %s skipped: %s", url, exc.reason)
        return _Fetched(skipped=Failure(stage="robots", item=url, reason=exc.reason), durations=watch.durations)
    except FetchError as exc:
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
                                           is_new=job.known_id is None),
                    warning=warning, durations=watch.durations)


# --- NLP --------------------------------------------------------------------------------

class AnalyseOutcome(Record):
    analysed: tuple[AnalysedArticle, ...] = ()
    failures: tuple[Failure, ...] = ()
    durations: dict[str, float] = {}     # seconds in nlp (model loading included the first time)
    dask_worker: str | None = None       # the Dask worker that analysed the batch, if one did


def analyse_articles(articles: Sequence[FetchedArticle], settings: Settings) -> AnalyseOutcome:
    """Run the NLP pipeline (loaded once per process) over a chunk of articles.

    If the batch fails, the articles are analysed one by one so only the bad one is lost
    (and recorded); the rest of the chunk goes on."""
    watch = Stopwatch()
    with watch.time("nlp"):
        outcome = _analyse(articles, settings)
        log.info("analysed %d articles (%d failed)", len(outcome.analysed), len(outcome.failures))
    return outcome.model_copy(update={"durations": watch.durations})


def _analyse(articles: Sequence[FetchedArticle], settings: Settings) -> AnalyseOutcome:
    analyser = load_analyser(settings.spacy_model)
    try:
        analyses = list(analyser.analyse([a.article.text for a in articles], batch_size=settings.nlp_batch_size,
                                         n_process=settings.nlp_processes, batch_chars=settings.nlp_batch_chars))
        return AnalyseOutcome(analysed=tuple(AnalysedArticle(fetched=a, analysis=r) for a, r in zip(articles, analyses)))
    except ModelNotInstalled:  # no article can be analysed: the run fails, naming the model
        raise
    except Exception:  # noqa: BLE001 - isolate the article that broke the batch
        log.exception("NLP batch of %d articles failed; retrying one by one", len(articles))
    analysed, failures = [], []
    for item in articles:
        try:
            [result] = analyser.analyse([item.article.text])
        except Exception as exc:  # noqa: BLE001
            failures.append(Failure(stage="nlp", item=item.job.entry.link, reason=f"{type(exc).__name__}: {exc}"))
            log.exception("article %s failed in NLP", item.article.url)
            continue
        analysed.append(AnalysedArticle(fetched=item, analysis=result))
    return AnalyseOutcome(analysed=tuple(analysed), failures=tuple(failures))


def release_analysis() -> None:
    """Stop the analysis worker processes once a run's analysis is done: each holds its model
    and parsing memory (several hundred MiB), which the draft refresh that follows would
    otherwise sit on top of. The next run with articles starts them again (seconds)."""
    release_workers()


# --- warehouse --------------------------------------------------------------------------

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


def article_id(canonical_url: str) -> str:
    return make_id("article", canonical_url)


def build_rows(
    analysed: Sequence[AnalysedArticle], resolver: EntityResolver, now: datetime, stopwatch: Stopwatch | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Warehouse rows for a batch of analysed articles (entities resolved through `resolver`;
    claim scoring timed as `scoring` on `stopwatch`)."""
    watch = stopwatch or Stopwatch()
    version = models_version()
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("articles", "entities", "entity_links", "aliases", "mentions", "claims", "ties")}
    known = load_known()
    for item in analysed:
        art, job = item.fetched.article, item.fetched.job
        aid = article_id(art.canonical_url)
        rows["articles"].append({
            "id": aid, "url": art.url, "canonical_url": art.canonical_url, "feed_url": job.entry.feed_url,
            "entry_key": job.entry.key, "entry_updated": job.entry.updated, "title": art.title or job.entry.title,
            "published": job.entry.published or art.published, "fetched": item.fetched.page.fetched_at,
            "author": art.author or job.entry.author, "site_name": art.site_name, "publisher": job.publisher,
            "language": art.language, "text": art.text, "content_hash": art.content_hash, "cluster_id": aid,
            "minhash": signature(art.text),
            "status": "ok", "error": None, "etag": item.fetched.page.etag,
            "last_modified": item.fetched.page.last_modified, "models_version": version,
            "first_seen": now, "last_seen": now,
        })
        names: dict[str, str] = {}
        for whole in item.analysis.organisations:
            for entity_id, entity_name, org in resolver.resolve(whole):
                names.setdefault(org.name, entity_id)
                rows["entities"].append({"id": entity_id, "name": entity_name, "kind": "organisation", "country": None,
                                         "continent": None, "first_seen": now, "last_seen": now})
                link = known.by_id(whole.known_id) if whole.known_id else None
                if link is not None and org.name == whole.name:  # a part carved off by a split is not the link
                    rows["entity_links"].append({"id": entity_id, "known_id": link.id, "ticker": link.ticker,
                                                 "isin": link.isin, "wikipedia_url": link.wikipedia_url})
                learned = dict(org.alias_sources)
                for alias in (org.name, *org.aliases):
                    rows["aliases"].append({"entity_id": entity_id, "alias": alias, "alias_key": name_key(alias),
                                            "learned": "name" if alias == org.name else learned.get(alias, "variant"),
                                            "first_seen": now})
                rows["mentions"].extend(_mention_rows(aid, entity_id, org.mentions, now))
        for loc in item.analysis.locations:
            entity_id = location_id(loc.name, loc.country)
            rows["entities"].append({"id": entity_id, "name": loc.name, "kind": "location", "country": loc.country,
                                     "continent": loc.continent, "first_seen": now, "last_seen": now})
            rows["mentions"].extend(_mention_rows(aid, entity_id, loc.mentions, now))
        for tie in item.analysis.ties:
            place_id = location_id(tie.place, tie.country)
            # A place named only through a national adjective ("the German carmaker") is an entity too.
            rows["entities"].append({"id": place_id, "name": tie.place, "kind": "location", "country": tie.country,
                                     "continent": continent_of(tie.country), "first_seen": now, "last_seen": now})
            rows["ties"].append({
                "id": make_id("tie", names[tie.organisation], place_id, aid), "organisation_id": names[tie.organisation],
                "place_id": place_id, "kind": tie.kind, "article_id": aid, "evidence_start": tie.start,
                "evidence_end": tie.end, "first_seen": now, "last_seen": now,
            })
        for claim in item.analysis.claims:
            subject_id = names[claim.subject]
            object_id = names.get(claim.object) if claim.object_is_organisation and claim.object else None
            with watch.time("scoring"):
                confidence, detail = score_claim(claim.confidence, job.reliability, claim.modality)
            rows["claims"].append({
                "id": make_id("claim", subject_id, claim.type, object_id or claim.object, aid),
                "subject_id": subject_id, "type": claim.type, "object_id": object_id,
                "object_text": None if object_id else claim.object, "polarity": claim.polarity,
                "modality": claim.modality, "evidence": claim.evidence, "evidence_start": claim.start,
                "evidence_end": claim.end, "article_id": aid, "rule": claim.rule, "extractor_version": version,
                "extractor_confidence": claim.confidence, "confidence": confidence,
                "confidence_detail": to_json(detail), "attributed_to": claim.attributed_to,
                "first_seen": now, "last_seen": now,
            })
    return rows


def _mention_rows(aid: str, entity_id: str, mentions: Iterable[Any], now: datetime) -> list[dict[str, Any]]:
    return [
        {"id": make_id("mention", aid, entity_id, m.start, m.end), "article_id": aid, "entity_id": entity_id,
         "text": m.text, "label": m.label, "start_char": m.start, "end_char": m.end,
         "sentence_start": m.sentence_start, "sentence_end": m.sentence_end, "first_seen": now, "last_seen": now}
        for m in mentions
    ]


def continent_of(country: str | None) -> str | None:
    return load_gazetteer().continent_of(country) if country else None


def failure_rows(failures: Sequence[Failure], jobs_by_link: dict[str, FetchJob], now: datetime) -> list[dict[str, Any]]:
    """`articles` rows recording failed (or robots-skipped) entries, keyed by entry link, so the
    next run tries them again."""
    rows = []
    for failure in failures:
        job = jobs_by_link.get(failure.item)
        if job is None or job.known_id is not None:
            continue  # a stored good copy stays; the failure lives in the run report
        rows.append({
            "id": article_id(failure.item), "url": failure.item, "canonical_url": failure.item,
            "feed_url": job.entry.feed_url, "entry_key": job.entry.key, "entry_updated": job.entry.updated,
            "title": job.entry.title, "published": job.entry.published, "publisher": job.publisher,
            "status": "skipped" if failure.stage in ("robots", "budget") else "failed",
            "error": f"{failure.stage}: {failure.reason}", "first_seen": now, "last_seen": now,
        })
    return rows


@dataclass
class WriteOutcome:
    affected_entities: set[str] = field(default_factory=set)
    written: dict[str, int] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)  # seconds in write (and the claim scoring inside it)


def write_batch(warehouse: Warehouse, analysed: Sequence[AnalysedArticle], failed: Sequence[dict[str, Any]]) -> WriteOutcome:
    """Write one batch in one transaction; return the organisations whose evidence changed."""
    watch = Stopwatch()
    with watch.time("write"):
        outcome = _write_batch(warehouse, analysed, failed, watch)
        log.info("wrote %d articles and %d failure rows", len(analysed), len(failed),
                 extra={"rows": outcome.written, "event": "write_done"})
    outcome.durations = watch.durations
    return outcome


def _write_batch(
    warehouse: Warehouse, analysed: Sequence[AnalysedArticle], failed: Sequence[dict[str, Any]], watch: Stopwatch
) -> WriteOutcome:
    now = datetime.now(UTC)
    outcome = WriteOutcome()
    # A named event (as is the one after the commit): the crash-safety test kills the process on it.
    log.info("writing %d articles and %d failure rows", len(analysed), len(failed), extra={"event": "write_started"})
    with warehouse.write() as con:
        if failed:
            article_store.write_failures(con, list(failed))
        if not analysed:
            return outcome
        judgements = load_judgements(con)
        resolver = EntityResolver(article_store.load_alias_index(con), judgements.merges, judgements.splits,
                                  article_store.load_entity_names(con, set(judgements.merges.values())))
        rows = build_rows(analysed, resolver, now, watch)
        signed = {r["id"]: r["minhash"] for r in rows["articles"]}
        keys = {aid: buckets(blob) for aid, blob in signed.items()}
        known = article_store.load_near_duplicate_candidates(
            con, sorted({k for ks in keys.values() for k in ks}), list(signed))
        clusters = assign_clusters(list(signed.items()), known)
        for row in rows["articles"]:
            row["cluster_id"] = clusters[row["id"]]
        ids = [r["id"] for r in rows["articles"]]
        before = profile_store.entities_of_articles(con, ids)
        outcome.written = article_store.write_articles(con, rows)
        article_store.write_buckets(con, keys)
        outcome.affected_entities = before | profile_store.entities_of_articles(con, ids)
        # Queued in this same transaction: a run killed before its refresh leaves them queued.
        profile_store.queue_refresh(con, outcome.affected_entities, now)
    return outcome


def refresh_profiles(
    warehouse: Warehouse, entity_ids: Iterable[str], stopwatch: Stopwatch | None = None
) -> dict[str, int]:
    """Re-assemble and score the drafts of the given organisations, reviewer overrides and
    claim verdicts applied (dossier.review.drafts); timed as write, assembly and scoring on
    `stopwatch`.

    Each slice of organisations (bounded by their mentions) is written and taken off the
    refresh queue in a transaction of its own: a run killed midway leaves the rest queued, a
    reader can open the warehouse between slices, and DuckDB's memory for one slice's queries
    is given back when its connection closes (on one connection it piled up, slice after slice,
    with the size of the warehouse)."""
    watch = stopwatch or Stopwatch()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with watch.time("write"):
        with warehouse.write() as con:
            # Also whatever an interrupted run queued and never refreshed.
            slices = refresh_slices(con, set(entity_ids) | profile_store.queued_refreshes(con))
        if not slices:
            return counts
        total = sum(map(len, slices))
        log.info("refreshing drafts of %d organisations", total, extra={"event": "refresh_started"})
        for part in slices:
            with warehouse.write() as con:
                for key, value in refresh_slice(con, part, stopwatch=watch).items():
                    counts[key] += value
                profile_store.dequeue_refresh(con, part)
    log.info("refreshed drafts of %d organisations", total, extra={"drafts": counts})
    return counts


# --- the run record ---------------------------------------------------------------------

def open_run(warehouse: Warehouse, run_id: str, started_at: datetime) -> None:
    """Record the run as running. Runs still marked running were ended by their process (the
    caller holds the run lock, so none is live): they are closed as interrupted.

    Disk space for recording the run's end is set aside first (Warehouse.reserve_space): a run
    that cannot have it does not start, and one that fills the disk can still say so."""
    warehouse.reserve_space()
    with warehouse.write() as con:
        for stale in run_store.close_interrupted(con, started_at):
            log.warning("run %s was interrupted before it finished; its queued work is picked up now", stale)
        run_store.start_run(con, run_id, started_at)


def fail_run(warehouse: Warehouse, run_id: str, started_at: datetime, error: BaseException) -> RunSummary:
    """Mark a run that stopped on a structural error as failed, with the reason; return its summary.

    When the disk is full this write fails too: the space reserve is then released and the write
    tried once more, so the run is not left `running` without a reason."""
    summary = RunSummary(run_id=run_id, started_at=started_at, finished_at=datetime.now(UTC),
                         status="failed", warehouse_path=str(warehouse.path),
                         failures=[Failure(stage="run", item=run_id, reason=f"{type(error).__name__}: {error}")])
    try:
        _store_run(warehouse, summary)
    except WarehouseStorageError:
        if not warehouse.release_reserve():
            raise
        log.warning("run %s: released the disk reserve to record the failure", run_id)
        _store_run(warehouse, summary)
    warehouse.release_reserve()
    return summary


def _store_run(warehouse: Warehouse, summary: RunSummary) -> None:
    with warehouse.write() as con:
        run_store.finish_run(con, summary.run_id, summary.to_row())


def close_run(warehouse: Warehouse, summary: RunSummary) -> RunSummary:
    """Fill the warehouse totals into the summary and store it in `runs`."""
    with warehouse.write() as con:
        summary = summary.model_copy(update=run_store.warehouse_totals(con))
        run_store.finish_run(con, summary.run_id, summary.to_row())
    warehouse.release_reserve()
    return summary
