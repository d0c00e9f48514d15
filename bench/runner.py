"""The measurements, each run in a fresh process so its memory and timing are its own.

`python -m bench.runner KIND ARGS.json RESULT.json` — KIND is `e2e`, `raw`, `identical`, `long` or `warehouse`.
The orchestrator (bench/__main__.py) starts these and reads their results.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _settings(args: dict[str, Any]):
    from dossier.settings import load_settings

    # Our own loopback site is allow-listed (as the demo's server is) and polled without a
    # politeness delay; everything else default.
    overrides = {"warehouse_path": Path(args["warehouse"]), "host_delay": 0.0, "allowed_hosts": ["127.0.0.1"],
                 **args.get("settings", {})}
    return load_settings(**overrides)


def run_e2e(args: dict[str, Any]) -> dict[str, Any]:
    """Ingest the feeds through the Prefect flow (twice if asked); stage seconds, Prefect overhead, memory."""
    from prefect import flow

    from bench.probe import CpuMeter, MemorySampler, StageClock, peak_rss_mib
    from dossier.extract.analyse import load_analyser
    from dossier.flows.ingest import ingest_feeds

    settings = _settings(args)

    @flow(name="bench-warm-up")
    def warm_up() -> None:
        return None

    # Not timed: the ephemeral Prefect server's start and the model's load (here and in the
    # analysis workers) happen once per process, before any run (the raw spaCy figure
    # excludes loading the model too).
    started = time.perf_counter()
    warm_up()
    list(load_analyser(settings.spacy_model).analyse(
        ["Warm-up text."] * 2, batch_size=1, n_process=settings.nlp_processes, batch_chars=settings.nlp_batch_chars))
    setup_s = time.perf_counter() - started

    clock = StageClock()
    clock.install()
    runs = []
    sampler = MemorySampler()
    try:
        with sampler.sampling():
            for number in range(args.get("runs", 1)):
                clock.reset()
                meter = CpuMeter().start()
                own_start = _own_cpu_s()
                start = time.perf_counter()
                summary = ingest_feeds(args["feeds"], settings, origin="cli")
                end = time.perf_counter()
                cpu = meter.stop()
                # This process alone (all its threads; not the analysis workers): the tree's CPU
                # minus it is the workers' parsing and evidence rules.
                cpu["main_process_cpu_s"] = _own_cpu_s() - own_start
                wall = end - start
                covered = clock.covered(start, end)
                runs.append({
                    "run": number + 1, "seconds": wall, "summary": summary.counts(),
                    "failures": len(summary.failures), "stages": dict(clock.seconds), "stage_cpu": dict(clock.cpu),
                    "calls": dict(clock.calls),
                    "dossier_code_s": covered, "prefect_overhead_s": wall - covered,
                    "tree_rss_peak_mib_so_far": sampler.peak_mib, "cpu": cpu,
                })
    finally:
        clock.uninstall()
    return {"setup_s": setup_s, "runs": runs, "rss_peak_tree_mib": sampler.peak_mib, "at_peak_mib": sampler.at_peak,
            "rss_peak_main_mib": peak_rss_mib(), "pid": os.getpid()}


def _own_cpu_s() -> float:
    """CPU seconds of this process's own threads so far (children not included)."""
    times = os.times()
    return times.user + times.system


def run_raw(args: dict[str, Any]) -> dict[str, Any]:
    """Raw `nlp.pipe` over the texts the run extracted: the same pipeline, batch size and processes."""
    from bench.probe import CpuMeter, MemorySampler
    from dossier.extract.nlp import load_pipeline

    settings = _settings(args)
    texts = _texts(settings, args.get("limit"))
    nlp = load_pipeline(settings.spacy_model)
    processes = args.get("processes", 1)
    words = sum(len(t.split()) for t in texts)
    sampler = MemorySampler()
    with sampler.sampling():
        meter = CpuMeter().start()
        start = time.perf_counter()
        kwargs = {"n_process": processes} if processes > 1 else {}
        docs = 0
        for _ in nlp.pipe(texts, batch_size=settings.nlp_batch_size, **kwargs):
            docs += 1
        seconds = time.perf_counter() - start
        cpu = meter.stop()  # spaCy's workers have been joined: their CPU is in this process's children times
    return {"texts": len(texts), "docs": docs, "words": words, "seconds": seconds, "processes": processes,
            "batch_size": settings.nlp_batch_size, "pipe_names": nlp.pipe_names,
            "rss_peak_tree_mib": sampler.peak_mib, "at_peak_mib": sampler.at_peak, "cpu": cpu}


def _texts(settings, limit: int | None = None) -> list[str]:
    """The article texts the end-to-end run extracted (in a fixed order)."""
    import duckdb

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        sql = "SELECT text FROM articles WHERE status = 'ok' ORDER BY id" + (f" LIMIT {int(limit)}" if limit else "")
        return [row[0] for row in con.execute(sql).fetchall()]
    finally:
        con.close()


def run_identical(args: dict[str, Any]) -> dict[str, Any]:
    """The analyser's output with one process and with several, compared record by record."""
    from dossier.extract.analyse import load_analyser

    settings = _settings(args)
    texts = _texts(settings, args.get("limit"))
    analyser = load_analyser(settings.spacy_model)
    timings, outputs = {}, {}
    for processes in (1, args["processes"]):
        start = time.perf_counter()
        outputs[processes] = [a.model_dump() for a in analyser.analyse(
            texts, batch_size=settings.nlp_batch_size, n_process=processes, batch_chars=settings.nlp_batch_chars)]
        timings[processes] = time.perf_counter() - start
    one, many = outputs[1], outputs[args["processes"]]
    differing = sum(a != b for a, b in zip(one, many)) + abs(len(one) - len(many))
    return {"texts": len(texts), "processes": args["processes"], "identical": differing == 0,
            "differing": differing, "seconds": {str(k): v for k, v in timings.items()},
            "words": sum(len(t.split()) for t in texts)}


def long_text(chars: int) -> str:
    """About `chars` characters of article text: the project's own gold articles (tests/eval/gold,
    written for it), one paragraph each, repeated until long enough, cut at a paragraph."""
    gold = Path(__file__).resolve().parents[1] / "tests" / "eval" / "gold"
    articles = [json.loads(p.read_text(encoding="utf-8"))["text"].strip() for p in sorted(gold.glob("*.json"))]
    parts, length, i = [], 0, 0
    while length < chars:
        piece = articles[i % len(articles)] + "\n"
        parts.append(piece)
        length += len(piece)
        i += 1
    return "".join(parts)[:chars]


def run_long(args: dict[str, Any]) -> dict[str, Any]:
    """One article of `chars` characters through the analyser (one process): seconds and peak memory.

    spaCy refuses a text over 1,000,000 characters (E088), and before windowing a 999,000-character
    page took 527 s and 2.9 GB; it is now analysed in windows of `WINDOW_CHARS`."""
    import resource

    from bench.probe import MemorySampler
    from dossier.extract.analyse import WINDOW_CHARS, cut_windows, load_analyser
    from dossier.settings import load_settings

    settings = load_settings()
    text = long_text(args["chars"])
    analyser = load_analyser(settings.spacy_model)
    _ = analyser.nlp, analyser.matcher  # loaded before the clock starts, as a worker has it loaded
    sampler = MemorySampler()
    with sampler.sampling():
        start, cpu = time.perf_counter(), time.process_time()
        [analysis] = analyser.analyse([text], batch_size=settings.nlp_batch_size, n_process=1,
                                      batch_chars=settings.nlp_batch_chars)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU seconds beside wall seconds: on a shared machine the wall time is mostly the others' load.
    return {"chars": len(text), "words": len(text.split()), "windows": len(cut_windows(text, WINDOW_CHARS)),
            "window_chars": WINDOW_CHARS, "seconds": seconds, "cpu_seconds": cpu, "rss_peak_tree_mib": sampler.peak_mib,
            "rss_peak_main_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "organisations": len(analysis.organisations), "claims": len(analysis.claims), "ties": len(analysis.ties)}


KINDS = {"e2e": run_e2e, "raw": run_raw, "identical": run_identical, "long": run_long}


def main(argv: list[str]) -> int:
    kind, args_path, result_path = argv
    if kind == "warehouse":
        from bench.warehouse import run_warehouse

        runner = run_warehouse
    else:
        runner = KINDS[kind]
    args = json.loads(Path(args_path).read_text(encoding="utf-8"))
    result = runner(args)
    Path(result_path).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
