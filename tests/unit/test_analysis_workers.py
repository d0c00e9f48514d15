"""Analysis in worker processes: the same records as one process, and a dead worker is survivable."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from dossier.extract.analyse import Analyser, WorkerLost, load_analyser, worker_ended
from dossier.extract.nlp import ModelNotInstalled
from dossier.settings import load_settings

GOLD = Path(__file__).resolve().parents[1] / "eval" / "gold"


@pytest.fixture(scope="module")
def analyser():
    analyser = load_analyser(load_settings().spacy_model)
    yield analyser
    analyser.close()


def process_state(pid: int) -> str:
    """What the kernel says of a process (for a failure message): its state and signal masks."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return f"{pid}: gone"
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
    return f"{pid}: " + ", ".join(f"{k} {fields.get(k, '?').strip()}" for k in ("State", "PPid", "SigBlk", "SigIgn"))


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


def test_the_calling_process_does_not_load_the_model_when_workers_do_the_work():
    fresh = Analyser(model=load_settings().spacy_model)
    try:
        one = [a.model_dump() for a in load_analyser(load_settings().spacy_model).analyse(texts()[:3], batch_size=1)]
        assert [a.model_dump() for a in fresh.analyse(texts()[:3], batch_size=1, n_process=2)] == one
        assert fresh._nlp is None  # parsed in the workers only (≈ 60 MiB not held here)
    finally:
        fresh.close()


def test_a_model_a_worker_cannot_load_is_reported_by_name_not_as_a_dead_worker():
    broken = Analyser(model="en_core_web_nonexistent")  # load_analyser would refuse it up front
    try:
        with pytest.raises(ModelNotInstalled, match="en_core_web_nonexistent"):
            list(broken.analyse(["One text.", "Another text."], batch_size=1, n_process=2))
    finally:
        broken.close()


def test_load_analyser_refuses_a_model_that_is_not_installed_without_loading_anything():
    with pytest.raises(ModelNotInstalled, match="en_core_web_nonexistent"):
        load_analyser("en_core_web_nonexistent")


def test_release_workers_stops_the_worker_processes_and_the_next_call_starts_them_again():
    from dossier.extract.analyse import release_workers

    fresh = Analyser(model=load_settings().spacy_model)
    try:
        list(fresh.analyse(texts()[:2], batch_size=1, n_process=2))
        workers = list(fresh._pool._processes.values())
        assert workers and all(w.is_alive() for w in workers)
        release_workers()
        assert fresh._pool is None
        assert all(worker_ended(w, 30) for w in workers), [process_state(w.pid) for w in workers]
        assert len(list(fresh.analyse(texts()[:2], batch_size=1, n_process=2))) == 2
    finally:
        fresh.close()


def test_stopping_workers_signals_none_that_ended_when_the_parent_ignores_sigchld(monkeypatch):
    # Where the run's parent ignores SIGCHLD (CI runners, some container inits), the kernel reaps
    # ended workers and is_alive() never turns false. Stopping must see them end by their sentinel
    # and not "terminate" a process id that is gone (and may already belong to another process).
    import multiprocessing.process

    signalled: list[int] = []
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "terminate", lambda self: signalled.append(self.pid))
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    fresh = Analyser(model=load_settings().spacy_model)
    try:
        list(fresh.analyse(texts()[:2], batch_size=1, n_process=2))
        workers = list(fresh._pool._processes.values())
        fresh.close()
        assert all(worker_ended(w, 0) for w in workers)
        assert signalled == []
    finally:
        fresh.close()
        signal.signal(signal.SIGCHLD, previous)
