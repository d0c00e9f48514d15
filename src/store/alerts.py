"""Watches, alerts and the grade each organisation had when alerts last looked.

Alerts are keyed on what they are about (a claim, a grade move, an organisation), so a second
run over the same changes inserts nothing; their delivery state lives on the same row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dossier.records.alerts import Alert, ChangedClaim, OrganisationState, Watch
from dossier.store.warehouse import fetch_dicts, to_json, upsert

if TYPE_CHECKING:
    from dossier.store.session import Session

# --- watches --------------------------------------------------------------------------------


def add_watch(con: Session, watch: Watch) -> bool:
    """Store a watch (a removed one of the same kind and value comes back); False if already active."""
    existing = con.execute("SELECT removed_at FROM watches WHERE id = ?", [watch.id]).fetchone()
    if existing is not None and existing[0] is None:
        return False
    if existing is not None:
        con.execute("UPDATE watches SET removed_at = NULL, label = ?, created_by = ?, created_at = ? WHERE id = ?",
                    [watch.label, watch.created_by, watch.created_at, watch.id])
        return True
    con.execute("INSERT INTO watches (id, kind, value, label, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [watch.id, watch.kind, watch.value, watch.label, watch.created_by, watch.created_at])
    return True


def list_watches(con: Session, include_removed: bool = False) -> list[Watch]:
    """The watches, oldest first (active ones only unless `include_removed`)."""
    where = "" if include_removed else " WHERE removed_at IS NULL"
    rows = fetch_dicts(con, f"SELECT * FROM watches{where} ORDER BY created_at, id")
    return [Watch(**row) for row in rows]


def remove_watch(con: Session, watch_id: str, now: datetime) -> Watch | None:
    """Mark an active watch removed (by id or a unique id prefix); the watch, or None when none matches."""
    rows = fetch_dicts(con, "SELECT * FROM watches WHERE removed_at IS NULL AND id LIKE ? || '%'", [watch_id])
    if len(rows) != 1:
        return None
    con.execute("UPDATE watches SET removed_at = ? WHERE id = ?", [now, rows[0]["id"]])
    return Watch(**rows[0])


# --- what a run changed ---------------------------------------------------------------------

_CHANGED_CLAIMS = """
SELECT c.id, c.subject_id, s.name AS subject, c.type, c.object_id, coalesce(o.name, c.object_text) AS object,
       c.polarity, c.modality, c.evidence, a.canonical_url AS article_url,
       (SELECT min(x.id) FROM claims x JOIN articles xa ON xa.id = x.article_id
        WHERE x.subject_id = c.subject_id AND x.type = c.type AND x.polarity <> c.polarity
          AND coalesce(x.object_id, lower(x.object_text), '') = coalesce(c.object_id, lower(c.object_text), '')
          AND coalesce(xa.cluster_id, xa.id) <> coalesce(a.cluster_id, a.id)) AS contradicts
FROM claims c
JOIN entities s ON s.id = c.subject_id
LEFT JOIN entities o ON o.id = c.object_id
JOIN articles a ON a.id = c.article_id
WHERE (c.subject_id IN (SELECT unnest(?)) OR c.object_id IN (SELECT unnest(?))) AND c.first_seen >= ?
ORDER BY c.first_seen, c.id
"""


def changed_claims(con: Session, entity_ids: Iterable[str], since: datetime) -> list[ChangedClaim]:
    """Claims on the given organisations (as subject or object) first seen at or after `since`,
    each with a claim of an independent story (another near-duplicate cluster) that says the
    opposite about the same subject, type and object, when there is one."""
    ids = sorted(entity_ids)
    if not ids:
        return []
    return [ChangedClaim(**row) for row in fetch_dicts(con, _CHANGED_CLAIMS, [ids, ids, since])]


def organisation_states(con: Session, entity_ids: Iterable[str]) -> list[OrganisationState]:
    """Each organisation's newest draft or approved revision: name, grade, domain, region."""
    ids = sorted(entity_ids)
    if not ids:
        return []
    rows = fetch_dicts(con, """
        SELECT p.entity_id, p.name, p.grade, p.grade_label, p.primary_domain, p.region, e.first_seen
        FROM profiles p JOIN entities e ON e.id = p.entity_id
        WHERE p.entity_id IN (SELECT unnest(?)) AND p.status IN ('draft', 'approved')
        QUALIFY row_number() OVER (PARTITION BY p.entity_id ORDER BY p.revision DESC) = 1
        ORDER BY p.entity_id
    """, [ids])
    return [OrganisationState(**row) for row in rows]


def known_grades(con: Session, entity_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """{entity id: (grade, grade label)} as alerts last saw them."""
    ids = sorted(entity_ids)
    if not ids:
        return {}
    rows = con.execute("SELECT entity_id, grade, grade_label FROM alert_grades WHERE entity_id IN (SELECT unnest(?))",
                       [ids]).fetchall()
    return {entity_id: (grade, label) for entity_id, grade, label in rows}


def record_grades(con: Session, states: Sequence[OrganisationState], now: datetime) -> int:
    """Remember each organisation's grade as seen now (the next grade alert is a move away from it)."""
    rows = [{"entity_id": s.entity_id, "grade": s.grade, "grade_label": s.grade_label, "seen_at": now} for s in states]
    return upsert(con, "alert_grades", rows, key=["entity_id"], keep=(), touch=("seen_at",))


# --- alerts ---------------------------------------------------------------------------------

_ALERT_COLUMNS = ("id", "kind", "entity_id", "claim_id", "other_claim_id", "watch_ids", "summary", "detail",
                  "run_id", "created_at")


def add_alerts(con: Session, alerts: Sequence[Alert]) -> list[Alert]:
    """Insert the alerts not stored yet; return those (an alert already raised is never raised again)."""
    unique = list({a.id: a for a in alerts}.values())
    if not unique:
        return []
    known = {r[0] for r in con.execute("SELECT id FROM alerts WHERE id IN (SELECT unnest(?))",
                                       [[a.id for a in unique]]).fetchall()}
    fresh = [a for a in unique if a.id not in known]
    if not fresh:
        return []
    table = pa.Table.from_pylist([
        {"id": a.id, "kind": a.kind, "entity_id": a.entity_id, "claim_id": a.claim_id,
         "other_claim_id": a.other_claim_id, "watch_ids": list(a.watch_ids), "summary": a.summary,
         "detail": to_json(a.detail), "run_id": a.run_id, "created_at": a.created_at}
        for a in fresh
    ], schema=pa.schema([(c, pa.list_(pa.string()) if c == "watch_ids" else
                          pa.timestamp("us", tz="UTC") if c == "created_at" else pa.string())
                         for c in _ALERT_COLUMNS]))
    con.register("_batch_alerts", table)
    try:
        cols = ", ".join(_ALERT_COLUMNS)
        con.execute(f"INSERT INTO alerts ({cols}) SELECT {cols} FROM _batch_alerts")
    finally:
        con.unregister("_batch_alerts")
    return fresh


def _alert(row: dict[str, Any]) -> Alert:
    detail = row.get("detail")
    return Alert(**{**row, "detail": json.loads(detail) if isinstance(detail, str) else (detail or {}),
                    "watch_ids": tuple(row.get("watch_ids") or ())})


_SELECT_ALERTS = "SELECT a.*, e.name AS organisation FROM alerts a LEFT JOIN entities e ON e.id = a.entity_id"


def list_alerts(
    con: Session, since: datetime | None = None, limit: int | None = None,
    run_id: str | None = None,
) -> list[Alert]:
    """Alerts, newest first: raised at or after `since`, by one run, at most `limit`."""
    where, params = ["TRUE"], []
    if since is not None:
        where.append("a.created_at >= ?")
        params.append(since)
    if run_id is not None:
        where.append("a.run_id = ?")
        params.append(run_id)
    sql = f"{_SELECT_ALERTS} WHERE {' AND '.join(where)} ORDER BY a.created_at DESC, a.id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_alert(row) for row in fetch_dicts(con, sql, params)]


def pending_alerts(con: Session, before: datetime | None = None) -> list[Alert]:
    """Alerts not delivered yet, oldest first (raised before `before`, when given)."""
    sql = f"{_SELECT_ALERTS} WHERE a.delivered_at IS NULL"
    params: list[Any] = []
    if before is not None:
        sql += " AND a.created_at < ?"
        params.append(before)
    return [_alert(row) for row in fetch_dicts(con, sql + " ORDER BY a.created_at, a.id", params)]


def record_delivery(
    con: Session, alert_ids: Sequence[str], delivered_at: datetime | None, error: str | None
) -> None:
    """One delivery attempt of these alerts: delivered at `delivered_at`, or failed with `error`."""
    if not alert_ids:
        return
    con.execute("UPDATE alerts SET attempts = attempts + 1, delivered_at = ?, last_error = ?"
                " WHERE id IN (SELECT unnest(?))", [delivered_at, error, list(alert_ids)])
