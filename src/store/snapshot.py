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

import duckdb

from dossier.store.warehouse import Warehouse, WarehouseError


@dataclass(frozen=True)
class Snapshot:
    """A published snapshot: where, how big, how long the writer's lock was held for it."""

    path: Path
    bytes: int
    seconds: float


def publish_snapshot(warehouse: Warehouse, dest: Path) -> Snapshot:
    """Copy the warehouse to `dest` atomically (temp file in the same folder, then rename).

    The copy is taken while holding the file for writing with everything checkpointed, so no
    write can land half-way through it; that hold lasts as long as the copy.
    """
    dest = Path(dest)
    if dest.resolve() == warehouse.path.resolve():
        raise WarehouseError(f"the snapshot path {dest} is the warehouse itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    handle, temp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(handle)
    try:
        with warehouse.quiesced():
            shutil.copyfile(warehouse.path, temp)
        os.chmod(temp, 0o444)  # a snapshot is for reading; nobody should write into it by mistake
        os.replace(temp, dest)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Snapshot(path=dest, bytes=dest.stat().st_size, seconds=time.perf_counter() - started)


def public_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The documented views (`v_*`), the stable interface for readers."""
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'v\\_%' ESCAPE '\\' ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path, tables: bool = False) -> list[Path]:
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
        con.execute(f"EXPORT DATABASE '{_quoted(folder)}' (FORMAT parquet)")
        written.append(folder)
    return written


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
