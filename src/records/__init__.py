"""Typed, frozen records that pipeline stages hand each other.

Dicts appear only at the edges (feedparser output, DuckDB rows); between stages the data
travels as these models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

ClaimType = Literal[
    "partnership", "acquisition", "merger", "investment", "supply", "purchase_commitment",
    "purchase_option", "facility", "workforce", "product_launch", "financial_result",
    "regulatory_action", "legal_action", "leadership_change", "market_entry_exit", "other",
]
Polarity = Literal["affirmed", "negated"]
Modality = Literal["asserted", "reported", "hedged", "planned"]
Continent = Literal[
    "Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Antarctica"
]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- ingest -----------------------------------------------------------------------------

class FeedEntry(Record):
    """One item of a feed, keyed by its GUID (or its link when it has none)."""

    feed_url: str
    key: str
    link: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    summary: str | None = None  # the feed's summary as plain text: analysed when the page is refused


class FeedPoll(Record):
    """The outcome of one conditional GET of a feed."""

    feed_url: str
    status: int | None
    not_modified: bool = False
    etag: str | None = None
    modified: str | None = None
    title: str | None = None
    site_url: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    warning: str | None = None
    error: str | None = None
    skipped: str | None = None         # why the feed was not requested (robots.txt), not a failure
    retry_after: float | None = None   # seconds the server asked us to stay away (429/503 Retry-After)
    durations: dict[str, float] = {}   # seconds in feed_poll (HTTP) and feed_parse


class Page(Record):
    """A fetched HTTP response body, decoded."""

    url: str
    final_url: str
    status: int
    html: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime


class ArticleText(Record):
    """The main text of a page and its metadata, as the text extractor found them."""

    url: str
    canonical_url: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    text: str
    content_hash: str


class Failure(Record):
    """One item that could not be processed, with the stage and a reason a person can act on."""

    stage: str
    item: str
    reason: str


# --- extraction (the `dossier extract --json` contract is built from these) -------------

class Span(Record):
    """A stretch of the article text, by character offsets."""

    text: str
    start: int
    end: int


class EntitySpan(Span):
    label: str


class Mention(Span):
    """A mention of an organisation or place, with the sentence that holds it."""

    label: str
    sentence_start: int
    sentence_end: int


class Organisation(Record):
    name: str
    aliases: tuple[str, ...] = ()
    alias_sources: tuple[tuple[str, str], ...] = ()  # (alias, how it was learned)
    mentions: tuple[Mention, ...] = ()
    known_id: str | None = None  # the gazetteer link (dossier.extract.gazetteer), when one of its names is known


class Location(Record):
    name: str
    country: str | None = None
    continent: Continent | None = None
    mentions: tuple[Mention, ...] = ()


class Claim(Record):
    subject: str
    type: ClaimType
    object: str | None = None
    object_is_organisation: bool = False
    polarity: Polarity = "affirmed"
    modality: Modality = "asserted"
    evidence: str
    start: int
    end: int
    confidence: float = 0.5
    rule: str = ""
    # Who the claim is attributed to ("X said", "according to X", "X told ..."): an
    # organisation's canonical name or a person as written; None when the text vouches for it.
    attributed_to: str | None = None


TieKind = Literal["headquarters", "site", "market", "other"]


class PlaceTie(Record):
    """An organisation tied to a place in one sentence, with the kind of tie."""

    organisation: str
    place: str
    country: str | None = None
    kind: TieKind = "other"
    start: int
    end: int


class Analysis(Record):
    """Everything extraction found in one text."""

    entities: tuple[EntitySpan, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    locations: tuple[Location, ...] = ()
    claims: tuple[Claim, ...] = ()
    ties: tuple[PlaceTie, ...] = ()
