"""The real-news folds: fixed by article id, repeats kept together, every article held out once."""

from dossier.evaluation.folds import FOLDS, assign_folds, id_fold, split_fold
from dossier.evaluation.gold import GoldArticle


def _article(article_id: str, text: str) -> GoldArticle:
    return GoldArticle(article_id, text, (), (), ())


def test_a_fold_depends_on_the_id_alone():
    assert id_fold("business_001") == id_fold("business_001")
    assert {id_fold(f"tech_{n:03d}") for n in range(60)} == set(range(FOLDS))


def test_a_repeated_story_shares_the_fold_of_its_smallest_id():
    articles = [_article(f"business_{n:03d}", f"story number {n}") for n in range(40)]
    articles.append(_article("tech_900", "Story  number 7 "))  # the same story under another number
    folds = assign_folds(articles)
    assert folds["tech_900"] == folds["business_007"]


def test_each_article_is_held_out_exactly_once():
    articles = [_article(f"tech_{n:03d}", f"text {n}") for n in range(50)]
    held = [a.id for k in range(FOLDS) for a in split_fold(articles, k)[1]]
    assert sorted(held) == sorted(a.id for a in articles)
    train, test = split_fold(articles, 2)
    assert not {a.id for a in train} & {a.id for a in test}
