import pytest

from dossier.evaluation.calibration import reliability_table
from dossier.evaluation.gold import GoldArticle, claim_outcomes
from dossier.records import Analysis, Claim, Organisation


def test_reliability_table_and_expected_calibration_error():
    pairs = [(0.65, True), (0.65, False), (0.85, True), (0.85, True), (0.85, True), (0.85, False)]
    table = reliability_table(pairs)
    assert [(b["bucket"], b["claims"], b["accuracy"]) for b in table["buckets"]] == [("0.6–0.7", 2, 0.5), ("0.8–0.9", 4, 0.75)]
    # ECE = 2/6 * |0.65 - 0.5| + 4/6 * |0.85 - 0.75|
    assert table["ece"] == pytest.approx(2 / 6 * 0.15 + 4 / 6 * 0.10, abs=1e-4)


def test_a_perfectly_calibrated_set_has_zero_error():
    # Each bucket's accuracy equals its mean confidence: 3 of 4 right at 0.75, all right at 1.0, none at 0.0.
    perfect = [(0.75, True), (0.75, True), (0.75, True), (0.75, False), (1.0, True), (0.0, False)]
    assert reliability_table(perfect)["ece"] == 0.0
    assert reliability_table([])["buckets"] == []


def test_a_small_gap_gives_a_small_error():
    # Half the claims sit at 0.05 and are wrong: a 0.05 gap on half the claims.
    assert reliability_table([(1.0, True), (0.05, False)])["ece"] == pytest.approx(0.025)


def test_a_claim_read_with_the_wrong_polarity_counts_as_wrong():
    text = "OpenAI made no purchase commitment to Foxconn. Foxconn will supply racks."
    article = GoldArticle("1", text, ({"name": "OpenAI", "aliases": []}, {"name": "Foxconn", "aliases": []}), (), (
        {"subject": "OpenAI", "type": "purchase_commitment", "polarity": "negated"},
        {"subject": "Foxconn", "type": "supply", "polarity": "affirmed"},
    ))
    orgs = (Organisation(name="OpenAI"), Organisation(name="Foxconn"))
    misread = Claim(subject="OpenAI", type="purchase_commitment", polarity="affirmed", evidence=text[:46], start=0, end=46, confidence=0.9)
    right = Claim(subject="Foxconn", type="supply", evidence=text[47:], start=47, end=len(text), confidence=0.9)
    outcomes = claim_outcomes(article, Analysis(organisations=orgs, claims=(misread, right)))
    assert [ok for _, ok in outcomes] == [False, True]
