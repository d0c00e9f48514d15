"""Long texts analysed in bounded windows (issue 16, item 5): sentence-aligned cuts, never
over spaCy's max_length, offsets mapped back to the whole text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.extract.analyse import SPACY_MAX_LENGTH, Analyser, cut_windows, load_analyser
from dossier.settings import load_settings

GOLD = Path(__file__).resolve().parents[1] / "eval" / "gold"


def gold_texts(n: int) -> list[str]:
    return [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(GOLD.glob("*.json"))[:n]]


def test_windows_cover_the_text_and_end_at_paragraphs_then_sentences():
    text = "\n".join(gold_texts(12))
    windows = cut_windows(text, 4_000)
    assert "".join(piece for _, piece in windows) == text
    assert all(len(piece) <= 4_000 for _, piece in windows) and len(windows) > 3
    assert all(text[offset:].startswith(piece) for offset, piece in windows)
    assert all(piece.endswith("\n") for _, piece in windows[:-1])  # a paragraph break each time
    # No paragraph break within reach: a sentence end; no space at all: a hard cut at the size.
    sentences = "Ostrava Mills grinds flour. " * 400
    assert all(piece.endswith(". ") for _, piece in cut_windows(sentences, 1_000)[:-1])
    assert [len(piece) for _, piece in cut_windows("x" * 2_500, 1_000)] == [1_000, 1_000, 500]
    assert cut_windows("", 1_000) == [(0, "")] and cut_windows("short", 1_000) == [(0, "short")]


def test_the_window_never_exceeds_spacys_max_length():
    assert Analyser(model="any", window_chars=5 * SPACY_MAX_LENGTH).window_chars == SPACY_MAX_LENGTH


@pytest.fixture(scope="module")
def analyser():
    return load_analyser(load_settings().spacy_model)


def test_a_long_text_is_analysed_in_windows_with_offsets_mapped_back(analyser):
    articles = gold_texts(10)
    text = "\n".join(articles)
    small = Analyser(nlp=analyser.nlp, window_chars=3_000)
    assert len(cut_windows(text, 3_000)) >= 4
    [windowed] = small.analyse([text])
    [whole] = analyser.analyse([text])  # within one window at the default size
    # Every offset points at the same words in the whole text.
    for entity in windowed.entities:
        assert text[entity.start:entity.end] == entity.text
    for org in windowed.organisations:
        for m in org.mentions:
            assert text[m.start:m.end] == m.text and m.sentence_start <= m.start < m.end <= m.sentence_end
    for claim in windowed.claims:
        assert text[claim.start:claim.end] == claim.evidence
    for tie in windowed.ties:
        assert 0 <= tie.start < tie.end <= len(text)
    # One organisation per name however many windows name it, and the same evidence found.
    names = [org.name for org in windowed.organisations]
    assert len(names) == len(set(names))
    claims = {(c.subject, c.type, c.polarity, c.start) for c in windowed.claims}
    expected = {(c.subject, c.type, c.polarity, c.start) for c in whole.claims}
    assert len(claims & expected) >= 0.9 * len(expected) and len(expected) >= 10
    assert {o.name for o in whole.organisations} - set(names) <= set(), (
        {o.name for o in whole.organisations} - set(names))


def test_the_windows_of_a_long_text_are_parsed_one_window_at_a_time(analyser, monkeypatch):
    # spaCy parses a batch together: a long text's windows batched at once cost what the whole
    # text did (3 GB for 1,000,000 characters, measured), whatever the window size.
    text = "\n".join(gold_texts(10))
    small = Analyser(nlp=analyser.nlp, window_chars=3_000)
    batches: list[int] = []
    pipe = analyser.nlp.pipe

    def recording_pipe(texts, batch_size):
        texts = list(texts)
        batches.append(sum(len(t) for t in texts))
        return pipe(texts, batch_size=batch_size)

    monkeypatch.setattr(analyser.nlp, "pipe", recording_pipe)
    list(small.analyse([text], batch_size=32, batch_chars=None))
    list(small.analyse([text], batch_size=32, batch_chars=60_000))
    assert len(batches) >= 8 and max(batches) <= 3_000, batches
