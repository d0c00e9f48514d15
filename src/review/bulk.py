"""Bulk decisions from the queue: approve or reject the profiles a reviewer ticked, with one note.

Each profile goes through `desk.approve` / `desk.reject` in a write session of its own, so each
is its own transaction and its own `review_events` row, exactly as if decided one by one; a
profile refused (a draft a run changed since the queue was loaded, one decided meanwhile)
is reported with its reason and does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from dossier.records.queue import BulkOutcome, BulkPick, BulkRefusal
from dossier.records.review import EntityRef
from dossier.review import desk
from dossier.store.session import WriteSession

ACTIONS = ("approve", "reject")

# Opens one write session (one transaction) per profile.
WriteOpener = Callable[[], AbstractContextManager[WriteSession]]


def decide_all(open_write: WriteOpener, picks: Sequence[BulkPick], action: str, reviewer: str,
               note: str | None = None) -> BulkOutcome:
    """Approve or reject every picked profile, each in its own transaction; refusals are collected.

    A rejection needs the note (it is every profile's reason); nothing is decided without one."""
    if action not in ACTIONS:
        raise desk.ReviewError(f"unknown bulk action {action!r}; use approve or reject")
    if not picks:
        raise desk.ReviewError("no profile ticked; tick the profiles to decide first")
    note = (note or "").strip() or None
    if action == "reject" and note is None:
        raise desk.ReviewError("a bulk rejection needs a note: it is the reason recorded for every profile")
    unique = list({pick.entity_id: pick for pick in picks}.values())
    done: list[EntityRef] = []
    refused: list[BulkRefusal] = []
    for pick in unique:
        name = pick.entity_id
        try:
            with open_write() as session:
                name = session.judgements.organisation_name(pick.entity_id) or pick.entity_id
                if action == "approve":
                    desk.approve(session, pick.entity_id, reviewer, note, pick.revision, pick.content_hash)
                else:
                    desk.reject(session, pick.entity_id, reviewer, note or "", pick.revision)
        except desk.ReviewError as exc:
            refused.append(BulkRefusal(entity_id=pick.entity_id, name=name, reason=str(exc)))
        else:
            done.append(EntityRef(id=pick.entity_id, name=name))
    return BulkOutcome(action="approve" if action == "approve" else "reject", done=tuple(done), refused=tuple(refused))
