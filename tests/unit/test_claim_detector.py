"""The learned claim detector: propose and veto on the real parse, training determinism, fold loading.

Every sentence here is written for these tests.
"""

from __future__ import annotations

import pytest

from dossier.extract.analyse import load_analyser
from dossier.extract.claim_detector import (
    NUMBER_MASK,
    ORG_MASK,
    ClaimDetector,
    DetectorThresholds,
    apply_detector,
    detector_path,
    load_detector,
    sentence_words,
)
from dossier.extract.nlp import load_pipeline
from dossier.extract.organisations import build_organisations
from dossier.records import Claim
from dossier.settings import load_settings
from dossier.training.claim_detector import SentenceExample, label_sentences, train_textcat

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
    "The minister gave a speech on schools.",
    "Tarnwick Foods is based in a small town.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(load_settings().spacy_model)


def tiny_examples(nlp) -> list[SentenceExample]:
    def example(text: str, labels: set[str]) -> SentenceExample:
        return SentenceExample("t", tuple(sentence_words(next(nlp(text).sents))), frozenset(labels))

    return ([example(s, {"financial_result"}) for s in RESULTS] + [example(s, {"partnership"}) for s in PARTNERSHIPS]
            + [example(s, set()) for s in NEITHER])


@pytest.fixture(scope="module")
def tiny_detector(nlp) -> ClaimDetector:
    nlp = train_textcat(tiny_examples(nlp), ["financial_result", "partnership"], seed=7, epochs=30, length=2**12)
    return ClaimDetector(nlp, DetectorThresholds(propose=0.6, veto=0.2, propose_types=frozenset({"financial_result"})))


def parsed(nlp, text: str):
    doc = nlp(text)
    _, span_names = build_organisations(doc)
    return doc, span_names


def test_sentence_words_mask_each_organisation_once(nlp):
    doc = nlp("Kestrel Dynamics signed a deal worth 500 million dollars with Orrin Shipping Group on Monday.")
    words = sentence_words(next(doc.sents))
    orgs = [e for e in doc.ents if e.label_ == "ORG"]
    assert orgs, "the pipeline should find the organisations of this sentence"
    assert words.count(ORG_MASK) == len(orgs)
    assert "kestrel" not in words and "sign" in words and NUMBER_MASK in words


def test_the_tiny_model_learns_the_types(tiny_detector, nlp):
    doc = nlp("Halvard Foods said profits rose to a record. Fans queued for hours in the cold.")
    first, second = tiny_detector.score_sentences(doc.sents)
    assert first["financial_result"] > 0.6 > second["financial_result"]
    assert first["partnership"] < 0.5


def test_propose_adds_a_type_the_rules_missed_with_parse_polarity_and_modality(tiny_detector, nlp):
    text = "Corvane Mills said its quarterly profit rose to a record."
    doc, span_names = parsed(nlp, text)
    revised = tiny_detector.revise(doc, [], span_names)
    proposed = [c for c in revised if c.type == "financial_result"]
    assert len(proposed) == 1
    claim = proposed[0]
    assert claim.subject == "Corvane Mills" and claim.rule == "detector"
    assert text[claim.start:claim.end] == claim.evidence
    assert claim.polarity == "affirmed"


def test_proposal_is_negated_when_the_parse_negates_its_verb(tiny_detector, nlp):
    doc, span_names = parsed(nlp, "Corvane Mills did not report a profit rise for the year.")
    thresholds = DetectorThresholds(propose=0.0, veto=0.0, propose_types=frozenset({"financial_result"}))
    scores = [{"financial_result": 0.9, "partnership": 0.01}]
    revised = apply_detector(list(doc.sents), [], span_names, scores, thresholds)
    assert [(c.type, c.polarity) for c in revised] == [("financial_result", "negated")]


def rule_claim(doc, claim_type: str, polarity: str = "affirmed") -> Claim:
    sent = next(doc.sents)
    return Claim(subject="Corvane Mills", type=claim_type, polarity=polarity, evidence=sent.text.strip(),
                 start=sent.start_char, end=sent.end_char, rule="test")


def test_veto_drops_a_rule_claim_the_detector_finds_unlikely(tiny_detector, nlp):
    doc, span_names = parsed(nlp, "Corvane Mills said its quarterly profit rose to a record.")
    kept = tiny_detector.revise(doc, [rule_claim(doc, "partnership")], span_names)
    assert "partnership" not in {c.type for c in kept}
    # The same claim survives where the detector agrees with the rules.
    doc, span_names = parsed(nlp, "Corvane Mills teamed up with Orrin Shipping to build chips.")
    kept = tiny_detector.revise(doc, [rule_claim(doc, "partnership")], span_names)
    assert "partnership" in {c.type for c in kept}


def test_veto_never_drops_a_negated_rule_claim(tiny_detector, nlp):
    doc, span_names = parsed(nlp, "Corvane Mills said its quarterly profit rose to a record.")
    kept = tiny_detector.revise(doc, [rule_claim(doc, "partnership", "negated")], span_names)
    assert [c.type for c in kept if c.rule == "test"] == ["partnership"]


def test_no_proposal_without_an_organisation_subject(tiny_detector, nlp):
    doc, span_names = parsed(nlp, "Profits rose to a record, officials said.")
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


def test_labels_come_from_the_gold_evidence_sentences(nlp):
    from dossier.evaluation.gold import GoldArticle

    text = "Corvane Mills posted a record profit. Orrin Shipping hired a new chief executive."
    claims = ({"subject": "Corvane Mills", "type": "financial_result", "evidence": "Corvane Mills posted a record profit."},)
    examples = label_sentences(GoldArticle("x", text, (), (), claims), nlp(text))
    assert [set(e.labels) for e in examples] == [{"financial_result"}, set()]


def test_the_shipped_detector_reads_our_own_sentences(nlp):
    detector = load_detector()
    doc = nlp("Brannock Steel reported a 40% jump in annual profit to a record £2bn. "
              "The weather was mild for the time of year.")
    result, weather = detector.score_sentences(doc.sents)
    assert result["financial_result"] > 0.5 > weather["financial_result"]


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
    doc, span_names = parsed(nlp, text)
    thresholds = DetectorThresholds(propose=0.5, veto=0.0, propose_types=frozenset({"acquisition"}))
    revised = apply_detector(list(doc.sents), [], span_names, [{"acquisition": 0.9}], thresholds)
    assert [(c.subject, c.polarity) for c in revised] == [("Corvane Mills", polarity)]
