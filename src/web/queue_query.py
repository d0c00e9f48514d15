"""A queue view in a URL: the desk reads a `QueueQuery` from the queue page's query string and
writes it back into every link (pager, sort headers, tabs, a profile's `from`), so filters,
search, sort and page survive every click and a reviewer's "next" follows the queue they came
from.

A `from` value comes back from the browser and is used as a redirect target: only the desk's
own queue path is accepted (no scheme, no host, no other path), and it is rebuilt from the
parsed query, never echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import ValidationError

from dossier.records.queue import MONITORING_VIEWS, PAGE_SIZE, SORT_KEYS, QueueQuery

QUEUE_PATH = "/queue"
PAGE_SIZES = (25, 50, 100, 200)
DIRECTIONS = ("asc", "desc")


class QueueParamError(ValueError):
    """A query-string value the queue does not know, said so a reviewer can fix the URL."""


def _choice(params: Mapping[str, str], key: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(key, "") or default
    if value not in allowed:
        raise QueueParamError(f"Unknown {key} {value!r}; use one of {', '.join(allowed)}.")
    return value


def _number(params: Mapping[str, str], key: str, default: int) -> int:
    value = params.get(key, "") or str(default)
    if not value.isdigit() or int(value) < 1:
        raise QueueParamError(f"{key} must be a whole number from 1 up, not {value!r}.")
    return int(value)


def read_query(params: Mapping[str, str], statuses: tuple[str, ...]) -> QueueQuery:
    """The queue view a query string asks for (empty values mean the defaults)."""
    size = _number(params, "size", PAGE_SIZE)
    if size not in PAGE_SIZES:
        raise QueueParamError(f"size must be one of {', '.join(map(str, PAGE_SIZES))}, not {size}.")
    direction = _choice(params, "dir", ("", *DIRECTIONS), "")
    try:
        return QueueQuery(
            status=_choice(params, "status", statuses, "draft"),
            grade=params.get("grade") or None, domain=params.get("domain") or None,
            region=params.get("region") or None, search=(params.get("q") or "").strip()[:200] or None,
            monitoring=_choice(params, "monitoring", MONITORING_VIEWS, "queue"),  # type: ignore[arg-type]
            sort=_choice(params, "sort", SORT_KEYS, "priority"),  # type: ignore[arg-type]
            descending=None if not direction else direction == "desc",
            page=_number(params, "page", 1), per_page=size)
    except ValidationError as exc:  # the choices above make this unreachable; kept as a 400, not a 500
        raise QueueParamError(str(exc)) from None


def query_params(query: QueueQuery) -> dict[str, str]:
    """The query string of a view: only what differs from the defaults, in a stable order."""
    out = {"status": query.status if query.status != "draft" else "", "grade": query.grade or "",
           "domain": query.domain or "", "region": query.region or "", "q": query.search or "",
           "monitoring": query.monitoring if query.monitoring != "queue" else "",
           "sort": query.sort if query.sort != "priority" else "",
           "dir": "" if query.descending is None else ("desc" if query.descending else "asc"),
           "page": str(query.page) if query.page != 1 else "",
           "size": str(query.per_page) if query.per_page != PAGE_SIZE else ""}
    return {key: value for key, value in out.items() if value}


def queue_url(query: QueueQuery, **changes: object) -> str:
    """The desk's URL of a view, with `changes` (QueueQuery fields) applied."""
    if changes:
        query = query.model_copy(update=changes)
    params = query_params(query)
    return QUEUE_PATH + (f"?{urlencode(params)}" if params else "")


def read_from(value: str | None, statuses: tuple[str, ...]) -> QueueQuery | None:
    """The queue view a `from` parameter names, or None when it is not the desk's own queue
    path with a valid query (anything else: an absolute URL, `//host`, another path)."""
    if not value or not value.startswith(QUEUE_PATH) or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path != QUEUE_PATH or parts.fragment:
        return None
    try:
        return read_query(dict(parse_qsl(parts.query)), statuses)
    except QueueParamError:
        return None
