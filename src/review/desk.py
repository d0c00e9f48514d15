"""The reviewer's actions, each one write session (one transaction) and one row in
`review_events` (who, when, what, before/after). Nothing is deleted: revisions change
status, decisions are superseded by later ones, a merge or split is undone by a later
judgement. The rules of what may be done live here; the store only records. The CLI and the
web desk both call these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import JsonValue

from dossier.errors import Refused
from dossier.ids import name_key, organisation_id
from dossier.profiles.refresh import refresh_drafts
from dossier.records.profiles import Approval, Edit, Revision, RevisionSummary
from dossier.records.queue import MonitoringRule, QueueNeighbours, QueuePage, QueueQuery
from dossier.records.review import (
    ClaimVerdict,
    EntityRef,
    MergeOutcome,
    SplitOutcome,
    UnmergeOutcome,
    UnsplitOutcome,
)
from dossier.review.queue import ordering
from dossier.review.revisions import EDITABLE_FIELDS, EditError, check_edit
from dossier.store.session import Session, WriteSession

STATUSES = ("draft", "approved", "rejected", "superseded", "any")
VERDICTS = ("accepted", "rejected")


class ReviewError(Refused, ValueError):
    """An action that cannot be carried out, with the reason a reviewer can act on."""


def resolve_entity(session: Session, ref: str) -> EntityRef:
    """The organisation named (or aliased, or identified) by `ref`; refuses ambiguity."""
    found = session.reviews.find_entities(ref)
    if not found:
        raise ReviewError(f"no organisation with a profile called {ref!r}; `dossier review list --status any` shows them")
    if len(found) > 1:
        choices = ", ".join(f"{f.name} ({f.id})" for f in found)
        raise ReviewError(f"{ref!r} names several organisations: {choices}; use the id")
    return found[0]


def latest_draft(session: Session, entity_id: str) -> Revision | None:
    """The organisation's newest draft revision, if it has one."""
    return next((r for r in session.revisions.revisions(entity_id) if r.status == "draft"), None)


def current_revision(session: Session, entity_id: str) -> Revision | None:
    """What consumers see: the approved revision, else the latest draft."""
    revs = session.revisions.revisions(entity_id)
    return next((r for r in revs if r.status == "approved"), None) or next((r for r in revs if r.status == "draft"), None)


def queue_page(session: Session, query: QueueQuery, rule: MonitoringRule | None = None,
               now: datetime | None = None) -> QueuePage:
    """One page of the queue: the query's revisions, filtered and searched, in its order
    (highest impact × uncertainty × recency first by default), with the counts around it."""
    if query.status not in STATUSES:
        raise ReviewError(f"unknown status {query.status!r}; use one of {', '.join(STATUSES)}")
    return session.reviews.queue_page(query, ordering(now), rule or MonitoringRule())


def queue_neighbours(session: Session, query: QueueQuery, entity_id: str, rule: MonitoringRule | None = None,
                     now: datetime | None = None) -> QueueNeighbours:
    """The profiles before and after `entity_id` in the query's order: where "next" goes."""
    if query.status not in STATUSES:
        raise ReviewError(f"unknown status {query.status!r}; use one of {', '.join(STATUSES)}")
    return session.reviews.queue_neighbours(query, ordering(now), rule or MonitoringRule(), entity_id)


def _logged(revision: Revision | None) -> dict[str, object] | None:
    """A revision as the audit log records it."""
    return revision.summary().model_dump() if revision is not None else None


def approve(session: WriteSession, entity_id: str, reviewer: str, note: str | None = None,
            revision: int | None = None, content_hash: str | None = None) -> Approval:
    """Approve the latest draft; the revision approved before it becomes superseded.

    `revision` / `content_hash` (what the reviewer looked at) refuse an approval of a draft a
    run has changed in the meantime."""
    draft = latest_draft(session, entity_id)
    if draft is None:
        raise ReviewError("there is no draft to approve")
    if revision is not None and draft.revision != revision:
        raise ReviewError(f"revision {revision} is no longer the draft (revision {draft.revision} is); reload it")
    if content_hash is not None and draft.content_hash != content_hash:
        raise ReviewError("the draft changed since you opened it (new evidence arrived); reload it")
    previous = session.revisions.approved_revisions([entity_id]).get(entity_id)
    if previous is not None:
        session.revisions.set_status(entity_id, previous.revision, "superseded")
    session.revisions.set_status(entity_id, draft.revision, "approved", reviewer, note)
    after = Approval(**{**draft.summary().model_dump(), "status": "approved"},
                     superseded=previous.revision if previous else None)
    session.reviews.append_event(reviewer, "approve", entity_id, draft.revision,
                                 {"draft": _logged(draft), "approved": _logged(previous)}, after.model_dump(), note)
    return after


def reject(session: WriteSession, entity_id: str, reviewer: str, reason: str,
           revision: int | None = None) -> RevisionSummary:
    """Reject the latest draft with a reason; an approved revision stays what consumers see."""
    if not (reason or "").strip():
        raise ReviewError("a rejection needs a reason (--note)")
    draft = latest_draft(session, entity_id)
    if draft is None:
        raise ReviewError("there is no draft to reject")
    if revision is not None and draft.revision != revision:
        raise ReviewError(f"revision {revision} is no longer the draft (revision {draft.revision} is); reload it")
    session.revisions.set_status(entity_id, draft.revision, "rejected", reviewer, reason)
    after = draft.summary().model_copy(update={"status": "rejected"})
    session.reviews.append_event(reviewer, "reject", entity_id, draft.revision, _logged(draft), after.model_dump(), reason)
    return after


def edit(session: WriteSession, entity_id: str, changes: Mapping[str, JsonValue], reviewer: str,
         note: str | None = None) -> Edit:
    """Set fields by hand (a value of None clears the field's override). The edits are stored
    as overrides, applied now to a draft and again on top of every later draft."""
    if not changes:
        raise ReviewError(f"nothing to edit; give field=value pairs ({', '.join(EDITABLE_FIELDS)})")
    try:
        # Each value in its allowed spelling; one bad value refuses the whole edit.
        changes = {field: check_edit(field, value) for field, value in changes.items()}
    except EditError as exc:
        raise ReviewError(str(exc)) from None
    current = current_revision(session, entity_id)
    if current is None:
        raise ReviewError("the organisation has no profile to edit")
    before = {field: getattr(current, field) for field in changes}
    for field, value in changes.items():
        session.revisions.record_override(entity_id, field, value, reviewer, note)
    refresh_drafts(session, [entity_id])
    draft = latest_draft(session, entity_id)
    after = Edit(overrides=dict(changes), draft_revision=draft.revision if draft else None)
    session.reviews.append_event(reviewer, "edit", entity_id, after.draft_revision, before, after.model_dump(), note)
    return after


def _organisation(session: Session, entity_id: str) -> str:
    name = session.judgements.organisation_name(entity_id)
    if name is None:
        raise ReviewError(f"no organisation with id {entity_id}")
    return name


def merge(session: WriteSession, keep_id: str, merged_id: str, reviewer: str,
          note: str | None = None) -> MergeOutcome:
    """Merge one organisation into another (a judgement re-applied on every run, undone by
    `unmerge`); the kept organisation's draft is refreshed now, the merged one's revisions are
    superseded."""
    if keep_id == merged_id:
        raise ReviewError("an organisation cannot be merged into itself")
    _organisation(session, keep_id)
    _organisation(session, merged_id)
    merged_revisions = session.revisions.revisions(merged_id)
    judgement = session.judgements.record_merge(keep_id, merged_id, reviewer, note)
    counts = refresh_drafts(session, [keep_id])
    draft = latest_draft(session, keep_id)
    before = {"merged": merged_id, "merged_revisions": [_logged(r) for r in merged_revisions]}
    after = MergeOutcome(judgement=judgement, kept=keep_id, draft_revision=draft.revision if draft else None,
                         drafts=counts)
    session.reviews.append_event(reviewer, "merge", keep_id, after.draft_revision, before, after.logged(), note)
    return after


def split(session: WriteSession, entity_id: str, alias: str, reviewer: str,
          note: str | None = None) -> SplitOutcome:
    """Split an alias off an organisation (a judgement re-applied on every run, undone by
    `unsplit`); both organisations' drafts are refreshed now."""
    name = _organisation(session, entity_id)
    key = name_key(alias)
    if key == name_key(name):
        raise ReviewError(f"{alias!r} is the name of {name!r}; merge or rename instead")
    if not session.judgements.holds_alias(entity_id, key):
        raise ReviewError(f"{name!r} has no alias {alias!r}")
    new_id = organisation_id(alias)
    texts = [text for text in session.judgements.mention_texts(entity_id) if name_key(text) == key]
    judgement = session.judgements.record_split(entity_id, alias, key, new_id, texts, reviewer, note)
    counts = refresh_drafts(session, [entity_id, new_id])
    after = SplitOutcome(judgement=judgement, alias=alias, new_entity=new_id, drafts=counts)
    session.reviews.append_event(reviewer, "split", entity_id, None, {"alias_of": entity_id}, after.logged(), note)
    return after


def resolve_merged(session: Session, keep_id: str, ref: str) -> EntityRef:
    """The organisation merged into `keep_id` that `ref` names (its id or name): once merged,
    its names resolve to the kept organisation, so it is looked up among the merges."""
    merged = session.judgements.merged_into(keep_id)
    found = [EntityRef(id=i, name=n) for i, n in merged.items() if ref == i or n.casefold() == ref.casefold()]
    if len(found) != 1:
        names = ", ".join(f"{n} ({i})" for i, n in merged.items()) or "none"
        raise ReviewError(f"{ref!r} is not an organisation merged into this one (merged into it: {names})")
    return found[0]


def unmerge(session: WriteSession, keep_id: str, merged_id: str, reviewer: str,
            note: str | None = None) -> UnmergeOutcome:
    """Undo the merge of `merged_id` into `keep_id`: a new judgement that supersedes it and puts
    back every row the merge moved (aliases, evidence, claims, the merged organisation's
    revisions); both organisations' drafts are refreshed now."""
    judgement = session.judgements.active("merge", keep_id, merged_id)
    if judgement is None:
        raise ReviewError(f"{merged_id} is not merged into {keep_id} (never merged, or un-merged already)")
    undo = session.judgements.revert(judgement.id, "unmerge", reviewer, note)
    counts = refresh_drafts(session, _with_evidence(session, [keep_id, merged_id]))
    before = {"judgement": judgement.id, "merged": merged_id}
    after = UnmergeOutcome(judgement=undo, kept=keep_id, restored=merged_id, drafts=counts)
    session.reviews.append_event(reviewer, "unmerge", keep_id, None, before, after.logged(), note)
    return after


def unsplit(session: WriteSession, entity_id: str, alias: str, reviewer: str,
            note: str | None = None) -> UnsplitOutcome:
    """Undo the split of `alias` off `entity_id`: a new judgement that supersedes it and moves
    the alias and its mentions back. The organisation the split made keeps its row (nothing is
    deleted) but, left without evidence, its revisions are superseded; drafts are refreshed now."""
    judgement = session.judgements.active("split", entity_id, name_key(alias))
    if judgement is None:
        raise ReviewError(f"{alias!r} is not split off {entity_id} (never split, or un-split already)")
    split_id = organisation_id(judgement.other)
    undo = session.judgements.revert(judgement.id, "unsplit", reviewer, note)
    if not _with_evidence(session, [split_id]):
        session.judgements.retire_profiles(undo, split_id)
    counts = refresh_drafts(session, _with_evidence(session, [entity_id, split_id]))
    before = {"judgement": judgement.id, "alias": judgement.other, "split_entity": split_id}
    after = UnsplitOutcome(judgement=undo, alias=judgement.other, restored_to=entity_id, drafts=counts)
    session.reviews.append_event(reviewer, "unsplit", entity_id, None, before, after.logged(), note)
    return after


def _with_evidence(session: Session, entity_ids: list[str]) -> list[str]:
    """The organisations that have mentions: one without evidence gets no draft."""
    counts = session.profiles.mention_counts(entity_ids)
    return [entity_id for entity_id in entity_ids if counts.get(entity_id)]


def review_claim(session: WriteSession, claim_id: str, verdict: str, reviewer: str,
                 note: str | None = None) -> ClaimVerdict:
    """Accept or reject a claim as its evidence reads now, and with it every copy of it (the
    same subject, type and object, with the same sentence or in the same story cluster), now
    and on every later run. A rejected claim leaves the profiles at once; the reviewed copy
    re-opens when its own evidence sentence changes."""
    if verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {verdict!r}; use accepted or rejected")
    claim = session.claims.claim_in_context(claim_id)
    if claim is None:
        raise ReviewError(f"no claim with id {claim_id}")
    previous = session.claims.record_claim_verdict(claim_id, verdict, claim.subject_id, reviewer, note)
    copies = session.claims.claim_copies(claim_id)  # they share its subject and object: the same drafts
    refresh_drafts(session, session.claims.claim_parties(claim_id))
    before = {"verdict": previous}
    after = ClaimVerdict(verdict=verdict, claim=claim_id, type=claim.type, polarity=claim.polarity,
                         evidence=claim.evidence, copies=len(copies))
    action = "accept_claim" if verdict == "accepted" else "reject_claim"
    session.reviews.append_event(reviewer, action, claim.subject_id, None, before, after.logged(), note)
    return after
