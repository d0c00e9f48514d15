"""The taxonomy in models/taxonomy.json: every type ships an example that classifies to it
(as fundus makes every parser ship one), and reference data maps onto its keys."""

import pytest

from dossier.assets import load_json
from dossier.profiles.classification import (
    classify_organisation,
    industry_type,
    reference_type,
    taxonomy_types,
)
from dossier.records.profiles import MentionContext

TYPES = taxonomy_types()


def test_every_type_has_a_key_category_domain_and_descriptors():
    keys = [t["key"] for t in TYPES]
    assert len(keys) == len(set(keys)), "type keys are unique"
    for entry in TYPES:
        assert entry["category"] and entry["domain"] and entry["heads"], entry["key"]
        assert entry.get("example", {}).get("sentence"), f"{entry['key']} ships no example"


@pytest.mark.parametrize("entry", TYPES, ids=[t["key"] for t in TYPES])
def test_every_type_example_classifies_to_its_type(entry):
    name, sentence = entry["example"]["name"], entry["example"]["sentence"]
    start = sentence.index(name)
    kind = classify_organisation([name], [MentionContext(sentence=sentence, start=start, end=start + len(name))], [])
    assert (kind.key, kind.decided_by) == (entry["key"], "evidence"), kind.cues


def test_industry_rules_and_reference_kinds_name_existing_types():
    keys = {t["key"] for t in TYPES}
    table = load_json("taxonomy.json")["industries"]
    assert {r["key"] for r in table["rules"]} <= keys
    assert {e["key"] for e in table["exact"].values() if e["key"]} <= keys
    kinds = [k for t in TYPES for k in t.get("kinds", [])]
    assert len(kinds) == len(set(kinds)), "a reference kind maps to one type"


class Known:
    """A gazetteer record as classification reads it (src/extract/gazetteer.py has these attributes)."""

    def __init__(self, kind="company", industries=(), sector=None):
        self.id, self.kind, self.industries, self.sector, self.country = "ptk:TEST", kind, tuple(industries), sector, None


def test_reference_data_decides_first_and_says_so():
    s = "Hanamura, the Japanese carmaker, recalled vehicles."
    ctx = [MentionContext(sentence=s, start=0, end=8)]
    kind = classify_organisation(["Hanamura"], ctx, [], Known(industries=["Banking Services", "Financials"]))
    assert (kind.type, kind.decided_by) == ("Bank", "reference")
    assert kind.cues[0].cue == "industry: Banking Services" and kind.cues[0].text == "ptk:TEST"
    assert classify_organisation(["X"], [], [], Known(kind="central_bank")).type == "Central bank"
    assert classify_organisation(["X"], [], [], Known(sector="broadcasting")).category == "company"
    # A record that says nothing of the type leaves the news to decide.
    assert classify_organisation(["Hanamura"], ctx, [], Known(industries=["Financials"])).type == "Carmaker"


def test_broad_sectors_lose_to_specific_industries():
    assert industry_type("Financials") == (None, 0)
    assert industry_type("Oil & Gas")[0] == "oil_gas"
    vote = reference_type(Known(industries=["Airlines", "Industrials", "Transportation", "Passenger Transportation Services"]))
    assert vote is not None and vote[0]["key"] == "airlines"


def test_most_pytickersymbols_companies_get_a_type():
    tickers = pytest.importorskip("pytickersymbols")
    stocks = {s["name"]: s for s in tickers.PyTickerSymbols().get_all_stocks()}
    typed = sum(reference_type(Known(industries=s.get("industries") or ())) is not None for s in stocks.values())
    assert typed / len(stocks) >= 0.93, f"{typed} of {len(stocks)} typed"


def test_every_gazetteer_kind_agreed_with_recognition_has_a_type():
    # The kinds src/extract/gazetteer.py's KnownOrganisation uses; "company" types by sector or industries.
    agreed = ["regulator", "government_body", "central_bank", "court", "union", "university", "ngo",
              "international_organisation", "political_party", "exchange", "news_organisation", "sports_club"]
    for kind in agreed:
        assert classify_organisation(["X"], [], [], Known(kind=kind)).decided_by == "reference", kind
    assert classify_organisation(["X"], [], [], Known(kind="company")).type == "unknown"


def test_the_news_chooses_among_the_industries_a_record_lists():
    # pytickersymbols lists one carmaker under retail, food and telecoms as well.
    noisy = Known(industries=["Automotive", "Discount Stores", "Retailers", "Food Processing", "Food & Tobacco"])
    s = "Hanamura, the Japanese carmaker, recalled vehicles."
    kind = classify_organisation(["Hanamura"], [MentionContext(sentence=s, start=0, end=8)], [], noisy)
    assert (kind.type, kind.decided_by) == ("Carmaker", "reference") and kind.cues[0].cue == "industry: Automotive"
    assert classify_organisation(["Hanamura"], [], [], noisy).type == "Retailer"  # the vote, when the news is silent
    s = "Hanamura, the supermarket group, grew."  # the news naming an industry the record lacks does not win
    assert classify_organisation(["Hanamura"], [MentionContext(sentence=s, start=0, end=8)], [], Known(industries=["Automotive"])).type == "Carmaker"
