"""The reviewer's actions, each one transaction on a writer connection and one row in
`review_events` (who, when, what, before/after). Nothing is deleted: revisions change
status, decisions are superseded by later ones. The CLI and the web desk both call these."""

from __future__ import annotations

from typing import Any

import duckdb

from dossier.ids import organisation_id
from dossier.review.drafts import refresh_drafts
from dossier.review.queue import order_queue
from dossier.review.revisions import EDITABLE_FIELDS, EditError, check_edit
from dossier.store import reviews as store
from dossier.store.judgements import JudgementError, record_merge, record_split

STATUSES = ("draft", "approved", "rejected", "superseded", "any")
VERDICTS = ("accepted", "rejected")


class ReviewError(ValueError):
    """An action that cannot be carried out, with the reason a reviewer can act on."""


def resolve_entity(con: duckdb.DuckDBPyConnection, ref: str) -> dict[str, Any]:
    """The organisation named (or aliased, or identified) by `ref`; refuses ambiguity."""
    found = store.find_entities(con, ref)
    if not found:
        raise ReviewError(f"no organisation with a profile called {ref!r}; `dossier review list --status any` shows them")
    if len(found) > 1:
        choices = ", ".join(f"{f['name']} ({f['id']})" for f in found)
        raise ReviewError(f"{ref!r} names several organisations: {choices}; use the id")
    return found[0]


def latest_draft(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, Any] | None:
    return next((r for r in store.revisions(con, entity_id) if r["status"] == "draft"), None)


def current_revision(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, Any] | None:
    """What consumers see: the approved revision, else the latest draft."""
    revs = store.revisions(con, entity_id)
    return next((r for r in revs if r["status"] == "approved"), None) or next((r for r in revs if r["status"] == "draft"), None)


def review_queue(con: duckdb.DuckDBPyConnection, status: str = "draft", grade: str | None = None,
                 domain: str | None = None, region: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The queue: revisions with `status`, filtered, highest impact × uncertainty × recency first."""
    if status not in STATUSES:
        raise ReviewError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    rows = order_queue(store.queue_rows(con, status, grade, domain, region))
    return rows[:limit] if limit else rows


def _revision_summary(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"revision": row["revision"], "status": row["status"], "content_hash": row["content_hash"],
            "confidence": row["confidence"], "grade": row["grade"]}


def approve(con: duckdb.DuckDBPyConnection, entity_id: str, reviewer: str, note: str | None = None,
            revision: int | None = None, content_hash: str | None = None) -> dict[str, Any]:
    """Approve the latest draft; the revision approved before it becomes superseded.

    `revision` / `content_hash` (what the reviewer looked at) refuse an approval of a draft a
    run has changed in the meantime."""
    draft = latest_draft(con, entity_id)
    if draft is None:
        raise ReviewError("there is no draft to approve")
    if revision is not None and draft["revision"] != revision:
        raise ReviewError(f"revision {revision} is no longer the draft (revision {draft['revision']} is); reload it")
    if content_hash is not None and draft["content_hash"] != content_hash:
        raise ReviewError("the draft changed since you opened it (new evidence arrived); reload it")
    previous = store.approved_revisions(con, [entity_id]).get(entity_id)
    if previous is not None:
        store.set_status(con, entity_id, previous["revision"], "superseded")
    store.set_status(con, entity_id, draft["revision"], "approved", reviewer, note)
    after = {**_revision_summary(draft), "status": "approved",
             "superseded": previous["revision"] if previous else None}
    store.append_event(con, reviewer, "approve", entity_id, draft["revision"],
                       {"draft": _revision_summary(draft), "approved": _revision_summary(previous)}, after, note)
    return after


def reject(con: duckdb.DuckDBPyConnection, entity_id: str, reviewer: str, reason: str,
           revision: int | None = None) -> dict[str, Any]:
    """Reject the latest draft with a reason; an approved revision stays what consumers see."""
    if not (reason or "").strip():
        raise ReviewError("a rejection needs a reason (--note)")
    draft = latest_draft(con, entity_id)
    if draft is None:
        raise ReviewError("there is no draft to reject")
    if revision is not None and draft["revision"] != revision:
        raise ReviewError(f"revision {revision} is no longer the draft (revision {draft['revision']} is); reload it")
    store.set_status(con, entity_id, draft["revision"], "rejected", reviewer, reason)
    after = {**_revision_summary(draft), "status": "rejected"}
    store.append_event(con, reviewer, "reject", entity_id, draft["revision"], _revision_summary(draft), after, reason)
    return after


def edit(con: duckdb.DuckDBPyConnection, entity_id: str, changes: dict[str, Any], reviewer: str,
         note: str | None = None) -> dict[str, Any]:
    """Set fields by hand (a value of None clears the field's override). The edits are stored
    as overrides, applied now to a draft and again on top of every later draft."""
    if not changes:
        raise ReviewError(f"nothing to edit; give field=value pairs ({', '.join(EDITABLE_FIELDS)})")
    try:
        for field in changes:
            check_edit(field)
    except EditError as exc:
        raise ReviewError(str(exc)) from None
    current = current_revision(con, entity_id)
    if current is None:
        raise ReviewError("the organisation has no profile to edit")
    before = {field: current.get(field) for field in changes}
    for field, value in changes.items():
        store.record_override(con, entity_id, field, value, reviewer, note)
    refresh_drafts(con, [entity_id])
    draft = latest_draft(con, entity_id)
    after = {"overrides": changes, "draft_revision": draft["revision"] if draft else None}
    store.append_event(con, reviewer, "edit", entity_id, draft["revision"] if draft else None, before, after, note)
    return after


def merge(con: duckdb.DuckDBPyConnection, keep_id: str, merged_id: str, reviewer: str,
          note: str | None = None) -> dict[str, Any]:
    """Merge one organisation into another (a judgement re-applied on every run); the kept
    organisation's draft is refreshed now, the merged one's revisions are superseded."""
    merged_revisions = store.revisions(con, merged_id)
    try:
        judgement = record_merge(con, keep_id, merged_id, reviewer, note)
    except JudgementError as exc:
        raise ReviewError(str(exc)) from None
    for row in merged_revisions:
        if row["status"] == "approved":
            store.set_status(con, merged_id, row["revision"], "superseded")
    counts = refresh_drafts(con, [keep_id])
    draft = latest_draft(con, keep_id)
    before = {"merged": merged_id, "merged_revisions": [_revision_summary(r) for r in merged_revisions]}
    after = {"judgement": judgement, "kept": keep_id, "draft_revision": draft["revision"] if draft else None,
             "drafts": counts}
    store.append_event(con, reviewer, "merge", keep_id, after["draft_revision"], before, after, note)
    return after


def split(con: duckdb.DuckDBPyConnection, entity_id: str, alias: str, reviewer: str,
          note: str | None = None) -> dict[str, Any]:
    """Split an alias off an organisation (a judgement re-applied on every run); both
    organisations' drafts are refreshed now."""
    try:
        judgement = record_split(con, entity_id, alias, reviewer, note)
    except JudgementError as exc:
        raise ReviewError(str(exc)) from None
    new_id = organisation_id(alias)
    counts = refresh_drafts(con, [entity_id, new_id])
    after = {"judgement": judgement, "alias": alias, "new_entity": new_id, "drafts": counts}
    store.append_event(con, reviewer, "split", entity_id, None, {"alias_of": entity_id}, after, note)
    return after


def review_claim(con: duckdb.DuckDBPyConnection, claim_id: str, verdict: str, reviewer: str,
                 note: str | None = None) -> dict[str, Any]:
    """Accept or reject one claim as its evidence reads now. A rejected claim leaves the
    profiles at once and on every later run, until its evidence sentence changes."""
    if verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {verdict!r}; use accepted or rejected")
    claim = store.claim_in_context(con, claim_id)
    if claim is None:
        raise ReviewError(f"no claim with id {claim_id}")
    previous = store.record_claim_verdict(con, claim_id, verdict, claim["subject_id"], reviewer, note)
    ids = [claim["subject_id"]] + [r[0] for r in con.execute(
        "SELECT object_id FROM claims WHERE id = ? AND object_id IS NOT NULL", [claim_id]).fetchall()]
    refresh_drafts(con, ids)
    before = {"verdict": previous}
    after = {"verdict": verdict, "claim": claim_id, "type": claim["type"], "polarity": claim["polarity"],
             "evidence": claim["evidence"]}
    action = "accept_claim" if verdict == "accepted" else "reject_claim"
    store.append_event(con, reviewer, action, claim["subject_id"], None, before, after, note)
    return after
