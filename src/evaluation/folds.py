"""Five fixed folds over the real-news gold set (`../shared/data/bbc-news/gold`).

Anything learned is scored only on folds it was not trained on, so every evaluation and
every training script cuts the folds here, the same way. A fold is a function of the
article id alone (sha256 of the id, modulo five), so adding an article never moves another
one. The BBC set repeats some stories under two numbers: articles whose normalised text is
the same are put in the fold of the smallest id among them, so a story is never trained on
and scored at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from dossier.evaluation.gold import GoldArticle, load_gold

FOLDS = 5
REALNEWS_GOLD = Path("bbc-news") / "gold"


def realnews_gold_dir(shared: Path) -> Path:
    """Where the annotated real-news stories live under the shared corpora folder."""
    return shared / REALNEWS_GOLD


def id_fold(article_id: str, folds: int = FOLDS) -> int:
    """The fold of one article id: stable across runs, machines and Python versions."""
    return int.from_bytes(hashlib.sha256(article_id.encode("utf-8")).digest()[:8], "big") % folds


def _text_key(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


def assign_folds(articles: Sequence[GoldArticle], folds: int = FOLDS) -> dict[str, int]:
    """{article id: fold}; repeated stories share the fold of their smallest id."""
    first: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.id):
        first.setdefault(_text_key(article.text), article.id)
    return {a.id: id_fold(first[_text_key(a.text)], folds) for a in articles}


def split_fold(articles: Sequence[GoldArticle], fold: int, folds: int = FOLDS) -> tuple[list[GoldArticle], list[GoldArticle]]:
    """(training articles, held-out articles) for one fold."""
    assigned = assign_folds(articles, folds)
    train = [a for a in articles if assigned[a.id] != fold]
    held_out = [a for a in articles if assigned[a.id] == fold]
    return train, held_out


def load_realnews(shared: Path) -> list[GoldArticle]:
    """The annotated real-news stories, in id order (empty when the shared corpora are absent)."""
    folder = realnews_gold_dir(shared)
    return load_gold(folder) if folder.is_dir() else []


def fold_sizes(articles: Iterable[GoldArticle], folds: int = FOLDS) -> list[int]:
    """How many articles each fold holds (for reports)."""
    listed = list(articles)
    assigned = assign_folds(listed, folds)
    return [sum(1 for a in listed if assigned[a.id] == k) for k in range(folds)]
