"""The confidence model: documented feature functions, weights in one place, score with detail.

Each feature returns a value in [0, 1] and a detail dict saying why; the score is the
weighted sum minus the contradiction penalty, clipped to [0, 1]. The detail is stored with
every profile revision and claim so a reviewer can see where a grade came from.

Everything counts per story, not per article: sources through each near-duplicate cluster's
first report, claims as one per (claim, cluster), so syndicated copies never move the score.

Two questions weigh most: is this an organisation at all (`organisation_certainty`: a reference
link, the model's labels, descriptions of it as an organisation, a type its evidence decides),
and how much evidence is there (`stories` naming it, `independent_sources` among them). A
company named in fifty stories must rank far above a figure or a fragment named once.

Evidence read through a paywall's crack counts less (`limited_access`): a story known only from
access-limited articles (a refused page's feed summary, a teaser; dossier.ingest.access) takes
its share of LIMITED_PENALTY off the score, and such an article's claims score with half their
source's reliability. With no limited article the score is exactly what it was without the rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dossier.scoring.grades import grade_for

DEFAULT_RELIABILITY = 0.6
RECENCY_HALF_LIFE_DAYS = 90.0
CONTRADICTION_PENALTY = 0.15
# Taken off a profile's score in full when every story naming it is known only from access-limited
# articles, in proportion when some are (docs/profiles.md, "Access-limited evidence").
LIMITED_PENALTY = 0.10
# A claim from an access-limited article scores with this share of its source's reliability.
LIMITED_RELIABILITY_FACTOR = 0.5


@dataclass(frozen=True)
class SourceEvidence:
    """One article's contribution to a profile."""

    article_id: str
    publisher: str
    cluster_id: str
    reliability: float | None
    published: datetime | None
    limited: bool = False  # the page could not be read whole (dossier.ingest.access)


@dataclass(frozen=True)
class ClaimEvidence:
    """One claim's contribution (after de-duplication per article), with its article's story cluster."""

    key: tuple[str, str, str | None]  # (subject, type, object)
    polarity: str
    modality: str
    extractor_confidence: float
    article_id: str
    cluster_id: str  # the article's near-duplicate cluster: copies of one story share it


@dataclass(frozen=True)
class OrganisationEvidence:
    """What says the entity is an organisation at all (not a product, a person or a figure)."""

    linked: bool = False           # linked to reference data (a listed company, a curated public body)
    typed: bool = False            # its own evidence decided a taxonomy type (descriptions, names, claims)
    described: int = 0             # sentences describing it with an organisation descriptor ("X, the carmaker")
    org_name: bool = False         # its name has a company form or head word ("... plc", "... Airways")
    labels: Mapping[str, int] = field(default_factory=dict)  # its stored mentions per entity label
    acting_claims: int = 0         # its affirmed claims as the subject
    products: int = 0              # sentences naming it as a product ("the X console", "its X")
    product_name: bool = False     # its name ends in a product or event noun ("... Show", "... Player")


@dataclass(frozen=True)
class ScoreInput:
    sources: Sequence[SourceEvidence]
    claims: Sequence[ClaimEvidence]
    # The reference time for recency: the newest evidence in the warehouse (dossier.profiles.refresh),
    # so a backfill of old news ranks its profiles as fresh as the newest story it holds.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    organisation: OrganisationEvidence = field(default_factory=OrganisationEvidence)


@dataclass(frozen=True)
class Feature:
    name: str
    value: float
    weight: float
    detail: dict[str, Any]


def _report_order(sources: Sequence[SourceEvidence]) -> list[SourceEvidence]:
    """Sources oldest first (undated last, then by article id): the order first reports are chosen in."""
    return sorted(sources, key=lambda s: (s.published is None, s.published or datetime.min.replace(tzinfo=UTC), s.article_id))


def first_reports(sources: Sequence[SourceEvidence]) -> list[SourceEvidence]:
    """The first article of each story cluster: syndicated copies collapse into it."""
    first: dict[str, SourceEvidence] = {}
    for source in _report_order(sources):
        first.setdefault(source.cluster_id, source)
    return list(first.values())


def story_claims(data: ScoreInput) -> list[ClaimEvidence]:
    """One claim per (claim key, story cluster): the one from the cluster's earliest article
    that carries it. Copies repeat their story's claims, so counting them per article would let
    syndication outvote independent reporting in the claim features."""
    rank = {s.article_id: i for i, s in enumerate(_report_order(data.sources))}
    ordered = sorted(data.claims, key=lambda c: (rank.get(c.article_id, len(rank)), c.article_id))
    kept: dict[tuple[tuple[str, str, str | None], str], ClaimEvidence] = {}
    for claim in ordered:
        kept.setdefault((claim.key, claim.cluster_id), claim)
    return list(kept.values())


def independent_source_count(sources: Sequence[SourceEvidence]) -> int:
    """Each story cluster counts once, through its first article, and each publisher once:
    syndicated copies of one story add nothing; another publisher's own story adds one."""
    return len({s.publisher for s in first_reports(sources)})


def independent_sources(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """1 - 0.5^n for n independent sources: one 0.5, two 0.75, three 0.875."""
    n = independent_source_count(data.sources)
    return 1.0 - 0.5**n, {"independent_sources": n, "articles": len(data.sources)}


# How much each signal alone says the entity is an organisation; signals combine as a
# noisy-OR (1 - the product of their doubts), so several weak ones add up but never pass 1.
ORGANISATION_SIGNALS = {"linked": 0.9, "typed": 0.6, "described": 0.4, "described_again": 0.3, "org_name": 0.4,
                        "acting_claims": 0.2, "org_labels": 0.1}
# Named as a product in at least this many sentences, more than twice as often as described as
# an organisation, and neither linked nor typed: most of its certainty goes.
PRODUCT_SENTENCES = 2
PRODUCT_FACTOR = 0.3
STORIES_HALF = 2.0  # stories for half the value of `stories`


def organisation_certainty(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """How sure we are it is an organisation: a noisy-OR of a reference link (0.9), a type its
    own evidence decided (0.6), a description as an organisation (0.4, a second sentence 0.3
    more), a company form in its name (0.4), its own affirmed claims (0.2: the extractor gives
    claims to anything it takes for an organisation), and the model's labels (0.1 times the
    share of its mentions labelled ORG); times 0.3 when it reads as a product or an event instead
    (its name ends in such a noun, or sentences name it so more than describe it as an organisation)."""
    org = data.organisation
    labelled = sum(org.labels.values())
    present = {
        "linked": 1.0 if org.linked else 0.0,
        "typed": 1.0 if org.typed else 0.0,
        "described": 1.0 if org.described >= 1 else 0.0,
        "described_again": 1.0 if org.described >= 2 else 0.0,
        "org_name": 1.0 if org.org_name else 0.0,
        "acting_claims": 1.0 if org.acting_claims else 0.0,
        "org_labels": org.labels.get("ORG", 0) / labelled if labelled else 0.0,
    }
    doubt = 1.0
    for name, strength in ORGANISATION_SIGNALS.items():
        doubt *= 1.0 - strength * present[name]
    product = not org.linked and (org.product_name or (
        org.products >= PRODUCT_SENTENCES and org.products > 2 * org.described and not org.typed))
    return (1.0 - doubt) * (PRODUCT_FACTOR if product else 1.0), {
        "signals": {k: round(v, 3) for k, v in present.items() if v}, "described": org.described,
        "acting_claims": org.acting_claims, "products": org.products, "reads_as_product": product}


def stories(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """How much the news says of it: 1 - 0.5^(n / 2) for n stories (near-duplicate clusters)
    naming it: one 0.29, two 0.5, four 0.75, ten 0.97; syndicated copies add nothing."""
    n = len(first_reports(data.sources))
    return 1.0 - 0.5 ** (n / STORIES_HALF), {"stories": n, "claims": len(story_claims(data))}


def source_reliability(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """Mean reliability prior of the publishers of each story's first report (default for unknown ones)."""
    by_publisher: dict[str, float] = {}
    for s in first_reports(data.sources):
        by_publisher[s.publisher] = s.reliability if s.reliability is not None else DEFAULT_RELIABILITY
    if not by_publisher:
        return 0.0, {"publishers": {}}
    return sum(by_publisher.values()) / len(by_publisher), {"publishers": by_publisher}


def extraction_certainty(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """Mean extractor confidence of the claims, one per story (0.5 when only mentions support the profile)."""
    claims = story_claims(data)
    if not claims:
        return 0.5, {"claims": 0, "note": "mentions only"}
    values = [c.extractor_confidence for c in claims]
    return sum(values) / len(values), {"claims": len(values)}


def hedging(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """1 minus the share of hedged claims, one per story."""
    claims = story_claims(data)
    if not claims:
        return 1.0, {"hedged": 0, "claims": 0}
    hedged = sum(1 for c in claims if c.modality == "hedged")
    return 1.0 - hedged / len(claims), {"hedged": hedged, "claims": len(claims)}


def recency(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """Exponential decay of the newest story's age (its first report) at `now`, half-life 90
    days; `now` is the newest evidence in the warehouse, so old news backfilled still ranks."""
    dates = [s.published for s in first_reports(data.sources) if s.published is not None]
    if not dates:
        return 0.5, {"newest": None}
    newest = max(dates)
    age_days = max((data.now - newest).total_seconds() / 86400.0, 0.0)
    return math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS), {"newest": newest.isoformat(), "age_days": round(age_days, 1)}


def contradictions(data: ScoreInput) -> list[tuple[str, str, str | None]]:
    """Claim keys affirmed by one story and negated by another, independent one. An edited
    copy of a story that disagrees with its original is one story, not two sources."""
    seen: dict[tuple[str, str, str | None], set[str]] = {}
    for claim in story_claims(data):  # one polarity per (key, cluster): a clash spans two clusters
        seen.setdefault(claim.key, set()).add(claim.polarity)
    return sorted((k for k, polarities in seen.items() if len(polarities) > 1), key=str)


def limited_access(data: ScoreInput) -> tuple[float, dict[str, Any]]:
    """The share of stories (near-duplicate clusters) known only from access-limited articles: a
    story with one article read whole is not limited, however many teasers it also has."""
    clusters: dict[str, bool] = {}
    for source in data.sources:
        clusters[source.cluster_id] = clusters.get(source.cluster_id, True) and source.limited
    limited = sum(clusters.values())
    return (limited / len(clusters) if clusters else 0.0), {"limited_stories": limited, "stories": len(clusters)}


# The model: (feature function, weight). Weights sum to 1.
FEATURES: tuple[tuple[Callable[[ScoreInput], tuple[float, dict[str, Any]]], float], ...] = (
    (organisation_certainty, 0.35),
    (stories, 0.20),
    (independent_sources, 0.10),
    (source_reliability, 0.10),
    (extraction_certainty, 0.10),
    (hedging, 0.05),
    (recency, 0.10),
)


@dataclass(frozen=True)
class Confidence:
    score: float
    grade: str
    label: str
    features: tuple[Feature, ...]
    contradicted: tuple[tuple[str, str, str | None], ...]
    limited: Feature | None = None  # the access-limited share and its penalty, when any story is limited

    def detail(self) -> dict[str, Any]:
        """The stored explanation: every feature's value, weight and detail, and the penalties (the
        limited-access one only when it applies, so other profiles' stored details are unchanged)."""
        detail = {
            "score": self.score,
            "features": {f.name: {"value": round(f.value, 4), "weight": f.weight, **f.detail} for f in self.features},
            "contradictions": [list(k) for k in self.contradicted],
            "contradiction_penalty": CONTRADICTION_PENALTY if self.contradicted else 0.0,
        }
        if self.limited is not None:
            detail["limited_access"] = {"value": round(self.limited.value, 4), **self.limited.detail}
            detail["limited_penalty"] = round(self.limited.value * self.limited.weight, 4)
        return detail


def score_profile(data: ScoreInput) -> Confidence:
    """Weighted feature sum, minus a penalty when sources contradict each other and one for the
    share of stories known only from access-limited articles."""
    features = []
    for function, weight in FEATURES:
        value, detail = function(data)
        features.append(Feature(function.__name__, value, weight, detail))
    contradicted = contradictions(data)
    share, share_detail = limited_access(data)
    limited = Feature("limited_access", share, LIMITED_PENALTY, share_detail) if share else None
    raw = sum(f.value * f.weight for f in features) - (CONTRADICTION_PENALTY if contradicted else 0.0)
    raw -= share * LIMITED_PENALTY
    score = round(min(max(raw, 0.0), 1.0), 4)
    grade, label = grade_for(score)
    return Confidence(score, grade, label, tuple(features), tuple(contradicted), limited)


def score_claim(
    extractor_confidence: float, reliability: float | None, modality: str, limited: bool = False
) -> tuple[float, dict[str, Any]]:
    """A single claim's confidence: extraction certainty, its source's reliability (halved when its
    article is access-limited: a summary or a teaser says less than the story), and hedging."""
    rel = reliability if reliability is not None else DEFAULT_RELIABILITY
    if limited:
        rel *= LIMITED_RELIABILITY_FACTOR
    hedge = 0.5 if modality == "hedged" else 1.0
    score = round(0.5 * extractor_confidence + 0.3 * rel + 0.2 * hedge, 4)
    detail = {"extractor": extractor_confidence, "reliability": rel, "hedge": hedge,
              "weights": {"extractor": 0.5, "reliability": 0.3, "hedge": 0.2}}
    if limited:
        detail["limited"] = LIMITED_RELIABILITY_FACTOR
    return score, detail
