"""How long publishing a snapshot holds the writer's lock, against the Parquet exports.

    .venv/bin/python bench/snapshot_cost.py warehouse/dossier.duckdb

Writes into a temporary folder; the warehouse is only read (and checkpointed).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from dossier.store.snapshot import export_parquet, publish_snapshot
from dossier.store.warehouse import Warehouse


def main(path: Path, repeats: int = 5) -> None:
    warehouse = Warehouse(path)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        copies = [publish_snapshot(warehouse, out / "snapshot.duckdb").seconds for _ in range(repeats)]
        print(f"warehouse {path.stat().st_size / 1e6:.1f} MB")
        print(f"snapshot (file copy under the lock, rebuild without secret tables, rename): "
              f"median {statistics.median(copies) * 1000:.0f} ms")
        for tables in (False, True):
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                with warehouse.read() as con:
                    export_parquet(con, out / "parquet", tables=tables)
                times.append(time.perf_counter() - started)
            size = sum(f.stat().st_size for f in (out / "parquet").rglob("*") if f.is_file())
            label = "views + tables" if tables else "views"
            print(f"parquet ({label}): median {statistics.median(times) * 1000:.0f} ms, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
