"""The run record: a run's row in `runs`, opened when it starts and closed (or failed) when it ends."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dossier.pipeline.summary import RunSummary
from dossier.records import Failure
from dossier.store import runs as run_store
from dossier.store.warehouse import Warehouse, WarehouseStorageError

log = logging.getLogger("dossier.pipeline")


def open_run(warehouse: Warehouse, run_id: str, started_at: datetime, kind: str = "ingest") -> None:
    """Record the run as running. Runs still marked running were ended by their process (the
    caller holds the run lock, so none is live): they are closed as interrupted.

    Disk space for recording the run's end is set aside first (Warehouse.reserve_space): a run
    that cannot have it does not start, and one that fills the disk can still say so."""
    warehouse.reserve_space()
    with warehouse.write() as con:
        for stale in run_store.close_interrupted(con, started_at):
            log.warning("run %s was interrupted before it finished; its queued work is picked up now", stale)
        run_store.start_run(con, run_id, started_at, kind)


def fail_run(
    warehouse: Warehouse, run_id: str, started_at: datetime, error: BaseException, kind: str = "ingest"
) -> RunSummary:
    """Mark a run that stopped on a structural error as failed, with the reason; return its summary.

    When the disk is full this write fails too: the space reserve is then released and the write
    tried once more, so the run is not left `running` without a reason."""
    summary = RunSummary(run_id=run_id, started_at=started_at, finished_at=datetime.now(UTC),
                         status="failed", kind=kind, warehouse_path=str(warehouse.path),
                         failures=[Failure(stage="run", item=run_id, reason=f"{type(error).__name__}: {error}")])
    try:
        _store_run(warehouse, summary)
    except WarehouseStorageError:
        if not warehouse.release_reserve():
            raise
        log.warning("run %s: released the disk reserve to record the failure", run_id)
        _store_run(warehouse, summary)
    warehouse.release_reserve()
    return summary


def _store_run(warehouse: Warehouse, summary: RunSummary) -> None:
    with warehouse.write() as con:
        run_store.finish_run(con, summary.run_id, summary.to_row())


def close_run(warehouse: Warehouse, summary: RunSummary) -> RunSummary:
    """Fill the warehouse totals into the summary and store it in `runs`."""
    with warehouse.write() as con:
        summary = summary.model_copy(update=run_store.warehouse_totals(con))
        run_store.finish_run(con, summary.run_id, summary.to_row())
    warehouse.release_reserve()
    return summary
