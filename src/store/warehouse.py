"""DuckDB access: connections, numbered migrations, views, and bulk upserts.

The only module that talks to DuckDB. The writer opens a connection per batch and closes
it, so read-only readers can open the file between batches (DuckDB allows one writer
process and no concurrent readers in other processes while it holds the file).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import pyarrow as pa

from dossier.ids import canonical_json


class WarehouseError(Exception):
    """A warehouse problem a person must act on."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse file."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("dossier.schema").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for number, name, sql in _migrations():
        if number in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, name, utcnow()])
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    con.execute(resources.files("dossier.schema").joinpath("views.sql").read_text(encoding="utf-8"))
    return applied


class Warehouse:
    """A DuckDB warehouse file."""

    def __init__(self, path: Path | str, lock_wait: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_wait = lock_wait
        self._migrated = False

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    if "lock" in str(exc).lower():
                        raise WarehouseBusy(f"{self.path} is held by another process: {exc}") from exc
                    raise WarehouseError(f"cannot open {self.path}: {exc}") from exc
                time.sleep(0.2)

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection inside one transaction; committed on success, closed after."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect(read_only=False)
        try:
            if not self._migrated:
                migrate(con)
                self._migrated = True
            con.execute("BEGIN")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @contextmanager
    def quiesced(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the file for writing, every change checkpointed into it: it can be copied whole meanwhile."""
        if not self.path.exists():
            raise WarehouseError(f"no warehouse at {self.path}; run `dossier ingest` first")
        con = self._connect(read_only=False)
        try:
            if not self._migrated:
                migrate(con)
                self._migrated = True
            con.execute("CHECKPOINT")
            yield con
        finally:
            con.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection (the file must exist and be migrated)."""
        if not self.path.exists():
            raise WarehouseError(f"no warehouse at {self.path}; run `dossier ingest` first")
        con = self._connect(read_only=True)
        try:
            yield con
        finally:
            con.close()


# JSON columns are written in canonical form, so unchanged content compares equal.
to_json = canonical_json


def upsert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    keep: Sequence[str] = ("first_seen",),
    touch: Sequence[str] = ("last_seen",),
) -> int:
    """Insert or update `rows` in one statement; return how many rows were written.

    Columns in `keep` are written on insert only; columns in `touch` are updated only when
    some other column changed, so re-running over unchanged data changes no row.
    """
    if not rows:
        return 0
    unique = {tuple(row[k] for k in key): row for row in rows}  # ON CONFLICT keeps the first duplicate
    columns = list(rows[0])
    batch = pa.Table.from_pylist(list(unique.values()))
    name = f"_batch_{table}"
    con.register(name, batch)
    try:
        updates = [c for c in columns if c not in key and c not in keep]
        compared = [c for c in updates if c not in touch]
        cols = ", ".join(columns)
        sql = f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}"
        if updates:
            sets = ", ".join(f"{c} = excluded.{c}" for c in updates)
            changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in compared) or "TRUE"
            sql += f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets} WHERE {changed}"
        else:
            sql += f" ON CONFLICT ({', '.join(key)}) DO NOTHING"
        result = con.execute(sql).fetchone()
        return int(result[0]) if result else 0
    finally:
        con.unregister(name)


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run a query and return every row as a dict."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
