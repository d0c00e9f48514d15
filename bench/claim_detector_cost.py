"""What the learned claim detector adds to the NLP stage: CPU seconds per article, with and without.

    .venv/bin/python bench/claim_detector_cost.py [--articles 300] [--rounds 3] [--shared ../shared/data]

One process, the same real stories (the first N of `bbc-news/articles`, in path order) for
both readings; the rounds alternate the two so machine noise falls on both alike, and the
median round counts. Models are loaded and warmed before any timing. On a busy machine the
difference drowns in noise, so the detector's own share is also timed alone: scoring and
revising the claims of the already parsed documents.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dossier.extract.analyse import Analyser
from dossier.extract.claim_detector import load_detector
from dossier.extract.claims import extract_claims
from dossier.extract.nlp import load_pipeline
from dossier.extract.organisations import build_organisations
from dossier.settings import load_settings


def read_articles(shared: Path, count: int) -> list[str]:
    """The first `count` BBC stories (headline and body), in path order."""
    paths = sorted((shared / "bbc-news" / "articles").glob("*/*.txt"))[:count]
    return [p.read_text(encoding="utf-8") for p in paths]


def cpu_seconds(analyser: Analyser, texts: list[str]) -> float:
    """Process CPU seconds to parse and analyse `texts` (batch 32, this process only)."""
    started = time.process_time()
    for _ in analyser.analyse(texts, batch_size=32):
        pass
    return time.process_time() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    args = parser.parse_args(argv)
    texts = read_articles(args.shared, args.articles)
    model = load_settings().spacy_model
    nlp = load_pipeline(model)
    readings = {"rules only": Analyser(nlp=nlp, model=model, use_detector=False),
                "rules + detector": Analyser(nlp=nlp, model=model)}
    load_detector()
    for analyser in readings.values():
        cpu_seconds(analyser, texts[:8])  # warm-up: matcher built, caches filled
    times: dict[str, list[float]] = {name: [] for name in readings}
    for _ in range(args.rounds):
        for name, analyser in readings.items():
            times[name].append(cpu_seconds(analyser, texts))
    detector = load_detector()
    rules = readings["rules only"]
    parsed = []
    for doc in nlp.pipe(texts, batch_size=32):
        _, span_names = build_organisations(doc)
        parsed.append((doc, extract_claims(doc, rules.matcher, span_names), span_names))
    alone = []
    for _ in range(args.rounds):
        started = time.process_time()
        for doc, claims, span_names in parsed:
            detector.revise(doc, claims, span_names)
        alone.append(time.process_time() - started)
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words} words, {args.rounds} rounds, one process")
    base = statistics.median(times["rules only"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:>17}: {median / len(texts) * 1000:.1f} ms CPU per article (median of "
              f"{', '.join(f'{v:.1f}' for v in values)} s), {median / base:.3f}x")
    own = statistics.median(alone)
    print(f"detector alone on the parsed documents: {own / len(texts) * 1000:.2f} ms CPU per article "
          f"(median of {', '.join(f'{v:.2f}' for v in alone)} s), {own / base:.1%} of the rules-only NLP stage")


if __name__ == "__main__":
    main()
