import pytest

from dossier.extract.places import load_gazetteer


def resolve(*names):
    return {k: (v.country, v.continent) for k, v in load_gazetteer().resolve_all(names).items()}


@pytest.mark.parametrize(
    ("names", "name", "country"),
    [
        (("Georgia", "Atlanta"), "Georgia", "US"),
        (("Georgia", "Tbilisi"), "Georgia", "GE"),
        (("Paris", "Texas"), "Paris", "US"),
        (("Paris",), "Paris", "FR"),
        (("Victoria", "Canada"), "Victoria", "CA"),
        (("Victoria", "Melbourne"), "Victoria", "AU"),
        (("Cambridge", "Massachusetts"), "Cambridge", "US"),
        (("Cambridge", "England"), "Cambridge", "GB"),
        (("Perth",), "Perth", "AU"),
        (("Jersey",), "Jersey", "JE"),
    ],
)
def test_ambiguous_places_resolve_from_context(names, name, country):
    assert resolve(*names)[name][0] == country


def test_us_states_and_aliases_resolve_to_us_north_america():
    got = resolve("Wisconsin", "Ohio", "Texas", "U.S.")
    assert set(got.values()) == {("US", "North America")}


def test_regions_have_a_continent_but_no_country():
    assert resolve("Southeast Asia")["Southeast Asia"] == (None, "Asia")


def test_place_shapes_resolve_to_their_core_name():
    got = resolve("Northern Virginia", "Metro Atlanta", "Frankfurt", "Sao Paulo")
    assert got["Northern Virginia"][0] == "US" and got["Metro Atlanta"][0] == "US"
    assert got["Frankfurt"][0] == "DE" and got["Sao Paulo"][0] == "BR"


def test_unknown_names_are_not_places():
    assert load_gazetteer().candidates("Foxconn") == []
    assert not load_gazetteer().is_place("OpenAI")
