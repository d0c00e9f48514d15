"""Warehouse rows the store hands out as they are stored: users, feeds, runs, the current
profiles' listing, what is known of each feed entry; and the shapes of rows handed in to the
store's writers.

Read rows are frozen records that can also be read by name (`row["url"]`), as templates and
callers written against rows do. A row read whole (`SELECT *`) keeps a column a later
migration adds, after the declared ones as the table lists it, so `--json` output shows what
the table holds even before the record declares it.
"""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

from pydantic import ConfigDict, JsonValue

from dossier.records.profiles import Named


class StoredRow(Named):
    """A whole warehouse row: its declared columns typed, any later column carried through."""

    model_config = ConfigDict(frozen=True, extra="allow")

    def to_json(self) -> dict[str, object]:
        """The row as JSON-ready data, columns in the table's order (`--json` output)."""
        return self.model_dump()


# --- people who may sign in --------------------------------------------------------------

class UserSummary(Named):
    """A user as listings show one: never the password hash."""

    username: str
    role: str  # viewer | reviewer | admin
    active: bool
    created_at: datetime
    disabled_at: datetime | None = None

    def to_json(self) -> dict[str, object]:
        """The user as `dossier users list --json` prints it."""
        return self.model_dump()


class User(UserSummary):
    """A user as sign-in checks one: with the password hash and the version of their sessions
    (a session issued under an older version has ended)."""

    password_hash: str
    session_version: int | None = 0


# --- feeds -------------------------------------------------------------------------------

class Feed(StoredRow):
    """A configured feed: its validators, its health and when it may next be polled."""

    url: str
    title: str | None = None
    site_url: str | None = None
    publisher: str | None = None
    reliability: float | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_polled: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_warning: str | None = None
    error_count: int = 0
    added_at: datetime
    origin: str  # user | cli | demo
    active: bool
    next_poll_after: datetime | None = None
    last_success: datetime | None = None


# --- runs --------------------------------------------------------------------------------

Counts = dict[str, JsonValue]
Items = list[JsonValue]


class Run(StoredRow):
    """An ingestion run as stored, its JSON columns decoded (empty while it has not finished)."""

    id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str  # running | completed | failed | interrupted
    duration_s: float | None = None
    counts: Counts = {}
    durations: Counts = {}
    failures: Items = []
    warnings: Items = []
    stage_counts: Counts = {}
    skipped: Items = []
    kind: str = "ingest"  # ingest | reprocess


class RunEnd(TypedDict, total=False):
    """What a finished run stores on its row (a run summary's `to_row()`)."""

    finished_at: datetime
    status: str
    kind: str  # ingest or reprocess
    duration_s: float
    counts: Counts
    durations: Counts
    failures: Items
    warnings: Items
    stage_counts: Counts
    skipped: Items


# --- profiles ----------------------------------------------------------------------------

class ProfileListing(StoredRow):
    """A current profile as `v_profiles_current` lists it (the approved revision over a draft)."""

    entity_id: str
    name: str
    aliases: list[str] | None = None
    type: str | None = None
    category: str | None = None
    region: str | None = None
    primary_domain: str | None = None
    confidence: float
    grade: str
    grade_label: str
    source_count: int
    independent_source_count: int
    status: str
    revision: int
    updated_at: datetime | None = None
    known_id: str | None = None
    ticker: str | None = None
    isin: str | None = None
    wikipedia_url: str | None = None


# --- articles ----------------------------------------------------------------------------

class EntryState(Named):
    """What the warehouse knows of one feed entry: the stored article's id, status, validators
    and content hash, so a run fetches only what is new or changed."""

    feed_url: str
    entry_key: str
    id: str
    status: str
    entry_updated: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    canonical_url: str | None = None


# --- rows handed in to the writers (built by the pipeline, written as they are) -----------

class ArticleRow(TypedDict, total=False):
    """An `articles` row: an analysed article, or (status failed|skipped) an entry that failed."""

    id: str
    url: str
    canonical_url: str
    feed_url: str
    entry_key: str
    entry_updated: datetime | None
    title: str | None
    published: datetime | None
    fetched: datetime | None
    author: str | None
    site_name: str | None
    publisher: str | None
    language: str | None
    text: str | None
    content_hash: str | None
    cluster_id: str | None
    minhash: bytes | None
    status: str  # ok | failed | skipped
    error: str | None
    etag: str | None
    last_modified: str | None
    models_version: str
    limited: bool              # the page could not be read whole (dossier.ingest.access)
    limited_reason: str | None
    first_seen: datetime
    last_seen: datetime


class EntityRow(TypedDict):
    """An `entities` row: an organisation or a place."""

    id: str
    name: str
    kind: str  # organisation | location
    country: str | None
    continent: str | None
    first_seen: datetime
    last_seen: datetime


class EntityLinkRow(TypedDict):
    """An organisation's identifiers in reference data (written onto its `entities` row)."""

    id: str
    known_id: str | None
    ticker: str | None
    isin: str | None
    wikipedia_url: str | None


class AliasRow(TypedDict):
    """An `aliases` row: a name an organisation goes by, and how it was learned."""

    entity_id: str
    alias: str
    alias_key: str
    learned: str
    first_seen: datetime


class MentionRow(TypedDict):
    """A `mentions` row: where an article names an entity."""

    id: str
    article_id: str
    entity_id: str
    text: str
    label: str
    start_char: int
    end_char: int
    sentence_start: int
    sentence_end: int
    first_seen: datetime
    last_seen: datetime


class ClaimRow(TypedDict):
    """A `claims` row as extraction writes it."""

    id: str
    subject_id: str
    type: str
    object_id: str | None
    object_text: str | None
    polarity: str
    modality: str
    evidence: str
    evidence_start: int
    evidence_end: int
    article_id: str
    rule: str | None
    extractor_version: str
    extractor_confidence: float
    confidence: float
    confidence_detail: str
    attributed_to: str | None
    first_seen: datetime
    last_seen: datetime


class TieRow(TypedDict):
    """A `ties` row: an organisation tied to a place by an article's sentence."""

    id: str
    organisation_id: str
    place_id: str
    kind: str
    article_id: str
    evidence_start: int
    evidence_end: int
    first_seen: datetime
    last_seen: datetime


class ArticleBatch(TypedDict):
    """One batch of analysed articles as rows per table, written in one transaction."""

    articles: list[ArticleRow]
    entities: list[EntityRow]
    entity_links: NotRequired[list[EntityLinkRow]]
    aliases: list[AliasRow]
    mentions: list[MentionRow]
    claims: list[ClaimRow]
    ties: list[TieRow]
