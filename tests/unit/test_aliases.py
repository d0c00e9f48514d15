import pytest

from dossier.extract.aliases import (
    AliasGraph,
    canonical_name,
    is_acronym_of,
    is_short_form_of,
    name_key,
    same_name,
)
from dossier.extract.resolution import EntityResolver
from dossier.ids import make_id
from dossier.records import Organisation


@pytest.mark.parametrize(
    ("surface", "canonical"),
    [
        ("Hon Hai Precision Industry Co., Ltd.", "Hon Hai Precision Industry"),
        ("Kestrel Compute Inc.", "Kestrel Compute"),
        ("Kestrel's", "Kestrel"),
        ("the Federal Trade Commission", "Federal Trade Commission"),
        ("Ardent Grid plc", "Ardent Grid"),
        ("Hon Hai Technology Group", "Hon Hai Technology Group"),
    ],
)
def test_canonical_names_drop_legal_suffixes_articles_and_possessives(surface, canonical):
    assert canonical_name(surface) == canonical


def test_match_keys_ignore_case_accents_and_generic_words():
    assert name_key("SoftBank Group Corp.") == name_key("Softbank") == "softbank"
    assert name_key("Nestlé S.A.") == "nestle"
    assert name_key("AT&T Inc.") == "at and t"


def test_acronyms_and_short_forms():
    assert is_acronym_of("FOMC", "Federal Open Market Committee")
    assert is_acronym_of("CMA", "the Competition and Markets Authority")
    assert not is_acronym_of("Fed", "Federal Reserve")
    assert is_short_form_of("Hon Hai", "Hon Hai Precision Industry")
    assert not is_short_form_of("Precision Industry", "Hon Hai Precision Industry")


def test_fuzzy_matching_only_on_long_names():
    assert same_name("Brightwater Cable Systems", "Brightwater Cable System")
    assert not same_name("Arm", "Ark")


def test_alias_graph_groups_linked_names():
    graph = AliasGraph()
    graph.link("Foxconn", "Hon Hai Technology Group", "parenthetical")
    graph.link("Hon Hai Technology Group", "Hon Hai", "short_form")
    graph.add("OpenAI")
    groups = sorted(sorted(g) for g in graph.groups().values())
    assert groups == [["Foxconn", "Hon Hai", "Hon Hai Technology Group"], ["OpenAI"]]
    assert graph.learned["Hon Hai Technology Group"] == "parenthetical"


def entity(resolver, org):
    [(entity_id, name, _)] = resolver.resolve(org)
    return entity_id, name


def test_resolver_maps_aliases_to_the_known_entity_and_learns_new_ones():
    resolver = EntityResolver({"foxconn": ("e-fox", "Foxconn")})
    assert entity(resolver, Organisation(name="Hon Hai Technology Group", aliases=("Foxconn",))) == ("e-fox", "Foxconn")
    # Having learned the alias, a later article naming only Hon Hai resolves to Foxconn too.
    assert entity(resolver, Organisation(name="Hon Hai Technology Group")) == ("e-fox", "Foxconn")
    new_id, name = entity(resolver, Organisation(name="Kestrel Compute"))
    assert name == "Kestrel Compute" and new_id == entity(resolver, Organisation(name="Kestrel Compute Inc."))[0]


def test_resolver_applies_merges_and_splits():
    from dossier.records import Mention

    index = {"hon hai": ("e-hh", "Hon Hai"), "foxconn": ("e-fox", "Foxconn")}
    merged = EntityResolver(index, merges={"e-hh": "e-fox"}, names={"e-fox": "Foxconn"})
    assert entity(merged, Organisation(name="Hon Hai")) == ("e-fox", "Foxconn")

    def mention(text, start):
        return Mention(text=text, start=start, end=start + len(text), label="ORG", sentence_start=0, sentence_end=99)

    split = EntityResolver({"kestrel compute": ("e-k", "Kestrel Compute")}, splits={"e-k": frozenset({"kestrel"})})
    parts = split.resolve(Organisation(name="Kestrel Compute", aliases=("Kestrel",),
                                       mentions=(mention("Kestrel Compute", 0), mention("Kestrel", 40))))
    assert [(p[0], p[2].name, [m.text for m in p[2].mentions]) for p in parts] == [
        ("e-k", "Kestrel Compute", ["Kestrel Compute"]),
        (parts[1][0], "Kestrel", ["Kestrel"]),
    ]
    assert parts[1][0] != "e-k" and entity(split, Organisation(name="Kestrel"))[0] != "e-k"


def test_ids_are_stable_and_distinguish_none_from_empty():
    assert make_id("a", 1) == make_id("a", 1)
    assert make_id("a", None) != make_id("a", "")
    assert len(make_id("x")) == 16


def test_resolver_never_merges_two_full_names_on_their_shared_acronym():
    resolver = EntityResolver({})
    trade = entity(resolver, Organisation(name="Global Harbour Council", aliases=("GHC",)))
    other = entity(resolver, Organisation(name="Grand Hotels Consortium", aliases=("GHC",)))
    assert other[0] != trade[0] and other[1] == "Grand Hotels Consortium"
    # The same full name spelled another way, or the acronym alone, still resolves to it.
    assert entity(resolver, Organisation(name="Global Harbor Council", aliases=("GHC",)))[0] == trade[0]
    assert entity(resolver, Organisation(name="GHC"))[0] == trade[0]


def test_resolver_never_merges_two_full_names_on_a_shared_word_alias():
    resolver = EntityResolver({})
    club = entity(resolver, Organisation(name="Harwick United", aliases=("United",)))
    airline = entity(resolver, Organisation(name="United Skyways", aliases=("United",)))
    assert airline[0] != club[0] and airline[1] == "United Skyways"
    # A name that is not made of the entity's words still brings its aliases along.
    assert entity(resolver, Organisation(name="Hon Hai Technology Group", aliases=("Harwick United",)))[0] == club[0]


def test_a_generic_leading_word_names_the_organisation_in_its_own_text_only():
    resolver = EntityResolver({})
    org = Organisation(name="Kronstadt Boerse", aliases=("Deutsche", "KB"),
                       alias_sources=(("Deutsche", "short_form"), ("KB", "acronym")))
    [(entity_id, _, part)] = resolver.resolve(org)
    assert part.aliases == ("KB",) and part.alias_sources == (("KB", "acronym"),)
    # Never learned as a key: a later text naming "Deutsche" alone is not resolved to it.
    assert entity(resolver, Organisation(name="Deutsche"))[0] != entity_id
    # A distinctive short form is kept and resolves later texts.
    org = Organisation(name="Vellacott Freight Group", aliases=("Vellacott",), alias_sources=(("Vellacott", "short_form"),))
    [(freight, _, part)] = resolver.resolve(org)
    assert part.aliases == ("Vellacott",) and entity(resolver, Organisation(name="Vellacott"))[0] == freight


def test_an_entity_named_by_an_acronym_takes_the_full_form_a_text_spells_out():
    resolver = EntityResolver({"qda": ("e-qda", "QDA")})
    assert entity(resolver, Organisation(name="Quill Data Association", aliases=("QDA",))) == ("e-qda", "Quill Data Association")
    assert entity(resolver, Organisation(name="QDA")) == ("e-qda", "Quill Data Association")
    # A name reference data gives stays: "BT" is not renamed after a "Bharat Telecom (BT)".
    resolver = EntityResolver({"bt": ("e-bt", "BT")})
    assert entity(resolver, Organisation(name="Bharat Telecom", aliases=("BT",)))[1] == "BT"
