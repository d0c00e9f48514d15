"""What the review desk shows, built once: the web pages, their JSON and `dossier review show
--json` read the same view records, so that the browser and the terminal never build a view
two ways (as datasette's view data functions feed HTML and JSON alike)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from dossier.records.profiles import Revision
from dossier.records.queue import MonitoringRule, QueuePage, QueueQuery
from dossier.records.review import ClaimInArticle, ClaimRow, EntityArticle, RankedRow
from dossier.review import desk
from dossier.review.identity import IdentityDecisions, identity_decisions
from dossier.review.revisions import describe_change
from dossier.store.session import Session as Reader

# What a view's `to_json` returns: JSON-ready data, for `json.dumps(..., default=str)`.
JsonObject = dict[str, object]

CONTEXT_CHARS = 700  # article text shown either side of an evidence sentence


@dataclass(frozen=True)
class RevisionEntry:
    """One revision in a profile's history: its number, status and who reviewed it, when, why."""

    revision: int
    status: str
    reviewer: str | None
    reviewed_at: datetime | None
    note: str | None

    @classmethod
    def from_row(cls, row: Revision) -> RevisionEntry:
        return cls(row.revision, row.status, row.reviewer, row.reviewed_at, row.note)


@dataclass(frozen=True)
class FieldChange:
    """One field of a draft that differs from the approved revision, said in words."""

    field: str
    change: object
    description: str


@dataclass(frozen=True)
class ProfileReview:
    """One revision of an organisation's profile as a reviewer weighs it: the revision, every
    revision beside it, the claims with their verdicts, and what changed since approval."""

    entity_id: str
    profile: Revision
    revisions: Sequence[Revision]
    claims: Sequence[ClaimRow]
    changes: Sequence[FieldChange]
    is_latest_draft: bool

    @property
    def overrides(self) -> Mapping[str, object]:
        """The reviewer overrides applied to this revision."""
        return self.profile.overrides or {}

    def revision_history(self) -> list[RevisionEntry]:
        """Each revision's number, status and review, newest first."""
        return [RevisionEntry.from_row(r) for r in self.revisions]

    def to_json(self) -> JsonObject:
        """The view as JSON-ready data (`dossier review show --json`)."""
        return {"profile": self.profile.to_row(), "claims": [c.to_json() for c in self.claims],
                "revisions": [asdict(entry) for entry in self.revision_history()]}


@dataclass(frozen=True)
class ProfileSurroundings:
    """What the desk's profile page shows around a revision: sources, names, the fields
    reviewers set, and the merges and splits in force (which can be undone)."""

    articles: Sequence[EntityArticle]
    aliases: Sequence[str]
    overrides: Mapping[str, object]
    identity: IdentityDecisions = field(default_factory=IdentityDecisions)


@dataclass(frozen=True)
class ClaimInContext:
    """A claim with the article text around its evidence sentence and its confidence's detail."""

    claim: ClaimInArticle
    before: str
    sentence: str
    after: str
    detail: Mapping[str, object]

    @property
    def context(self) -> dict[str, str]:
        return {"before": self.before, "sentence": self.sentence, "after": self.after}


@dataclass(frozen=True)
class QueueEntry:
    """One line of the review queue and how many fields changed against the approved revision
    (None: nothing to compare with)."""

    row: RankedRow
    changes: int | None

    def to_json(self) -> JsonObject:
        """The row without its bulky diff and overrides (`dossier review list --json`)."""
        return self.row.model_dump(exclude={"diff", "overrides"})


def review_profile(con: Reader, entity_id: str, revision: int | None = None) -> ProfileReview | None:
    """The profile for review: revision `revision`, else the latest draft, else the approved one;
    None when the organisation has no such revision (or no profile)."""
    revisions = con.revisions.revisions(entity_id)
    if not revisions:
        return None
    if revision is not None:
        row = next((r for r in revisions if r.revision == revision), None)
    else:
        row = desk.latest_draft(con, entity_id) or desk.current_revision(con, entity_id) or revisions[0]
    if row is None:
        return None
    changes = tuple(FieldChange(name, change, describe_change(name, change)) for name, change in (row.diff or {}).items())
    latest = next((r for r in revisions if r.status == "draft"), None)
    return ProfileReview(entity_id=entity_id, profile=row, revisions=tuple(revisions),
                         claims=tuple(con.claims.entity_claims(entity_id)), changes=changes,
                         is_latest_draft=latest is not None and latest.revision == row.revision)


def profile_surroundings(con: Reader, entity_id: str) -> ProfileSurroundings:
    """The page's context of an organisation's profile (see ProfileSurroundings)."""
    return ProfileSurroundings(
        articles=tuple(con.reviews.entity_articles(entity_id)),
        aliases=tuple(con.reviews.entity_aliases(entity_id)),
        overrides=con.revisions.active_overrides([entity_id]).get(entity_id, {}),
        identity=identity_decisions(con, entity_id))


def claim_in_context(con: Reader, claim_id: str) -> ClaimInContext | None:
    """A claim where it stands in its article (CONTEXT_CHARS either side); None if unknown."""
    row = con.claims.claim_in_context(claim_id)
    if row is None:
        return None
    text, start, end = row.article_text or "", row.evidence_start, row.evidence_end
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    detail = json.loads(row.confidence_detail) if row.confidence_detail else {}
    return ClaimInContext(claim=row, before=("…" if lo else "") + text[lo:start], sentence=text[start:end],
                          after=text[end:hi] + ("…" if hi < len(text) else ""), detail=detail)


@dataclass(frozen=True)
class QueueView:
    """A page of the queue as the desk and `dossier review list` show it: the page (its query,
    rows and counts) and each row with its count of changes."""

    page: QueuePage
    entries: Sequence[QueueEntry]


def review_queue(con: Reader, query: QueueQuery, rule: MonitoringRule | None = None,
                 now: datetime | None = None) -> QueueView:
    """A page of the queue (desk.queue_page's order, filters and search), each entry with its count of changes."""
    page = desk.queue_page(con, query, rule, now)
    return QueueView(page, tuple(QueueEntry(row, len(json.loads(row.diff)) if row.diff else None) for row in page.rows))
