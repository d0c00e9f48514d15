"""Read-only copies for analysts: a snapshot file published after each run, and Parquet exports.

DuckDB lets no other process open a file while a writer holds it, not even read-only. So
notebooks do not open the live warehouse: they open a snapshot, a whole copy published by
an atomic rename, which no writer ever touches. A reader that has the old snapshot open
keeps reading it (the rename leaves its open file alone); the next `connect` sees the new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from dossier.store.warehouse import Warehouse, WarehouseError, storage_failure

if TYPE_CHECKING:
    from dossier.store.session import Session


@dataclass(frozen=True)
class Snapshot:
    """A published snapshot: where, how big, how long the writer's lock was held for it."""

    path: Path
    bytes: int
    seconds: float


# Tables no analyst may read: password hashes and session versions (users), and who tried to
# sign in from which address (login_attempts). Kept out of the snapshot and of every export.
SECRET_TABLES = frozenset({"users", "login_attempts"})


def publish_snapshot(warehouse: Warehouse, dest: Path) -> Snapshot:
    """Publish a copy of the warehouse without its secret tables at `dest`, atomically.

    The whole file is copied while holding it for writing with everything checkpointed, so no
    write can land half-way through it; that hold lasts as long as a file copy. The copy (which
    still holds the secrets, readable by its owner only) is then rebuilt table by table into the
    published file, without SECRET_TABLES, so no byte of a password hash survives in free pages,
    and renamed into place; the private copy is deleted.
    """
    dest = Path(dest)
    if dest.resolve() == warehouse.path.resolve():
        raise WarehouseError(f"the snapshot path {dest} is the warehouse itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    handle, private = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".full.tmp", dir=dest.parent)
    os.close(handle)  # mkstemp made it 0600: the secrets in it are the owner's alone meanwhile
    public = Path(private[: -len(".full.tmp")] + ".tmp")
    try:
        with warehouse.quiesced():
            shutil.copyfile(warehouse.path, private)
        write_redacted_copy(Path(private), public)
        os.chmod(public, 0o444)  # a snapshot is for reading; nobody should write into it by mistake
        os.replace(public, dest)
    except duckdb.Error as exc:
        raise storage_failure(dest, "write", exc) from exc
    finally:
        Path(private).unlink(missing_ok=True)
        public.unlink(missing_ok=True)
        Path(str(public) + ".wal").unlink(missing_ok=True)
    return Snapshot(path=dest, bytes=dest.stat().st_size, seconds=time.perf_counter() - started)


def write_redacted_copy(source: Path, dest: Path) -> None:
    """Write a new DuckDB file at `dest` holding every table, view and sequence of the database
    file `source` except SECRET_TABLES. `source` is opened read-only in a private in-memory
    instance; `dest` must not exist."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_quoted(source)}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{_quoted(dest)}' AS red")
        # The schema first (tables with their keys, views, sequences, macros), then the rows.
        con.execute("COPY FROM DATABASE src TO red (SCHEMA)")
        tables = [name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND schema_name = 'main'"
            " ORDER BY 1").fetchall()]
        for table in tables:
            if table in SECRET_TABLES:
                con.execute(f'DROP TABLE red.main."{table}"')
            else:
                con.execute(f'INSERT INTO red.main."{table}" SELECT * FROM src.main."{table}"')
        con.execute("DETACH red")
    finally:
        con.close()


def public_views(con: Session) -> list[str]:
    """The documented views (`v_*`), the stable interface for readers."""
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'v\\_%' ESCAPE '\\' ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def export_parquet(con: Session, out: Path, tables: bool = False) -> list[Path]:
    """Write each public view to `out/<view>.parquet`; with `tables`, the whole database to `out/tables/`.

    `out/tables/` is DuckDB's EXPORT DATABASE layout (schema.sql, load.sql, one Parquet file per
    table): `IMPORT DATABASE 'out/tables'` rebuilds the warehouse from it.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for view in public_views(con):
        target = out / f"{view}.parquet"
        con.execute(f"COPY (SELECT * FROM {view}) TO '{_quoted(target)}' (FORMAT parquet)")
        written.append(target)
    if tables:
        folder = out / "tables"
        if folder.exists():
            shutil.rmtree(folder)  # EXPORT DATABASE refuses to write over an earlier export's files
        export_tables(con, folder)
        written.append(folder)
    return written


def export_tables(con: Session, folder: Path) -> None:
    """Every table but SECRET_TABLES in DuckDB's EXPORT DATABASE layout under `folder`.

    Exported from a redacted copy (a private temporary file, deleted after), so the layout's
    schema.sql and load.sql name no secret table and `IMPORT DATABASE` rebuilds the rest."""
    (path,) = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    with tempfile.TemporaryDirectory(prefix=".dossier-export-", dir=folder.parent) as scratch:
        copy = Path(scratch) / "redacted.duckdb"
        write_redacted_copy(Path(path), copy)
        red = duckdb.connect(str(copy), read_only=True)
        try:
            red.execute(f"EXPORT DATABASE '{_quoted(folder)}' (FORMAT parquet)")
        finally:
            red.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
