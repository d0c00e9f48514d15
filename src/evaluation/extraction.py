"""Text-extraction F1 on the article-extraction benchmark, with that benchmark's scoring.

The benchmark compares word 4-gram "shingles" (tokens are runs of word characters) of the
extracted and the gold article body. Per page, true/false positives and false negatives
are counted over shingle multisets and normalised so long pages weigh no more than short
ones; precision and recall are averaged over pages, and F1 is computed from the averages.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

from dossier.ingest.text import NoText, decode_body, extract_article
from dossier.records import Page

SHINGLE = 4
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Counts of the word n-grams of a text (one short shingle for texts under n words)."""
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])


def page_counts(gold: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles of one page, normalised to sum to 1."""
    truth, guess = shingles(gold), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def summarise(counts: Iterable[tuple[float, float, float]]) -> dict[str, float]:
    """Precision and recall averaged over pages (pages with nothing to score skipped), and F1."""
    counts = list(counts)
    precision = mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "pages": len(counts)}


def extract_text(html: bytes, url: str) -> str:
    """What dossier's ingest keeps of a page ("" when it finds no article text)."""
    page = Page(url=url, final_url=url, status=200, html=decode_body(html, None), fetched_at=datetime.now(UTC))
    try:
        return extract_article(page).text
    except NoText:
        return ""


def evaluate_benchmark(folder: Path, extractor: Callable[[bytes, str], str] = extract_text) -> dict[str, float]:
    """Score `extractor` on every page of the benchmark in `folder`."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    counts = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        counts.append(page_counts(item.get("articleBody", ""), extractor(html, item.get("url", ""))))
    return summarise(counts)
