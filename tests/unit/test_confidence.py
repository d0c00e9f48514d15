"""Each confidence feature: its value and the detail it records."""

from datetime import UTC, datetime, timedelta

import pytest

from dossier.scoring.confidence import (
    CONTRADICTION_PENALTY,
    DEFAULT_RELIABILITY,
    FEATURES,
    ClaimEvidence,
    ScoreInput,
    SourceEvidence,
    contradictions,
    extraction_certainty,
    hedging,
    independent_sources,
    recency,
    score_claim,
    score_profile,
    source_reliability,
    story_claims,
)

NOW = datetime(2025, 12, 1, tzinfo=UTC)


def src(article, publisher, cluster=None, reliability=None, days_old=10):
    return SourceEvidence(article, publisher, cluster or article, reliability, NOW - timedelta(days=days_old))


def clm(key_type="supply", polarity="affirmed", modality="asserted", confidence=0.8, article="a", cluster=None):
    return ClaimEvidence(("s", key_type, "o"), polarity, modality, confidence, article, cluster or article)


def test_weights_sum_to_one():
    assert sum(weight for _, weight in FEATURES) == pytest.approx(1.0)


def test_independent_sources_value_and_detail():
    value, detail = independent_sources(ScoreInput(sources=[src("a", "one"), src("b", "two"), src("c", "two", cluster="b")], claims=[], now=NOW))
    assert value == pytest.approx(0.75) and detail == {"independent_sources": 2, "articles": 3}


def test_source_reliability_uses_priors_and_the_default():
    value, detail = source_reliability(ScoreInput(sources=[src("a", "one", reliability=0.9), src("b", "two")], claims=[], now=NOW))
    assert value == pytest.approx((0.9 + DEFAULT_RELIABILITY) / 2)
    assert detail == {"publishers": {"one": 0.9, "two": DEFAULT_RELIABILITY}}


def test_extraction_certainty_and_hedging():
    data = ScoreInput(sources=[], claims=[clm(confidence=0.9), clm(modality="hedged", confidence=0.6, article="b")], now=NOW)
    assert extraction_certainty(data) == (pytest.approx(0.75), {"claims": 2})
    assert hedging(data) == (pytest.approx(0.5), {"hedged": 1, "claims": 2})
    assert extraction_certainty(ScoreInput(sources=[], claims=[], now=NOW))[0] == 0.5  # mentions only


def test_recency_halves_every_ninety_days():
    value, detail = recency(ScoreInput(sources=[src("a", "one", days_old=90)], claims=[], now=NOW))
    assert value == pytest.approx(0.5) and detail["age_days"] == 90.0


def test_contradictions_are_detected_and_penalised():
    agree = ScoreInput(sources=[src("a", "one")], claims=[clm(), clm(article="b")], now=NOW)
    clash = ScoreInput(sources=[src("a", "one")], claims=[clm(), clm(polarity="negated", article="b")], now=NOW)
    assert contradictions(agree) == [] and contradictions(clash) == [("s", "supply", "o")]
    assert score_profile(agree).score - score_profile(clash).score == pytest.approx(CONTRADICTION_PENALTY, abs=1e-3)
    assert score_profile(clash).detail()["contradiction_penalty"] == CONTRADICTION_PENALTY


def test_claim_score_records_its_parts():
    score, detail = score_claim(0.8, None, "hedged")
    assert score == pytest.approx(0.5 * 0.8 + 0.3 * DEFAULT_RELIABILITY + 0.2 * 0.5)
    assert detail["reliability"] == DEFAULT_RELIABILITY and detail["hedge"] == 0.5


def test_story_claims_keep_one_claim_per_story_from_its_first_report():
    sources = [src("a", "wire", days_old=5), src("b", "paper", cluster="a", days_old=4), src("c", "other", days_old=3)]
    claims = [clm(article="b", cluster="a", confidence=0.9), clm(article="a", confidence=0.6), clm(article="c", confidence=0.7),
              clm(key_type="facility", article="b", cluster="a")]
    kept = story_claims(ScoreInput(sources=sources, claims=claims, now=NOW))
    # The copy's supply claim yields to the first report's; its facility claim is the story's only one.
    assert sorted((c.key[1], c.article_id) for c in kept) == [("facility", "b"), ("supply", "a"), ("supply", "c")]


def test_organisation_certainty_combines_its_signals():
    from dossier.scoring.confidence import OrganisationEvidence, organisation_certainty

    nothing, detail = organisation_certainty(ScoreInput(sources=[], claims=[], now=NOW))
    assert nothing == 0.0 and detail["signals"] == {}
    linked, _ = organisation_certainty(ScoreInput(sources=[], claims=[], now=NOW, organisation=OrganisationEvidence(linked=True)))
    described, _ = organisation_certainty(ScoreInput(sources=[], claims=[], now=NOW, organisation=OrganisationEvidence(described=1)))
    both, detail = organisation_certainty(ScoreInput(sources=[], claims=[], now=NOW, organisation=OrganisationEvidence(
        linked=True, typed=True, described=2, labels={"ORG": 3, "PERSON": 1})))
    assert linked == pytest.approx(0.9) and described == pytest.approx(0.4)
    assert linked < both < 1.0 and detail["signals"]["org_labels"] == 0.75


def test_stories_count_clusters_not_copies():
    from dossier.scoring.confidence import stories

    one, _ = stories(ScoreInput(sources=[src("a", "one"), src("b", "two", cluster="a")], claims=[], now=NOW))
    four, detail = stories(ScoreInput(sources=[src(x, "one") for x in "abcd"], claims=[], now=NOW))
    assert one == pytest.approx(1 - 0.5 ** 0.5) and four == pytest.approx(0.75) and detail["stories"] == 4


def test_a_company_in_many_stories_scores_well_above_a_figure_named_once():
    from dossier.scoring.confidence import OrganisationEvidence

    one_publisher = [src(f"a{i}", "news.example", reliability=0.8, days_old=i * 5) for i in range(57)]
    company = score_profile(ScoreInput(sources=one_publisher, claims=[clm(article="a1")], now=NOW, organisation=OrganisationEvidence(
        linked=True, typed=True, described=3, labels={"ORG": 80}, acting_claims=4)))
    figure = score_profile(ScoreInput(sources=[src("a9", "news.example", reliability=0.8)], claims=[], now=NOW,
                                      organisation=OrganisationEvidence(labels={"ORG": 1})))
    assert company.score - figure.score >= 0.35, (company.score, figure.score)


def test_recency_is_measured_at_the_reference_time_given():
    old = [src("a", "one", days_old=400)]
    at_now, _ = recency(ScoreInput(sources=old, claims=[], now=NOW))
    at_newest, detail = recency(ScoreInput(sources=old, claims=[], now=NOW - timedelta(days=400)))
    assert at_now < 0.1 and at_newest == pytest.approx(1.0) and detail["age_days"] == 0.0


def test_a_name_read_as_a_product_loses_most_of_its_certainty():
    from dossier.scoring.confidence import OrganisationEvidence, organisation_certainty

    def certainty(**kw):
        return organisation_certainty(ScoreInput(sources=[], claims=[], now=NOW, organisation=OrganisationEvidence(**kw)))[0]

    assert certainty(acting_claims=2, products=3) == pytest.approx(0.3 * certainty(acting_claims=2))
    assert certainty(acting_claims=2, products=1) == certainty(acting_claims=2)  # one sentence is not enough
    assert certainty(linked=True, products=5) == certainty(linked=True)  # reference data knows better


def test_a_product_or_event_name_loses_its_certainty_unless_reference_data_knows_it():
    from dossier.profiles.classification import is_product_name
    from dossier.scoring.confidence import OrganisationEvidence, organisation_certainty

    assert is_product_name(["Consumer Electronics Show"]) and is_product_name(["Halo Media Player"])
    assert not is_product_name(["Show"]) and not is_product_name(["Brightledger"])

    def certainty(**kw):
        return organisation_certainty(ScoreInput(sources=[], claims=[], now=NOW, organisation=OrganisationEvidence(**kw)))[0]

    assert certainty(typed=True, product_name=True) == pytest.approx(0.3 * certainty(typed=True))
    assert certainty(linked=True, product_name=True) == certainty(linked=True)
