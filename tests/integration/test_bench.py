"""Smoke test of the benchmark harness (bench/): a tiny generated corpus, every measurement
run once in this process, the report rendered. No timing is asserted (speed targets live in
the benchmark report, never in tests); this only keeps `make bench` from rotting."""

from __future__ import annotations

import pytest

from bench import corpus, report
from bench.probe import StageClock
from bench.runner import long_text, run_e2e, run_identical, run_long, run_raw
from bench.warehouse import run_warehouse
from dossier.ingest.fetch import Fetcher
from tests.support.settings import test_settings


def test_stage_clock_counts_nested_time_once():
    clock = StageClock()
    inner = clock.wrap("inner", lambda: sum(range(20000)))
    outer = clock.wrap("outer", lambda: [inner() for _ in range(3)])
    outer()
    assert clock.calls == {"inner": 3, "outer": 1}
    assert len(clock.intervals) == 1  # only the outermost call is an interval
    start, end = clock.intervals[0]
    assert clock.seconds["outer"] + clock.seconds["inner"] == pytest.approx(end - start)
    assert clock.cpu["inner"] > 0 and clock.cpu["outer"] >= 0  # the thread's CPU, nested work counted once


def test_cpu_meter_counts_a_live_child_and_a_finished_one():
    import subprocess
    import sys

    from bench.probe import CpuMeter

    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass\n"
    then_wait = "import sys; sys.stdout.write('done'); sys.stdout.flush(); time.sleep(30)"
    meter = CpuMeter().start()
    live = subprocess.Popen([sys.executable, "-c", burn + then_wait], stdout=subprocess.PIPE)
    try:
        assert live.stdout.read(4) == b"done"
        alive = meter.stop()  # the child still runs: read from /proc
    finally:
        live.kill()
        live.wait()
    assert alive["tree_cpu_s"] >= 0.35
    meter = CpuMeter().start()
    subprocess.run([sys.executable, "-c", burn], check=True)
    assert meter.stop()["tree_cpu_s"] >= 0.35  # reaped: counted in this process's children times


def test_site_gives_every_copy_its_own_url(tmp_path):
    pages = corpus.generated_pages(count=3)
    with corpus.BenchSite(pages, articles=7, feeds=2) as site, Fetcher(test_settings(tmp_path / "w.duckdb")) as http:
        assert len(site.feed_urls()) == 2
        feed = http.get(site.feed_urls()[0]).body.decode()
        assert feed.count("<item>") == 4
        paths = [item.path for item in site.items]
        assert len(set(paths)) == 7 and paths[0] != paths[3]  # copy 0 and copy 1 of page 0
        assert http.get(site.base + paths[3]).body == pages[0].html
        etag = http.get(site.feed_urls()[1]).headers["etag"]
        assert http.get(site.feed_urls()[1], etag=etag).not_modified


def test_bench_measures_and_reports_a_tiny_corpus(tmp_path, prefect_harness):
    pages = corpus.generated_pages(count=4)
    warehouse = tmp_path / "bench.duckdb"
    with corpus.BenchSite(pages, articles=6, feeds=2) as site:
        e2e = run_e2e({"feeds": site.feed_urls(), "warehouse": str(warehouse), "runs": 2,
                       "settings": {"nlp_processes": 1}})
    assert [r["summary"]["articles_new"] for r in e2e["runs"]] == [6, 0]
    assert e2e["runs"][1]["summary"]["feeds_not_modified"] == 2
    assert {"fetch", "text extraction", "NLP: spaCy pipeline", "warehouse write"} <= set(e2e["runs"][0]["stages"])
    assert set(e2e["runs"][0]["stage_cpu"]) == set(e2e["runs"][0]["stages"])
    assert 0 < e2e["runs"][0]["cpu"]["main_process_cpu_s"] <= e2e["runs"][0]["cpu"]["tree_cpu_s"] + 0.05
    e2e.update(articles=6, feeds=2, warehouse=str(warehouse))
    raw = run_raw({"warehouse": str(warehouse), "processes": 1})
    assert raw["texts"] == raw["docs"] == 6 and raw["words"] > 0
    same = run_identical({"warehouse": str(warehouse), "processes": 2, "limit": 3})
    assert same["identical"] and same["texts"] == 3
    wh = run_warehouse({"path": str(tmp_path / "query.duckdb"), "mentions": 5000, "repeats": 3})
    assert wh["mentions"] == 5000 and wh["timeline_days"] > 0
    long = run_long({"chars": 4_000})
    assert long["chars"] == 4_000 and long["windows"] == 1 and long["organisations"] > 0
    assert len(long_text(250_000)) == 250_000
    results = {"started_at": "t0", "finished_at": "t1", "machine": {"cpus": 2, "python": "3", "load_average": (0, 0, 0)},
               "corpus": "generated", "articles": 6, "e2e": e2e, "raw": raw, "identical": same, "warehouse": wh,
               "long_article": long,
               "settings": {"nlp_batch_size": 32, "article_chunk_size": 64, "nlp_processes": 2, "spacy_model": "m"}}
    text = report.render(results, json_path="b.json")
    assert e2e["runs"][0]["cpu"]["tree_cpu_s"] > 0 and raw["cpu"]["tree_cpu_s"] > 0
    for heading in ("## Targets", "## Throughput", "## CPU", "## Where the first run's time goes", "## Memory",
                    "## Warehouse", "## One very long article"):
        assert heading in text
    assert len(report.checks(results)) == 10
