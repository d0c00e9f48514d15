"""For analysts and operators, end to end on the demo corpus.

Two runs over the same loopback feeds: one on Prefect's default task runner, one on a Dask
LocalCluster (worker processes). A reader process reads the snapshot all through the Dask
run; the Parquet export and the notebook read what the default run left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import nbclient
import nbformat
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.demo.server import demo_feeds, serve_demo
from dossier.flows.ingest import ingest_feeds, run_ingest
from dossier.store.lock import WarehouseLocked, run_lock
from tests.support.settings import test_settings

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
COMPARED = ("feeds", "articles", "entities", "aliases", "mentions", "claims", "ties", "profiles")
# When a row was written, not what it says: differs between any two runs.
RUN_TIMES = {"first_seen", "last_seen", "fetched", "last_polled", "last_success", "added_at", "created_at", "updated_at"}

READER = """
import json, pathlib, sys, time
import duckdb
snapshot, stop = sys.argv[1], pathlib.Path(sys.argv[2])
reads, errors, runs_seen = 0, [], set()
while not stop.exists():
    try:
        con = duckdb.connect(snapshot, read_only=True)
        runs_seen.update(r for (r,) in con.execute("SELECT id FROM runs WHERE status = 'completed'").fetchall())
        con.execute("SELECT count(*) FROM v_profiles_current").fetchone()
        con.close()
        reads += 1
        if reads == 1:
            print("ready", flush=True)
    except duckdb.Error as exc:
        errors.append(str(exc))
    time.sleep(0.02)
print(json.dumps({"reads": reads, "errors": errors, "runs_seen": sorted(runs_seen)}))
"""


def contents(path: Path) -> dict[str, list[str]]:
    """Every row of the data tables without its write times, sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in COMPARED:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if c not in RUN_TIMES]
            out[table] = sorted(map(repr, con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(prefect_harness, tmp_path_factory):
    root = tmp_path_factory.mktemp("analysts")
    default = test_settings(root / "default" / "dossier.duckdb", article_chunk_size=6)
    dask = test_settings(root / "dask" / "dossier.duckdb", article_chunk_size=6, task_runner="dask",
                         dask_workers=2, analysis_in_flight=2)
    with serve_demo(0) as base:
        publishers = demo_feeds(base)
        feeds = list(publishers)
        first = ingest_feeds(feeds, default, origin="demo", publishers=publishers)
        # The Dask run's warehouse starts with an earlier snapshot in place, which a reader reads
        # through the whole run; the run publishes its own snapshot over it at the end.
        dask.effective_snapshot_path.parent.mkdir(parents=True)
        shutil.copyfile(default.effective_snapshot_path, dask.effective_snapshot_path)
        stop = root / "stop"
        reader = subprocess.Popen([sys.executable, "-c", READER, str(dask.effective_snapshot_path), str(stop)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # And a connection held open all along, in this process (which also runs the writer).
        held = duckdb.connect(str(dask.effective_snapshot_path), read_only=True)
        try:
            assert reader.stdout.readline().strip() == "ready"
            second = run_ingest(feeds, dask, origin="demo", publishers=publishers)
            time.sleep(0.5)  # let the reader open the new snapshot
            held_profiles = held.execute("SELECT count(*) FROM v_profiles_current").fetchone()[0]
        finally:
            held.close()
            stop.touch()
            out, err = reader.communicate(timeout=60)
    return {"default": default, "dask": dask, "first": first, "second": second, "held_profiles": held_profiles,
            "reader": json.loads(out.strip().splitlines()[-1]), "reader_stderr": err}


def test_the_dask_runner_leaves_the_same_warehouse_as_the_default_runner(runs):
    assert runs["second"].articles_new == runs["first"].articles_new == 18
    # The analysis really ran on the cluster's workers (each batch reports the worker it ran on),
    # not in the flow's process: otherwise the equality below would prove nothing about Dask.
    assert runs["second"].stage_counts["nlp"]["dask_batches"] == 3  # 18 articles in chunks of 6
    assert "dask_batches" not in runs["first"].stage_counts["nlp"]
    default, dask = contents(runs["default"].warehouse_path), contents(runs["dask"].warehouse_path)
    assert {t: len(rows) for t, rows in dask.items()} == {t: len(rows) for t, rows in default.items()}
    for table in COMPARED:
        assert dask[table] == default[table], f"{table} differs between the runners"
    assert len(default["claims"]) > 50 and len(default["profiles"]) > 20


def test_a_reader_of_the_snapshot_works_all_through_a_run(runs):
    reader = runs["reader"]
    assert reader["errors"] == [], reader["errors"]
    assert reader["reads"] >= 20, runs["reader_stderr"]
    # it saw the earlier snapshot, then the one the run published
    assert reader["runs_seen"] == sorted([runs["first"].run_id, runs["second"].run_id])
    # a connection held through the run kept reading the snapshot it had opened
    assert runs["held_profiles"] == runs["first"].drafts


def test_each_run_publishes_a_read_only_snapshot_with_the_views(runs):
    path = runs["default"].effective_snapshot_path
    assert path == runs["default"].warehouse_path.with_name("dossier.snapshot.duckdb")
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # mode 0444 (root may write anyway)
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM v_profiles_current").fetchone()[0] == runs["first"].drafts
        assert con.execute("SELECT status FROM runs WHERE id = ?", [runs["first"].run_id]).fetchone() == ("completed",)
    finally:
        con.close()


def test_export_parquet_writes_each_view_and_with_tables_the_whole_database(runs, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(runs["default"].warehouse_path))
    result = CliRunner().invoke(app, ["export", "parquet", "--out", str(tmp_path), "--tables"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(runs["default"].warehouse_path), read_only=True)
    try:
        for view in ("v_profiles_current", "v_claims", "v_entity_timeline"):
            exported = con.execute(f"SELECT count(*) FROM '{tmp_path / (view + '.parquet')}'").fetchone()[0]
            assert exported == con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0
        claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
    finally:
        con.close()
    rebuilt = duckdb.connect(str(tmp_path / "rebuilt.duckdb"))
    try:
        rebuilt.execute(f"IMPORT DATABASE '{tmp_path / 'tables'}'")
        assert rebuilt.execute("SELECT count(*) FROM claims").fetchone()[0] == claims
    finally:
        rebuilt.close()


def test_the_cards_export_keeps_working_beside_parquet(runs, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(runs["default"].warehouse_path))
    result = CliRunner().invoke(app, ["export", "--format", "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "foxconn.json").is_file()
    assert CliRunner().invoke(app, ["export", "pdf"]).exit_code == 1


def test_the_notebook_runs_on_the_snapshot(runs, monkeypatch):
    monkeypatch.setenv("DOSSIER_SNAPSHOT", str(runs["default"].effective_snapshot_path))
    notebook = nbformat.read(NOTEBOOKS / "warehouse_tour.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 9  # one plot per question of the tour
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    organisations = int(printed.split(" organisations")[0].split()[-1])
    assert organisations >= 5


def test_a_second_run_during_a_run_exits_with_a_clear_message(prefect_harness, tmp_path, monkeypatch):
    path = tmp_path / "dossier.duckdb"
    with run_lock(path, holder="ingest (test)"):
        with pytest.raises(WarehouseLocked, match="another run is writing"):
            ingest_feeds(["http://127.0.0.1:9/feed.xml"], test_settings(path))
        monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
        result = CliRunner().invoke(app, ["ingest", "--feed", "http://127.0.0.1:9/feed.xml"])
    assert result.exit_code == 3, result.output
    assert "another run is writing" in result.output and f"process {os.getpid()}" in result.output
    assert not path.exists()  # the refused run touched nothing


def test_a_scheduled_run_ingests_its_feed_group_from_the_configuration(prefect_harness, tmp_path, monkeypatch):
    from dossier.flows.schedule import scheduled_ingest
    from tests.support.loopback import LoopbackSite, Route

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
    with LoopbackSite() as site:
        site.routes["/feed.xml"] = Route(body=f"""<?xml version="1.0"?><rss version="2.0"><channel>
<title>Harbour Ledger</title><link>{site.base}/</link>
<item><title>Quayside and Marrowgate sign deal</title><link>{site.base}/quayside.html</link><guid>q1</guid></item>
</channel></rss>""".encode(), content_type="application/rss+xml")
        site.routes["/quayside.html"] = Route(body=(fixtures / "quayside.html").read_bytes())
        path = tmp_path / "dossier.duckdb"
        monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
        monkeypatch.setenv("DOSSIER_HOST_DELAY", "0")
        monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", json.dumps(["127.0.0.1"]))  # the loopback test server
        monkeypatch.setenv("DOSSIER_SCHEDULES", json.dumps({"harbour": {"interval": 60, "feeds": [site.url("/feed.xml")]}}))
        result = scheduled_ingest("harbour")
    assert result["status"] == "completed" and result["articles_new"] == 1
    con = duckdb.connect(str(path.with_name("dossier.snapshot.duckdb")), read_only=True)
    try:
        assert "Quayside Robotics" in {n for (n,) in con.execute("SELECT name FROM v_profiles_current").fetchall()}
    finally:
        con.close()
