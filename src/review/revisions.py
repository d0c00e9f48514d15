"""What a reviewer may change and how a change reads: the editable fields and the diff's
lines, both read from the profile record's field metadata (dossier.records.profiles)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dossier.errors import Refused
from dossier.records.profiles import Profile

# Fields a reviewer may set by hand; each edit is re-applied on top of every later draft.
EDITABLE_FIELDS = Profile.fields_where(editable=True)
# Fields a diff reports (bookkeeping such as hashes, versions and timestamps is left out).
DIFF_FIELDS = tuple(Profile.diffed_fields())


class EditError(Refused, ValueError):
    """An edit of a field that cannot be edited."""


def check_edit(field: str) -> None:
    """Refuse a field a reviewer may not set (the record declares which they may)."""
    if field not in EDITABLE_FIELDS:
        raise EditError(f"{field!r} cannot be edited; editable fields: {', '.join(EDITABLE_FIELDS)}")


def describe_change(field: str, change: Mapping[str, Any]) -> str:
    """One line for a diff entry, for the CLI and the web page."""
    if "added" in change:
        def label(item: object) -> str:
            if isinstance(item, dict):
                return str(item.get("text") or item.get("sentence") or item.get("organisation") or item.get("name") or item)
            return str(item)
        parts = [f"+ {label(i)}" for i in change["added"]] + [f"− {label(i)}" for i in change["removed"]]
        return f"{field}: " + "; ".join(parts)
    return f"{field}: {change['approved']!r} → {change['draft']!r}"
