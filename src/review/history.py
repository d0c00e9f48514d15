"""The review history as a reviewer reads it: one page of the audit log at a time, filtered by
reviewer and organisation, each action's before/after said as "field: old → new" lines rather
than the JSON the log stores (which stays untouched in `review_events` and `--json`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dossier.records.review import ReviewEvent
from dossier.store.session import Session

PAGE_SIZE = 50
VALUE_CHARS = 300  # a longer value (an evidence sentence, a list) is cut with "…"
ABSENT = "—"


@dataclass(frozen=True)
class ChangeLine:
    """One field an action changed: its dotted name and its value before and after, as text
    (ABSENT where the field was not there)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One action of the audit log with its changes."""

    event: ReviewEvent
    changes: Sequence[ChangeLine]


@dataclass(frozen=True)
class HistoryFilters:
    """What the history is narrowed to: a reviewer, one organisation (id), organisations whose
    name contains a text."""

    reviewer: str = ""
    entity: str = ""
    organisation: str = ""

    def params(self, page: int = 1) -> dict[str, str | int]:
        """The query parameters of this filter on `page` (empty filters left out)."""
        out: dict[str, str | int] = {k: v for k, v in (("reviewer", self.reviewer), ("entity", self.entity),
                                                          ("organisation", self.organisation)) if v}
        if page > 1:
            out["page"] = page
        return out


@dataclass(frozen=True)
class HistoryPage:
    """One page of the history, newest first, with what the pager and the filter form need."""

    entries: Sequence[HistoryEntry]
    filters: HistoryFilters
    page: int
    page_size: int
    total: int
    reviewers: Sequence[str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def previous(self) -> dict[str, str | int] | None:
        """The previous page's query parameters, None on the first page."""
        return self.filters.params(self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> dict[str, str | int] | None:
        """The next page's query parameters, None on the last page."""
        return self.filters.params(self.page + 1) if self.page < self.pages else None


def history_page(session: Session, filters: HistoryFilters, page: int = 1,
                 page_size: int = PAGE_SIZE) -> HistoryPage:
    """Page `page` (from 1) of the review events that match `filters`, newest first."""
    page = max(1, page)
    where = {"reviewer": filters.reviewer or None, "organisation": filters.organisation or None}
    total = session.reviews.count_events(filters.entity or None, **where)
    events = session.reviews.events(filters.entity or None, page_size, offset=(page - 1) * page_size, **where)
    entries = tuple(HistoryEntry(e, tuple(event_changes(e.before, e.after))) for e in events)
    return HistoryPage(entries=entries, filters=filters, page=page, page_size=page_size, total=total,
                       reviewers=tuple(session.reviews.event_reviewers()))


def event_changes(before: str | None, after: str | None) -> list[ChangeLine]:
    """The fields whose values differ between an event's stored `before` and `after` JSON."""
    old, new = _comparable(_parse(before), _parse(after))
    old_flat, new_flat = _flatten(old), _flatten(new)
    lines = []
    for name in [*old_flat, *(k for k in new_flat if k not in old_flat)]:
        a, b = old_flat.get(name, ABSENT), new_flat.get(name, ABSENT)
        if a != b:
            lines.append(ChangeLine(name, a, b))
    return lines


def _parse(text: str | None) -> object:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _comparable(before: object, after: object) -> tuple[object, object]:
    """Line the two sides up where an action logs them in different shapes: an approval's
    before holds the draft (and the approval it supersedes), an edit's after nests the new
    values under `overrides`."""
    if isinstance(before, Mapping) and set(before) == {"draft", "approved"}:
        before = before["draft"]
    if isinstance(after, Mapping) and isinstance(after.get("overrides"), Mapping):
        after = {**after["overrides"], **{k: v for k, v in after.items() if k != "overrides"}}
    return before, after


def _flatten(value: object, prefix: str = "") -> dict[str, str]:
    """Nested mappings as dotted field names; anything else one value (under `value` at the top)."""
    if isinstance(value, Mapping):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    if value is None and not prefix:
        return {}
    return {prefix[:-1] or "value": _text(value)}


def _text(value: object) -> str:
    """A value as one short line: lists joined, revisions as "revision N (status)"."""
    if value is None:
        text = ABSENT
    elif isinstance(value, list):
        text = ", ".join(_item(item) for item in value) or "none"
    elif isinstance(value, Mapping):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def _item(item: object) -> str:
    if isinstance(item, Mapping) and "revision" in item and "status" in item:
        return f"revision {item['revision']} ({item['status']})"
    if isinstance(item, (Mapping, list)):
        return json.dumps(item, ensure_ascii=False, default=str)
    return str(item)
