"""Organisation precision on real news: people, owned brands and products, technology
acronyms, and units of known organisations, on the real model, one invented sentence per rule.

The sentences are written for these tests (none is taken from an article corpus)."""

import pytest

from dossier.extract.analyse import load_analyser
from dossier.settings import load_settings


@pytest.fixture(scope="module")
def analyse():
    analyser = load_analyser(load_settings().spacy_model)

    def run(text):
        return analyser.analyse_doc(analyser.nlp(text))

    return run


def names(analysis):
    return {o.name for o in analysis.organisations}


def test_a_marque_is_a_brand_where_its_owner_is_named(analyse):
    found = names(analyse("General Motors said sales of its Vauxhall and Opel cars fell in Europe last year."))
    assert "General Motors" in found and not found & {"Vauxhall", "Opel"}


def test_a_marque_the_text_calls_a_company_stays_one(analyse):
    found = names(analyse("General Motors said its European units Opel and Saab will cut jobs. Opel managers agreed."))
    assert {"Opel", "Saab"} <= found


def test_a_console_or_a_game_is_never_an_organisation(analyse):
    found = names(analyse("Sales of Grand Theft Auto San Andreas and the Xbox rose, Electronic Arts said on Monday."))
    assert not found & {"Grand Theft Auto San Andreas", "Xbox"}


def test_a_technology_acronym_is_not_an_organisation(analyse):
    found = names(analyse("Vodafone said MMS and USB sales rose sharply over Christmas."))
    assert not found & {"MMS", "USB"}


def test_a_known_organisations_unit_is_its_own_organisation(analyse):
    found = names(analyse("BT said its BT Wholesale unit would cut prices. BT shares rose 2%."))
    assert {"BT", "BT Wholesale"} <= found


def test_people_with_mc_names_and_initials_stay_people(analyse):
    text = ("The club's largest shareholders are the racing tycoons JP McManus and John Magnier. "
            "Mr McManus did not comment. Joe McLean, a football specialist at accountancy firm Grant Thornton, "
            "said the bid would fail.")
    found = names(analyse(text))
    assert not found & {"JP McManus", "Joe McLean"}
