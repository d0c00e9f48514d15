"""Revisions as values: reviewer overrides applied on top of a draft, and a draft's diff
against the approved revision. Pure functions; the warehouse is in dossier.store.reviews."""

from __future__ import annotations

import json
from typing import Any

from dossier.errors import Refused
from dossier.ids import canonical_json, hash_text

# Fields a reviewer may set by hand; each edit is re-applied on top of every later draft.
EDITABLE_FIELDS = (
    "name", "type", "category", "region", "base", "primary_domain", "topic", "impact",
    "operational_criticality", "time_horizon",
)
# Fields a diff reports (bookkeeping such as hashes, versions and timestamps is left out).
DIFF_FIELDS = (
    "name", "aliases", "type", "category", "region", "base", "primary_domain", "topic", "impact",
    "operational_criticality", "time_horizon", "confidence", "grade", "source_count",
    "independent_source_count", "key_points", "what_to_watch", "relationships", "places", "evidence",
)
_LISTS = {"aliases", "key_points", "what_to_watch", "relationships", "places", "evidence"}
_JSON = {"key_points", "what_happened", "what_to_watch", "relationships", "places", "evidence", "score_components"}
# Fields outside the content hash: they describe the revision, not the organisation.
_NOT_HASHED = {"content_hash", "overrides", "diff", "approved_revision"}


class EditError(Refused, ValueError):
    """An edit of a field that cannot be edited."""


def check_edit(field: str) -> None:
    if field not in EDITABLE_FIELDS:
        raise EditError(f"{field!r} cannot be edited; editable fields: {', '.join(EDITABLE_FIELDS)}")


def content_hash(draft: dict[str, Any]) -> str:
    """The hash write_drafts compares: equal content never opens a new revision."""
    return hash_text(canonical_json({k: v for k, v in draft.items() if k not in _NOT_HASHED}))


def apply_overrides(draft: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The draft with reviewer values on top, the overrides recorded, and its hash renewed."""
    if not overrides:
        return draft
    out = dict(draft)
    for field, value in overrides.items():
        if field in EDITABLE_FIELDS:
            out[field] = value
    out["overrides"] = {k: v for k, v in sorted(overrides.items()) if k in EDITABLE_FIELDS}
    out["content_hash"] = content_hash(out)
    return out


def _parsed(value: Any, field: str) -> Any:
    if field in _JSON and isinstance(value, str):
        return json.loads(value)
    return value


def _item_key(item: Any) -> str:
    return item if isinstance(item, str) else canonical_json(item)


def diff_revisions(approved: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    """What changed from the approved revision to the draft: scalars as {approved, draft},
    lists as {added, removed}; unchanged fields are left out."""
    out: dict[str, Any] = {}
    for field in DIFF_FIELDS:
        old, new = _parsed(approved.get(field), field), _parsed(draft.get(field), field)
        if field in _LISTS:
            old_items = {_item_key(i): i for i in old or []}
            new_items = {_item_key(i): i for i in new or []}
            added = [new_items[k] for k in new_items if k not in old_items]
            removed = [old_items[k] for k in old_items if k not in new_items]
            if added or removed:
                out[field] = {"added": added, "removed": removed}
        elif field == "confidence":
            if old is None or new is None or round(old, 3) != round(new, 3):
                out[field] = {"approved": old, "draft": new}
        elif old != new:
            out[field] = {"approved": old, "draft": new}
    return out


def describe_change(field: str, change: dict[str, Any]) -> str:
    """One line for a diff entry, for the CLI and the web page."""
    if "added" in change:
        def label(item: Any) -> str:
            if isinstance(item, dict):
                return str(item.get("text") or item.get("sentence") or item.get("organisation") or item.get("name") or item)
            return str(item)
        parts = [f"+ {label(i)}" for i in change["added"]] + [f"− {label(i)}" for i in change["removed"]]
        return f"{field}: " + "; ".join(parts)
    return f"{field}: {change['approved']!r} → {change['draft']!r}"
