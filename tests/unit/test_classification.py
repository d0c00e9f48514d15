"""Organisation type from what the evidence says about the organisation itself."""

from dossier.profiles.classification import acts_in, classify_organisation, describing_phrases


def ctx(sentence, name):
    start = sentence.index(name)
    return {"sentence": sentence, "start": start, "end": start + len(name)}


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


def test_an_organisation_named_beside_hardware_words_is_not_a_manufacturer():
    s = "OpenAI and Foxconn will build server racks, cabling and cooling equipment."
    joint_supply = {"type": "supply", "object": "server racks", "object_is_organisation": False, "sentence": s}
    kind = classify_organisation(["OpenAI"], [ctx(s, "OpenAI")], [joint_supply])
    assert kind["type"] == "unknown" and kind["cues"] == []  # nothing invented


def test_claim_cues_need_the_organisation_as_the_actor():
    s = "Under the deal, Foxconn will build server racks at its U.S. sites."
    supply = {"type": "supply", "object": "server racks", "object_is_organisation": False, "sentence": s}
    kind = classify_organisation(["Foxconn"], [ctx(s, "Foxconn")], [supply])
    assert kind["type"] == "AI hardware manufacturer" and kind["cues"] == ["supply claim (racks)"]
    assert kind["evidence"] == [{"cue": "supply claim (racks)", "from": "claim", "text": s}]
    board = "Tidewater's board has approved the transaction."
    assert not acts_in(board, [ctx(board, "Tidewater")])
    approval = {"type": "regulatory_action", "object": None, "object_is_organisation": False, "sentence": board}
    assert classify_organisation(["Tidewater"], [ctx(board, "Tidewater")], [approval])["type"] == "unknown"


def test_investment_and_regulatory_action_make_investors_and_regulators():
    s = "Marlow Ridge Capital invested $50 million in Kestrel."
    claim = {"type": "investment", "object": "Kestrel", "object_is_organisation": True, "sentence": s}
    assert classify_organisation(["Marlow Ridge Capital"], [ctx(s, "Marlow Ridge Capital")], [claim])["category"] == "investor"
    s = "The FCC opened a probe into Harbourline."
    claim = {"type": "regulatory_action", "object": "Harbourline", "object_is_organisation": True, "sentence": s}
    assert classify_organisation(["FCC"], [ctx(s, "FCC")], [claim])["category"] == "regulator"


def test_a_claim_about_another_organisation_reads_only_what_is_said_of_it():
    s = "OpenAI has announced chip deals, including with Nvidia."
    deal = {"type": "product_launch", "object": "Nvidia", "object_is_organisation": True, "sentence": s}
    assert classify_organisation(["OpenAI"], [ctx(s, "OpenAI")], [deal])["type"] == "unknown"
    s = "Sable launched Onyx-2, an accelerator chip for inference."
    launch = {"type": "product_launch", "object": "Onyx-2", "object_is_organisation": True, "sentence": s}
    assert classify_organisation(["Sable"], [ctx(s, "Sable")], [launch])["type"] == "Semiconductor company"
