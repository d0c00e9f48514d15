"""Drafts as a run or a reviewer's action refreshes them: assembled from the evidence
(rejected claims left out), reviewer overrides on top, and a diff against the approved revision."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Iterable

import duckdb

from dossier.profiles.assemble import assemble_profile
from dossier.review.revisions import apply_overrides, diff_revisions
from dossier.store import profiles as profile_store
from dossier.store import reviews as review_store
from dossier.tracing import Stopwatch


REFRESH_SLICE = 500  # organisations assembled and written at a time


def refresh_drafts(
    con: duckdb.DuckDBPyConnection, entity_ids: Iterable[str], stopwatch: Stopwatch | None = None
) -> dict[str, int]:
    """Re-assemble, override and write the drafts of the given organisations (approved
    revisions are never written: a changed profile opens a draft beside them). With a
    `stopwatch`, assembly and the scoring inside it are timed apart."""
    ids = sorted(set(entity_ids))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    # In slices: a profile depends only on its own evidence, and a run touching every
    # organisation of a large warehouse would otherwise hold all their evidence at once.
    for start in range(0, len(ids), REFRESH_SLICE):
        for key, value in _refresh_slice(con, ids[start : start + REFRESH_SLICE], stopwatch).items():
            counts[key] += value
    return counts


def _refresh_slice(con: duckdb.DuckDBPyConnection, ids: list[str], stopwatch: Stopwatch | None) -> dict[str, int]:
    evidence = profile_store.load_evidence(con, ids)
    overrides = review_store.active_overrides(con, ids)
    approved = review_store.approved_revisions(con, ids)
    drafts = []
    assembly = (lambda: stopwatch.time("assembly")) if stopwatch is not None else nullcontext
    for entity_id in ids:
        if entity_id not in evidence:
            continue
        with assembly():
            assembled = assemble_profile(entity_id, evidence[entity_id], stopwatch=stopwatch)
        draft = apply_overrides(assembled, overrides.get(entity_id, {}))
        if entity_id in approved:
            draft = {**draft, "diff": diff_revisions(approved[entity_id], draft),
                     "approved_revision": approved[entity_id]["revision"]}
        drafts.append(draft)
    return profile_store.write_drafts(con, drafts)
