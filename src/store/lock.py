"""The run lock: one ingestion run writes to a warehouse at a time.

DuckDB's own file lock only spans one connection, and dossier's writer connects per batch, so
two runs could interleave their batches. A run therefore holds an advisory lock on
`<warehouse>.lock` (fcntl, released by the kernel if the process dies) for its whole length;
the file names the holder so a second run can say who is writing.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from dossier.store.warehouse import WarehouseError


class WarehouseLocked(WarehouseError):
    """Another run holds the warehouse's run lock."""


def lock_path(warehouse_path: Path) -> Path:
    """The lock file beside a warehouse file."""
    return warehouse_path.with_name(warehouse_path.name + ".lock")


@contextmanager
def run_lock(warehouse_path: Path, wait: float = 0.0, holder: str = "ingest") -> Iterator[Path]:
    """Hold the warehouse's run lock; wait up to `wait` seconds for it, then raise WarehouseLocked."""
    path = lock_path(Path(warehouse_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"another run is writing to {warehouse_path} ({describe_holder(path)}); "
                        f"try again when it ends, or wait for it with `dossier ingest --wait SECONDS`"
                    ) from None
                time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "holder": holder,
                                 "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def describe_holder(path: Path) -> str:
    """Who holds the lock, as written into the lock file by its holder."""
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "holder unknown"
    return f"{info.get('holder', 'a run')} in process {info.get('pid', '?')} since {info.get('since', '?')}"
