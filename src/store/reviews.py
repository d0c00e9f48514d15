"""Reviewer decisions in the warehouse: revisions, overrides, claim verdicts, the audit log.

Rows here are never deleted: a later decision supersedes an earlier one (`superseded_by`),
and a revision's status moves on. Users and sign-ins are in dossier.store.accounts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import JsonValue

from dossier.ids import make_id
from dossier.records.profiles import Revision
from dossier.records.review import (
    ClaimInArticle,
    ClaimRow,
    EntityArticle,
    EntityRef,
    OrganisationMatch,
    Overrides,
    ReviewEvent,
)
from dossier.store.warehouse import fetch_dicts, to_json, utcnow

if TYPE_CHECKING:
    from dossier.store.session import Session

# --- revisions --------------------------------------------------------------------------

def revisions(con: Session, entity_id: str) -> list[Revision]:
    """Every revision of an organisation's profile, newest first."""
    rows = fetch_dicts(con, "SELECT * FROM profiles WHERE entity_id = ? ORDER BY revision DESC", [entity_id])
    return [Revision.from_row(row) for row in rows]


def revision(con: Session, entity_id: str, number: int) -> Revision | None:
    """One revision of an organisation's profile, if it exists."""
    rows = fetch_dicts(con, "SELECT * FROM profiles WHERE entity_id = ? AND revision = ?", [entity_id, number])
    return Revision.from_row(rows[0]) if rows else None


def approved_revisions(con: Session, entity_ids: Sequence[str]) -> dict[str, Revision]:
    """The approved revision of each organisation that has one."""
    rows = fetch_dicts(
        con,
        "SELECT * FROM profiles WHERE status = 'approved' AND entity_id IN (SELECT unnest(?))"
        " QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY revision DESC) = 1",
        [list(entity_ids)],
    )
    return {row["entity_id"]: Revision.from_row(row) for row in rows}


def set_status(con: Session, entity_id: str, number: int, status: str,
               reviewer: str | None = None, note: str | None = None) -> None:
    """Move a revision to `status`, stamping the reviewer when one acted."""
    if reviewer is None:
        con.execute("UPDATE profiles SET status = ? WHERE entity_id = ? AND revision = ?", [status, entity_id, number])
        return
    con.execute(
        "UPDATE profiles SET status = ?, reviewer = ?, reviewed_at = ?, note = ? WHERE entity_id = ? AND revision = ?",
        [status, reviewer, utcnow(), note, entity_id, number],
    )


def filter_values(con: Session) -> dict[str, list[str]]:
    """The grades, domains and regions present, for filter menus."""
    out = {}
    for key, column in (("grade", "grade"), ("domain", "primary_domain"), ("region", "region")):
        out[key] = [r[0] for r in con.execute(
            f"SELECT DISTINCT {column} FROM profiles WHERE {column} IS NOT NULL ORDER BY 1").fetchall()]
    return out


# --- overrides --------------------------------------------------------------------------

def active_overrides(con: Session, entity_ids: Sequence[str]) -> dict[str, Overrides]:
    """Per organisation, the field values reviewers set (the latest edit of each field wins;
    an edit to NULL clears the field's override)."""
    rows = con.execute(
        "SELECT entity_id, field, value FROM profile_overrides"
        " WHERE superseded_by IS NULL AND entity_id IN (SELECT unnest(?)) ORDER BY created_at, id",
        [list(entity_ids)],
    ).fetchall()
    out: dict[str, Overrides] = {}
    for entity_id, field, value in rows:
        parsed = json.loads(value) if value is not None else None
        if parsed is None:
            out.get(entity_id, {}).pop(field, None)
        else:
            out.setdefault(entity_id, {})[field] = parsed
    return out


def record_override(con: Session, entity_id: str, field: str, value: JsonValue,
                    reviewer: str, note: str | None) -> str:
    """Store an edit of one field; earlier edits of that field are superseded by it."""
    now = utcnow()
    override_id = make_id("override", entity_id, field, now.isoformat())
    con.execute(
        "UPDATE profile_overrides SET superseded_by = ? WHERE entity_id = ? AND field = ? AND superseded_by IS NULL",
        [override_id, entity_id, field],
    )
    con.execute("INSERT INTO profile_overrides VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                [override_id, entity_id, field, None if value is None else to_json(value), reviewer, now, note])
    return override_id


# --- claims -----------------------------------------------------------------------------

# What makes two claims the same claim (docs/review.md, "The same claim"): subject, type and
# object, with the evidence sentence normalised (case, punctuation and spacing aside) or the
# article a copy in the reviewed article's story cluster. `c` is the claim, `a` its article.
# warehouse/views.sql (v_claims) and migration 017 spell the same expressions.
OBJECT_KEY = "coalesce(c.object_id, lower(trim(c.object_text)), '')"
SENTENCE_KEY = r"sha256(trim(regexp_replace(lower(c.evidence), '[^\pL\pN]+', ' ', 'g')))"
CLUSTER_KEY = "coalesce(a.cluster_id, a.id)"
# A verdict covers its own claim while the sentence hashes as it did when reviewed, and every
# copy of the claim (above); the reviewed copy re-opens when its own sentence changes. One
# branch per way of covering, each an equality join (an OR of them made DuckDB compare every
# claim with every verdict: 20 s for 2,000 verdicts over 200,000 claims).
_COVERING = f"""
    SELECT r.verdict, r.created_at, r.id FROM claim_reviews r WHERE r.claim_id = c.id AND r.evidence_hash = sha256(c.evidence)
    UNION ALL
    SELECT r.verdict, r.created_at, r.id FROM claim_reviews r WHERE r.subject_id = c.subject_id AND r.claim_type = c.type
        AND r.object_key = {OBJECT_KEY} AND r.sentence_key = {SENTENCE_KEY}
    UNION ALL
    SELECT r.verdict, r.created_at, r.id FROM claim_reviews r WHERE r.subject_id = c.subject_id AND r.claim_type = c.type
        AND r.object_key = {OBJECT_KEY} AND r.cluster_id = {CLUSTER_KEY} AND r.article_id <> c.article_id
"""
# The latest verdict covering the claim wins, whichever copy it was given on.
_VERDICT = f"""
    (SELECT v.verdict FROM ({_COVERING}) v ORDER BY v.created_at DESC, v.id DESC LIMIT 1)
"""
REJECTED_CLAIM_FILTER = f"coalesce({_VERDICT}, '') <> 'rejected'"


def entity_claims(con: Session, entity_id: str) -> list[ClaimRow]:
    """Claims about an organisation (as subject or object) with their sources and verdicts."""
    rows = fetch_dicts(
        con,
        f"""
        SELECT c.id, c.type, c.polarity, c.modality, c.evidence, c.evidence_start, c.evidence_end,
               c.subject_id, s.name AS subject, coalesce(o.name, c.object_text) AS object, c.object_id,
               coalesce(c.confidence, c.extractor_confidence) AS confidence, c.confidence_detail, c.rule,
               c.attributed_to, a.id AS article_id, a.canonical_url AS url, a.title, a.publisher,
               coalesce(a.published, a.fetched) AS published, {_VERDICT} AS verdict
        FROM claims c
        JOIN entities s ON s.id = c.subject_id
        LEFT JOIN entities o ON o.id = c.object_id
        JOIN articles a ON a.id = c.article_id
        WHERE c.subject_id = ? OR c.object_id = ?
        ORDER BY (c.subject_id = ?) DESC, published DESC, c.evidence_start
        """,
        [entity_id, entity_id, entity_id],
    )
    return [ClaimRow.model_validate(row) for row in rows]


def claim_in_context(con: Session, claim_id: str) -> ClaimInArticle | None:
    """A claim with its article's text, for showing the evidence where it stands."""
    rows = fetch_dicts(
        con,
        f"""
        SELECT c.id, c.type, c.polarity, c.modality, c.evidence, c.evidence_start, c.evidence_end,
               c.subject_id, s.name AS subject, coalesce(o.name, c.object_text) AS object,
               coalesce(c.confidence, c.extractor_confidence) AS confidence, c.confidence_detail,
               a.canonical_url AS url, a.title, a.publisher, a.text AS article_text,
               coalesce(a.published, a.fetched) AS published, {_VERDICT} AS verdict
        FROM claims c JOIN entities s ON s.id = c.subject_id LEFT JOIN entities o ON o.id = c.object_id
        JOIN articles a ON a.id = c.article_id
        WHERE c.id = ?
        """,
        [claim_id],
    )
    return ClaimInArticle.model_validate(rows[0]) if rows else None


def claim_parties(con: Session, claim_id: str) -> list[str]:
    """The organisations a claim is about: its subject, and its object when that is one."""
    row = con.execute("SELECT subject_id, object_id FROM claims WHERE id = ?", [claim_id]).fetchone()
    return [] if row is None else [entity for entity in row if entity is not None]


def claim_copies(con: Session, claim_id: str) -> list[str]:
    """The claims a verdict on `claim_id` covers: the claim and its copies (same subject, type
    and object, with the same sentence or in another article of its story cluster)."""
    rows = con.execute(
        f"""
        WITH r AS (
            SELECT c.id AS claim_id, c.subject_id, c.type AS claim_type, {OBJECT_KEY} AS object_key,
                   {SENTENCE_KEY} AS sentence_key, c.article_id, {CLUSTER_KEY} AS cluster_id
            FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id = ?
        )
        SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id, r
        WHERE c.id = r.claim_id
           OR (c.subject_id = r.subject_id AND c.type = r.claim_type AND {OBJECT_KEY} = r.object_key
               AND ({SENTENCE_KEY} = r.sentence_key OR ({CLUSTER_KEY} = r.cluster_id AND c.article_id <> r.article_id)))
        ORDER BY c.id
        """,
        [claim_id],
    ).fetchall()
    return [row[0] for row in rows]


def record_claim_verdict(con: Session, claim_id: str, verdict: str, entity_id: str | None,
                         reviewer: str, note: str | None) -> str | None:
    """Accept or reject a claim, and with it every copy of it, as its evidence now reads;
    return the verdict it replaces. Earlier verdicts given on any copy are superseded."""
    rows = con.execute(
        f"""
        SELECT sha256(c.evidence), c.subject_id, c.type, {OBJECT_KEY}, {SENTENCE_KEY}, c.article_id, {CLUSTER_KEY},
               {_VERDICT}
        FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id = ?
        """,
        [claim_id],
    ).fetchall()
    if not rows:
        raise KeyError(claim_id)
    evidence_hash, subject_id, claim_type, object_key, sentence_key, article_id, cluster_id, previous = rows[0]
    now = utcnow()
    review_id = make_id("claim_review", claim_id, verdict, now.isoformat())
    con.execute(
        "UPDATE claim_reviews SET superseded_by = ? WHERE superseded_by IS NULL AND (claim_id = ?"
        " OR (subject_id = ? AND claim_type = ? AND object_key = ? AND (sentence_key = ? OR cluster_id = ?)))",
        [review_id, claim_id, subject_id, claim_type, object_key, sentence_key, cluster_id],
    )
    con.execute(
        "INSERT INTO claim_reviews (id, claim_id, evidence_hash, entity_id, verdict, reviewer, created_at, note,"
        " superseded_by, subject_id, claim_type, object_key, sentence_key, article_id, cluster_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
        [review_id, claim_id, evidence_hash, entity_id, verdict, reviewer, now, note,
         subject_id, claim_type, object_key, sentence_key, article_id, cluster_id],
    )
    return previous


# --- the audit log ----------------------------------------------------------------------

def append_event(con: Session, reviewer: str, action: str, entity_id: str | None,
                 revision: int | None, before: object, after: object, note: str | None) -> str:
    """Append one action to `review_events` (never updated, never deleted)."""
    now = utcnow()
    event_id = make_id("review_event", reviewer, action, entity_id, revision, now.isoformat())
    con.execute("INSERT INTO review_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [event_id, now, reviewer, action, entity_id, revision,
                 None if before is None else to_json(before), None if after is None else to_json(after), note])
    return event_id


def _event_filter(entity_id: str | None, reviewer: str | None,
                  organisation: str | None) -> tuple[str, list[object]]:
    """The WHERE clause of an audit-log query: one organisation (by id), one reviewer, and
    organisations whose name contains `organisation` (any case)."""
    where, params = ["TRUE"], []
    if entity_id:
        where.append("r.entity_id = ?")
        params.append(entity_id)
    if reviewer:
        where.append("r.reviewer = ?")
        params.append(reviewer)
    if organisation:
        where.append("(r.entity_id = ? OR contains(lower(e.name), lower(?)))")
        params += [organisation, organisation]
    return " AND ".join(where), params


def events(con: Session, entity_id: str | None = None, limit: int = 200, *, reviewer: str | None = None,
           organisation: str | None = None, offset: int = 0) -> list[ReviewEvent]:
    """Review events, newest first, with the organisation's name: `limit` of them from `offset`,
    filtered as _event_filter says."""
    where, params = _event_filter(entity_id, reviewer, organisation)
    rows = fetch_dicts(
        con,
        f"SELECT r.*, e.name FROM review_events r LEFT JOIN entities e ON e.id = r.entity_id WHERE {where}"
        f" ORDER BY r.occurred_at DESC, r.id LIMIT {int(limit)} OFFSET {max(0, int(offset))}",
        params,
    )
    return [ReviewEvent.model_validate(row) for row in rows]


def count_events(con: Session, entity_id: str | None = None, *, reviewer: str | None = None,
                 organisation: str | None = None) -> int:
    """How many review events `events` pages through with the same filters."""
    where, params = _event_filter(entity_id, reviewer, organisation)
    return con.execute(f"SELECT count(*) FROM review_events r LEFT JOIN entities e ON e.id = r.entity_id"
                       f" WHERE {where}", params).fetchone()[0]


def event_reviewers(con: Session) -> list[str]:
    """Everyone who has acted, for the history's reviewer filter."""
    return [r[0] for r in con.execute("SELECT DISTINCT reviewer FROM review_events ORDER BY 1").fetchall()]


# --- entities ---------------------------------------------------------------------------

def find_entities(con: Session, ref: str) -> list[EntityRef]:
    """Organisations with a profile whose id, name or alias is `ref` (case-insensitive)."""
    rows = fetch_dicts(
        con,
        """
        SELECT DISTINCT e.id, e.name FROM entities e
        WHERE e.kind = 'organisation' AND e.id IN (SELECT entity_id FROM profiles WHERE status <> 'superseded')
          AND (e.id = ? OR lower(e.name) = lower(?)
               OR e.id IN (SELECT entity_id FROM aliases WHERE lower(alias) = lower(?)))
        ORDER BY e.name, e.id
        """,
        [ref, ref, ref],
    )
    return [EntityRef.model_validate(row) for row in rows]


def entity_articles(con: Session, entity_id: str) -> list[EntityArticle]:
    """The articles that mention an organisation, newest first."""
    rows = fetch_dicts(
        con,
        """
        SELECT DISTINCT a.id, a.canonical_url AS url, a.title, a.publisher, coalesce(a.published, a.fetched) AS published
        FROM mentions m JOIN articles a ON a.id = m.article_id
        WHERE m.entity_id = ? AND a.status = 'ok' ORDER BY published DESC, a.id
        """,
        [entity_id],
    )
    return [EntityArticle.model_validate(row) for row in rows]


def entity_aliases(con: Session, entity_id: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT alias FROM aliases WHERE entity_id = ? AND alias <> (SELECT name FROM entities WHERE id = ?)"
        " ORDER BY alias", [entity_id, entity_id]).fetchall()]


def search_organisations(con: Session, query: str, limit: int = 20,
                         exclude: str | None = None) -> list[OrganisationMatch]:
    """Organisations with a profile whose name or an alias contains `query` (any case), at most
    `limit`: exact matches first, then those starting with it, then the rest by name. The alias
    is given when it matched better than the name."""
    needle = query.strip().lower()
    if not needle:
        return []
    # Rank 2k for a name match, 2k + 1 for an alias: k = 0 exact, 1 prefix, 2 anywhere.
    rank = "CASE WHEN lower({0}) = $1 THEN 0 WHEN starts_with(lower({0}), $1) THEN 2 ELSE 4 END"
    rows = fetch_dicts(
        con,
        f"""
        SELECT id, any_value(name) AS name,
               CASE WHEN min(rank) % 2 = 1 THEN arg_min(alias, rank) END AS alias
        FROM (
            SELECT e.id, e.name, NULL::VARCHAR AS alias, {rank.format("e.name")} AS rank
            FROM entities e WHERE e.kind = 'organisation' AND contains(lower(e.name), $1)
            UNION ALL
            SELECT e.id, e.name, a.alias, {rank.format("a.alias")} + 1 AS rank
            FROM aliases a JOIN entities e ON e.id = a.entity_id
            WHERE e.kind = 'organisation' AND contains(lower(a.alias), $1)
        ) found
        WHERE id IN (SELECT entity_id FROM profiles WHERE status <> 'superseded') AND id IS DISTINCT FROM $2
        GROUP BY id ORDER BY min(rank), lower(any_value(name)), id LIMIT $3
        """,
        [needle, exclude, max(0, int(limit))],
    )
    return [OrganisationMatch.model_validate(row) for row in rows]
