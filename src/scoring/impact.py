"""Impact, operational criticality and time horizon of a profile, by documented rules.

Rules read the profile's claims after aggregation (one entry per subject/type/object, with
polarity, modality and independent source count). Negated claims never raise a rating.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimSummary:
    type: str
    polarity: str
    modality: str
    sources: int


# Every value the rules below give, lowest first: what a reviewer's edit may set too.
IMPACT_LEVELS = ("low", "medium", "high")
CRITICALITY_LEVELS = ("low", "medium", "high")
TIME_HORIZONS = ("now", "6–24 months", "uncertain", "unknown")

HIGH_IMPACT = {"acquisition", "merger", "purchase_commitment", "investment", "market_entry_exit", "regulatory_action"}
MEDIUM_IMPACT = {"partnership", "supply", "facility", "purchase_option", "legal_action", "leadership_change", "workforce"}
CRITICAL = {"supply", "facility"}
SUPPORTING = {"partnership", "purchase_option", "purchase_commitment", "investment"}


def rate_impact(claims: list[ClaimSummary], independent_sources: int) -> tuple[str, str]:
    """(impact, reason): high for affirmed deal-changing claims or wide coverage; medium for
    operational ties; low otherwise."""
    affirmed = [c for c in claims if c.polarity == "affirmed"]
    high = sorted({c.type for c in affirmed if c.type in HIGH_IMPACT})
    if high:
        return "high", "affirmed " + ", ".join(high)
    if independent_sources >= 3 and len(affirmed) >= 3:
        return "high", f"{len(affirmed)} affirmed claims from {independent_sources} independent sources"
    medium = sorted({c.type for c in affirmed if c.type in MEDIUM_IMPACT})
    if medium:
        return "medium", "affirmed " + ", ".join(medium)
    return "low", "no affirmed claim of consequence"


def rate_criticality(claims: list[ClaimSummary]) -> tuple[str, str]:
    """(operational criticality, reason): high when others depend on its supply or sites."""
    affirmed = {c.type for c in claims if c.polarity == "affirmed"}
    if affirmed & CRITICAL:
        return "high", "supplies hardware or runs sites others depend on"
    if affirmed & SUPPORTING:
        return "medium", "commercial ties without a physical dependency"
    return "low", "no operational dependency found"


def rate_time_horizon(claims: list[ClaimSummary]) -> tuple[str, str]:
    """(time horizon, reason) from the modality of affirmed claims."""
    modalities = [c.modality for c in claims if c.polarity == "affirmed"]
    if not modalities:
        return "unknown", "no affirmed claims"
    planned = sum(m == "planned" for m in modalities)
    hedged = sum(m == "hedged" for m in modalities)
    if planned + hedged == 0:
        return "now", "claims describe what has happened"
    if hedged > planned:
        return "uncertain", f"{hedged} of {len(modalities)} claims are hedged"
    return "6–24 months", f"{planned} of {len(modalities)} claims are plans"
