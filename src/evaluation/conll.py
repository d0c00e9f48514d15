"""CoNLL-2003 exact-span evaluation of organisations and locations.

spaCy's ORG is scored against gold ORG; GPE, LOC and FAC against gold LOC. Each document's
tokens are joined with spaces and its sentences with line breaks (which dossier's pipeline
treats as sentence ends), and spans are compared by character offsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dossier.evaluation.scoring import PRF

LABEL_MAP = {"ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
SCORED = ("ORG", "LOC")


@dataclass(frozen=True)
class ConllDoc:
    text: str
    spans: frozenset[tuple[str, int, int]]  # (label, start, end) of gold ORG/LOC/PER/MISC


def read_conll(path: Path) -> Iterator[ConllDoc]:
    """Documents of a CoNLL-2003 file (IOB1 tags), with gold spans as character offsets."""
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []

    def flush_doc() -> ConllDoc | None:
        if current:
            sentences.append(list(current))
            current.clear()
        if not sentences:
            return None
        doc = _build(sentences)
        sentences.clear()
        return doc

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            doc = flush_doc()
            if doc:
                yield doc
            continue
        if not line.strip():
            if current:
                sentences.append(list(current))
                current.clear()
            continue
        parts = line.split()
        current.append((parts[0], parts[-1]))
    doc = flush_doc()
    if doc:
        yield doc


def _build(sentences: list[list[tuple[str, str]]]) -> ConllDoc:
    pieces, spans, offset = [], set(), 0
    for s_index, sentence in enumerate(sentences):
        if s_index:
            pieces.append("\n")
            offset += 1
        open_span: tuple[str, int, int] | None = None
        for t_index, (token, tag) in enumerate(sentence):
            if t_index:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            pieces.append(token)
            offset = end
            kind = tag[2:] if tag != "O" else None
            continues = open_span is not None and kind == open_span[0] and tag.startswith("I-")
            if continues:
                open_span = (open_span[0], open_span[1], end)
            else:
                if open_span:
                    spans.add(open_span)
                open_span = (kind, start, end) if kind else None
        if open_span:
            spans.add(open_span)
    return ConllDoc("".join(pieces), frozenset(spans))


def score_entities(docs: list[ConllDoc], predictions: Iterable[Iterable[tuple[str, int, int]]]) -> dict[str, PRF]:
    """Exact-span P/R/F1 for ORG and LOC; predictions are (spaCy label, start, end) per doc."""
    scores = {label: PRF() for label in SCORED}
    for doc, predicted in zip(docs, predictions):
        mapped = {(LABEL_MAP[label], s, e) for label, s, e in predicted if label in LABEL_MAP}
        for label in SCORED:
            scores[label].add({p for p in mapped if p[0] == label}, {g for g in doc.spans if g[0] == label})
    return scores
