"""Evidence for profile assembly, and profile revisions (ingestion writes drafts only)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dossier.records.profiles import EntityEvidence, Profile, Revision
from dossier.records.warehouse import ProfileListing
from dossier.store.reviews import REJECTED_CLAIM_FILTER
from dossier.store.warehouse import fetch_dicts, upsert, utcnow

if TYPE_CHECKING:
    from dossier.store.session import Session

TEXT_BATCH = 500  # article texts held at once while mention contexts are cut from them


def entities_of_articles(con: Session, article_ids: Sequence[str]) -> set[str]:
    """Organisations with evidence (mentions or claims as object) in the given articles."""
    rows = con.execute(
        "SELECT m.entity_id FROM mentions m JOIN entities e ON e.id = m.entity_id"
        " WHERE e.kind = 'organisation' AND m.article_id IN (SELECT unnest(?))"
        " UNION SELECT object_id FROM claims WHERE object_id IS NOT NULL AND article_id IN (SELECT unnest(?))",
        [list(article_ids), list(article_ids)],
    ).fetchall()
    return {r[0] for r in rows}


def mention_counts(con: Session, entity_ids: Sequence[str]) -> dict[str, int]:
    """How many mentions each of the given entities has (entities with none are left out)."""
    ids = list(entity_ids)
    if not ids:
        return {}
    rows = con.execute(
        "SELECT entity_id, count(*) FROM mentions WHERE entity_id IN (SELECT unnest(?)) GROUP BY entity_id", [ids]
    ).fetchall()
    return dict(rows)


def load_evidence(con: Session, entity_ids: Sequence[str]) -> dict[str, EntityEvidence]:
    """Everything profile assembly needs per organisation (rows become records here, at the edge)."""
    ids = list(entity_ids)
    if not ids:
        return {}
    rows = _evidence_rows(con, ids)
    return {entity_id: EntityEvidence.model_validate(parts) for entity_id, parts in rows.items()}


def _evidence_rows(con: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    """{entity id: {part: rows}} of the evidence tables, each part in assembly's order."""
    out: dict[str, dict[str, Any]] = {
        row["id"]: {"entity": row, "aliases": [], "articles": [], "claims": [], "places": [], "contexts": [], "labels": {}}
        for row in fetch_dicts(con, "SELECT * FROM entities WHERE id IN (SELECT unnest(?))", [ids])
    }
    for row in fetch_dicts(con, "SELECT entity_id, alias, learned FROM aliases WHERE entity_id IN (SELECT unnest(?)) ORDER BY first_seen, alias", [ids]):
        out[row["entity_id"]]["aliases"].append(row)
    for row in fetch_dicts(con, _ARTICLES, [ids]):
        out[row["entity_id"]]["articles"].append(row)
    for row in fetch_dicts(con, _CLAIMS, [ids, ids]):
        for entity_id in {row["subject_id"], row["object_id"]} & out.keys():
            out[entity_id]["claims"].append(row)
    for row in fetch_dicts(con, _PLACES, [ids]):
        out[row["entity_id"]]["places"].append(row)
    # The labels its mentions carry: one of the signals that it is an organisation at all.
    for entity_id, label, n in con.execute(
        "SELECT entity_id, label, count(*) FROM mentions WHERE entity_id IN (SELECT unnest(?)) GROUP BY ALL", [ids]
    ).fetchall():
        out[entity_id]["labels"][label] = n
    # Each mention with its place in its sentence: classification reads what the sentence says
    # about the organisation (its appositive, its description), not every word near it.
    for entity_id, contexts in _mention_contexts(con, ids).items():
        out[entity_id]["contexts"] = contexts
    return out


_ARTICLES = """
    SELECT DISTINCT m.entity_id, a.id AS article_id, a.canonical_url AS url, a.title, a.publisher,
           coalesce(a.cluster_id, a.id) AS cluster_id, coalesce(a.published, a.fetched) AS published,
           f.reliability, coalesce(a.limited, false) AS limited
    FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN feeds f ON f.url = a.feed_url
    WHERE m.entity_id IN (SELECT unnest(?)) AND a.status = 'ok'
    ORDER BY published, article_id
"""
_CLAIMS = f"""
    SELECT c.*, s.name AS subject_name, o.name AS object_name, a.canonical_url AS url, a.title,
           a.publisher, coalesce(a.cluster_id, a.id) AS cluster_id,
           coalesce(a.published, a.fetched) AS published, f.reliability
    FROM claims c
    JOIN entities s ON s.id = c.subject_id
    LEFT JOIN entities o ON o.id = c.object_id
    JOIN articles a ON a.id = c.article_id
    LEFT JOIN feeds f ON f.url = a.feed_url
    WHERE (c.subject_id IN (SELECT unnest(?)) OR c.object_id IN (SELECT unnest(?)))
      AND {REJECTED_CLAIM_FILTER}
    ORDER BY published, c.evidence_start, c.id
"""
_PLACES = """
    SELECT t.organisation_id AS entity_id, p.name, p.country, p.continent, t.kind, count(*) AS articles
    FROM ties t JOIN entities p ON p.id = t.place_id
    WHERE t.organisation_id IN (SELECT unnest(?))
    GROUP BY ALL ORDER BY articles DESC, p.name, t.kind
"""


def newest_evidence(con: Session) -> datetime | None:
    """When the newest analysed article in the warehouse was published (or fetched): the
    reference time for recency, so a warehouse of old news still ranks its freshest stories."""
    # fetchall, not fetchone: a half-read result blocks the next register() on this connection.
    [(newest,)] = con.execute("SELECT max(coalesce(published, fetched)) FROM articles WHERE status = 'ok'").fetchall()
    return newest


def _mention_contexts(con: Session, ids: list[str]) -> dict[str, list[dict[str, object]]]:
    """{entity id: its distinct (sentence, start, end), sorted}: each sentence cut from its article's
    text here, a few articles at a time. Joined in SQL, DuckDB built its hash join on the text of
    every article involved, and an organisation named in most articles made that most of the
    warehouse's text (its memory then grew with the warehouse, not with `ids`)."""
    spans: dict[str, list[tuple[str, int, int, int, int]]] = defaultdict(list)
    for entity_id, article_id, sentence_start, sentence_end, start, end in con.execute(
        "SELECT entity_id, article_id, sentence_start, sentence_end, start_char, end_char FROM mentions"
        " WHERE entity_id IN (SELECT unnest(?))", [ids],
    ).fetchall():
        spans[article_id].append((entity_id, sentence_start, sentence_end, start - sentence_start, end - sentence_start))
    found: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    articles = sorted(spans)
    for first in range(0, len(articles), TEXT_BATCH):
        for article_id, text in con.execute(
            "SELECT id, text FROM articles WHERE id IN (SELECT unnest(?))", [articles[first : first + TEXT_BATCH]]
        ).fetchall():
            if text is None:  # never for an analysed article; nothing to cut a sentence from
                continue
            for entity_id, sentence_start, sentence_end, start, end in spans[article_id]:
                found[entity_id].add((text[sentence_start:sentence_end], start, end))
    return {entity_id: [{"sentence": sentence, "start": start, "end": end} for sentence, start, end in sorted(seen)]
            for entity_id, seen in found.items()}


def write_drafts(con: Session, drafts: Sequence[Profile]) -> dict[str, int]:
    """Write draft revisions in one bulk upsert: unchanged content writes nothing; a draft is
    updated in place; an approved, rejected or superseded revision is never touched, a new
    draft opens beside it."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if not drafts:
        return counts
    latest = {
        row["entity_id"]: row
        for row in fetch_dicts(
            con,
            "SELECT entity_id, revision, status, content_hash FROM profiles WHERE entity_id IN (SELECT unnest(?))"
            " QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY revision DESC) = 1",
            [[d.entity_id for d in drafts]],
        )
    }
    now = utcnow()
    rows = []
    for draft in drafts:
        current = latest.get(draft.entity_id)
        if current is not None and current["content_hash"] == draft.content_hash:
            counts["unchanged"] += 1
            continue
        in_place = current is not None and current["status"] == "draft"
        counts["updated" if in_place else "created"] += 1
        revision = current["revision"] if in_place else (current["revision"] + 1 if current else 1)
        rows.append({"revision": revision, "status": "draft", **draft.to_row(), "created_at": now, "updated_at": now})
    upsert(con, "profiles", rows, key=["entity_id", "revision"], keep=("status", "created_at"), touch=("updated_at",))
    return counts


# The organisation's external identifiers (migration 010), shown on its card beside the profile.
IDENTIFIERS = "e.known_id, e.ticker, e.isin, e.wikipedia_url"


def find_profile(con: Session, name: str) -> Revision | None:
    """The current profile (approved over draft) of the organisation called `name` or aliased so."""
    rows = fetch_dicts(
        con,
        f"""
        SELECT p.*, {IDENTIFIERS} FROM profiles p LEFT JOIN entities e ON e.id = p.entity_id
        WHERE p.status IN ('approved', 'draft') AND p.entity_id IN (
            SELECT id FROM entities WHERE lower(name) = lower(?)
            UNION SELECT entity_id FROM aliases WHERE lower(alias) = lower(?)
        )
        ORDER BY (p.status = 'approved') DESC, p.revision DESC
        LIMIT 1
        """,
        [name, name],
    )
    return Revision.from_row(rows[0]) if rows else None


def current_profiles(con: Session, status: str | None = None) -> list[Revision]:
    """Every column of each organisation's current revision (approved over draft), by name."""
    where = "WHERE v.status = ?" if status else ""
    return [Revision.from_row(row) for row in fetch_dicts(
        con,
        f"SELECT p.*, {IDENTIFIERS} FROM profiles p"
        f" JOIN v_profiles_current v ON v.entity_id = p.entity_id AND v.revision = p.revision"
        f" LEFT JOIN entities e ON e.id = p.entity_id {where} ORDER BY p.name, p.entity_id",
        [status] if status else [],
    )]


def article_dates(con: Session, urls: Iterable[str]) -> dict[str, datetime | None]:
    """Publication dates (fetch time when unknown) of the articles at these canonical URLs: what
    a card's citations are dated by."""
    wanted = sorted(set(urls))
    if not wanted:
        return {}
    rows = con.execute("SELECT canonical_url, min(coalesce(published, fetched)) FROM articles"
                       " WHERE canonical_url IN (SELECT unnest(?)) GROUP BY canonical_url", [wanted]).fetchall()
    return {url: published for url, published in rows}


def list_profiles(con: Session, status: str | None = None) -> list[ProfileListing]:
    """Current profiles, most confident first."""
    where = "WHERE status = ?" if status else ""
    rows = fetch_dicts(
        con, f"SELECT * FROM v_profiles_current {where} ORDER BY confidence DESC, name", [status] if status else []
    )
    return [ProfileListing.model_validate(row) for row in rows]


def queue_refresh(con: Session, entity_ids: Iterable[str], now: datetime) -> None:
    """Queue organisations whose evidence changed for a draft refresh (in the caller's transaction)."""
    ids = sorted(set(entity_ids))
    if ids:
        con.execute("INSERT INTO profile_refresh_queue (entity_id, queued_at) SELECT unnest(?), ? "
                    "ON CONFLICT DO NOTHING", [ids, now])


def queued_refreshes(con: Session) -> set[str]:
    return {r[0] for r in con.execute("SELECT entity_id FROM profile_refresh_queue").fetchall()}


def dequeue_refresh(con: Session, entity_ids: Iterable[str]) -> None:
    ids = sorted(set(entity_ids))
    if ids:
        con.execute("DELETE FROM profile_refresh_queue WHERE entity_id IN (SELECT unnest(?))", [ids])
