"""Impact, operational criticality and time horizon: each documented rule (docs/profiles.md)."""

import pytest

from dossier.scoring.impact import ClaimSummary, rate_criticality, rate_impact, rate_time_horizon


def c(ctype, polarity="affirmed", modality="asserted", sources=1):
    return ClaimSummary(ctype, polarity, modality, sources)


@pytest.mark.parametrize("ctype", ["acquisition", "merger", "purchase_commitment", "investment", "market_entry_exit",
                                   "regulatory_action"])
def test_an_affirmed_deal_changing_claim_is_high_impact(ctype):
    assert rate_impact([c(ctype)], 1) == ("high", f"affirmed {ctype}")


def test_wide_coverage_is_high_impact_only_with_three_sources_and_three_claims():
    three = [c("product_launch"), c("financial_result"), c("other")]
    assert rate_impact(three, 3) == ("high", "3 affirmed claims from 3 independent sources")
    assert rate_impact(three, 2) == ("low", "no affirmed claim of consequence")
    assert rate_impact(three[:2], 5)[0] == "low"


@pytest.mark.parametrize("ctype", ["partnership", "supply", "facility", "purchase_option", "legal_action",
                                   "leadership_change", "workforce"])
def test_an_affirmed_operational_claim_is_medium_impact(ctype):
    assert rate_impact([c(ctype)], 1) == ("medium", f"affirmed {ctype}")


def test_negated_claims_never_raise_impact():
    assert rate_impact([c("purchase_commitment", "negated"), c("partnership")], 1) == ("medium", "affirmed partnership")
    assert rate_impact([c("acquisition", "negated")], 1) == ("low", "no affirmed claim of consequence")
    assert rate_impact([], 0)[0] == "low"


def test_criticality_follows_physical_dependency():
    assert rate_criticality([c("supply")])[0] == "high"
    assert rate_criticality([c("facility"), c("partnership")])[0] == "high"
    assert rate_criticality([c("partnership")]) == ("medium", "commercial ties without a physical dependency")
    assert rate_criticality([c("supply", "negated"), c("investment")])[0] == "medium"
    assert rate_criticality([c("supply", "negated")]) == ("low", "no operational dependency found")


def test_time_horizon_follows_the_modality_of_affirmed_claims():
    assert rate_time_horizon([]) == ("unknown", "no affirmed claims")
    assert rate_time_horizon([c("supply", "negated", "planned")]) == ("unknown", "no affirmed claims")
    assert rate_time_horizon([c("supply"), c("facility", modality="reported")]) == ("now", "claims describe what has happened")
    assert rate_time_horizon([c("supply", modality="planned"), c("facility")]) == ("6–24 months", "1 of 2 claims are plans")
    assert rate_time_horizon([c("supply", modality="hedged"), c("facility", modality="hedged"), c("other", modality="planned")]) \
        == ("uncertain", "2 of 3 claims are hedged")
    # A tie between plans and hedges reads as a plan.
    assert rate_time_horizon([c("supply", modality="hedged"), c("facility", modality="planned")])[0] == "6–24 months"
