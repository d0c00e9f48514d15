"""Cards exported from a warehouse built from the demo; the Foxconn card is a golden file."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.demo.server import demo_feeds, serve_demo
from dossier.flows.ingest import ingest_feeds
from dossier.profiles.assemble import assemble_profile
from dossier.profiles.render import render_html, render_json, render_markdown
from dossier.store.profiles import load_evidence
from tests.support.settings import test_settings

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "foxconn.md"
HASHES = GOLDEN.with_name("demo_hashes.json")
# Recency depends on the day a card is assembled: the golden card is assembled as of this date.
AS_OF = datetime(2025, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_warehouse(prefect_harness, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "dossier.duckdb"
    with serve_demo(0) as base:
        ingest_feeds(list(demo_feeds(base)), test_settings(path), origin="demo", publishers=demo_feeds(base))
    return path


def test_the_foxconn_card_matches_its_golden_file(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        entity_id = con.execute("SELECT id FROM entities WHERE name = 'Foxconn'").fetchone()[0]
        evidence = load_evidence(con, [entity_id])[entity_id]
    finally:
        con.close()
    dates = {a.url: a.published for a in evidence.articles if a.url}  # citations are dated
    card = render_markdown(assemble_profile(entity_id, evidence, now=AS_OF), dates)
    if os.environ.get("DOSSIER_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(card, encoding="utf-8")
    assert card == GOLDEN.read_text(encoding="utf-8"), "re-generate deliberately with DOSSIER_UPDATE_GOLDEN=1"
    for expected in ("# Foxconn", "Hon Hai Technology Group", "Taiwan / Asia", "Wisconsin (US, North America)",
                     "## Relationships", "OpenAI: partnership"):
        assert expected in card


def test_the_demo_drafts_hash_as_they_always_have(demo_warehouse):
    """Content hashes decide whether a run opens a new revision: were they to change, every
    approved profile would look changed. Pinned per demo organisation (as of AS_OF); a new
    models/VERSION changes them all, deliberately: re-pin with DOSSIER_UPDATE_GOLDEN=1."""
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        ids = dict(con.execute("SELECT name, id FROM entities WHERE kind = 'organisation'").fetchall())
        evidence = load_evidence(con, list(ids.values()))
    finally:
        con.close()
    hashes = {name: assemble_profile(i, evidence[i], now=AS_OF).content_hash for name, i in sorted(ids.items()) if i in evidence}
    if os.environ.get("DOSSIER_UPDATE_GOLDEN") == "1":
        HASHES.write_text(json.dumps(hashes, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    assert hashes == json.loads(HASHES.read_text(encoding="utf-8"))


def test_demo_organisations_are_typed_from_what_is_said_about_them(demo_warehouse):
    """Cues come from descriptions and the organisation's own claims, not from every sentence
    it shares: the buyer of hardware is not a hardware manufacturer; quoted people are no
    organisations at all."""
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        ids = dict(con.execute("SELECT name, id FROM entities WHERE kind = 'organisation'").fetchall())
        evidence = load_evidence(con, list(ids.values()))
    finally:
        con.close()
    kinds = {name: assemble_profile(i, evidence[i], now=AS_OF) for name, i in ids.items() if i in evidence}
    assert kinds["Foxconn"]["type"] == "AI hardware manufacturer"
    for name in ("OpenAI", "Calder Street Research", "Apple"):
        assert kinds[name]["type"] != "AI hardware manufacturer", name
    assert kinds["Sable Semiconductor"]["type"] == "Semiconductor company"
    assert kinds["Federal Communications Commission"]["category"] == "regulator"
    assert kinds["Foxconn"]["score_components"]["topic_reason"].startswith("supply:")
    assert all(e["text"] for e in kinds["Foxconn"]["score_components"]["classification_evidence"])
    for person in ("Renata Holloway", "Dev Mahajan", "Kyle Brandt", "Nadia Whitcombe"):
        assert person not in ids, person


def test_profiles_show_json_nests_the_json_columns(demo_warehouse, monkeypatch):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(demo_warehouse))
    result = CliRunner().invoke(app, ["profiles", "show", "Hon Hai", "--json"])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert profile["name"] == "Foxconn"
    # Real nested JSON, not strings holding JSON.
    assert isinstance(profile["score_components"], dict) and "features" in profile["score_components"]
    for field in ("key_points", "what_happened", "what_to_watch", "relationships", "places", "evidence"):
        assert isinstance(profile[field], list), field
    assert profile["evidence"][0]["url"].startswith("http")
    assert profile["overrides"] is None and profile["diff"] is None  # unreviewed: null, not "null"


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_export_writes_one_card_per_current_profile(demo_warehouse, tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(demo_warehouse))
    result = CliRunner().invoke(app, ["export", "--format", fmt, "--status", "draft", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    current = con.execute("SELECT count(*) FROM v_profiles_current WHERE status = 'draft'").fetchone()[0]
    con.close()
    files = sorted(f for f in tmp_path.glob(f"*.{fmt}") if f.name != "index.html")  # HTML: the index beside the cards
    assert len(files) == current > 0
    foxconn = (tmp_path / f"foxconn.{fmt}").read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(foxconn)["name"] == "Foxconn"
    else:
        assert "Foxconn" in foxconn and "Hon Hai Technology Group" in foxconn
    assert CliRunner().invoke(app, ["export", "--format", "pdf", "--out", str(tmp_path)]).exit_code == 1


def test_article_text_is_escaped_in_every_format():
    hostile = "<script>alert(1)</script> | *bold* [link](javascript:x)"
    row = {
        "entity_id": "e1", "name": hostile, "aliases": [hostile], "type": "t", "category": "c", "region": "r", "base": "b",
        "primary_domain": "d", "topic": "t", "impact": "low", "operational_criticality": "low", "time_horizon": "now",
        "confidence": 0.5, "grade": "C/D", "grade_label": "Weak–medium", "score_components": {"features": {}},
        "source_count": 1, "independent_source_count": 1, "sources_phrase": "one public source",
        "key_points": [], "what_happened": [{"sentence": hostile, "url": "javascript:alert(1)", "title": "t", "publisher": "p"}],
        "what_to_watch": [], "relationships": [], "places": [], "evidence": [], "first_seen": None, "last_seen": None,
    }
    html = render_html(row)
    assert "<script>alert" not in html and "&lt;script&gt;" in html and 'href="javascript' not in html
    md = render_markdown(row)
    assert "<script>" not in md and "\\|" in md and "\\*bold\\*" in md
    assert json.loads(render_json(row))["name"] == hostile


def test_a_card_says_how_much_evidence_it_leaves_out():
    items = [{"type": "supply", "polarity": "affirmed", "modality": "asserted", "sentence": f"s{i}", "url": "https://x.example/"}
             for i in range(14)]  # distinct sentences: a repeated one is shown once
    row = {"entity_id": "e1", "name": "n", "aliases": [], "type": "t", "category": "c", "region": "r", "base": "b",
           "primary_domain": "d", "topic": "t", "impact": "low", "operational_criticality": "low", "time_horizon": "now",
           "confidence": 0.5, "grade": "C/D", "grade_label": "Weak–medium", "score_components": {"features": {}},
           "source_count": 1, "independent_source_count": 1, "sources_phrase": "one public source", "key_points": [],
           "what_happened": [], "what_to_watch": [], "relationships": [], "places": [], "evidence": items,
           "first_seen": None, "last_seen": None}
    card = render_markdown(row)
    assert "## Evidence (14)" in card and card.count("\\[supply, affirmed, asserted\\] s") == 12 and "- … 2 more" in card
