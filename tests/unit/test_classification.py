"""Organisation type from what the evidence says about the organisation itself."""

from dossier.profiles.classification import (
    ActingClaim,
    acts_in,
    classify_organisation,
    describing_phrases,
    head_of,
)
from dossier.records.profiles import MentionContext


def ctx(sentence, name):
    start = sentence.index(name)
    return MentionContext(sentence=sentence, start=start, end=start + len(name))


def classify(name, sentences, claims=()):
    return classify_organisation([name], [ctx(s, name) for s in sentences], list(claims))


def test_descriptions_are_appositives_relative_clauses_copulas_and_descriptors():
    s = "Foxconn, the Taiwanese electronics maker, will build racks."
    assert describing_phrases(s, 0, 7) == ["the Taiwanese electronics maker"]
    s = "Hon Hai, which assembles smartphones, grew."
    assert describing_phrases(s, 0, 7) == ["which assembles smartphones"]
    s = "Foxconn is best known as the main assembler of Apple's iPhone, but it grew."
    assert describing_phrases(s, 0, 7) == ["the main assembler of Apple's iPhone"]
    s = "Orders went to the chipmaker Sable this year."
    assert describing_phrases(s, s.index("Sable"), s.index("Sable") + 5) == ["chipmaker"]
    s = "OpenAI and Foxconn will build racks, cabling and cooling."
    assert describing_phrases(s, 0, 6) == []  # sharing a sentence is not being described


def test_descriptors_before_the_name_need_no_article():
    s = "Shares in Russian oil company Volga Crude fell sharply."
    assert describing_phrases(s, s.index("Volga"), s.index("Volga") + 11) == ["Russian oil company"]
    s = "Analysts expect Brightledger to report higher profits."
    assert describing_phrases(s, s.index("Bright"), s.index("Bright") + 12) == []  # not a descriptor
    s = "Yarrow Oil, Russia's biggest oil producer, paid its tax bill."
    assert describing_phrases(s, 0, 10) == ["Russia's biggest oil producer"]


def test_the_head_of_a_description_says_what_it_is():
    assert head_of("one of the world's biggest oil firms in Russia") == "the world's biggest oil firms"
    assert head_of("which makes cars") == ""


def test_one_weak_cue_leaves_the_type_unknown():
    # Car "models" once is no AI developer; a generic "investors" once is no investor.
    assert classify("Hanamura", ["Hanamura, which sells three models in Europe, grew."]).type == "unknown"
    assert classify("Brightledger", ["Brightledger, whose investors include pension funds, grew."]).type == "unknown"
    s = "Hanamura, which sells three models in Europe, grew."
    assert classify("Hanamura", [s, "Hanamura, the Japanese carmaker, recalled 10,000 cars."]).type == "Carmaker"


def test_the_longest_descriptor_decides():
    kind = classify("Tamarind", ["Tamarind, the mobile phone maker, shipped fewer phones."])
    assert kind.type == "Hardware and electronics maker" and kind.cues[0].cue == "mobile phone maker"
    assert kind.decided_by == "evidence" and kind.cues[0].source == "head"


def test_an_organisation_named_beside_hardware_words_is_not_a_manufacturer():
    s = "OpenAI and Foxconn will build server racks, cabling and cooling equipment."
    joint_supply = ActingClaim(type="supply", object="server racks", object_is_organisation=False, sentence=s)
    kind = classify_organisation(["OpenAI"], [ctx(s, "OpenAI")], [joint_supply])
    assert kind.type == "unknown" and kind.cues == ()  # nothing invented


def test_claim_cues_need_the_organisation_as_the_actor():
    s = "Under the deal, Foxconn will build server racks at its U.S. sites."
    t = "Foxconn will also supply cooling equipment and servers."
    supply = ActingClaim(type="supply", object="server racks", object_is_organisation=False, sentence=s)
    more = ActingClaim(type="supply", object="cooling equipment", object_is_organisation=False, sentence=t)
    assert classify_organisation(["Foxconn"], [ctx(s, "Foxconn")], [supply]).type == "unknown"  # one claim is a weak cue
    kind = classify_organisation(["Foxconn"], [ctx(s, "Foxconn"), ctx(t, "Foxconn")], [supply, more])
    assert kind.type == "AI hardware manufacturer" and kind.cue_words == ["supply claim (racks)", "supply claim (servers)"]
    assert kind.cues[0].as_dict() == {"cue": "supply claim (racks)", "from": "claim", "text": s}
    board = "Tidewater's board has approved the transaction."
    assert not acts_in(board, [ctx(board, "Tidewater")])
    approval = ActingClaim(type="regulatory_action", object=None, object_is_organisation=False, sentence=board)
    assert classify_organisation(["Tidewater"], [ctx(board, "Tidewater")], [approval, approval]).type == "unknown"


def test_claims_add_to_descriptions():
    s = "Marlow Ridge Capital invested $50 million in Kestrel."
    claim = ActingClaim(type="investment", object="Kestrel", object_is_organisation=True, sentence=s)
    assert classify_organisation(["Marlow Ridge Capital"], [ctx(s, "Marlow Ridge Capital")], [claim]).type == "unknown"
    d = "Marlow Ridge Capital, which holds stakes in ten funds, said little."
    kind = classify_organisation(["Marlow Ridge Capital"], [ctx(s, "Marlow Ridge Capital"), ctx(d, "Marlow Ridge Capital")], [claim])
    assert kind.category == "investor"  # "stakes" (1), "funds" (1), an investment claim (1)
    s = "The FCC opened a probe into Harbourline."
    claim = ActingClaim(type="regulatory_action", object="Harbourline", object_is_organisation=True, sentence=s)
    assert classify_organisation(["Federal Communications Commission", "FCC"], [ctx(s, "FCC")], [claim]).category == "regulator"


def test_a_claim_about_another_organisation_reads_only_what_is_said_of_it():
    s = "OpenAI has announced chip deals, including with Nvidia."
    deal = ActingClaim(type="product_launch", object="Nvidia", object_is_organisation=True, sentence=s)
    assert classify_organisation(["OpenAI"], [ctx(s, "OpenAI")], [deal, deal]).type == "unknown"
    s = "Sable launched Onyx-2, an accelerator chip for inference."
    launch = ActingClaim(type="product_launch", object="Onyx-2", object_is_organisation=True, sentence=s)
    assert classify_organisation(["Sable"], [ctx(s, "Sable")], [launch, launch]).type == "unknown"  # one claim, counted once
    t = "Sable launched Onyx-3, a faster accelerator chip."
    launch3 = ActingClaim(type="product_launch", object="Onyx-3", object_is_organisation=True, sentence=t)
    assert classify_organisation(["Sable"], [ctx(s, "Sable"), ctx(t, "Sable")], [launch, launch3]).type == "Semiconductor company"


def test_products_are_named_with_a_product_noun_or_owned():
    from dossier.profiles.classification import product_sentences

    sentences = ["Sales of the Zephyr console rose.", "Brightledger said its Zephyr sold well.",
                 "Zephyr, the games maker, grew.", "Sales of the Zephyr console rose."]
    assert product_sentences([ctx(s, "Zephyr") for s in sentences]) == 2  # a repeated sentence counts once


def test_the_longest_name_cue_decides():
    assert classify("European Union", []).type == "International organisation"
    assert classify("Bank of England", []).type == "Central bank"
    assert classify("Bank of Harwick", []).type == "Bank"
