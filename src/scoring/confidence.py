"""The confidence model: documented feature functions, weights in one place, score with detail.

Each feature returns a value in [0, 1] and a detail dict saying why; the score is the
weighted sum minus the contradiction penalty, clipped to [0, 1]. The detail is stored with
every profile revision and claim so a reviewer can see where a grade came from.

Everything counts per story, not per article: sources through each near-duplicate cluster's
first report, claims as one per (claim, cluster), so syndicated copies never move the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from dossier.scoring.grades import grade_for

DEFAULT_RELIABILITY = 0.6
RECENCY_HALF_LIFE_DAYS = 90.0
CONTRADICTION_PENALTY = 0.15


@dataclass(frozen=True)
class SourceEvidence:
    """One article's contribution to a profile."""

    article_id: str
    publisher: str
    cluster_id: str
    reliability: float | None
    published: datetime | None


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
class ScoreInput:
    sources: Sequence[SourceEvidence]
    claims: Sequence[ClaimEvidence]
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class Feature:
    name: str
    value: float
    weight: float
    detail: dict[str, Any]


def _report_order(sources: Sequence[SourceEvidence]) -> list[SourceEvidence]:
    """Sources oldest first (undated last, then by article id): the order first reports are chosen in."""
    return sorted(sources, key=lambda s: (s.published is None, s.published or datetime.min.replace(tzinfo=timezone.utc), s.article_id))


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
    """Exponential decay of the newest story's age (its first report), half-life 90 days."""
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


# The model: (feature function, weight). Weights sum to 1.
FEATURES: tuple[tuple[Callable[[ScoreInput], tuple[float, dict[str, Any]]], float], ...] = (
    (independent_sources, 0.35),
    (source_reliability, 0.20),
    (extraction_certainty, 0.20),
    (hedging, 0.10),
    (recency, 0.15),
)


@dataclass(frozen=True)
class Confidence:
    score: float
    grade: str
    label: str
    features: tuple[Feature, ...]
    contradicted: tuple[tuple[str, str, str | None], ...]

    def detail(self) -> dict[str, Any]:
        """The stored explanation: every feature's value, weight and detail, and the penalty."""
        return {
            "score": self.score,
            "features": {f.name: {"value": round(f.value, 4), "weight": f.weight, **f.detail} for f in self.features},
            "contradictions": [list(k) for k in self.contradicted],
            "contradiction_penalty": CONTRADICTION_PENALTY if self.contradicted else 0.0,
        }


def score_profile(data: ScoreInput) -> Confidence:
    """Weighted feature sum, minus a penalty when sources contradict each other."""
    features = []
    for function, weight in FEATURES:
        value, detail = function(data)
        features.append(Feature(function.__name__, value, weight, detail))
    contradicted = contradictions(data)
    raw = sum(f.value * f.weight for f in features) - (CONTRADICTION_PENALTY if contradicted else 0.0)
    score = round(min(max(raw, 0.0), 1.0), 4)
    grade, label = grade_for(score)
    return Confidence(score, grade, label, tuple(features), tuple(contradicted))


def score_claim(extractor_confidence: float, reliability: float | None, modality: str) -> tuple[float, dict[str, Any]]:
    """A single claim's confidence: extraction certainty, its source's reliability, and hedging."""
    rel = reliability if reliability is not None else DEFAULT_RELIABILITY
    hedge = 0.5 if modality == "hedged" else 1.0
    score = round(0.5 * extractor_confidence + 0.3 * rel + 0.2 * hedge, 4)
    return score, {"extractor": extractor_confidence, "reliability": rel, "hedge": hedge,
                   "weights": {"extractor": 0.5, "reliability": 0.3, "hedge": 0.2}}
