"""The learned pair detector: candidates and their words, propose and veto on the real parse,
training labels and determinism, fold loading.

Every sentence here is written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.evaluation.gold import GoldArticle
from dossier.extract.analyse import Analyser, load_analyser
from dossier.extract.claim_detector import (
    NUMBER_MASK,
    ORG_MASK,
    SUBJECT_MASK,
    ClaimDetector,
    DetectorThresholds,
    apply_detector,
    detector_path,
    document_pairs,
    load_detector,
)
from dossier.extract.nlp import load_pipeline
from dossier.extract.organisations import build_organisations
from dossier.records import Claim
from dossier.settings import load_settings
from dossier.training.claim_detector import PairExample, label_pairs, train_textcat

# A handful of sentences of our own, enough for a bag-of-words model to tell two types apart.
RESULTS = [
    "Tarnwick Foods said its annual profit rose sharply to a record.",
    "Quarterly earnings at Pellham Bank fell by a third.",
    "Ostrava Motors posted a loss of $40m for the year.",
    "Profits at Quillon Media climbed 12% in the first half.",
    "Brisco Retail reported record sales and higher profit.",
]
PARTNERSHIPS = [
    "Tarnwick Foods and Pellham Bank agreed to work together on payments.",
    "Ostrava Motors teamed up with Quillon Media to build car screens.",
    "Brisco Retail formed an alliance with Tarnwick Foods.",
    "Pellham Bank signed a joint venture with Ostrava Motors.",
    "Quillon Media will collaborate with Brisco Retail on software.",
]
NEITHER = [
    "The weather in the north was cold.",
    "Fans queued for hours outside the stadium.",
    "The minister gave a speech on schools with Tarnwick Foods staff.",
    "Tarnwick Foods is based in a small town.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(load_settings().spacy_model)


def parsed(nlp, text: str):
    doc = nlp(text)
    _, span_names = build_organisations(doc)
    token_names = {i: name for (start, end), name in span_names.items() for i in range(start, end)}
    return doc, span_names, token_names


def tiny_examples(nlp) -> list[PairExample]:
    examples = []
    for texts, labels in ((RESULTS, {"financial_result"}), (PARTNERSHIPS, {"partnership"}), (NEITHER, set())):
        for text in texts:
            doc, _, token_names = parsed(nlp, text)
            examples.extend(PairExample("t", p.words, frozenset(labels)) for p in document_pairs(list(doc.sents), token_names))
    return examples


@pytest.fixture(scope="module")
def tiny_detector(nlp) -> ClaimDetector:
    model = train_textcat(tiny_examples(nlp), ["financial_result", "partnership"], seed=7, epochs=30, length=2**12)
    return ClaimDetector(model, DetectorThresholds(propose=0.6, veto=0.2, propose_types=frozenset({"financial_result"})))


def test_pair_words_mask_the_candidate_apart_from_other_organisations(nlp):
    doc, _, token_names = parsed(nlp, "Kestrel Dynamics signed a deal worth 500 million dollars with Orrin Shipping Group.")
    pairs = document_pairs(list(doc.sents), token_names)
    assert len({p.candidate.name for p in pairs}) == len(pairs) >= 2, "one pair per organisation named"
    for pair in pairs:
        assert pair.words.count(SUBJECT_MASK) == 1 and pair.words.count(ORG_MASK) == len(pairs) - 1
        assert "kestrel" not in pair.words and "sign" in pair.words and NUMBER_MASK in pair.words
    subject = next(p for p in pairs if p.candidate.name.startswith("Kestrel"))
    assert "dep_nsubj" in subject.words and "verb_sign" in subject.words and "main_clause" in subject.words
    partner = next(p for p in pairs if p is not subject)
    assert "dep_pobj" in partner.words and "prep_with" in partner.words


def test_a_subject_pronoun_makes_a_pair_for_the_previous_subject(nlp):
    doc, _, token_names = parsed(nlp, "Corvane Mills opened a plant in May. It said profits rose to a record.")
    pairs = document_pairs(list(doc.sents), token_names)
    second = [p for p in pairs if p.candidate.sentence == 1]
    assert [(p.candidate.name, p.candidate.resolved) for p in second] == [("Corvane Mills", True)]
    assert "resolved" in second[0].words and SUBJECT_MASK in second[0].words


def test_the_tiny_model_learns_the_types(tiny_detector, nlp):
    doc, _, token_names = parsed(nlp, "Halvard Foods said profits rose to a record. Halvard Foods is based in a small town.")
    first, second = tiny_detector.score_words(p.words for p in document_pairs(list(doc.sents), token_names))
    assert first["financial_result"] > 0.6 > second["financial_result"]
    assert first["partnership"] < 0.5


def test_propose_adds_a_type_the_rules_missed_with_parse_polarity_and_modality(tiny_detector, nlp):
    text = "Corvane Mills said its quarterly profit rose to a record."
    doc, span_names, _ = parsed(nlp, text)
    proposed = [c for c in tiny_detector.revise(doc, [], span_names) if c.type == "financial_result"]
    assert len(proposed) == 1
    claim = proposed[0]
    assert claim.subject == "Corvane Mills" and claim.rule == "detector"
    assert text[claim.start:claim.end] == claim.evidence
    assert claim.polarity == "affirmed"


def test_one_proposal_per_subject_and_type_at_its_best_sentence(nlp):
    doc, _, token_names = parsed(nlp, "Corvane Mills posted a profit. Corvane Mills is based in a small town.")
    pairs = document_pairs(list(doc.sents), token_names)
    thresholds = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({"financial_result"}))
    revised = apply_detector(pairs, [], token_names, [{"financial_result": 0.6}, {"financial_result": 0.9}], thresholds)
    assert [(c.type, c.evidence) for c in revised] == [("financial_result", "Corvane Mills is based in a small town.")]
    # Below the cut-off, or a type not proposed: nothing.
    assert apply_detector(pairs, [], token_names, [{"financial_result": 0.4}] * 2, thresholds) == []
    assert apply_detector(pairs, [], token_names, [{"partnership": 0.9}] * 2, thresholds) == []


def test_proposal_is_negated_when_the_parse_negates_its_verb(nlp):
    doc, _, token_names = parsed(nlp, "Corvane Mills did not report a profit rise for the year.")
    thresholds = DetectorThresholds(propose=0.0, veto=0.0, propose_types=frozenset({"financial_result"}))
    pairs = document_pairs(list(doc.sents), token_names)
    revised = apply_detector(pairs, [], token_names, [{"financial_result": 0.9, "partnership": 0.01}], thresholds)
    assert [(c.type, c.polarity) for c in revised] == [("financial_result", "negated")]


def rule_claim(doc, claim_type: str, polarity: str = "affirmed") -> Claim:
    sent = next(doc.sents)
    return Claim(subject="Corvane Mills", type=claim_type, polarity=polarity, evidence=sent.text.strip(),
                 start=sent.start_char, end=sent.end_char, rule="test")


def test_veto_drops_a_rule_claim_the_detector_finds_unlikely(tiny_detector, nlp):
    doc, span_names, _ = parsed(nlp, "Corvane Mills said its quarterly profit rose to a record.")
    kept = tiny_detector.revise(doc, [rule_claim(doc, "partnership")], span_names)
    assert "partnership" not in {c.type for c in kept}
    # The same claim survives where the detector agrees with the rules.
    doc, span_names, _ = parsed(nlp, "Corvane Mills teamed up with Orrin Shipping to build chips.")
    kept = tiny_detector.revise(doc, [rule_claim(doc, "partnership")], span_names)
    assert "partnership" in {c.type for c in kept}


def test_veto_never_drops_a_negated_rule_claim(tiny_detector, nlp):
    doc, span_names, _ = parsed(nlp, "Corvane Mills said its quarterly profit rose to a record.")
    kept = tiny_detector.revise(doc, [rule_claim(doc, "partnership", "negated")], span_names)
    assert [c.type for c in kept if c.rule == "test"] == ["partnership"]


def test_no_proposal_without_an_organisation(tiny_detector, nlp):
    doc, span_names, _ = parsed(nlp, "Profits rose to a record, officials said.")
    assert tiny_detector.revise(doc, [], span_names) == []


def test_training_is_deterministic_for_a_seed(nlp):
    labels = ["financial_result", "partnership"]
    examples = tiny_examples(nlp)
    one = train_textcat(examples, labels, seed=3, epochs=3, length=2**10)
    two = train_textcat(examples, labels, seed=3, epochs=3, length=2**10)
    other = train_textcat(examples, labels, seed=4, epochs=3, length=2**10)
    weights = [m.get_pipe("textcat_multilabel").to_bytes(exclude=["vocab"]) for m in (one, two, other)]
    assert weights[0] == weights[1]
    assert weights[0] != weights[2]


def test_labels_go_to_the_gold_subject_in_the_gold_evidence_sentence(nlp):
    text = "Corvane Mills posted a record profit with help from Orrin Shipping. Orrin Shipping hired a new chief executive."
    organisations = ({"name": "Corvane Mills", "aliases": []}, {"name": "Orrin Shipping", "aliases": []})
    claims = ({"subject": "Corvane Mills", "type": "financial_result",
               "evidence": "Corvane Mills posted a record profit with help from Orrin Shipping."},)
    article = GoldArticle("x", text, organisations, (), claims)
    analyser = Analyser(nlp=nlp, model=load_settings().spacy_model, use_detector=False)
    doc = nlp(text)
    _, span_names = build_organisations(doc)
    token_names = {i: name for (start, end), name in span_names.items() for i in range(start, end)}
    pairs = document_pairs(list(doc.sents), token_names)
    examples = label_pairs(article, analyser.analyse_doc(doc), pairs)
    got = {(p.candidate.name, p.candidate.sentence): set(e.labels) for p, e in zip(pairs, examples)}
    assert got == {("Corvane Mills", 0): {"financial_result"}, ("Orrin Shipping", 0): set(), ("Orrin Shipping", 1): set()}


def test_the_shipped_detector_reads_our_own_sentences(nlp):
    detector = load_detector()
    doc, _, token_names = parsed(nlp, "Brannock Steel reported a 40% jump in annual profit to a record £2bn. "
                                      "Brannock Steel has offices in a small town near the coast.")
    result, offices = detector.score_words(p.words for p in document_pairs(list(doc.sents), token_names))
    assert result["financial_result"] > 0.5 > offices["financial_result"]


def test_a_fold_loads_the_detector_trained_without_it():
    model = load_settings().spacy_model
    shipped = load_analyser(model)
    fold = load_analyser(model, fold=2)
    assert fold is not shipped and fold.fold == 2
    assert detector_path(2) == detector_path() / "folds" / "2"
    assert fold.detector is load_detector(2)
    shipped_weights = shipped.detector.nlp.get_pipe("textcat_multilabel").to_bytes(exclude=["vocab"])
    fold_weights = fold.detector.nlp.get_pipe("textcat_multilabel").to_bytes(exclude=["vocab"])
    assert shipped_weights != fold_weights
    assert load_analyser(model, use_detector=False).detector is None


@pytest.mark.parametrize("text, polarity", [
    ("Corvane Mills called off its takeover of Orrin Shipping.", "negated"),
    ("Corvane Mills said it would not buy Orrin Shipping.", "negated"),
    ("Corvane Mills said it had no plans to buy Orrin Shipping.", "negated"),
    ("Corvane Mills said it bought Orrin Shipping last year.", "affirmed"),
])
def test_a_proposal_reads_polarity_at_the_event_below_reporting_verbs(nlp, text, polarity):
    doc, _, token_names = parsed(nlp, text)
    pairs = document_pairs(list(doc.sents), token_names)
    thresholds = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({"acquisition"}))
    scores = [{"acquisition": 0.9 if p.candidate.name == "Corvane Mills" else 0.1} for p in pairs]
    revised = apply_detector(pairs, [], token_names, scores, thresholds)
    assert [(c.subject, c.polarity) for c in revised] == [("Corvane Mills", polarity)]


def test_an_organisation_that_is_not_its_clause_subject_is_proposed_only_at_any_position(nlp):
    doc, _, token_names = parsed(nlp, "Corvane Mills sold a stake in its port unit to Orrin Shipping.")
    pairs = document_pairs(list(doc.sents), token_names)
    assert {p.candidate.name for p in pairs} >= {"Corvane Mills", "Orrin Shipping"}
    thresholds = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({"investment"}))
    revised = apply_detector(pairs, [], token_names, [{"investment": 0.9}] * len(pairs), thresholds)
    assert [c.subject for c in revised] == ["Corvane Mills"]
    anywhere = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({"investment"}), any_position=True)
    revised = apply_detector(pairs, [], token_names, [{"investment": 0.9}] * len(pairs), anywhere)
    assert sorted(c.subject for c in revised) == ["Corvane Mills", "Orrin Shipping"]


def propose_for(nlp, text: str, name: str, claim_type: str, any_position: bool = True) -> list[tuple[str, str]]:
    """(polarity, modality) of what the detector proposes for `name` when only its pairs score high."""
    doc, _, token_names = parsed(nlp, text)
    pairs = document_pairs(list(doc.sents), token_names)
    assert name in {p.candidate.name for p in pairs}, "the organisation must be recognised"
    thresholds = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({claim_type}), any_position=any_position)
    scores = [{claim_type: 0.9 if p.candidate.name == name else 0.1} for p in pairs]
    return [(c.polarity, c.modality) for c in apply_detector(pairs, [], token_names, scores, thresholds) if c.subject == name]


@pytest.mark.parametrize("text, name, claim_type, expected", [
    # A partner in a "with X" phrase: the negation of the verb the phrase hangs from is its own.
    ("Orrin Shipping signed a partnership with Corvane Mills.", "Corvane Mills", "partnership", ("affirmed", "asserted")),
    ("Orrin Shipping did not sign a partnership with Corvane Mills.", "Corvane Mills", "partnership", ("negated", "asserted")),
    # An organisation in apposition to the subject is the subject: its refusal verb negates.
    ("Orrin Shipping's partner, Corvane Mills, pulled out of the venture in June.", "Corvane Mills", "partnership",
     ("negated", "asserted")),
    # A possessor: the event is the noun it owns, negated or not by what governs that noun.
    ("Corvane Mills's takeover of Orrin Shipping was called off.", "Corvane Mills", "acquisition", ("negated", "asserted")),
    ("Corvane Mills's takeover of Orrin Shipping will be completed in May.", "Corvane Mills", "acquisition",
     ("affirmed", "planned")),
    # "Profits at X dropped": the company's result, not a refusal of anything.
    ("Profits at Corvane Mills dropped by a fifth last year.", "Corvane Mills", "financial_result", ("affirmed", "asserted")),
    # The agent of a passive acts.
    ("Orrin Shipping was bought by Corvane Mills last year.", "Corvane Mills", "acquisition", ("affirmed", "asserted")),
    # What is announced to come is planned; what is asked is not announced.
    ("Corvane Mills announced a new ferry service would be launched in May.", "Corvane Mills", "product_launch",
     ("affirmed", "planned")),
    ("Corvane Mills asked whether the port could be expanded.", "Corvane Mills", "other", ("affirmed", "asserted")),
    # A participle describing a noun is a relative clause without its pronoun: the plan or
    # future of the verb governing the noun is not its own.
    ("Orrin Shipping will compete with the new ferry unveiled by Corvane Mills last week.", "Corvane Mills",
     "product_launch", ("affirmed", "asserted")),
    ("Orrin Shipping plans to buy the plant built by Corvane Mills in 2019.", "Corvane Mills", "facility",
     ("affirmed", "asserted")),
])
def test_a_proposal_reads_polarity_and_modality_at_the_candidates_own_event(nlp, text, name, claim_type, expected):
    assert propose_for(nlp, text, name, claim_type) == [expected]


def test_a_speaker_for_the_company_makes_it_the_subject(nlp):
    text = "Corvane Mills chief executive Anna Berg said the company would build a plant near the port."
    assert propose_for(nlp, text, "Corvane Mills", "facility", any_position=False) == [("affirmed", "planned")]


@pytest.mark.parametrize("text, name, claim_type", [
    # A negation in a conjoined clause: which clause holds the claim is a guess, and a negated
    # claim read as affirmed is the worst error.
    ("Corvane Mills held settlement talks with Orrin Shipping but did not reach an agreement.", "Corvane Mills", "other"),
    # A verb of stopping whose object names no event: a disposal or a refusal?
    ("Corvane Mills may scrap twenty older ships next year.", "Corvane Mills", "other"),
    # An addressee or a source has no event of its own in the sentence.
    ("Corvane Mills told Orrin Shipping that it would build a plant.", "Orrin Shipping", "facility"),
    # Not its clause's subject, and a refusal elsewhere in the sentence: the scored event may be the refused one.
    ("Shares in Corvane Mills fell after a report that the firm had failed to win a contract.", "Corvane Mills",
     "supply"),
    # A name standing alone as a headline's root names no event.
    ("Corvane Mills: an option, not an order", "Corvane Mills", "facility"),
])
def test_no_proposal_when_the_reading_is_in_doubt(nlp, text, name, claim_type):
    assert [p for p in propose_for(nlp, text, name, claim_type) if p[0] == "affirmed"] == []


def test_a_refusal_of_a_named_event_negates_the_proposal(nlp):
    text = "Corvane Mills cancelled its order for twenty ships from Orrin Shipping."
    assert propose_for(nlp, text, "Corvane Mills", "purchase_commitment") == [("negated", "asserted")]


@pytest.mark.parametrize("text", [
    "The company would build a plant near the port, said Anna Berg, chief executive of Corvane Mills.",
    "A spokeswoman for Corvane Mills said the company would build a plant near the port.",
])
def test_a_voice_of_the_company_makes_it_the_subject_of_what_is_said(nlp, text):
    assert propose_for(nlp, text, "Corvane Mills", "facility", any_position=False) == [("affirmed", "planned")]


def test_an_analyst_does_not_speak_for_the_firm_he_works_at(nlp):
    text = "An analyst at Corvane Mills said the company would build a plant near the port."
    assert propose_for(nlp, text, "Corvane Mills", "facility", any_position=False) == []


def test_the_other_party_of_a_rule_claim_is_not_proposed_as_its_subject():
    from dossier.settings import load_settings
    analyser = load_analyser(load_settings().spacy_model)
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "quayside.txt"
    result = next(analyser.analyse([fixture.read_text()]))
    # "Quayside will supply 400 sorting robots to Marrowgate": Marrowgate is supplied.
    supply = {c.subject for c in result.claims if c.type == "supply"}
    assert supply == {"Quayside Robotics"}, result.claims


@pytest.mark.parametrize("text, claim_type", [
    # What the company says has an actor of its own: the speaker is not the one who acts.
    ("Corvane Mills told reporters that customers could use its new payment service.", "product_launch"),
    ("Corvane Mills said Orrin Shipping would build a plant near the port.", "facility"),
])
def test_a_speaker_is_not_the_actor_of_what_someone_else_does(nlp, text, claim_type):
    assert propose_for(nlp, text, "Corvane Mills", claim_type, any_position=False) == []


def test_the_speakers_own_voice_is_still_its_claim(nlp):
    text = "Corvane Mills said it would build a plant near the port."
    assert propose_for(nlp, text, "Corvane Mills", "facility", any_position=False) == [("affirmed", "planned")]


def test_pulling_out_of_a_market_is_no_refusal_of_a_deal(nlp):
    # An exit is affirmed (the rules read it as market_entry_exit); the detector must not
    # propose a negated partnership from the particle verb alone.
    text = "Corvane Mills pulled out of the Chilean market last year."
    assert propose_for(nlp, text, "Corvane Mills", "partnership") == []


def test_other_is_proposed_only_for_an_organisation_that_acts(nlp):
    text = "The delegation included representatives of Corvane Mills, a flour miller."
    assert propose_for(nlp, text, "Corvane Mills", "other") == []
    assert propose_for(nlp, "Corvane Mills cut the price of its flour by a tenth.", "Corvane Mills", "other") \
        == [("affirmed", "asserted")]


@pytest.mark.parametrize("text, name, claim_type", [
    # A company the reference data knows takes no regulatory action ...
    ("Microsoft is investigating a fault in its ordering software.", "Microsoft", "regulatory_action"),
    # ... and a regulator that agrees a deal with a company settles, it partners no one.
    ("The Competition Commission agreed a deal with Corvane Mills on Friday.", "Competition Commission", "partnership"),
])
def test_proposals_keep_the_rules_type_discipline_on_subjects(nlp, text, name, claim_type):
    assert propose_for(nlp, text, name, claim_type) == []


def test_a_likely_bidder_is_hedged(nlp):
    text = "Analysts say Corvane Mills is the most likely bidder for Orrin Shipping."
    assert propose_for(nlp, text, "Corvane Mills", "acquisition", any_position=False) == [("affirmed", "hedged")]


def test_a_cue_verb_the_lemmatizer_misreads_still_plans(nlp):
    # The small model lemmatizes "hoping" as "hop": cue verbs count by their inflected forms.
    text = "Corvane Mills is hoping to expand in the coming year."
    assert propose_for(nlp, text, "Corvane Mills", "other", any_position=False) == [("affirmed", "planned")]


def test_the_threshold_search_wants_proposals_right_at_least_half_the_time():
    from dossier.training.claim_detector import proposals_right_enough
    rules = (260, 370)
    assert proposals_right_enough((306, 455), rules)  # 46 right of 85 added
    assert not proposals_right_enough((324, 500), rules)  # 64 right of 130 added
    assert proposals_right_enough((250, 350), rules)  # a veto adds nothing


def test_a_type_whose_proposals_are_mostly_wrong_is_not_proposed():
    from dossier.evaluation.scoring import PRF
    from dossier.training.claim_detector import kept_types
    base = {"other": PRF(40, 50, 80), "product_launch": PRF(30, 33, 60)}
    trial = {"other": PRF(46, 60, 80),  # 6 right of 10 added
             "product_launch": PRF(31, 37, 60),  # 1 right of 4 added
             "workforce": PRF(2, 3, 9)}  # 2 of 3, none before
    types = frozenset({"other", "product_launch", "workforce", "facility"})
    assert kept_types(base, trial, types) == {"other", "workforce", "facility"}


@pytest.mark.parametrize("text, name", [
    ("The summit heard pledges of support from companies such as Corvane Mills.", "Corvane Mills"),
    ("Services like these are offered by several operators, like Corvane Mills.", "Corvane Mills"),
    ("Other firms seen as would-be suitors include Corvane Mills.", "Corvane Mills"),
    # The last of a list of examples, and an example named after "the likes of".
    ("Among its creditors are banks such as Orrin Shipping's Capital and Corvane Mills, as well as Tarnwick Foods.",
     "Corvane Mills"),
    ("It faces stiff competition from the likes of Corvane Mills, which is also looking to sell online.",
     "Corvane Mills"),
])
def test_an_organisation_named_as_an_example_of_a_kind_gets_no_proposal(nlp, text, name):
    assert propose_for(nlp, text, name, "partnership") == []


@pytest.mark.parametrize("text, claim_type", [
    ("Corvane Mills does not link to news sources that are blocked in China.", "other"),
    ("Right now, Corvane Mills can only take a text message and upload it to a web page.", "other"),
    ("Even Corvane Mills admits this.", "other"),
])
def test_what_an_organisation_can_or_habitually_does_not_do_is_no_event(nlp, text, claim_type):
    assert propose_for(nlp, text, "Corvane Mills", claim_type) == []


def test_a_suspicion_hedges(nlp):
    text = "Corvane Mills is suspected of sending out millions of unwanted e-mail messages."
    assert propose_for(nlp, text, "Corvane Mills", "other") == [("affirmed", "hedged")]


def test_a_rule_set_at_an_amount_plans_nothing(nlp):
    # "set" plans only as "is set to ...".
    text = "The Orrin Authority set compensation for delayed passengers at 250 euros."
    assert propose_for(nlp, text, "Orrin Authority", "regulatory_action") == [("affirmed", "asserted")]


def test_is_to_plans_the_infinitive_below_the_copula(nlp):
    text = "Meanwhile, Orrin Shipping's budget arm, Corvane Mills, is to buy ten ships from Tarnwick Foods."
    assert propose_for(nlp, text, "Corvane Mills", "purchase_commitment", any_position=False) == [("affirmed", "planned")]


def test_it_after_a_sentence_about_a_thing_is_the_thing(nlp):
    def proposed_at_pronoun(text: str, claim_type: str) -> list[str]:
        doc, _, token_names = parsed(nlp, text)
        pairs = document_pairs(list(doc.sents), token_names)
        scores = [{claim_type: 0.9 if p.candidate.resolved else 0.1} for p in pairs]
        thresholds = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({claim_type}))
        return [c.subject for c in apply_detector(pairs, [], token_names, scores, thresholds)]

    text = ("Corvane Mills said it had found a new virus. The virus attempts to switch off security software. "
            "It may also try to steal banking passwords.")
    assert proposed_at_pronoun(text, "other") == []
    text = "Corvane Mills said it had found a new virus. It will release a fix for its customers next week."
    assert proposed_at_pronoun(text, "product_launch") == ["Corvane Mills"]


@pytest.mark.parametrize("text, name, claim_type, expected", [
    # Type discipline: an object the rules of the type refuse makes no proposal of it.
    ("Halden Telecom has launched the promotion to show off its broadband service.", "Halden Telecom",
     "product_launch", []),
    # A product is launched as before.
    ("Halden Telecom has launched a broadband service for farms.", "Halden Telecom", "product_launch",
     [("affirmed", "asserted")]),
])
def test_a_proposal_needs_an_object_its_type_allows(nlp, text, name, claim_type, expected):
    assert propose_for(nlp, text, name, claim_type) == expected


@pytest.mark.parametrize("claim_type, expected", [
    # A bare verb names no deal, product or order, whatever the words around it suggest.
    ("acquisition", []),
    ("merger", []),
    # What an organisation does may be bare ("other").
    ("other", [("affirmed", "asserted")]),
])
def test_a_bare_verb_proposes_no_deal(nlp, claim_type, expected):
    text = "Halden Registries, the council of the national registries, agrees."
    assert propose_for(nlp, text, "Halden Registries", claim_type) == expected


def test_a_time_clause_before_a_plan_reads_planned_or_in_doubt(nlp):
    present = ("When Halden Group opens its plant in Mount Pleasant, Wisconsin, the plan is a vast factory "
               "for display panels and as many as 13,000 jobs.")
    assert propose_for(nlp, present, "Halden Group", "workforce") == [("affirmed", "planned")]
    # A past plan: whether it came about is not said (the demo's Foxconn card read it as a plan to watch).
    past = ("When Halden Group arrived in Mount Pleasant, Wisconsin, in 2017, the plan was a vast factory "
            "for display panels and as many as 13,000 jobs.")
    assert propose_for(nlp, past, "Halden Group", "workforce") == []


def test_a_refusal_of_an_act_done_to_an_organisation_is_not_its_own(nlp):
    # The banks are barred from financing Corvane Mills: nothing of Corvane Mills's is negated.
    text = "Six banks were barred from providing loans to Corvane Mills, which was expected to win the auction."
    assert propose_for(nlp, text, "Corvane Mills", "acquisition") == []
    # A party "with" the event shares its negation.
    assert propose_for(nlp, "Orrin Shipping did not sign a partnership with Corvane Mills.", "Corvane Mills",
                       "partnership") == [("negated", "asserted")]


@pytest.mark.parametrize("text", [
    "The government is regaining control of Corvane Mills to help it out of its difficulties.",
    "Orrin Shipping holds a stake in Corvane Mills.",
])
def test_what_is_owned_or_bid_for_holds_no_acquisition_or_investment(nlp, text):
    assert propose_for(nlp, text, "Corvane Mills", "investment") == []
    assert propose_for(nlp, text, "Corvane Mills", "acquisition") == []


def test_an_offer_set_aside_for_another_course_gets_no_proposal(nlp):
    text = ("Reports said Corvane Mills had been offered 20% of Orrin Shipping for its loans, but the company "
            "opted for a long-term supply deal instead.")
    assert propose_for(nlp, text, "Corvane Mills", "investment") == []
    # "instead of" is the rules' reading of an alternative; a plain offer stands.
    plain = "Reports said Corvane Mills had been offered 20% of Orrin Shipping for its loans."
    assert propose_for(nlp, plain, "Corvane Mills", "investment") != []
