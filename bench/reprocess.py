"""The reprocess row of `make bench`: re-analysing the stored articles vs raw spaCy on the same texts.

`measure` copies the end-to-end run's warehouse, stamps every article with an older models
version, and runs `reprocess_articles` over it in a fresh process (`python -m bench.reprocess
ARGS.json RESULT.json`), after the same warm-up as the end-to-end run (Prefect's ephemeral
server and the model loaded, here and in the analysis workers). The raw spaCy figure is the
`raw` measurement of the same texts with the same batch size and processes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.1  # × the raw spaCy time


def measure(warehouse: Path, processes: int, workdir: Path) -> dict[str, Any]:
    """Reprocess a stale copy of `warehouse` in a fresh process; its seconds and run counts."""
    copy = workdir / "reprocess.duckdb"
    for suffix in ("", ".wal"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    shutil.copyfile(warehouse, copy)
    args_path, result_path = workdir / "reprocess.args.json", workdir / "reprocess.result.json"
    args_path.write_text(json.dumps({"warehouse": str(copy), "processes": processes}), encoding="utf-8")
    result_path.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.reprocess", str(args_path), str(result_path)], cwd=ROOT, check=True)
    print(f"  reprocess: {time.perf_counter() - started:.1f} s", flush=True)
    return json.loads(result_path.read_text(encoding="utf-8"))


def ratio(results: dict[str, Any]) -> float | None:
    """Reprocess seconds over raw spaCy seconds on the same texts, if both were measured."""
    measured, raw = results.get("reprocess"), results.get("raw")
    if not measured or not raw or not raw.get("seconds"):
        return None
    return measured["seconds"] / raw["seconds"]


def run(args: dict[str, Any]) -> dict[str, Any]:
    """Stamp the articles stale, warm up, then time one reprocess run (in this process)."""
    import duckdb
    from prefect import flow

    from bench.probe import CpuMeter
    from dossier.extract.analyse import load_analyser
    from dossier.flows.reprocess import reprocess_articles
    from dossier.settings import load_settings

    settings = load_settings(warehouse_path=Path(args["warehouse"]), nlp_processes=args["processes"],
                             snapshot_after_run=False)
    con = duckdb.connect(args["warehouse"])
    try:
        con.execute("UPDATE articles SET models_version = 'bench-old' WHERE status = 'ok'")
    finally:
        con.close()

    @flow(name="bench-warm-up")
    def warm_up() -> None:
        return None

    warm_up()
    list(load_analyser(settings.spacy_model).analyse(
        ["Warm-up text."] * 2, batch_size=1, n_process=settings.nlp_processes, batch_chars=settings.nlp_batch_chars))
    meter = CpuMeter().start()
    start = time.perf_counter()
    summary = reprocess_articles(settings, origin="bench")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu": meter.stop(), "articles": summary.articles_reprocessed,
            "failed": summary.articles_failed, "stale_after": summary.articles_stale, "durations": summary.durations,
            "drafts_updated": summary.drafts_updated, "processes": args["processes"]}


def main(argv: list[str]) -> int:
    args_path, result_path = Path(argv[0]), Path(argv[1])
    result = run(json.loads(args_path.read_text(encoding="utf-8")))
    result_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
