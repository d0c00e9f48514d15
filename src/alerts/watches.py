"""Watch records from what a person asks to watch: kinds and values checked, ids stable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

from dossier.assets import load_json
from dossier.errors import UsageError
from dossier.ids import make_id
from dossier.records import ClaimType, Continent
from dossier.records.alerts import EVERY_ORGANISATION, WATCH_KINDS, Watch


class WatchError(UsageError):
    """A watch that cannot work: an unknown kind, claim type, domain or region."""


def watch_id(kind: str, value: str) -> str:
    """The id of a watch: one per kind and value, so adding it twice changes nothing."""
    return make_id("watch", kind, value)


def domains() -> list[str]:
    """Every primary domain the taxonomy gives organisations."""
    return sorted({t["domain"] for t in load_json("taxonomy.json")["types"] if t.get("domain")})


def _choose(what: str, value: str, choices: list[str]) -> str:
    """`value` as spelled in `choices` (case-insensitive), or a WatchError listing them."""
    for choice in choices:
        if choice.lower() == value.strip().lower():
            return choice
    raise WatchError(f"unknown {what} {value!r}; use one of: {', '.join(choices)}")


def make_watch(kind: str, value: str | None, label: str | None = None, created_by: str | None = None,
               now: datetime | None = None) -> Watch:
    """A watch of `kind` on `value` (an organisation's entity id, resolved by the caller, with its
    name as `label`; a claim type, domain or region checked here; for grade, an entity id or
    none for every organisation)."""
    kind = kind.replace("-", "_")
    if kind not in WATCH_KINDS:
        raise WatchError(f"unknown watch kind {kind!r}; use one of: {', '.join(WATCH_KINDS)}")
    if kind == "claim_type":
        value = _choose("claim type", value or "", list(get_args(ClaimType)))
    elif kind == "domain":
        value = _choose("domain", value or "", domains())
    elif kind == "region":
        value = _choose("region", value or "", list(get_args(Continent)))
    elif kind == "grade" and not value:
        value, label = EVERY_ORGANISATION, "every organisation"
    elif not value:
        raise WatchError(f"a {kind} watch needs a value")
    return Watch(id=watch_id(kind, value), kind=kind, value=value, label=label or value, created_by=created_by,
                 created_at=now or datetime.now(UTC))
