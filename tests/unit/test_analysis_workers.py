"""Analysis in worker processes: the same records as one process, and a dead worker is survivable."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from dossier.extract.analyse import WorkerLost, load_analyser
from dossier.settings import load_settings

GOLD = Path(__file__).resolve().parents[1] / "eval" / "gold"


@pytest.fixture(scope="module")
def analyser():
    analyser = load_analyser(load_settings().spacy_model)
    yield analyser
    analyser.close()


def texts() -> list[str]:
    """Five articles of the project's gold set."""
    return [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(GOLD.glob("*.json"))[:5]]


def test_workers_return_what_one_process_returns_in_order(analyser):
    # Batches of one: every fixture goes to the pool, spread over both workers.
    one = list(analyser.analyse(texts(), batch_size=1, n_process=1))
    two = list(analyser.analyse(texts(), batch_size=1, n_process=2))
    assert analyser._pool is not None  # the workers did the work
    assert [a.model_dump() for a in two] == [a.model_dump() for a in one]
    assert any(a.claims for a in two)


def test_a_killed_worker_is_reported_and_the_next_call_starts_fresh_workers(analyser):
    list(analyser.analyse(texts()[:2], batch_size=1, n_process=2))
    victim = next(iter(analyser._pool._processes))
    os.kill(victim, signal.SIGKILL)
    with pytest.raises(WorkerLost):
        list(analyser.analyse(texts(), batch_size=1, n_process=2))
    again = list(analyser.analyse(texts(), batch_size=1, n_process=2))
    assert len(again) == len(texts()) and victim not in analyser._pool._processes


def test_batches_are_cut_by_count_and_by_length():
    from dossier.extract.analyse import cut_batches

    texts = ["a" * 10, "b" * 10, "c" * 50, "d" * 10, "e" * 10, "f" * 10]
    assert cut_batches(texts, 32) == [texts]
    assert cut_batches(texts, 2) == [texts[0:2], texts[2:4], texts[4:6]]
    assert cut_batches(texts, 32, chars=30) == [texts[0:2], [texts[2]], texts[3:6]]  # "c" alone: longer than the cap


def test_analyses_do_not_depend_on_how_texts_are_batched(analyser):
    whole = [a.model_dump() for a in analyser.analyse(texts(), batch_size=32)]
    cut = [a.model_dump() for a in analyser.analyse(texts(), batch_size=32, batch_chars=2_000)]
    assert cut == whole
