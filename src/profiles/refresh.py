"""Drafts as a run or a reviewer's action refreshes them: assembled from the evidence
(rejected claims left out), reviewer overrides on top, and a diff against the approved revision."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from dossier.ids import canonical_json
from dossier.profiles.assemble import ReferenceLookup, assemble_profile
from dossier.records.profiles import Profile
from dossier.store.session import Session, WriteSession
from dossier.tracing import Stopwatch

# Organisations are assembled and written a slice at a time, each slice holding the evidence
# of at most this many mentions (an organisation with more forms a slice of its own), so a
# slice's memory does not grow with how often the warehouse has seen its organisations. On the
# 10,000-article benchmark warehouse, evidence took about 0.9 KB per mention to load (153 MiB
# for the 171,913 mentions of its 500 most named organisations).
REFRESH_MENTIONS = 20_000


def refresh_drafts(
    session: WriteSession, entity_ids: Iterable[str], stopwatch: Stopwatch | None = None
) -> dict[str, int]:
    """Re-assemble, override and write the drafts of the given organisations (approved
    revisions are never written: a changed profile opens a draft beside them), a slice at a
    time on this connection. With a `stopwatch`, assembly and the scoring inside it are timed apart."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for part in refresh_slices(session, entity_ids):
        for key, value in refresh_slice(session, part, stopwatch).items():
            counts[key] += value
    return counts


def refresh_slices(session: Session, entity_ids: Iterable[str]) -> list[list[str]]:
    """The organisations, sorted, in slices to refresh one after another (`refresh_slice`).

    In slices: a profile depends only on its own evidence, and a run touching every
    organisation of a large warehouse would otherwise hold all their evidence at once.
    Slices are bounded by mentions, not organisations: an organisation's evidence grows
    with every article that names it."""
    ids = sorted(set(entity_ids))
    return list(evidence_slices(ids, session.profiles.mention_counts(ids), REFRESH_MENTIONS))


def evidence_slices(ids: Sequence[str], mentions: Mapping[str, int], budget: int) -> Iterator[list[str]]:
    """`ids` in order, cut into runs whose mentions add up to at most `budget`; an organisation
    over the budget alone forms a slice (its evidence is loaded whole, whatever its size)."""
    part: list[str] = []
    held = 0
    for entity_id in ids:
        weight = max(1, mentions.get(entity_id, 0))
        if part and held + weight > budget:
            yield part
            part, held = [], 0
        part.append(entity_id)
        held += weight
    if part:
        yield part


def reference_lookup() -> ReferenceLookup | None:
    """How assembly finds an entity's reference record from its `known_id`: the gazetteer of
    listed companies and curated organisations the extractor linked it to."""
    from dossier.extract.gazetteer import load_gazetteer  # loaded on first use, never at import

    return load_gazetteer().by_id


def recency_reference(session: Session) -> datetime:
    """The time recency is measured at: the newest evidence in the warehouse (never later than
    now), so a backfill of old news ranks its newest stories as fresh, not as all stale."""
    now = datetime.now(UTC)
    newest = session.profiles.newest_evidence()
    if newest is None:
        return now
    if newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)
    return min(newest, now)


def refresh_slice(session: WriteSession, ids: list[str], stopwatch: Stopwatch | None = None) -> dict[str, int]:
    """Refresh the drafts of one slice of organisations (from `refresh_slices`)."""
    evidence = session.profiles.load_evidence(ids)
    overrides = session.revisions.active_overrides(ids)
    approved = session.revisions.approved_revisions(ids)
    drafts = []
    as_of, lookup = recency_reference(session), reference_lookup()
    assembly = (lambda: stopwatch.time("assembly")) if stopwatch is not None else nullcontext
    for entity_id in ids:
        if entity_id not in evidence:
            continue
        with assembly():
            assembled = assemble_profile(entity_id, evidence[entity_id], now=as_of, stopwatch=stopwatch, lookup=lookup)
        draft = apply_overrides(assembled, overrides.get(entity_id, {}))
        if entity_id in approved:
            draft = draft.model_copy(update={"diff": diff_revisions(approved[entity_id], draft),
                                             "approved_revision": approved[entity_id].revision})
        drafts.append(draft)
    return session.profiles.write_drafts(drafts)


# --- revisions as values: overrides on top of a draft, and its diff against the approved one ---

EDITABLE_FIELDS = Profile.fields_where(editable=True)


def apply_overrides(draft: Profile, overrides: Mapping[str, JsonValue]) -> Profile:
    """The draft with reviewer values on top, the overrides recorded, and its hash renewed."""
    if not overrides:
        return draft
    values = {field: value for field, value in sorted(overrides.items()) if field in EDITABLE_FIELDS}
    return draft.model_copy(update={**values, "overrides": values or None}).with_hash()


def _item_key(item: object) -> str:
    return item if isinstance(item, str) else canonical_json(item)


Change = dict[str, JsonValue]


def diff_revisions(approved: Profile, draft: Profile) -> dict[str, Change]:
    """What changed from the approved revision to the draft: values as {approved, draft},
    items as {added, removed}, confidence to 3 places; unchanged fields are left out."""
    out: dict[str, Change] = {}
    for field, kind in Profile.diffed_fields().items():
        old: Any = approved.plain(field)
        new: Any = draft.plain(field)
        if kind == "items":
            old_items = {_item_key(i): i for i in old or []}
            new_items = {_item_key(i): i for i in new or []}
            added = [new_items[k] for k in new_items if k not in old_items]
            removed = [old_items[k] for k in old_items if k not in new_items]
            if added or removed:
                out[field] = {"added": added, "removed": removed}
        elif kind == "rounded":
            if old is None or new is None or round(old, 3) != round(new, 3):
                out[field] = {"approved": old, "draft": new}
        elif old != new:
            out[field] = {"approved": old, "draft": new}
    return out
