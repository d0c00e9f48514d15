"""What the review queue is asked and what it answers: the query a reviewer builds (filters,
search, sort, page), one page of rows with the counts around it, a profile's neighbours in
that order, and the outcome of a bulk decision.

The queue's SQL (dossier.store.queue) and the desk's routes, the CLI and the bulk actions
all speak these records, so a filter means one thing everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from dossier.records.profiles import Named
from dossier.records.review import EntityRef, RankedRow

SortKey = Literal["priority", "name", "confidence", "grade", "last_seen"]
SORT_KEYS: tuple[SortKey, ...] = ("priority", "name", "confidence", "grade", "last_seen")
# Each key's direction when none is asked: most urgent, A to Z, most confident, best grade, newest.
NATURAL_DESCENDING: dict[str, bool] = {"priority": True, "name": False, "confidence": True, "grade": False,
                                       "last_seen": True}
# queue: drafts that need a reviewer (monitoring drafts left out); only: the monitoring drafts; all: both.
MonitoringView = Literal["queue", "only", "all"]
MONITORING_VIEWS: tuple[MonitoringView, ...] = ("queue", "only", "all")
PAGE_SIZE = 50


class QueueQuery(Named):
    """A view of the queue: which revisions (status, filters, search, monitoring), in which
    order, which page. Empty filters mean all; `per_page` 0 means every row on one page."""

    status: str = "draft"
    grade: str | None = None
    domain: str | None = None
    region: str | None = None
    search: str | None = None
    monitoring: MonitoringView = "queue"
    sort: SortKey = "priority"
    descending: bool | None = None  # None: the sort key's natural direction
    page: int = Field(1, ge=1)
    per_page: int = Field(PAGE_SIZE, ge=0)

    @property
    def is_descending(self) -> bool:
        """The direction in force: the asked one, else the key's natural one."""
        return NATURAL_DESCENDING[self.sort] if self.descending is None else self.descending

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page if self.per_page else 0


class MonitoringRule(Named):
    """Which drafts are parked under monitoring (docs/review.md, "Monitoring"): a draft with no
    claim about the organisation (its evidence list is empty) and a confidence below `below`."""

    below: float = Field(0.75, ge=0.0, le=1.0)


class QueueOrdering(Named):
    """What the SQL that orders the queue needs from above it: the priority formula's constants
    (dossier.review.queue, declared once there), the grades best first, and the time recency
    is measured from."""

    high: float
    medium: float
    low: float
    unrated: float
    min_uncertainty: float
    half_life_days: float
    min_recency: float
    grades: tuple[str, ...]
    now: datetime


class QueueCounts(Named):
    """How many revisions match the query's filters and search: in the queue proper, under
    monitoring, and the rows of the query's own monitoring view (`total`)."""

    queue: int
    monitoring: int
    total: int


class QueuePage(Named):
    """One page of the queue in the asked order, with the counts a pager and the tabs need."""

    query: QueueQuery
    rows: tuple[RankedRow, ...]
    counts: QueueCounts

    @property
    def pages(self) -> int:
        """Pages in the query's view (at least one, possibly empty)."""
        if not self.query.per_page:
            return 1
        return max(1, -(-self.counts.total // self.query.per_page))


class QueueNeighbours(Named):
    """Where a profile stands in a queue view: the profiles before and after it (None at either
    end), its 1-based position (None when it is not in the view) and the view's size. A
    profile not in the view (approved meanwhile, filtered out) has the view's first row next."""

    previous: EntityRef | None = None
    next: EntityRef | None = None
    position: int | None = None
    total: int = 0


class BulkPick(Named):
    """One profile ticked in the queue: the draft revision and content the reviewer saw, so that
    a draft a run changed meanwhile is refused, not decided blind."""

    entity_id: str
    revision: int | None = None
    content_hash: str | None = None


class BulkRefusal(Named):
    """A ticked profile the bulk action did not decide, and why."""

    entity_id: str
    name: str
    reason: str


class BulkOutcome(Named):
    """What a bulk approve or reject did: each profile decided (each its own review event) and
    each one refused with its reason."""

    action: Literal["approve", "reject"]
    done: tuple[EntityRef, ...] = ()
    refused: tuple[BulkRefusal, ...] = ()

    def summary(self) -> str:
        """One line for the desk's flash and the terminal."""
        verb = "Approved" if self.action == "approve" else "Rejected"
        line = f"{verb} {len(self.done)} of {len(self.done) + len(self.refused)}."
        if self.refused:
            line += " Refused: " + "; ".join(f"{r.name}: {r.reason}" for r in self.refused)
        return line
