"""What an operator and an analyst do first on a fresh clone: schedule the demo (dry run, a scheduled
run through Prefect's test harness, a run that cannot start), then export the organisation graph."""

from __future__ import annotations

import csv
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """A working directory as on a fresh clone: the example configuration copied to dossier.toml
    (as README says), no warehouse, no DOSSIER_* variables."""
    for name in [n for n in os.environ if n.startswith("DOSSIER_")]:
        monkeypatch.delenv(name)
    shutil.copy(ROOT / "dossier.example.toml", tmp_path / "dossier.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_dry_run_on_a_fresh_clone_lists_the_demo_it_would_serve(fresh_clone):
    result = CliRunner().invoke(app, ["schedule", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "ingest-all-feeds: cron '0 * * * *' (UTC), group 'all-feeds'" in result.stdout
    assert "ingests the built-in demo corpus" in result.stdout
    assert not (fresh_clone / "warehouse").exists()  # a dry run writes nothing


def test_an_invalid_cron_is_one_line_naming_the_group(fresh_clone):
    (fresh_clone / "dossier.toml").write_text('[schedules.hourly]\ncron = "61 * * * *"\n')
    result = CliRunner().invoke(app, ["schedule", "--dry-run"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "schedules.hourly.cron" in lines[0] and "'61' is no minute" in lines[0], lines


def test_a_group_that_would_fail_is_named_by_the_dry_run(fresh_clone):
    (fresh_clone / "dossier.toml").write_text('[schedules.wires]\ninterval = 900\n')
    result = CliRunner().invoke(app, ["schedule", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "ingests nothing, its runs would fail: feed group 'wires' has no feeds" in result.stdout


def test_a_scheduled_run_that_cannot_start_fails_with_its_reason_in_its_run_record(prefect_harness, tmp_path,
                                                                                   monkeypatch):
    from dossier.flows.schedule import scheduled_ingest

    path = tmp_path / "dossier.duckdb"
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("DOSSIER_SCHEDULES", json.dumps({"wires": {"interval": 60}}))
    state = scheduled_ingest("wires", return_state=True)
    assert state.is_failed() and "feed group 'wires' has no feeds" in state.message
    result = CliRunner().invoke(app, ["runs", "show", "latest"])
    assert result.exit_code == 0, result.output
    assert "failed" in result.stdout and "has no feeds" in result.stdout and "group wires" in result.stdout


@pytest.fixture(scope="module")
def scheduled_demo(prefect_harness, tmp_path_factory):
    """A warehouse made by one scheduled run of a `demo = true` group, through Prefect's test harness."""
    from dossier.flows.schedule import scheduled_ingest

    path = tmp_path_factory.mktemp("scheduled") / "dossier.duckdb"
    patch = pytest.MonkeyPatch()
    patch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    patch.setenv("DOSSIER_DEMO_PORT", "0")
    patch.setenv("DOSSIER_SCHEDULES", json.dumps({"demo": {"interval": 3600, "demo": True}}))
    try:
        summary = scheduled_ingest("demo")
    finally:
        patch.undo()
    return path, summary


def test_a_scheduled_run_of_a_demo_group_ingests_the_demo(scheduled_demo):
    path, summary = scheduled_demo
    assert summary["status"] == "completed" and summary["articles_new"] > 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM v_profiles_current WHERE name = 'Foxconn'").fetchone() == (1,)
        # The demo's feeds are the demo's, not configured ones: adding a feed later ends the fallback.
        assert {o for (o,) in con.execute("SELECT DISTINCT origin FROM feeds").fetchall()} == {"demo"}
    finally:
        con.close()


def _view_counts(path: Path) -> tuple[int, int]:
    """Organisations of v_profiles_current, and claims of v_claims between two of them (none rejected)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        nodes = con.execute("SELECT count(*) FROM v_profiles_current").fetchone()[0]
        edges = con.execute(
            "SELECT count(*) FROM v_claims v JOIN claims c ON c.id = v.claim_id"
            " WHERE c.subject_id IN (SELECT entity_id FROM v_profiles_current)"
            " AND c.object_id IN (SELECT entity_id FROM v_profiles_current)"
            " AND v.review_verdict IS DISTINCT FROM 'rejected'").fetchone()[0]
    finally:
        con.close()
    return nodes, edges


def test_the_graph_export_parses_as_graphml_and_matches_the_views(scheduled_demo, tmp_path, monkeypatch):
    path, _ = scheduled_demo
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    result = CliRunner().invoke(app, ["export", "graph", "--out", str(tmp_path / "g.graphml")])
    assert result.exit_code == 0, result.output
    root = ET.parse(tmp_path / "g.graphml").getroot()
    assert root.tag == f"{GRAPHML}graphml"
    graph = root.find(f"{GRAPHML}graph")
    assert graph.get("edgedefault") == "directed"
    nodes, edges = graph.findall(f"{GRAPHML}node"), graph.findall(f"{GRAPHML}edge")
    assert (len(nodes), len(edges)) == _view_counts(path)
    assert edges, "the demo has claims between organisations"
    ids = {node.get("id") for node in nodes}
    assert all(edge.get("source") in ids and edge.get("target") in ids for edge in edges)
    keys = {key.get("id"): key.get("attr.name") for key in root.findall(f"{GRAPHML}key")}
    first = {keys[d.get("key")]: d.text for d in edges[0].findall(f"{GRAPHML}data")}
    assert {"type", "polarity", "modality", "date", "article_url", "evidence"} <= set(first)
    labels = {d.text for n in nodes for d in n.findall(f"{GRAPHML}data") if keys[d.get("key")] == "label"}
    assert {"Foxconn", "OpenAI"} <= labels


def test_the_graph_loads_in_networkx(scheduled_demo, tmp_path, monkeypatch):
    networkx = pytest.importorskip("networkx")
    path, _ = scheduled_demo
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    assert CliRunner().invoke(app, ["export", "graph", "--out", str(tmp_path)]).exit_code == 0
    graph = networkx.read_graphml(tmp_path / "graph.graphml")  # --out a folder: graph.graphml in it
    assert (graph.number_of_nodes(), graph.number_of_edges()) == _view_counts(path)
    foxconn = next(n for n, data in graph.nodes(data=True) if data["label"] == "Foxconn")
    assert isinstance(graph.nodes[foxconn]["confidence"], float)


def test_the_graph_as_csv_has_neo4j_headers(scheduled_demo, tmp_path, monkeypatch):
    path, _ = scheduled_demo
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    result = CliRunner().invoke(app, ["export", "graph", "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with (tmp_path / "nodes.csv").open(encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    with (tmp_path / "edges.csv").open(encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    assert list(nodes[0])[:3] == ["id:ID(Organisation)", "name", "type"] and list(nodes[0])[-1] == ":LABEL"
    assert list(edges[0])[:3] == [":START_ID(Organisation)", ":END_ID(Organisation)", ":TYPE"]
    assert "date:date" in edges[0] and "confidence:float" in edges[0]
    assert (len(nodes), len(edges)) == _view_counts(path)
    foxconn = next(row for row in nodes if row["name"] == "Foxconn")
    assert foxconn[":LABEL"] == "Organisation" and foxconn["grade"] and float(foxconn["confidence:float"]) > 0
    by_id = {row["id:ID(Organisation)"]: row["name"] for row in nodes}
    con = duckdb.connect(str(path), read_only=True)
    try:
        claim = con.execute("SELECT type, polarity, modality FROM claims WHERE id = ?",
                            [edges[0]["claim_id"]]).fetchone()
    finally:
        con.close()
    assert (edges[0][":TYPE"], edges[0]["polarity"], edges[0]["modality"]) == (claim[0].upper(), claim[1], claim[2])
    assert edges[0][":START_ID(Organisation)"] in by_id and edges[0][":END_ID(Organisation)"] in by_id


def test_a_bad_graph_format_is_exit_2_with_one_line(scheduled_demo, tmp_path, monkeypatch):
    path, _ = scheduled_demo
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    result = CliRunner().invoke(app, ["export", "graph", "--format", "gexf", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--format 'gexf' is not one of graphml, csv" in lines[0]
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_scheduled_run_that_waited_too_long_for_the_lock_is_recorded_beside_the_run_holding_it(
        prefect_harness, tmp_path, monkeypatch):
    """The run holding the lock keeps its row as it is; the refused run gets a row of its own."""
    from dossier.flows.schedule import scheduled_ingest
    from dossier.store.lock import run_lock

    path = tmp_path / "dossier.duckdb"
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("DOSSIER_SCHEDULE_LOCK_WAIT", "0")
    monkeypatch.setenv("DOSSIER_SCHEDULES", json.dumps({"wires": {"interval": 60, "feeds": ["http://127.0.0.1:9/f.xml"]}}))
    with run_lock(path, holder="ingest (test)"):
        state = scheduled_ingest("wires", return_state=True)
    assert state.is_failed() and "another run is writing" in state.message
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT status, failures FROM runs").fetchall()
    finally:
        con.close()
    assert len(rows) == 1 and rows[0][0] == "failed"
    [failure] = json.loads(rows[0][1])
    assert failure["stage"] == "schedule" and failure["item"] == "group wires" and "another run is writing" in failure["reason"]
