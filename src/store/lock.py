"""The run lock: one ingestion run writes to a warehouse at a time.

DuckDB's own file lock only spans one connection, and dossier's writer connects per batch, so
two runs could interleave their batches. A run therefore holds an advisory lock on
`<warehouse>.lock` (fcntl, released by the kernel if the process dies) for its whole length;
the file names the holder so a second run can say who is writing.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from dossier.store.warehouse import WarehouseBusy, WarehouseStorageError

log = logging.getLogger(__name__)


class WarehouseLocked(WarehouseBusy):
    """Another run holds the warehouse's run lock."""


class LockFileRefused(WarehouseStorageError):
    """The lock file is something dossier will not open (a symlink)."""


def lock_path(warehouse_path: Path) -> Path:
    """The lock file beside the warehouse file the path leads to.

    Keyed by the resolved path: the same warehouse reached through a symlink, `..` or a
    relative path must share one lock, or a second run would write during the first.
    """
    real = Path(warehouse_path).resolve()
    return real.with_name(real.name + ".lock")


def _open_lock_file(path: Path) -> int:
    """Open (or create) the lock file without following a symlink planted in its place: the
    holder's note is written into it, and through a symlink that write would land elsewhere."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockFileRefused(f"the run lock {path} is a symbolic link; dossier does not follow it "
                                  f"(remove it if nothing else needs it)") from None
        raise WarehouseStorageError(f"cannot open the run lock {path}: {exc.strerror or exc}") from exc


@contextmanager
def run_lock(warehouse_path: Path, wait: float = 0.0, holder: str = "ingest") -> Iterator[Path]:
    """Hold the warehouse's run lock; wait up to `wait` seconds for it, then raise WarehouseLocked."""
    path = lock_path(Path(warehouse_path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseStorageError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
    fd = _open_lock_file(path)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"another run is writing to {warehouse_path} ({describe_holder(path)}); "
                        f"try again when it ends, or wait for it with `dossier ingest --wait SECONDS`"
                    ) from None
                time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
        note = json.dumps({"pid": os.getpid(), "holder": holder,
                           "since": datetime.now(UTC).isoformat(timespec="seconds")}).encode()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, note, 0)
        except OSError as exc:  # a full disk: the lock holds all the same, only the note is missing
            log.info("could not write the holder into %s: %s", path, exc)
        try:
            yield path
        finally:
            try:
                os.ftruncate(fd, 0)
            except OSError as exc:
                log.warning("could not clear %s: %s", path, exc)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def describe_holder(path: Path) -> str:
    """Who holds the lock, as written into the lock file by its holder."""
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "holder unknown"
    return f"{info.get('holder', 'a run')} in process {info.get('pid', '?')} since {info.get('since', '?')}"
