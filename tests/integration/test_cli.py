"""The CLI against real files and a real warehouse, re-opened to check."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.demo.server import demo_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
CONTINENTS = {"Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Antarctica"}
CLAIM_TYPES = {"partnership", "acquisition", "merger", "investment", "supply", "purchase_commitment",
               "purchase_option", "facility", "workforce", "product_launch", "financial_result",
               "regulatory_action", "legal_action", "leadership_change", "market_entry_exit", "other"}


@pytest.fixture
def runner():
    return CliRunner()


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_extract_json_follows_the_contract(runner):
    result = runner.invoke(app, ["extract", str(FIXTURES / "quayside.txt"), "--json"])
    assert result.exit_code == 0, result.output
    [out] = lines(result.stdout)
    text = (FIXTURES / "quayside.txt").read_text()
    assert set(out) == {"doc", "entities", "organisations", "locations", "claims"}
    assert out["doc"] == str(FIXTURES / "quayside.txt")
    for entity in out["entities"]:
        assert set(entity) == {"text", "label", "start", "end"} and text[entity["start"]:entity["end"]] == entity["text"]
    for org in out["organisations"]:
        assert set(org) == {"name", "aliases", "mentions"}
        assert all(text[m["start"]:m["end"]] == m["text"] for m in org["mentions"])
    for loc in out["locations"]:
        assert set(loc) == {"name", "country", "continent", "mentions"}
        assert loc["country"] is None or (len(loc["country"]) == 2 and loc["country"].isupper())
        assert loc["continent"] is None or loc["continent"] in CONTINENTS
    for claim in out["claims"]:
        assert set(claim) == {"subject", "type", "object", "polarity", "modality", "evidence", "start", "end",
                              "attributed_to"}
        assert claim["attributed_to"] is None or (isinstance(claim["attributed_to"], str) and claim["attributed_to"])
        assert claim["type"] in CLAIM_TYPES and claim["polarity"] in {"affirmed", "negated"}
        assert claim["modality"] in {"asserted", "reported", "hedged", "planned"}
        assert text[claim["start"]:claim["end"]] == claim["evidence"]
    assert {o["name"] for o in out["organisations"]} >= {"Quayside Robotics", "Marrowgate Logistics"}


def test_extract_reads_stdin_and_labels_it_dash(runner):
    result = runner.invoke(app, ["extract", "-", "--json"], input="Foxconn will build servers for OpenAI in Ohio.")
    [out] = lines(result.stdout)
    assert out["doc"] == "-"
    labels = {e["text"]: e["label"] for e in out["entities"]}
    assert labels["Foxconn"] == "ORG" and labels["OpenAI"] == "ORG"  # the raw model says GPE


def test_extract_html_runs_the_text_extractor_on_the_demo_foxconn_page(runner, tmp_path):
    page = tmp_path / "openai-foxconn-hardware.html"
    page.write_bytes(demo_files()["/articles/openai-foxconn-hardware.html"])
    [out] = lines(runner.invoke(app, ["extract", str(page), "--html", "--json"]).stdout)
    foxconn = next(o for o in out["organisations"] if o["name"] == "Foxconn")
    assert "Hon Hai Technology Group" in foxconn["aliases"]
    places = {loc["name"]: (loc["country"], loc["continent"]) for loc in out["locations"]}
    assert all(places[s] == ("US", "North America") for s in ("Wisconsin", "Ohio", "Texas"))
    commitments = [c for c in out["claims"] if c["type"] == "purchase_commitment"]
    assert commitments and all(c["polarity"] == "negated" for c in commitments)
    assert any(c["type"] == "purchase_option" and c["subject"] == "OpenAI" for c in out["claims"])
    assert "cookies" not in json.dumps(out)


def test_extract_reports_bad_inputs_by_name_and_keeps_going(runner, tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav>Home</nav></body></html>")
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.txt"), str(empty), str(FIXTURES / "quayside.html"),
                                 "--html", "--json"])
    assert result.exit_code == 1
    outs = lines(result.stdout)
    assert [o["doc"].rsplit("/", 1)[-1] for o in outs] == ["nope.txt", "empty.html", "quayside.html"]
    assert "cannot read" in outs[0]["error"] and "no article text" in outs[1]["error"]
    assert outs[2]["organisations"]


def test_extract_names_a_model_that_is_not_installed(runner, monkeypatch):
    monkeypatch.setenv("DOSSIER_SPACY_MODEL", "en_core_web_nonexistent")
    result = runner.invoke(app, ["extract", "-", "--json"], input="Foxconn will build servers in Ohio.")
    assert result.exit_code != 0
    assert "en_core_web_nonexistent" in result.output and "not installed" in result.output


def test_feeds_add_list_remove_on_a_real_warehouse(runner, tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    assert runner.invoke(app, ["feeds", "add", "https://news.example/rss", "--reliability", "0.8"]).exit_code == 0
    assert "already configured" in runner.invoke(app, ["feeds", "add", "https://news.example/rss"]).stdout
    assert runner.invoke(app, ["feeds", "add", "ftp://news.example/rss"]).exit_code == 2  # a usage error
    listed = lines(runner.invoke(app, ["feeds", "list", "--json"]).stdout)
    assert [(f["url"], f["reliability"], f["origin"]) for f in listed] == [("https://news.example/rss", 0.8, "user")]
    assert runner.invoke(app, ["feeds", "remove", "https://news.example/rss"]).exit_code == 0
    assert runner.invoke(app, ["feeds", "remove", "https://news.example/rss"]).exit_code == 1
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT active FROM feeds").fetchall() == [(False,)]
    con.close()


def test_ingest_without_feeds_runs_the_demo_then_profiles_show_the_card(runner, tmp_path, monkeypatch, prefect_harness):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DOSSIER_DEMO_PORT", "0")
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    assert "built-in demo" in result.stdout
    for field in ("feeds polled", "articles new", "articles unchanged", "articles failed", "organisations",
                  "claims", "drafts", "run time", str(tmp_path / "w.duckdb")):
        assert field in result.stdout
    listed = lines(runner.invoke(app, ["profiles", "list", "--json"]).stdout)
    assert {"Foxconn", "OpenAI"} <= {p["name"] for p in listed}
    card = runner.invoke(app, ["profiles", "show", "Hon Hai Technology Group"], env={"COLUMNS": "200"})
    assert card.exit_code == 0
    for field in ("Foxconn", "Aliases", "Type", "Base / region", "Confidence", "grade", "Key points",
                  "What happened", "What to watch", "Relationships", "Places", "Evidence"):
        assert field in card.stdout
    assert runner.invoke(app, ["profiles", "show", "No Such Org"]).exit_code == 1
