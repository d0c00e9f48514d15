"""The `runs` table: one row per ingestion run with counts, durations, failures and warnings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dossier.records.warehouse import Run, RunEnd
from dossier.store.warehouse import fetch_dicts, to_json

if TYPE_CHECKING:
    from dossier.store.session import Session


def start_run(con: Session, run_id: str, started_at: datetime, kind: str = "ingest") -> None:
    """Record a run as running; `kind` is `ingest` or `reprocess`."""
    con.execute("INSERT INTO runs (id, started_at, status, kind) VALUES (?, ?, 'running', ?)", [run_id, started_at, kind])


def close_interrupted(con: Session, now: datetime) -> list[str]:
    """Mark runs left `running` by a process that ended (killed, crashed) as `interrupted`."""
    stale = [r[0] for r in con.execute("SELECT id FROM runs WHERE status = 'running'").fetchall()]
    for run_id in stale:
        failure = {"stage": "run", "item": run_id, "reason": "the process ended before the run finished"}
        con.execute("UPDATE runs SET status = 'interrupted', finished_at = ?, failures = ? WHERE id = ?",
                    [now, to_json([failure]), run_id])
    return stale


def finish_run(con: Session, run_id: str, summary: RunEnd) -> None:
    """Store the run's summary (status completed or failed)."""
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, duration_s = ?, counts = ?, durations = ?, failures = ?,"
        " warnings = ?, stage_counts = ?, skipped = ? WHERE id = ?",
        [summary["finished_at"], summary["status"], summary["duration_s"], to_json(summary["counts"]),
         to_json(summary["durations"]), to_json(summary["failures"]), to_json(summary["warnings"]),
         to_json(summary.get("stage_counts", {})), to_json(summary.get("skipped", [])), run_id],
    )


_JSON_COLUMNS = ("counts", "durations", "failures", "warnings", "stage_counts", "skipped")


def _decoded(row: dict[str, Any]) -> Run:
    """A `runs` row with its JSON columns decoded (empty when the run never finished)."""
    out = dict(row)
    for column in _JSON_COLUMNS:
        value = out.get(column)
        empty: Any = [] if column in ("failures", "warnings", "skipped") else {}
        out[column] = json.loads(value) if isinstance(value, str) else (value if value is not None else empty)
    return Run.model_validate(out)


def list_runs(con: Session, limit: int = 20) -> list[Run]:
    """The latest runs, newest first, JSON columns decoded."""
    return [_decoded(r) for r in fetch_dicts(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", [limit])]


def find_run(con: Session, ref: str) -> Run | None:
    """A run by id, by a unique id prefix, or `latest`; None when nothing (or several) match."""
    if ref == "latest":
        rows = fetch_dicts(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
    else:
        rows = fetch_dicts(con, "SELECT * FROM runs WHERE id LIKE ? || '%' ORDER BY started_at DESC LIMIT 2", [ref])
        exact = [r for r in rows if r["id"] == ref]
        rows = exact or rows
    return _decoded(rows[0]) if len(rows) == 1 else None


def warehouse_totals(con: Session) -> dict[str, int]:
    """Organisations, claims and current draft profiles in the warehouse."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM entities WHERE kind = 'organisation'),"
        " (SELECT count(*) FROM claims),"
        " (SELECT count(*) FROM profiles WHERE status = 'draft')"
    ).fetchone()
    return {"organisations": row[0], "claims": row[1], "drafts": row[2]}
