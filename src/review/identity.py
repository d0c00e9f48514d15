"""Identity decisions as the desk shows them before and after they are made: the organisations
a reviewer may pick, what a merge or a split would move (read, never written, so a reviewer
confirms exactly what happens), and the merges and splits in force that can be undone.

The rules are dossier.review.desk's: a preview refuses what the action would refuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dossier.ids import name_key, organisation_id
from dossier.records.review import EntityRef, MergePreview, OrganisationMatch, SplitOff, SplitPreview
from dossier.review.desk import ReviewError
from dossier.store.session import Session

SEARCH_LIMIT = 20  # organisations a picker lists at most


@dataclass(frozen=True)
class IdentityDecisions:
    """The merges into an organisation and the splits off it that are in force (each can be undone)."""

    merged: Sequence[EntityRef] = ()
    splits: Sequence[SplitOff] = ()


def search_organisations(session: Session, query: str, exclude: str | None = None,
                         limit: int = SEARCH_LIMIT) -> list[OrganisationMatch]:
    """At most `limit` (capped at SEARCH_LIMIT) organisations whose name or alias contains `query`."""
    return session.reviews.search_organisations(query, min(max(limit, 0), SEARCH_LIMIT), exclude)


def pick_organisation(session: Session, ref: str) -> EntityRef:
    """The organisation a picker's value names: an id, a name or an alias (as desk.resolve_entity
    finds them); refused, with words for the desk, when it names none or several."""
    if not ref.strip():
        raise ReviewError("pick an organisation to merge into this one")
    found = session.reviews.find_entities(ref.strip())
    if not found:
        raise ReviewError(f"no organisation with a profile has the name, alias or id {ref.strip()!r}")
    if len(found) > 1:
        raise ReviewError(f"{ref.strip()!r} names several organisations; pick one")
    return found[0]


def merge_preview(session: Session, keep_id: str, merged_id: str) -> MergePreview:
    """What merging `merged_id` into `keep_id` would move; refused as desk.merge would refuse it."""
    if keep_id == merged_id:
        raise ReviewError("an organisation cannot be merged into itself")
    for entity_id in (keep_id, merged_id):
        if session.judgements.organisation_name(entity_id) is None:
            raise ReviewError(f"no organisation with id {entity_id}")
    return session.judgements.merge_preview(keep_id, merged_id)


def split_preview(session: Session, entity_id: str, alias: str) -> SplitPreview:
    """What splitting `alias` off `entity_id` would move; refused as desk.split would refuse it."""
    name = session.judgements.organisation_name(entity_id)
    if name is None:
        raise ReviewError(f"no organisation with id {entity_id}")
    key = name_key(alias)
    if key == name_key(name):
        raise ReviewError(f"{alias!r} is the name of {name!r}; merge or rename instead")
    if not session.judgements.holds_alias(entity_id, key):
        raise ReviewError(f"{name!r} has no alias {alias!r}")
    # The mention texts desk.split moves: those whose match key is the alias's.
    texts = [text for text in session.judgements.mention_texts(entity_id) if name_key(text) == key]
    return session.judgements.split_preview(entity_id, alias, key, organisation_id(alias), texts)


def identity_decisions(session: Session, entity_id: str) -> IdentityDecisions:
    """The merges into `entity_id` and the splits off it in force."""
    merged = [EntityRef(id=i, name=n) for i, n in session.judgements.merged_into(entity_id).items()]
    return IdentityDecisions(merged=tuple(merged), splits=tuple(session.judgements.splits_off(entity_id)))
