"""What the review desk reads and what its actions report, as frozen records.

The rows are read by name in templates and older callers (`row["name"]`), and dumped in their
declared order for `--json` output: the order of the store's SELECT, which the CLI contract
tests pin. An action's outcome is also what the audit log stores as its `after`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from dossier.records.profiles import Named
from dossier.records.warehouse import StoredRow

# Per field, the value a reviewer set (reviewer overrides, applied on top of every draft).
Overrides = dict[str, JsonValue]
# A draft refresh's counts: created, updated, unchanged (and what else the refresh reports).
DraftCounts = dict[str, int]


class EntityRef(Named):
    """An organisation a reviewer named: its id and canonical name."""

    id: str
    name: str


# --- the queue ---------------------------------------------------------------------------

class QueueRow(Named):
    """A candidate of the review queue: an organisation's latest revision with the asked status.
    `diff` and `overrides` are the stored JSON text."""

    entity_id: str
    revision: int
    status: str
    name: str
    type: str | None = None
    grade: str
    grade_label: str
    confidence: float
    primary_domain: str | None = None
    region: str | None = None
    impact: str | None = None
    source_count: int
    independent_source_count: int
    last_seen: datetime | None = None
    updated_at: datetime | None = None
    approved_revision: int | None = None
    diff: str | None = None
    overrides: str | None = None
    content_hash: str | None = None  # what a bulk decision checks the draft against
    monitoring: bool = False  # parked under monitoring (docs/review.md, "Monitoring")


class Priority(Named):
    """A queue row's priority and its three factors (dossier.review.queue)."""

    impact_weight: float
    uncertainty: float
    recency: float
    priority: float


class RankedRow(QueueRow):
    """A queue row with its priority factors, as the queue orders and lists it."""

    impact_weight: float
    uncertainty: float
    recency: float
    priority: float


# --- claims, articles, the audit log -------------------------------------------------------

class ClaimRow(Named):
    """A claim about an organisation (as subject or object) with its source and verdict."""

    id: str
    type: str
    polarity: str
    modality: str
    evidence: str
    evidence_start: int
    evidence_end: int
    subject_id: str
    subject: str
    object: str | None = None
    object_id: str | None = None
    confidence: float | None = None
    confidence_detail: str | None = None
    rule: str | None = None
    attributed_to: str | None = None
    article_id: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: datetime | None = None
    verdict: str | None = None  # accepted | rejected | None (open)

    def to_json(self) -> dict[str, object]:
        """The claim as `dossier review show --json` lists it."""
        return self.model_dump()


class ClaimInArticle(Named):
    """A claim with its article's text, to show its evidence sentence where it stands."""

    id: str
    type: str
    polarity: str
    modality: str
    evidence: str
    evidence_start: int
    evidence_end: int
    subject_id: str
    subject: str
    object: str | None = None
    confidence: float | None = None
    confidence_detail: str | None = None
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    article_text: str | None = None
    published: datetime | None = None
    verdict: str | None = None


class EntityArticle(Named):
    """An article that mentions an organisation."""

    id: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: datetime | None = None


class ReviewEvent(StoredRow):
    """One row of the append-only audit log, with the organisation's name; `before` and `after`
    are the stored JSON text."""

    id: str
    occurred_at: datetime
    reviewer: str
    action: str
    entity_id: str | None = None
    revision: int | None = None
    before: str | None = None
    after: str | None = None
    note: str | None = None
    name: str | None = None


# --- what the identity and claim actions report ------------------------------------------

class Outcome(Named):
    """What an action did, as it reports it and the audit log records it as `after`."""

    def logged(self) -> dict[str, object]:
        """The outcome as the audit log stores it."""
        return self.model_dump()


class MergeOutcome(Outcome):
    """A merge: its judgement, the organisation kept, its refreshed draft."""

    judgement: str
    kept: str
    draft_revision: int | None = None
    drafts: DraftCounts


class SplitOutcome(Outcome):
    """A split: its judgement, the alias split off and the organisation it now names."""

    judgement: str
    alias: str
    new_entity: str
    drafts: DraftCounts


class UnmergeOutcome(Outcome):
    """An unmerge: the judgement that undid the merge, and the organisation restored."""

    judgement: str
    kept: str
    restored: str
    drafts: DraftCounts


class UnsplitOutcome(Outcome):
    """An unsplit: the judgement that undid the split, and the organisation the alias names again."""

    judgement: str
    alias: str
    restored_to: str
    drafts: DraftCounts


class ClaimVerdict(Outcome):
    """A reviewer's verdict on a claim, with what the claim said when it was given and how many
    claims it covers now (the claim and its copies, docs/review.md "The same claim")."""

    verdict: str
    claim: str
    type: str
    polarity: str
    evidence: str
    copies: int = 1

    @property
    def other_copies(self) -> str:
        """What the verdict reached beyond the claim itself, as the desk and the CLI say it
        (", and with it 2 copies of it from other stories"), or nothing."""
        others = self.copies - 1
        if others < 1:
            return ""
        return f", and with it {others} {'copy' if others == 1 else 'copies'} of it from other stories"


# --- identity decisions: what a merge or split would move, and what can be undone ---------

class OrganisationMatch(Named):
    """An organisation a search found: its id, its name, and the alias that matched when its
    name did not."""

    id: str
    name: str
    alias: str | None = None


class RevisionState(Named):
    """A revision's number and status."""

    revision: int
    status: str


class MovingClaim(Named):
    """A claim a merge would move to the kept organisation, as the confirmation lists it."""

    id: str
    type: str
    polarity: str
    modality: str
    subject: str
    object: str | None = None
    evidence: str


class MergePreview(Named):
    """What merging `merged` into `kept` moves, row for row as the merge would: the aliases
    the kept organisation does not hold yet, the mentions and the articles they are in, the
    claims (as subject or object), the place ties, and the revisions that become superseded."""

    kept: EntityRef
    merged: EntityRef
    aliases: list[str]
    mentions: int
    articles: list[EntityArticle]
    claims: list[MovingClaim]
    ties: int
    retired: list[RevisionState]


class SplitPreview(Named):
    """What splitting `alias` off `entity` moves: the alias rows, the mentions written as the
    alias and the articles they are in, to the organisation `new_id` (which may exist already)."""

    entity: EntityRef
    alias: str
    new_id: str
    new_exists: bool
    aliases: list[str]
    mentions: int
    articles: list[EntityArticle]


class SplitOff(Named):
    """A split in force: the alias split off an organisation and the organisation it names now."""

    alias: str
    new_id: str
