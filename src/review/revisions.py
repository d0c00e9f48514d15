"""What a reviewer may change and how a change reads: the editable fields and the diff's
lines, both read from the profile record's field metadata (dossier.records.profiles)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import JsonValue

from dossier.errors import Refused
from dossier.profiles.vocabulary import FREE_TEXT_MAX, country_of, vocabulary
from dossier.records.profiles import Profile

# Fields a reviewer may set by hand; each edit is re-applied on top of every later draft.
EDITABLE_FIELDS = Profile.fields_where(editable=True)
# Fields a diff reports (bookkeeping such as hashes, versions and timestamps is left out).
DIFF_FIELDS = tuple(Profile.diffed_fields())


class EditError(Refused, ValueError):
    """An edit the desk refuses: a field that cannot be edited, or a value it may not take."""


def check_edit(field: str, value: JsonValue = None) -> JsonValue:
    """The value to store for an edit of `field`, in its allowed spelling; refuses a field a
    reviewer may not set (the record declares which) and a value outside the field's
    vocabulary (dossier.profiles.vocabulary) or over the length of free text. None, which
    clears the field's override, is always allowed."""
    if field not in EDITABLE_FIELDS:
        raise EditError(f"{field!r} cannot be edited; editable fields: {', '.join(EDITABLE_FIELDS)}")
    if value is None:
        return None
    if not isinstance(value, str):
        raise EditError(f"{field}: {value!r} is not text")
    text = " ".join(value.split())
    if not text:
        raise EditError(f"{field}: an empty value; clear the field's override instead (--clear {field})")
    words = vocabulary(field)
    if words is None:
        if len(text) > FREE_TEXT_MAX:
            raise EditError(f"{field}: {len(text)} characters, at most {FREE_TEXT_MAX} allowed")
        return text
    found = words.match(text) or (country_of(text) if field == "base" else None)
    if found is None:
        raise EditError(f"{field}: {_shown(text)} is not a known {words.noun}; {words.allowed()}")
    return found


def _shown(value: str) -> str:
    """A refused value for a message: quoted, and cut short when long."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def allowed_values(field: str) -> tuple[str, ...] | None:
    """The values `field` may take (None: free text), for `dossier review values`."""
    if field not in EDITABLE_FIELDS:
        raise EditError(f"{field!r} cannot be edited; editable fields: {', '.join(EDITABLE_FIELDS)}")
    words = vocabulary(field)
    return words.values if words is not None else None


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
