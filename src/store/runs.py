"""The `runs` table: one row per ingestion run with counts, durations, failures and warnings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from dossier.store.warehouse import fetch_dicts, to_json


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, started_at: datetime) -> None:
    con.execute("INSERT INTO runs (id, started_at, status) VALUES (?, ?, 'running')", [run_id, started_at])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, summary: dict[str, Any]) -> None:
    """Store the run's summary (status completed or failed)."""
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, duration_s = ?, counts = ?, durations = ?, failures = ?,"
        " warnings = ? WHERE id = ?",
        [summary["finished_at"], summary["status"], summary["duration_s"], to_json(summary["counts"]),
         to_json(summary["durations"]), to_json(summary["failures"]), to_json(summary["warnings"]), run_id],
    )


def list_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, Any]]:
    return fetch_dicts(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", [limit])


def warehouse_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Organisations, claims and current draft profiles in the warehouse."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM entities WHERE kind = 'organisation'),"
        " (SELECT count(*) FROM claims),"
        " (SELECT count(*) FROM profiles WHERE status = 'draft')"
    ).fetchone()
    return {"organisations": row[0], "claims": row[1], "drafts": row[2]}
