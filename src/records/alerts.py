"""Watches, the changes a run made that they are matched against, and the alerts they raise.

Frozen records shared by the store (which reads and writes them), the alert rules (which make
them) and the CLI, desk and webhook (which show and send them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from dossier.records import Record

WatchKind = Literal["organisation", "claim_type", "domain", "region", "grade"]
AlertKind = Literal["new_claim", "negated_claim", "contradiction", "grade_change", "new_organisation"]
WATCH_KINDS: tuple[str, ...] = ("organisation", "claim_type", "domain", "region", "grade")
ALERT_KINDS: tuple[str, ...] = ("new_claim", "negated_claim", "contradiction", "grade_change", "new_organisation")
EVERY_ORGANISATION = "*"  # the value of a grade watch over every organisation


class Watch(Record):
    """Something a reader wants to be told about; removed watches are kept, marked."""

    id: str
    kind: WatchKind
    value: str        # entity id, claim type, domain, region; for grade: an entity id or "*"
    label: str        # the value as a person reads it (an organisation's name)
    created_by: str | None = None
    created_at: datetime
    removed_at: datetime | None = None


class RunChanges(Record):
    """What one run (ingest or reprocess) changed: the organisations whose evidence it wrote,
    and since when its rows are its own (claims and organisations first seen at or after
    `since` are new in this run)."""

    run_id: str
    since: datetime
    organisations: frozenset[str] = frozenset()


class ChangedClaim(Record):
    """A claim a run wrote for the first time, with what the rules and the alert text need."""

    id: str
    subject_id: str
    subject: str
    type: str
    object_id: str | None = None
    object: str | None = None
    polarity: str
    modality: str
    evidence: str
    article_url: str | None = None
    contradicts: str | None = None  # a claim of an independent story saying the opposite


class OrganisationState(Record):
    """An organisation as its newest profile revision shows it, for grade and domain rules."""

    entity_id: str
    name: str
    grade: str
    grade_label: str
    primary_domain: str | None = None
    region: str | None = None
    first_seen: datetime | None = None


class Alert(Record):
    """One change a watch matched, with its webhook delivery state."""

    id: str
    kind: AlertKind
    entity_id: str
    organisation: str | None = None
    claim_id: str | None = None
    other_claim_id: str | None = None
    watch_ids: tuple[str, ...] = ()
    summary: str
    detail: dict[str, Any] = Field(default_factory=dict)
    run_id: str | None = None
    created_at: datetime
    attempts: int = 0
    last_error: str | None = None
    delivered_at: datetime | None = None

    @property
    def delivery(self) -> str:
        """delivered, failed (tried, not yet delivered) or pending."""
        if self.delivered_at is not None:
            return "delivered"
        return "failed" if self.attempts else "pending"

    def to_json(self) -> dict[str, Any]:
        """The alert as the webhook, `dossier alerts list --json` and the desk give it."""
        return {**self.model_dump(mode="json"), "delivery": self.delivery}
