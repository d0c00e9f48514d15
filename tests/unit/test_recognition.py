"""Recognition and identity rules on the real model, one invented sentence per rule.

The sentences are written for these tests (none is taken from an article corpus)."""

from collections import Counter

from dossier.extract.organisations import preferred_name


def orgs(analysis):
    return {o.name: o for o in analysis.organisations}


def test_a_known_company_is_an_organisation_whatever_the_model_says(analyse):
    found = orgs(analyse("Shares in Yukos fell again on Monday after the Russian oil company lost its appeal."))
    assert found["Yukos"].known_id == "list:yukos"


def test_a_name_that_is_also_a_word_needs_context(analyse):
    assert orgs(analyse("Profits at Next rose 5% in the year, the retailer said."))["Next"].known_id.startswith("ptk:")
    assert not analyse("Next year the firm will expand into Wales.").organisations


def test_a_company_named_like_a_city_is_the_city_after_a_place_cue(analyse):
    assert "Banco Santander" in orgs(analyse("Santander said profits rose by a fifth."))
    found = analyse("The lender opened a new branch in Santander last week.")
    assert not found.organisations and [loc.name for loc in found.locations] == ["Santander"]


def test_products_indices_and_figures_are_not_organisations(analyse):
    found = orgs(analyse("Microsoft's Xbox console sold well over Christmas, while Sony launched the PS2 in 2000."))
    assert set(found) == {"Microsoft", "Sony"}
    assert not analyse("The FTSE 100 index closed higher, while the Nasdaq fell 1% and the Dow Jones was flat.").organisations
    assert set(orgs(analyse("Nissan turned a 331bn yen profit the following year."))) == {"Nissan"}


def test_names_listed_after_a_product_noun_are_products_throughout(analyse):
    text = ("Kestrel Compute's two previous programs, Passport and Hailstorm, aimed to protect users. "
            "Passport provides a single log-in for more than one website.")
    found = analyse(text)
    assert set(orgs(found)) == {"Kestrel Compute"} and not found.claims
    assert {"Orrin Shipping", "Corvane Mills"} <= set(orgs(analyse(
        "Halden Systems competes with two rival firms, Orrin Shipping and Corvane Mills.")))


def test_a_group_and_a_company_of_it_are_two_organisations(analyse):
    text = ("Corvane Card had been threatened with collapse because of its debts. Its creditors and "
            "Corvane Group have each put up $480m to rescue it.")
    found = orgs(analyse(text))
    assert {"Corvane Card", "Corvane Group"} <= set(found) and not found["Corvane Card"].aliases


def test_a_titled_person_is_no_organisation_whatever_follows_the_name(analyse):
    text = ("Kestrel Compute and Saudi Arabian prince Faisal bin Khaled, the firm's two main shareholders, "
            "will buy the new stock.")
    assert "Faisal bin Khaled" not in orgs(analyse(text))


def test_events_and_job_titles_are_not_organisations(analyse):
    assert set(orgs(analyse("The Detroit Motor Show opened on Sunday as Ford unveiled the Fusion."))) == {"Ford"}
    assert not analyse("Monetary Affairs Commissioner Joaquin Almunia said the pact must change.").organisations


def test_a_list_read_as_one_name_is_one_organisation_per_item_and_city_country_is_two_places(analyse):
    found = orgs(analyse("The rivals include Gazprom, Rosneft and a shell company, analysts said."))
    assert {"Gazprom", "Rosneft"} <= set(found)
    found = analyse("The trade fair takes place in Cannes, France, next month.")
    assert not found.organisations and {(loc.name, loc.country) for loc in found.locations} == {("Cannes", "FR"), ("France", "FR")}


def test_a_defined_acronym_joins_its_full_name_without_its_bracket(analyse):
    [org] = analyse("The Harbourside Mutual Society (HMS) said members had voted. HMS added that rates would rise.").organisations
    assert (org.name, org.aliases) == ("Harbourside Mutual Society", ("HMS",))


def test_organisations_are_never_merged_on_one_shared_word(analyse):
    found = orgs(analyse("United Airlines and United Utilities both reported losses. United said it would cut flights."))
    assert {"United Airlines", "United Utilities"} <= set(found)
    assert all(not o.aliases for o in found.values())


def test_a_unit_of_another_organisation_and_a_former_name(analyse):
    found = orgs(analyse("Mitsubishi Fuso, a unit of DaimlerChrysler, recalled thousands of trucks."))
    assert {"Mitsubishi Fuso", "DaimlerChrysler"} <= set(found)
    [org] = analyse("Kerrow Freight, formerly known as Baltic Haulage, said it would move to Riga.").organisations
    assert (org.name, org.aliases) == ("Kerrow Freight", ("Baltic Haulage",))


def test_a_linked_organisation_takes_the_reference_name_and_identifiers(analyse):
    [org] = analyse("Deutsche Bank AG said it would hire 100 bankers. Deutsche Bank shares rose.").organisations
    assert org.name == "Deutsche Bank" and org.known_id.startswith("ptk:DE") and org.aliases == ("Deutsche Bank AG",)


def test_an_unknown_organisation_is_named_by_its_most_frequent_full_form_never_a_model_number():
    ordered = ["Caldera Aero A300s", "Caldera Aero's", "Caldera Aero", "CA"]
    counts = Counter({"Caldera Aero A300s": 1, "Caldera Aero": 3, "CA": 4})
    assert preferred_name(ordered, {"CA": "acronym"}, counts) == "Caldera Aero"
    assert preferred_name(["Caldera Aero A300s"], {}, Counter({"Caldera Aero A300s": 1})) == "Caldera Aero"


def test_a_name_the_text_introduces_as_a_firm_is_an_organisation(analyse):
    found = orgs(analyse('"Demand is weak," said Tomas Reyes, an analyst at Quillborne. Research firm Vantory agreed.'))
    assert {"Quillborne", "Vantory"} <= set(found)


def test_a_generic_head_word_after_the_full_name_and_a_previous_name_join_it(analyse):
    [org] = analyse("The European Commission fined the lender. The Commission said a commission would review it.").organisations
    assert (org.name, org.aliases) == ("European Commission", ("Commission",))
    [org] = analyse("Velstrom Telecom, which traded under its previous name Nordwire Networks until May, said profits rose.").organisations
    assert (org.name, org.aliases) == ("Velstrom Telecom", ("Nordwire Networks",))
