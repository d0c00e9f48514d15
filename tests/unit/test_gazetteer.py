"""The known-organisation gazetteer: pytickersymbols' listed companies plus the curated lists."""

import pytest

from dossier.extract.gazetteer import build_gazetteer, country_code, load_gazetteer, surface_forms


def stock(name, isin, country="Germany", symbol="XYZ.DE", headquarters=None, wiki=None):
    return {"name": name, "symbol": symbol, "country": country, "industries": ["Banking"], "isins": [isin],
            "metadata": {"headquarters": headquarters, "wikipedia_url": wiki}}


CURATED = {
    "common_words": {"names": ["Orbit"]},
    "regulator": [["Harbour Conduct Authority", "GB", ["HCA"], None]],
    "company": [["Velmora Bank", "DE", ["Velmora", "VB"], "banking"], ["Orbit Freight", "NL", ["Orbit"], None]],
    "university": [["Valley Institute of Technology", "US", ["VB"], None]],
}


def test_a_listed_company_is_found_without_its_legal_suffix_and_carries_its_identifiers():
    gazetteer = build_gazetteer([stock("Kessler Handelsbank AG", "DE000KHB0001", headquarters="Mainz , Germany",
                                       wiki="https://en.wikipedia.org/wiki/Kessler")], {})
    for name in ("Kessler Handelsbank AG", "Kessler Handelsbank", "kessler handelsbank"):
        org = gazetteer.lookup(name)
        assert org is not None and org.id == "ptk:DE000KHB0001", name
    assert (org.name, org.kind, org.country, org.ticker, org.isin, org.wikipedia_url) == (
        "Kessler Handelsbank", "company", "DE", "XYZ.DE", "DE000KHB0001", "https://en.wikipedia.org/wiki/Kessler")
    assert gazetteer.by_id("ptk:DE000KHB0001") == org
    assert gazetteer.lookup("Kessler") is None  # a first word alone is not the company


def test_a_curated_company_adds_its_aliases_to_the_listed_one_it_names():
    gazetteer = build_gazetteer([stock("Velmora Bank SE", "DE000VMB0001")], CURATED)
    org = gazetteer.lookup("Velmora")
    assert org is not None and org.id == "ptk:DE000VMB0001" and org.sector == "banking" and org.curated
    assert gazetteer.lookup("Harbour Conduct Authority").kind == "regulator"
    assert gazetteer.lookup("HCA").id == "list:harbour-conduct-authority"


def test_a_name_two_organisations_claim_links_neither():
    gazetteer = build_gazetteer([], CURATED)
    assert gazetteer.lookup("VB") is None  # Velmora Bank's and the Valley Institute's acronym
    assert gazetteer.lookup("Valley Institute of Technology") is not None


def test_common_words_are_flagged_and_short_forms_drop_generic_tails():
    gazetteer = build_gazetteer([], CURATED)
    assert gazetteer.is_common_word("Orbit") and not gazetteer.is_common_word("Velmora")
    forms = surface_forms(gazetteer.lookup("Orbit Freight").model_copy(update={"name": "The Orbit Freight Group plc"}))
    assert {"The Orbit Freight Group plc", "Orbit Freight Group", "Orbit Freight"} <= set(forms)


@pytest.mark.parametrize(("text", "code"), [
    ("Montabaur , Germany", "DE"), ("Omaha, Nebraska , U.S.", "US"), ("Chesterfield, Missouri", "US"),
    ("Edinburgh , Scotland , United Kingdom", "GB"), ("Quai d'Orsay , Paris , France", "FR"), ("Atlantis", None),
])
def test_headquarters_text_becomes_a_country_code(text, code):
    assert country_code(text) == code


def test_the_installed_reference_data_knows_listed_companies_and_public_bodies():
    gazetteer = load_gazetteer()
    assert len(gazetteer) > 2000
    bank = gazetteer.lookup("Deutsche Bank AG")
    assert bank.id.startswith("ptk:DE") and bank.isin and bank.ticker and bank.wikipedia_url and bank.country == "DE"
    assert gazetteer.lookup("SEC").kind == "regulator"
    assert gazetteer.lookup("Fed").kind == "central_bank"
    assert gazetteer.lookup("Yukos").country == "RU"
    assert all(org.country is None or len(org.country) == 2 for org in gazetteer)


def test_every_curated_sector_is_a_taxonomy_type_so_reference_data_can_type_it():
    from dossier.profiles.classification import taxonomy_types

    keys = {entry["key"] for entry in taxonomy_types()}
    sectors = {org.sector for org in load_gazetteer() if org.sector}
    assert sectors and sectors <= keys, sorted(sectors - keys)


def test_a_linked_organisation_is_typed_and_based_from_its_reference_record():
    from dossier.profiles.refresh import reference_lookup

    lookup = reference_lookup()
    bank = load_gazetteer().lookup("Deutsche Bank AG")
    assert lookup(bank.id) == bank
    assert lookup("ptk:not-a-listed-company") is None


def test_a_name_with_umlauts_is_found_as_english_news_writes_it():
    gazetteer = build_gazetteer([stock("Kölner Börse AG", "DE000KBX0001")], {})
    assert gazetteer.lookup("Koelner Boerse").isin == "DE000KBX0001"
    assert gazetteer.lookup("Kölner Börse").isin == "DE000KBX0001"


def test_phone_makers_are_hardware_makers_and_network_suppliers_equipment_makers():
    from dossier.profiles.classification import reference_type

    types = {name: reference_type(load_gazetteer().lookup(name)) for name in ("Nokia", "Motorola", "Ericsson", "Vodafone")}
    assert {n: t[0]["key"] if t else None for n, t in types.items()} == {
        "Nokia": "hardware", "Motorola": "hardware", "Ericsson": "telecoms_equipment", "Vodafone": "telecoms"}
