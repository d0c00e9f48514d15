"""Real-news scoring on tiny hand-made articles: error classes, confusion matrices, per-type
claim scores, and folds analysed only by their own fold's analyser."""

from __future__ import annotations

import pytest

from dossier.evaluation import realnews
from dossier.evaluation.error_classes import classify_organisation_error, count_classes
from dossier.evaluation.folds import assign_folds
from dossier.evaluation.gate import check_gate
from dossier.evaluation.gold import GoldArticle, GoldScores, score_article
from dossier.evaluation.scoring import Confusion
from dossier.records import Analysis, Claim, EntitySpan, Organisation

TEXT = ("Quillon Motors agreed to buy Brask Tools. Mr Pallister, its chief, said the deal closes in May. "
        "Quillon Motors will not team up with Harlow Steel. Its Zephyr console sold well in Lyon.")


@pytest.mark.parametrize("name, kwargs, expected", [
    ("331bn", {}, "figure"),
    ("$40m", {}, "figure"),
    ("FTSE 100", {}, "index"),
    ("the Nikkei index", {}, "index"),
    ("Consumer Electronics Show", {}, "event"),
    ("Pallister", {"text": TEXT}, "person"),
    ("Ida Marr", {"text": "Ida Marr runs the fund. Marr said prices would rise."}, "person"),
    ("Marr Capital", {"text": "Marr Capital said prices would rise."}, "other"),
    ("Harlow Steel", {"model_labels": ["ORG", "PERSON"]}, "person"),
    ("Kestrel", {"model_labels": ["GPE"]}, "place"),
    ("Brask Tools", {"model_labels": ["ORG"], "counterparts": ["Brask"]}, "fragment/partial name"),
    ("Lyon", {"places": ["Lyon"]}, "place"),
    ("Zephyr", {"text": TEXT}, "product/brand"),
    ("Velora", {"notes": "Velora is a brand of the group, not an organisation."}, "product/brand"),
    ("Ministry of Trade", {}, "government body"),
    ("Quillon Europe", {"counterparts": ["Quillon"]}, "unit/division"),
    ("Quillon Motors chief", {"counterparts": ["Quillon Motors"]}, "fragment/partial name"),
    ("Quillon", {"counterparts": ["Quillon Motors"]}, "fragment/partial name"),
    ("Brask Tools'", {}, "fragment/partial name"),
    ("XQZT", {}, "acronym"),
    ("Brindlewick Holdings", {}, "other"),
])
def test_each_error_class_has_a_case(name, kwargs, expected):
    kwargs = {"text": "", **kwargs}
    assert classify_organisation_error(name, **kwargs) == expected


def test_error_classes_are_counted_per_kind_in_their_documented_order():
    errors = [{"kind": "org_fp", "class": "acronym"}, {"kind": "org_fp", "class": "figure"},
              {"kind": "org_fp", "class": "acronym"}, {"kind": "org_fn", "class": "person"}, {"kind": "claim_fp"}]
    counts = count_classes(errors)
    assert counts == {"org_fp": {"figure": 1, "acronym": 2}, "org_fn": {"person": 1}}
    assert list(counts["org_fp"]) == ["figure", "acronym"]


def test_confusion_matrix_counts_gold_against_predicted():
    matrix = Confusion(("affirmed", "negated"))
    for gold, predicted in [("affirmed", "affirmed"), ("affirmed", "negated"), ("negated", "negated"),
                            ("affirmed", "affirmed")]:
        matrix.add(gold, predicted)
    out = matrix.as_dict()
    assert out["matrix"] == {"affirmed": {"affirmed": 2, "negated": 1}, "negated": {"affirmed": 0, "negated": 1}}
    assert out["accuracy"] == 0.75 and out["total"] == 4
    assert matrix.rate("affirmed", "negated") == pytest.approx(1 / 3)
    assert matrix.rate("negated", "affirmed") == 0.0


def test_confusion_matrix_gives_an_unexpected_label_its_own_row_and_column():
    matrix = Confusion(("asserted",))
    matrix.add("asserted", "rumoured")
    assert matrix.as_dict()["labels"] == ["asserted", "rumoured"]
    assert matrix.as_dict()["matrix"]["asserted"]["rumoured"] == 1


def _claim(subject, type_, polarity, modality, evidence, obj=None):
    start = TEXT.index(evidence)
    return Claim(subject=subject, type=type_, object=obj, polarity=polarity, modality=modality, evidence=evidence,
                 start=start, end=start + len(evidence))


S1 = "Quillon Motors agreed to buy Brask Tools."
S2 = "Quillon Motors will not team up with Harlow Steel."
ARTICLE = GoldArticle(
    id="t1", text=TEXT,
    organisations=({"name": "Quillon Motors", "aliases": []}, {"name": "Brask Tools", "aliases": []},
                   {"name": "Harlow Steel", "aliases": []}),
    places=({"name": "Lyon", "country": "FR"},),
    claims=({"subject": "Quillon Motors", "type": "acquisition", "object": "Brask Tools", "polarity": "affirmed",
             "modality": "asserted", "evidence": S1},
            {"subject": "Quillon Motors", "type": "partnership", "object": "Harlow Steel", "polarity": "negated",
             "modality": "planned", "evidence": S2}),
    notes="Zephyr is a product.",
)
ANALYSIS = Analysis(
    entities=(EntitySpan(text="Harlow Steel", label="PERSON", start=TEXT.index("Harlow"), end=TEXT.index("Harlow") + 12),),
    organisations=(Organisation(name="Quillon Motors"), Organisation(name="Brask Tools"), Organisation(name="Zephyr")),
    # The acquisition read as negated (the worst error), a supply claim nobody annotated.
    claims=(_claim("Quillon Motors", "acquisition", "negated", "asserted", S1, "Brask Tools"),
            _claim("Quillon Motors", "supply", "affirmed", "planned", S2, "Harlow Steel")),
)


def test_claims_are_scored_per_type_with_polarity_and_modality_matrices():
    scores = GoldScores()
    score_article(ARTICLE, ANALYSIS, scores)
    out = scores.as_dict()
    types = out["claim_types"]
    assert set(types) == {"acquisition", "partnership", "supply"}
    assert (types["acquisition"]["precision"], types["acquisition"]["recall"]) == (1.0, 1.0)
    assert (types["partnership"]["recall"], types["partnership"]["gold"]) == (0.0, 1)
    assert (types["supply"]["precision"], types["supply"]["predicted"]) == (0.0, 1)
    assert out["polarity_confusion"]["matrix"]["affirmed"] == {"affirmed": 0, "negated": 1}
    assert out["affirmed_read_as_negated"] == 1.0 and out["polarity_accuracy"] == 0.0
    assert out["modality_confusion"]["matrix"]["asserted"]["asserted"] == 1 and out["modality_accuracy"] == 1.0


def test_organisation_errors_carry_their_class_and_the_models_label():
    scores = GoldScores()
    score_article(ARTICLE, ANALYSIS, scores)
    fp = [e for e in scores.errors if e["kind"] == "org_fp"]
    fn = [e for e in scores.errors if e["kind"] == "org_fn"]
    assert [(e["name"], e["class"]) for e in fp] == [("Zephyr", "product/brand")]
    assert [(e["name"], e["model_labels"]) for e in fn] == [("Harlow Steel", ["PERSON"])]
    assert scores.as_dict()["organisation_error_classes"]["org_fp"] == {"product/brand": 1}


class _RecordingAnalyser:
    def __init__(self, fold: int, seen: dict[str, int]) -> None:
        self.fold, self.seen = fold, seen

    def analyse(self, texts, batch_size=32, n_process=1):
        for text in texts:
            self.seen[text] = self.fold
            yield Analysis()


def test_each_fold_is_analysed_by_its_own_analyser_only():
    articles = [GoldArticle(id=f"a{n:03d}", text=f"story {n}", organisations=(), places=(), claims=()) for n in range(40)]
    seen: dict[str, int] = {}
    asked: list[int] = []

    def factory(fold):
        asked.append(fold)
        return _RecordingAnalyser(fold, seen)

    analyses = realnews.analyse_folds(articles, factory)
    assigned = assign_folds(articles)
    assert sorted(asked) == [k for k in range(5) if k in assigned.values()]
    assert len(analyses) == 40 and all(seen[a.text] == assigned[a.id] for a in articles)
    per_fold, overall = realnews.score_folds(articles, analyses)
    assert sum(s.organisations.gold for s in per_fold.values()) == overall.organisations.gold


def test_the_default_factory_passes_the_fold_when_load_analyser_takes_one(monkeypatch):
    from dossier.extract import analyse

    monkeypatch.setattr(analyse, "load_analyser", lambda model, fold=None: (model, fold))
    assert realnews.default_analyser_factory("m")(3) == ("m", 3)
    monkeypatch.setattr(analyse, "load_analyser", lambda model: (model, "no folds"))
    assert realnews.default_analyser_factory("m")(3) == ("m", "no folds")


def test_the_gate_refuses_a_changed_real_news_corpus():
    baseline = {"corpus_sha256": "x", "realnews_corpus_sha256": "r", "floors": {"realnews.all.claim.f1": 0.3}}
    assert check_gate({"realnews": {"corpus_sha256": "r", "all": {"claim": {"f1": 0.31}}}}, baseline) == []
    problems = check_gate({"realnews": {"corpus_sha256": "edited", "all": {"claim": {"f1": 0.2}}}}, baseline)
    assert len(problems) == 2 and "bbc-news/gold" in problems[0] and "fell below" in problems[1]
