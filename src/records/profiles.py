"""A profile, its evidence and its revisions as frozen records, each field's role declared once.

Which fields a reviewer may edit, which a diff reports, which the warehouse stores as JSON and
which the content hash covers is said here, on the field (`Meta`), and read everywhere else:
the store's columns, the review desk's editable fields and diffs, the cards' JSON parsing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, JsonValue

from dossier.ids import canonical_json, hash_text

DiffKind = Literal["value", "items", "rounded"]


@dataclass(frozen=True)
class Meta:
    """A profile field's role: `editable` by a reviewer (re-applied on every draft), `diff` how
    a diff against the approved revision reports it (a value, list items added/removed, or a
    value rounded to 3 places), stored as `json` in the warehouse, `hashed` (part of the
    content hash: equal content never opens a new revision), and `stored` with the revision
    (not joined in from elsewhere when read)."""

    editable: bool = False
    diff: DiffKind | None = None
    json: bool = False
    hashed: bool = True
    stored: bool = True


class Named(BaseModel):
    """A frozen record whose fields can also be read by name, as templates, notebooks and
    callers written against rows do (`profile["type"]`)."""

    model_config = ConfigDict(frozen=True)

    def __getitem__(self, name: str) -> object:
        return getattr(self, name)


class Part(Named):
    """A piece of a profile as stored in its JSON columns; rows stored by earlier versions may
    lack newer keys or carry others, and read back as they were stored."""

    model_config = ConfigDict(frozen=True, extra="allow")


class Source(Part):
    """A sentence of an article and where it was read: what a key point or summary line cites."""

    sentence: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None


class KeyPoint(Part):
    """One of the profile's strongest claims, worded as a sentence."""

    text: str
    type: str
    polarity: str
    modality: str
    independent_sources: int
    evidence: Source


class WatchItem(Part):
    """A planned, hedged or dated claim: something to watch."""

    text: str
    modality: str
    polarity: str
    evidence: Source
    when: str | None = None


class Relationship(Part):
    """Another organisation tied to this one by claims."""

    organisation: str
    type: str
    direction: str  # outgoing | incoming | both
    polarity: str
    modality: str
    independent_sources: int


class Place(Part):
    """A place the organisation is tied to, by its strongest kind of tie."""

    name: str
    country: str | None = None
    continent: str | None = None
    tie: str
    articles: int
    kinds: dict[str, int] = {}


class ClaimRead(Part):
    """How one claim read an evidence sentence."""

    type: str
    polarity: str
    modality: str


class EvidenceItem(Part):
    """One evidence sentence, the claims read from it and how many articles carry it."""

    sentence: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    type: str
    polarity: str
    modality: str
    claim_id: str | None = None
    claims: tuple[ClaimRead, ...] = ()
    copies: int = 1


def _meta(cls: type[BaseModel], name: str) -> Meta:
    return next((m for m in cls.model_fields[name].metadata if isinstance(m, Meta)), Meta())


def _plain(value: object) -> object:
    """A field's value as plain data (parts as the dicts they were built or read from)."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


Text = Annotated[str, Meta(editable=True, diff="value")]
OptionalText = Annotated[str | None, Meta(editable=True, diff="value")]
ScoreComponents = dict[str, JsonValue]


class Profile(Named):
    """An organisation's profile as assembly builds it: every field of DESIGN.md's card, the
    reviewer overrides applied to it and its diff against the approved revision."""

    entity_id: str
    name: Text
    aliases: Annotated[tuple[str, ...], Meta(diff="items")] = ()
    type: OptionalText = None
    category: OptionalText = None
    region: OptionalText = None
    base: OptionalText = None
    primary_domain: OptionalText = None
    topic: OptionalText = None
    impact: OptionalText = None
    operational_criticality: OptionalText = None
    time_horizon: OptionalText = None
    confidence: Annotated[float, Meta(diff="rounded")]
    grade: Annotated[str, Meta(diff="value")]
    grade_label: str
    score_components: Annotated[ScoreComponents, Meta(json=True)] = {}
    source_count: Annotated[int, Meta(diff="value")]
    independent_source_count: Annotated[int, Meta(diff="value")]
    sources_phrase: str | None = None
    key_points: Annotated[tuple[KeyPoint, ...], Meta(json=True, diff="items")] = ()
    what_happened: Annotated[tuple[Source, ...], Meta(json=True)] = ()
    what_to_watch: Annotated[tuple[WatchItem, ...], Meta(json=True, diff="items")] = ()
    relationships: Annotated[tuple[Relationship, ...], Meta(json=True, diff="items")] = ()
    places: Annotated[tuple[Place, ...], Meta(json=True, diff="items")] = ()
    evidence: Annotated[tuple[EvidenceItem, ...], Meta(json=True, diff="items")] = ()
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    models_version: str | None = None
    # Bookkeeping of the revision, outside the hash: they describe the revision, not the organisation.
    content_hash: Annotated[str, Meta(hashed=False)] = ""
    overrides: Annotated[dict[str, JsonValue] | None, Meta(json=True, hashed=False)] = None
    diff: Annotated[dict[str, dict[str, JsonValue]] | None, Meta(json=True, hashed=False)] = None
    approved_revision: Annotated[int | None, Meta(hashed=False)] = None
    # The organisation's external identifiers (entities), joined in when a card shows them.
    known_id: Annotated[str | None, Meta(hashed=False, stored=False)] = None
    ticker: Annotated[str | None, Meta(hashed=False, stored=False)] = None
    isin: Annotated[str | None, Meta(hashed=False, stored=False)] = None
    wikipedia_url: Annotated[str | None, Meta(hashed=False, stored=False)] = None

    @classmethod
    def fields_where(cls, **role: object) -> tuple[str, ...]:
        """The profile's fields, in order, whose `Meta` has every given value (`editable=True`)."""
        return tuple(name for name in Profile.model_fields
                     if all(getattr(_meta(Profile, name), key) == value for key, value in role.items()))

    @classmethod
    def diffed_fields(cls) -> dict[str, DiffKind]:
        """{field: how a diff reports it} for every field a diff reports."""
        return {name: kind for name in Profile.model_fields if (kind := _meta(Profile, name).diff) is not None}

    def plain(self, name: str) -> object:
        """One field as plain data: parts as dicts, tuples as lists (what JSON and diffs read)."""
        return _plain(getattr(self, name))

    def hashed_content(self) -> dict[str, object]:
        """What the content hash covers: every profile field but the revision's bookkeeping."""
        return {name: self.plain(name) for name in HASHED_FIELDS}

    def with_hash(self) -> Self:
        """This profile with its content hash renewed."""
        return self.model_copy(update={"content_hash": content_hash(self)})

    def to_row(self) -> dict[str, object]:
        """The record as its `profiles` row, JSON fields serialised (joined columns left out)."""
        row: dict[str, object] = {}
        for name in type(self).model_fields:
            if not _meta(type(self), name).stored:
                continue
            value = self.plain(name)
            row[name] = canonical_json(value) if _meta(type(self), name).json and value is not None else value
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Self:
        """A record from a warehouse row (JSON columns as DuckDB hands them back: strings)."""
        values = {name: value for name, value in row.items() if name in cls.model_fields}
        for name in JSON_FIELDS:
            text = values.get(name)
            if isinstance(text, str):
                values[name] = json.loads(text)
        if values.get("aliases") is None:
            values.pop("aliases", None)
        return cls.model_validate(values)


HASHED_FIELDS = Profile.fields_where(hashed=True)
JSON_FIELDS = Profile.fields_where(json=True)


def content_hash(profile: Profile) -> str:
    """The hash write_drafts compares: equal content never opens a new revision. Reviewer
    overrides count through the field values they set, not as a field of their own."""
    return hash_text(canonical_json(profile.hashed_content()))


class Revision(Profile):
    """A stored revision of a profile: its number, status and review."""

    revision: int
    status: str  # draft | approved | rejected | superseded
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    note: str | None = None

    def summary(self) -> RevisionSummary:
        """What the audit log records of a revision a reviewer acted on."""
        return RevisionSummary(revision=self.revision, status=self.status, content_hash=self.content_hash,
                               confidence=self.confidence, grade=self.grade)


class RevisionSummary(Named):
    """A revision as the audit log records it and a rejection reports it."""

    revision: int
    status: str
    content_hash: str
    confidence: float
    grade: str


class Approval(RevisionSummary):
    """An approved revision, and the earlier approved revision it superseded (if any)."""

    superseded: int | None = None


class Edit(Named):
    """A reviewer's edit: the overrides set (None clears one) and the draft they now shape."""

    overrides: dict[str, JsonValue]
    draft_revision: int | None = None


# --- evidence for assembly -------------------------------------------------------------------

class Row(BaseModel):
    """A warehouse row assembly reads; columns it does not read are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EvidenceEntity(Row):
    id: str
    name: str
    known_id: str | None = None


class EvidenceAlias(Row):
    alias: str
    learned: str | None = None


class EvidenceArticle(Row):
    """An article that mentions the organisation, with what corroboration counts of it."""

    article_id: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    cluster_id: str
    published: datetime | None = None
    reliability: float | None = None
    limited: bool = False  # its page could not be read whole: its evidence counts less


class EvidenceClaim(Row):
    """A claim with the organisation as subject or object, its names and its article."""

    id: str
    subject_id: str
    subject_name: str
    type: str
    object_id: str | None = None
    object_name: str | None = None
    object_text: str | None = None
    polarity: str
    modality: str
    evidence: str
    evidence_start: int
    extractor_confidence: float
    confidence: float | None = None
    article_id: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    cluster_id: str
    published: datetime | None = None
    reliability: float | None = None


class EvidencePlace(Row):
    """A place the organisation is tied to by one kind of tie, in how many articles."""

    name: str
    country: str | None = None
    continent: str | None = None
    kind: str
    articles: int


class MentionContext(Row):
    """A sentence that mentions the organisation, and where in it the mention stands."""

    sentence: str
    start: int
    end: int


class EntityEvidence(BaseModel):
    """Everything profile assembly reads of one organisation."""

    model_config = ConfigDict(frozen=True)

    entity: EvidenceEntity
    aliases: tuple[EvidenceAlias, ...] = ()
    articles: tuple[EvidenceArticle, ...] = ()
    claims: tuple[EvidenceClaim, ...] = ()
    places: tuple[EvidencePlace, ...] = ()
    contexts: tuple[MentionContext, ...] = ()
    labels: dict[str, int] = {}
