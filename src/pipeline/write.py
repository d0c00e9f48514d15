"""Writing: a batch of analysed articles as warehouse rows, in one transaction.

The row shapes of articles, entities, aliases, mentions, ties and claims are made here (ids
from `dossier.ids`, so a re-run upserts onto the same rows); `dossier.store` writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dossier.assets import models_version
from dossier.extract.gazetteer import Gazetteer
from dossier.extract.gazetteer import load_gazetteer as load_known
from dossier.extract.places import load_gazetteer
from dossier.extract.resolution import EntityResolver
from dossier.ids import article_id, location_id, make_id, name_key
from dossier.ingest.dedupe import assign_clusters, buckets, signature
from dossier.pipeline.analyse import AnalysedArticle
from dossier.pipeline.plan import FetchJob
from dossier.records import Analysis, Claim, Failure, Mention
from dossier.scoring.confidence import score_claim
from dossier.store import articles as article_store
from dossier.store import profiles as profile_store
from dossier.store.judgements import load_judgements
from dossier.store.warehouse import Warehouse, to_json
from dossier.tracing import Stopwatch

log = logging.getLogger("dossier.pipeline")

Row = dict[str, Any]
Rows = dict[str, list[Row]]  # table name -> rows


def build_rows(
    analysed: Sequence[AnalysedArticle], resolver: EntityResolver, now: datetime, stopwatch: Stopwatch | None = None
) -> Rows:
    """Warehouse rows for a batch of analysed articles (entities resolved through `resolver`;
    claim scoring timed as `scoring` on `stopwatch`)."""
    watch = stopwatch or Stopwatch()
    version = models_version()
    rows: Rows = {k: [] for k in ("articles", "entities", "entity_links", "aliases", "mentions", "claims", "ties")}
    known = load_known()
    for item in analysed:
        aid = article_id(item.fetched.article.canonical_url)
        rows["articles"].append(_article_row(item, aid, version, now))
        names = _add_organisations(rows, item.analysis, aid, resolver, known, now)
        _add_places(rows, item.analysis, aid, names, now)
        for claim in item.analysis.claims:
            with watch.time("scoring"):
                confidence, detail = score_claim(claim.confidence, item.fetched.job.reliability, claim.modality,
                                                 limited=item.fetched.limited_reason is not None)
            rows["claims"].append(_claim_row(claim, aid, names, confidence, to_json(detail), version, now))
    return rows


def _article_row(item: AnalysedArticle, aid: str, version: str, now: datetime) -> Row:
    art, job, page = item.fetched.article, item.fetched.job, item.fetched.page
    return {
        "id": aid, "url": art.url, "canonical_url": art.canonical_url, "feed_url": job.entry.feed_url,
        "entry_key": job.entry.key, "entry_updated": job.entry.updated, "title": art.title or job.entry.title,
        "published": job.entry.published or art.published, "fetched": page.fetched_at,
        "author": art.author or job.entry.author, "site_name": art.site_name, "publisher": job.publisher,
        "language": art.language, "text": art.text, "content_hash": art.content_hash, "cluster_id": aid,
        "minhash": signature(art.text),
        "status": "ok", "error": None, "etag": page.etag,
        "last_modified": page.last_modified, "models_version": version,
        "limited": item.fetched.limited_reason is not None, "limited_reason": item.fetched.limited_reason,
        "first_seen": now, "last_seen": now,
    }


def _add_organisations(
    rows: Rows, analysis: Analysis, aid: str, resolver: EntityResolver, known: Gazetteer, now: datetime
) -> dict[str, str]:
    """Entity, link, alias and mention rows of an article's organisations; returns {name: entity id}."""
    names: dict[str, str] = {}
    for whole in analysis.organisations:
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
    return names


def _add_places(rows: Rows, analysis: Analysis, aid: str, names: dict[str, str], now: datetime) -> None:
    """Entity and mention rows of an article's places, and its organisations' ties to places."""
    for loc in analysis.locations:
        entity_id = location_id(loc.name, loc.country)
        rows["entities"].append({"id": entity_id, "name": loc.name, "kind": "location", "country": loc.country,
                                 "continent": loc.continent, "first_seen": now, "last_seen": now})
        rows["mentions"].extend(_mention_rows(aid, entity_id, loc.mentions, now))
    for tie in analysis.ties:
        place_id = location_id(tie.place, tie.country)
        # A place named only through a national adjective ("the German carmaker") is an entity too.
        rows["entities"].append({"id": place_id, "name": tie.place, "kind": "location", "country": tie.country,
                                 "continent": continent_of(tie.country), "first_seen": now, "last_seen": now})
        rows["ties"].append({
            "id": make_id("tie", names[tie.organisation], place_id, aid), "organisation_id": names[tie.organisation],
            "place_id": place_id, "kind": tie.kind, "article_id": aid, "evidence_start": tie.start,
            "evidence_end": tie.end, "first_seen": now, "last_seen": now,
        })


def _claim_row(
    claim: Claim, aid: str, names: dict[str, str], confidence: float, detail: str, version: str, now: datetime
) -> Row:
    subject_id = names[claim.subject]
    object_id = names.get(claim.object) if claim.object_is_organisation and claim.object else None
    return {
        "id": make_id("claim", subject_id, claim.type, object_id or claim.object, aid),
        "subject_id": subject_id, "type": claim.type, "object_id": object_id,
        "object_text": None if object_id else claim.object, "polarity": claim.polarity,
        "modality": claim.modality, "evidence": claim.evidence, "evidence_start": claim.start,
        "evidence_end": claim.end, "article_id": aid, "rule": claim.rule, "extractor_version": version,
        "extractor_confidence": claim.confidence, "confidence": confidence,
        "confidence_detail": detail, "attributed_to": claim.attributed_to,
        "first_seen": now, "last_seen": now,
    }


def _mention_rows(aid: str, entity_id: str, mentions: Iterable[Mention], now: datetime) -> list[Row]:
    return [
        {"id": make_id("mention", aid, entity_id, m.start, m.end), "article_id": aid, "entity_id": entity_id,
         "text": m.text, "label": m.label, "start_char": m.start, "end_char": m.end,
         "sentence_start": m.sentence_start, "sentence_end": m.sentence_end, "first_seen": now, "last_seen": now}
        for m in mentions
    ]


def continent_of(country: str | None) -> str | None:
    """The continent of a country code, from the places gazetteer."""
    return load_gazetteer().continent_of(country) if country else None


def failure_rows(failures: Sequence[Failure], jobs_by_link: dict[str, FetchJob], now: datetime) -> list[Row]:
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


def chunk_failure_rows(chunk: Sequence[FetchJob], failures: Iterable[Failure], now: datetime) -> list[Row]:
    """`failure_rows` for the failed and skipped entries of one chunk of jobs."""
    return failure_rows(list(failures), {job.entry.link: job for job in chunk}, now)


@dataclass
class WriteOutcome:
    affected_entities: set[str] = field(default_factory=set)
    written: dict[str, int] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)  # seconds in write (and the claim scoring inside it)


def write_batch(warehouse: Warehouse, analysed: Sequence[AnalysedArticle], failed: Sequence[Row]) -> WriteOutcome:
    """Write one batch in one transaction; return the organisations whose evidence changed."""
    watch = Stopwatch()
    with watch.time("write"):
        outcome = _write_batch(warehouse, analysed, failed, watch)
        log.info("wrote %d articles and %d failure rows", len(analysed), len(failed),
                 extra={"rows": outcome.written, "event": "write_done"})
    outcome.durations = watch.durations
    return outcome


def _write_batch(
    warehouse: Warehouse, analysed: Sequence[AnalysedArticle], failed: Sequence[Row], watch: Stopwatch
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
