"""The organisation graph as records: organisations as nodes, claims between two organisations as
edges. Read from the warehouse by the store, written as GraphML or CSV by dossier.profiles.graph."""

from __future__ import annotations

import datetime as dt

from dossier.records import Record


class GraphNode(Record):
    """An organisation with a current profile (approved over draft), as `v_profiles_current` shows it."""

    id: str
    name: str
    type: str | None = None
    category: str | None = None
    grade: str
    confidence: float
    status: str
    country: str | None = None   # the base country: the profile's `base`, from the places it is tied to
    region: str | None = None
    ticker: str | None = None
    isin: str | None = None


class GraphEdge(Record):
    """A claim whose subject and object are both nodes: typed, dated, with its polarity and modality."""

    id: str
    source: str
    target: str
    # Plain strings, not the extractor's literals: a warehouse keeps claims of types an older
    # models version knew, and an export must still read them.
    type: str
    polarity: str
    modality: str
    date: dt.date | None = None     # the article's publication date, else the day the claim was first seen
    confidence: float | None = None
    verdict: str | None = None   # a reviewer's "accepted"; rejected claims are no edges
    article_url: str
    evidence: str


class OrganisationGraph(Record):
    """Nodes and edges; every edge's ends are nodes."""

    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
