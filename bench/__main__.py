"""`python -m bench` (or `make bench`): measure the pipeline and write docs/BENCHMARKS.md + JSON.

Every figure comes from this one invocation: the loopback site runs in its own process,
each measurement in a fresh child process (so memory peaks are its own), one after the
other on the same machine, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import corpus, report
from bench import desk as desk_bench
from bench import reprocess as reprocess_bench

ROOT = Path(__file__).resolve().parents[1]
# The article length of the long-article row: spaCy's own max_length, past which it refuses a text.
LONG_ARTICLE_CHARS = 1_000_000


def child(kind: str, args: dict, workdir: Path, tag: str) -> dict:
    """Run one measurement in a fresh interpreter and return its result."""
    args_path, result_path = workdir / f"{tag}.args.json", workdir / f"{tag}.result.json"
    args_path.write_text(json.dumps(args), encoding="utf-8")
    result_path.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.runner", kind, str(args_path), str(result_path)], cwd=ROOT, check=True)
    print(f"  {tag}: {time.perf_counter() - started:.1f} s", flush=True)
    return json.loads(result_path.read_text(encoding="utf-8"))


def start_site(generated: bool, articles: int) -> tuple[multiprocessing.Process, list[str]]:
    """The loopback site in its own process (a web server is not part of the pipeline's process)."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=corpus.serve_forever, args=(generated, articles, send), daemon=True)
    process.start()
    if not receive.poll(300):
        process.kill()
        raise RuntimeError("the benchmark site did not start within 300 s")
    return process, receive.recv()


def measure_corpus(size: int, generated: bool, workdir: Path, settings: dict, runs: int, tag: str) -> dict:
    """Serve a corpus of `size` articles and ingest it `runs` times in one fresh process."""
    site, feeds = start_site(generated, size)
    try:
        warehouse = workdir / f"{tag}.duckdb"
        for suffix in ("", ".wal"):
            Path(str(warehouse) + suffix).unlink(missing_ok=True)
        args = {"feeds": feeds, "warehouse": str(warehouse), "runs": runs, "settings": settings}
        result = child("e2e", args, workdir, tag)
        # The file's name only: the results are committed, a path would name this machine.
        result.update(articles=size, feeds=len(feeds), warehouse=warehouse.name)
        return result
    finally:
        site.kill()
        site.join()


def write(results: dict, args: argparse.Namespace) -> None:
    """Write the JSON results and the Markdown report."""
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    shown = args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json
    args.out.write_text(report.render(results, json_path=shown), encoding="utf-8")


def desk_row(workdir: Path) -> dict:
    """The review desk's pages over 2,000 drafts, stamped with when and under what load."""
    row = desk_bench.measure(workdir)
    row["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    row["load_average"] = os.getloadavg()
    return row


def measure_desk_only(args: argparse.Namespace) -> int:
    """Measure the desk row alone into the existing JSON results and rewrite the report."""
    results = json.loads(args.json.read_text(encoding="utf-8"))
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    results["desk"] = desk_row(workdir)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    shown = args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json
    args.out.write_text(report.render(results, json_path=shown), encoding="utf-8")
    print(report.verdict_lines(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="articles in the main corpus (default 2000)")
    parser.add_argument("--large", type=int, default=0, help="also ingest a corpus of this many articles (memory growth), e.g. 10000")
    parser.add_argument("--generated", action="store_true", help="use the generated corpus even when ../shared is present")
    parser.add_argument("--mentions", type=int, default=1_000_000, help="mentions in the generated query warehouse")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md", help="Markdown report")
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "benchmarks.json", help="JSON results")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out", help="scratch warehouses and logs")
    parser.add_argument("--skip-warehouse", action="store_true", help="skip the generated-warehouse measurements")
    parser.add_argument("--render-only", action="store_true", help="only rewrite the report from the JSON results")
    parser.add_argument("--long-only", action="store_true",
                        help="only measure the 1,000,000-character article, into the existing JSON results")
    parser.add_argument("--desk-only", action="store_true",
                        help="only measure the review desk's pages over 2,000 drafts, into the existing JSON results")
    args = parser.parse_args(argv)
    if args.desk_only:
        return measure_desk_only(args)
    if args.long_only:
        results = json.loads(args.json.read_text(encoding="utf-8"))
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        results["long_article"] = child("long", {"chars": LONG_ARTICLE_CHARS}, workdir, "long-article")
        results["long_article"]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["long_article"]["load_average"] = os.getloadavg()
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        shown = args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json
        args.out.write_text(report.render(results, json_path=shown), encoding="utf-8")
        print(report.verdict_lines(results))
        return 0
    if args.render_only:
        results = json.loads(args.json.read_text(encoding="utf-8"))
        shown = args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json
        args.out.write_text(report.render(results, json_path=shown), encoding="utf-8")
        print(report.verdict_lines(results))
        return 0

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    generated = args.generated or not (corpus.SHARED_BENCHMARK / "ground-truth.json").is_file()
    corpus_name = "generated (our own templates)" if generated else "article-extraction-benchmark (181 real pages)"
    from dossier.settings import load_settings

    defaults = load_settings()
    processes = getattr(defaults, "nlp_processes", 1)
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": os.getloadavg()},
        "corpus": corpus_name, "articles": args.articles,
        "settings": {"nlp_batch_size": defaults.nlp_batch_size, "nlp_batch_chars": defaults.nlp_batch_chars, "article_chunk_size": defaults.article_chunk_size,
                     "nlp_processes": processes, "spacy_model": defaults.spacy_model, "host_delay": 0.0},
    }
    print(f"dossier benchmark: {args.articles} articles from {corpus_name}", flush=True)
    results["e2e"] = measure_corpus(args.articles, generated, workdir, {}, 2, f"e2e-{args.articles}")
    warehouse = str(workdir / results["e2e"]["warehouse"])
    results["raw"] = child("raw", {"warehouse": warehouse, "processes": processes}, workdir, "raw")
    results["reprocess"] = reprocess_bench.measure(Path(warehouse), processes, workdir)
    if processes > 1:
        results["raw_one_process"] = child("raw", {"warehouse": warehouse, "processes": 1, "limit": 400}, workdir, "raw-1")
    results["identical"] = child("identical", {"warehouse": warehouse, "processes": max(processes, 2), "limit": 200},
                                 workdir, "identical")
    results["long_article"] = child("long", {"chars": LONG_ARTICLE_CHARS}, workdir, "long-article")
    if not args.skip_warehouse:
        results["warehouse"] = child("warehouse", {"path": str(workdir / "query-warehouse.duckdb"),
                                                   "mentions": args.mentions}, workdir, "warehouse")
    results["desk"] = desk_row(workdir)
    write(results, args)  # the figures so far are kept even if the long run below is stopped
    if args.large:
        results["large"] = measure_corpus(args.large, generated, workdir, {}, 1, f"e2e-{args.large}")
        write(results, args)
    print(report.verdict_lines(results), flush=True)
    print(f"wrote {args.out} and {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
