"""Refreshing: the drafts of the organisations whose evidence a run changed, re-assembled and scored.

The assembly itself (overrides and verdicts applied) is the profiles' business; this module
decides which organisations, in which slices, and keeps the refresh queue true.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from dossier.profiles.refresh import refresh_slice, refresh_slices
from dossier.store import profiles as profile_store
from dossier.store.warehouse import Warehouse
from dossier.tracing import Stopwatch

log = logging.getLogger("dossier.pipeline")


def refresh_profiles(
    warehouse: Warehouse, entity_ids: Iterable[str], stopwatch: Stopwatch | None = None
) -> dict[str, int]:
    """Re-assemble and score the drafts of the given organisations, reviewer overrides and
    claim verdicts applied (`refresh_slice`); timed as write, assembly and scoring on
    `stopwatch`.

    Each slice of organisations (bounded by their mentions) is written and taken off the
    refresh queue in a transaction of its own: a run killed midway leaves the rest queued, a
    reader can open the warehouse between slices, and DuckDB's memory for one slice's queries
    is given back when its connection closes (on one connection it piled up, slice after slice,
    with the size of the warehouse)."""
    watch = stopwatch or Stopwatch()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with watch.time("write"):
        with warehouse.write() as con:
            # Also whatever an interrupted run queued and never refreshed.
            slices = refresh_slices(con, set(entity_ids) | profile_store.queued_refreshes(con))
        if not slices:
            return counts
        total = sum(map(len, slices))
        log.info("refreshing drafts of %d organisations", total, extra={"event": "refresh_started"})
        for part in slices:
            with warehouse.write() as con:
                for key, value in refresh_slice(con, part, stopwatch=watch).items():
                    counts[key] += value
                profile_store.dequeue_refresh(con, part)
    log.info("refreshed drafts of %d organisations", total, extra={"drafts": counts})
    return counts
