"""The watch rules: which of a run's changes a watch matches, and the alert each one raises.

Pure functions over records. One alert per claim, whichever watches match it (their ids are
listed on it): a claim contradicting an independent story is a `contradiction`, else a negated
claim is a `negated_claim`, else a `new_claim`. An organisation watch covers claims naming it
(as subject or object) and its grade; a claim-type watch covers claims of that type; a grade
watch covers one organisation's grade or everyone's; domain and region watches cover new
organisations whose profile falls in them. A watch on an organisation a reviewer merged into
another follows the merge: it covers the kept organisation (`follow_merges`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from dossier.ids import make_id
from dossier.records.alerts import (
    EVERY_ORGANISATION,
    Alert,
    ChangedClaim,
    OrganisationState,
    RunChanges,
    Watch,
)


def follow_merges(watches: Sequence[Watch], merges: Mapping[str, str]) -> list[Watch]:
    """The watches with each organisation (and grade) watch on a merged organisation moved onto the
    one it was merged into (through chains of merges); ids kept, so alerts name the watch as added."""
    followed = []
    for watch in watches:
        value, seen = watch.value, {watch.value}
        if watch.kind in ("organisation", "grade"):
            while value in merges and merges[value] not in seen:  # a cycle of merges stops where it closes
                value = merges[value]
                seen.add(value)
        followed.append(watch if value == watch.value else watch.model_copy(update={"value": value}))
    return followed


def claim_watches(watches: Sequence[Watch], claim: ChangedClaim) -> list[str]:
    """Ids of the watches a new claim matches."""
    parties = {claim.subject_id, claim.object_id}
    return [w.id for w in watches
            if (w.kind == "organisation" and w.value in parties) or (w.kind == "claim_type" and w.value == claim.type)]


def claim_alert(claim: ChangedClaim, watch_ids: list[str], changes: RunChanges, now: datetime) -> Alert:
    """The alert a matched claim raises."""
    about = f"{claim.subject} {claim.type.replace('_', ' ')}" + (f" {claim.object}" if claim.object else "")
    if claim.contradicts:
        kind, summary = "contradiction", f"contradiction: {about} is {claim.polarity} here and the opposite elsewhere"
    elif claim.polarity == "negated":
        kind, summary = "negated_claim", f"negated claim: {about} (denied)"
    else:
        kind, summary = "new_claim", f"new claim: {about} ({claim.modality})"
    return Alert(
        id=make_id("alert", "claim", claim.id), kind=kind, entity_id=claim.subject_id, organisation=claim.subject,
        claim_id=claim.id, other_claim_id=claim.contradicts, watch_ids=tuple(watch_ids), summary=summary,
        detail={"type": claim.type, "polarity": claim.polarity, "modality": claim.modality, "object": claim.object,
                "evidence": claim.evidence, "article_url": claim.article_url},
        run_id=changes.run_id, created_at=now,
    )


def grade_watches(watches: Sequence[Watch], entity_id: str) -> list[str]:
    """Ids of the watches that cover an organisation's grade."""
    return [w.id for w in watches
            if (w.kind == "grade" and w.value in (EVERY_ORGANISATION, entity_id))
            or (w.kind == "organisation" and w.value == entity_id)]


def grade_alert(state: OrganisationState, before: tuple[str, str], watch_ids: list[str], changes: RunChanges,
                now: datetime) -> Alert:
    """The alert of a grade that crossed a band (its label changed) since alerts last saw it."""
    grade, label = before
    return Alert(
        id=make_id("alert", "grade", state.entity_id, label, state.grade_label, changes.run_id), kind="grade_change",
        entity_id=state.entity_id, organisation=state.name, watch_ids=tuple(watch_ids),
        summary=f"grade change: {state.name} {grade} ({label}) → {state.grade} ({state.grade_label})",
        detail={"grade_before": grade, "label_before": label, "grade": state.grade, "label": state.grade_label},
        run_id=changes.run_id, created_at=now,
    )


def organisation_watches(watches: Sequence[Watch], state: OrganisationState) -> list[str]:
    """Ids of the domain and region watches a new organisation falls in."""
    return [w.id for w in watches
            if (w.kind == "domain" and w.value == state.primary_domain) or (w.kind == "region" and w.value == state.region)]


def organisation_alert(state: OrganisationState, watch_ids: list[str], changes: RunChanges, now: datetime) -> Alert:
    """The alert of an organisation seen for the first time in a watched domain or region."""
    where = " · ".join(x for x in (state.primary_domain, state.region) if x)
    return Alert(
        id=make_id("alert", "organisation", state.entity_id), kind="new_organisation", entity_id=state.entity_id,
        organisation=state.name, watch_ids=tuple(watch_ids), summary=f"new organisation: {state.name} ({where})",
        detail={"domain": state.primary_domain, "region": state.region, "grade": state.grade},
        run_id=changes.run_id, created_at=now,
    )


def match_changes(
    watches: Sequence[Watch], changes: RunChanges, claims: Sequence[ChangedClaim],
    states: Sequence[OrganisationState], grades: Mapping[str, tuple[str, str]], now: datetime,
) -> list[Alert]:
    """Every alert the watches raise over one run's changes (`grades`: what alerts saw before)."""
    alerts = []
    for claim in claims:
        if matched := claim_watches(watches, claim):
            alerts.append(claim_alert(claim, matched, changes, now))
    for state in states:
        before = grades.get(state.entity_id)
        if before is not None and before[1] != state.grade_label and (matched := grade_watches(watches, state.entity_id)):
            alerts.append(grade_alert(state, before, matched, changes, now))
        is_new = state.first_seen is not None and state.first_seen >= changes.since
        if is_new and (matched := organisation_watches(watches, state)):
            alerts.append(organisation_alert(state, matched, changes, now))
    return alerts
