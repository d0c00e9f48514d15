"""DuckDB access: connections, numbered migrations, views, and bulk upserts.

The only module that talks to DuckDB. The writer opens a connection per batch and closes
it, so read-only readers can open the file between batches (DuckDB allows one writer
process and no concurrent readers in other processes while it holds the file).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from dossier.errors import BusyError, DossierError, StorageError, is_disk_full
from dossier.ids import canonical_json

if TYPE_CHECKING:
    from dossier.store.session import ReadSession, Session, WriteSession

log = logging.getLogger(__name__)


class WarehouseError(DossierError):
    """A warehouse problem a person must act on."""


class WarehouseBusy(WarehouseError, BusyError):
    """Another process holds the warehouse file (exit code 3)."""


class WarehouseStorageError(WarehouseError, StorageError):
    """The warehouse file cannot be opened or written: corrupt, read-only, disk full (exit code 4)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("dossier.warehouse").joinpath("migrations")
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
    con.execute(resources.files("dossier.warehouse").joinpath("views.sql").read_text(encoding="utf-8"))
    return applied


# Disk set aside during a run for recording its end: a DuckDB update appends to the WAL and
# checkpoints on close, in blocks of 256 KB; 8 MB leaves room for both with margin.
RESERVE_BYTES = 8 * 1024 * 1024


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
                        raise WarehouseBusy(f"{self.path} is held by another process (tried for "
                                            f"{self.lock_wait:g} s); try again when it is released") from exc
                    raise storage_failure(self.path, "open", exc) from exc
                time.sleep(0.2)
            except (duckdb.Error, OSError) as exc:
                # Not a DuckDB file, a truncated one, a WAL that does not replay, a file that vanished.
                raise storage_failure(self.path, "open", exc) from exc

    @contextmanager
    def write(self) -> Iterator[WriteSession]:
        """A write session: one transaction on a read-write connection, committed when the block
        ends without error, rolled back otherwise; the connection is closed after either way, so
        other processes can take the file between batches."""
        from dossier.store.session import WriteSession

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_failure(self.path.parent, "create", exc) from exc
        con = self._connect(read_only=False)
        try:
            if not self._migrated:
                migrate(con)
                self._migrated = True
            con.execute("BEGIN")
            try:
                yield WriteSession(con)
            except BaseException:
                _rollback(con)
                raise
            con.execute("COMMIT")
        except duckdb.Error as exc:
            if is_disk_full(exc) or "read-only" in str(exc).lower():
                raise storage_failure(self.path, "write", exc) from exc
            raise
        finally:
            _close(con)

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

    @property
    def reserve_path(self) -> Path:
        """The space reserve beside the warehouse file (see `reserve_space`)."""
        return self.path.with_name(self.path.name + ".reserve")

    def reserve_space(self, size: int = RESERVE_BYTES) -> None:
        """Set `size` bytes of disk aside beside the warehouse, so that once the disk is full the
        run's failure can still be recorded: `release_reserve` frees them for that last write.
        Raises WarehouseStorageError when the disk cannot spare them (nothing is started then)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.reserve_path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                os.posix_fallocate(fd, 0, size)  # real blocks, not a sparse file that frees nothing
            finally:
                os.close(fd)
        except OSError as exc:
            self.release_reserve()
            raise storage_failure(self.reserve_path, "reserve space for", exc) from exc

    def release_reserve(self) -> bool:
        """Delete the space reserve; whether there was one."""
        try:
            self.reserve_path.unlink()
        except FileNotFoundError:
            return False
        return True

    @contextmanager
    def read(self) -> Iterator[ReadSession]:
        """A read session on a read-only connection: it never takes the writer's lock, so reading
        never stands in a run's way longer than the read (the file must exist and be migrated)."""
        from dossier.store.session import ReadSession

        if not self.path.exists():
            raise WarehouseError(f"no warehouse at {self.path}; run `dossier ingest` first")
        con = self._connect(read_only=True)
        try:
            yield ReadSession(con)
        finally:
            con.close()


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, keeping the error that caused it: after a fatal I/O error (disk full) DuckDB
    refuses every statement, ROLLBACK included, and that refusal would hide the cause."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as exc:
        log.warning("rollback refused after an error: %s", exc)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    """Close, keeping the error under way (closing checkpoints, which fails on a full disk)."""
    try:
        con.close()
    except duckdb.Error as exc:
        log.warning("closing the warehouse connection failed: %s", exc)


def storage_failure(path: Path, doing: str, exc: BaseException) -> WarehouseStorageError:
    """One line naming the warehouse file and what the storage said."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        detail = exc.strerror
    if is_disk_full(exc):
        return WarehouseStorageError(f"cannot {doing} {path}: the disk is full ({detail})")
    return WarehouseStorageError(f"cannot {doing} {path}: {detail}")


# JSON columns are written in canonical form, so unchanged content compares equal.
to_json = canonical_json


def upsert(
    con: Session,
    table: str,
    rows: Sequence[Mapping[str, object]],
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


def fetch_dicts(con: Session, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run a query and return every row as a dict."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
