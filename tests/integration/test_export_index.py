"""`dossier export --format html`: an index of every card, sortable by grade, domain and region;
cards of organisations rejected or merged since an earlier export into the same folder are
removed (only files an export wrote); hostile names and sentences stay text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.profiles.export import INDEX, MANIFEST, IndexRow, read_manifest, render_index, stale_files
from dossier.review import desk
from dossier.store.warehouse import Warehouse
from tests.support.cards import HOSTILE_NAME, HOSTILE_SENTENCE

CARD_SECTIONS = ("Confidence", "At a glance", "Key points", "What happened", "Why it matters", "What to watch",
                 "Now", "Next quarter", "Next year", "Relationships and places", "Evidence (")


@pytest.fixture
def warehouse(desk_path, tmp_path, monkeypatch) -> Warehouse:
    """A private copy of the desk's warehouse (the quayside article's organisations), used by the CLI."""
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(copy))
    return Warehouse(copy)


def export(out: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["export", "--format", "html", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.output


def listed(index_html: str) -> list[str]:
    """The card files the index links, in the order it lists them."""
    return re.findall(r'<td><a href="([^"]+)">', index_html)


def current(warehouse: Warehouse) -> dict[str, str]:
    with warehouse.read() as session:
        return {p.entity_id: p.name for p in session.profiles.current_profiles()}


def test_the_index_lists_every_card_and_each_card_has_every_section(warehouse, tmp_path):
    out = tmp_path / "cards"
    export(out)
    profiles = current(warehouse)
    index = (out / INDEX).read_text(encoding="utf-8")
    files = listed(index)
    assert len(files) == len(profiles) > 1 and sorted(files) == sorted(p.name for p in out.glob("*.html") if p.name != INDEX)
    for name in profiles.values():
        assert f">{name}</a>" in index
    for file in files:
        page = (out / file).read_text(encoding="utf-8")
        for title in CARD_SECTIONS:
            assert title in page, (file, title)
        assert '<a href="index.html">' in page and "<link" not in page  # style inlined, nothing fetched
    assert 'data-sort="grade"' in index and 'data-sort="domain"' in index and 'data-sort="region"' in index
    assert "http" not in index.split("<script>")[1]  # the sorting script loads nothing
    assert json.loads((out / MANIFEST).read_text())["html"] == sorted([*files, INDEX])


def test_cards_of_rejected_and_merged_organisations_leave_the_folder_and_nothing_else_does(warehouse, tmp_path):
    out = tmp_path / "cards"
    export(out)
    export(out, "--format", "md")
    (out / "my-notes.html").write_text("mine", encoding="utf-8")   # not the export's: kept
    ids = {name: entity_id for entity_id, name in current(warehouse).items()}
    with warehouse.write() as session:
        desk.merge(session, ids["Quayside Robotics"], ids["Marrowgate Logistics"], "rita", "same firm, test")
    assert "1 card(s) of organisations no longer exported removed" in export(out)
    names = {p.name for p in out.iterdir()}
    assert "marrowgate-logistics.html" not in names and "quayside-robotics.html" in names and "my-notes.html" in names
    assert listed((out / INDEX).read_text(encoding="utf-8")) == ["quayside-robotics.html"]
    with warehouse.write() as session:
        desk.reject(session, ids["Quayside Robotics"], "rita", "noise")
    assert "1 card(s) of organisations no longer exported removed" in export(out)
    names = {p.name for p in out.iterdir()}
    assert "quayside-robotics.html" not in names and "my-notes.html" in names
    assert listed((out / INDEX).read_text(encoding="utf-8")) == []
    # The Markdown cards of the earlier export are another format's: an HTML export leaves them be.
    assert {"marrowgate-logistics.md", "quayside-robotics.md"} <= names
    assert read_manifest((out / MANIFEST).read_text())["md"] == ["marrowgate-logistics.md", "quayside-robotics.md"]


def test_a_manifest_never_removes_what_an_export_could_not_have_written():
    previous = {"html": ["a.html", "../escape.html", "/etc/passwd", "notes.txt", ".hidden.html", "b.html"]}
    assert stale_files(previous, "html", ["b.html"]) == ["a.html"]
    assert stale_files(previous, "md", []) == []
    assert read_manifest("not json") == {} and read_manifest("[1, 2]") == {}


def test_the_index_is_sorted_by_grade_then_confidence():
    rows = [IndexRow("Zeta", "zeta.html", "B/C", 60, "energy", "Europe", "utility"),
            IndexRow("Alpha", "alpha.html", "D", 20, "banking", "Asia", "bank"),
            IndexRow("Beta", "beta.html", "A/B", 80, "robotics", "Africa", "robot maker"),
            IndexRow("Gamma", "gamma.html", "B/C", 70, "aviation", "Europe", "airline")]
    assert listed(render_index(rows)) == ["beta.html", "gamma.html", "zeta.html", "alpha.html"]


def test_hostile_names_and_sentences_stay_escaped_in_the_index_and_the_cards(warehouse, tmp_path):
    ids = {name: entity_id for entity_id, name in current(warehouse).items()}
    with warehouse.write() as session:
        session.execute("UPDATE profiles SET name = ?, primary_domain = ?, region = ? WHERE entity_id = ?",
                        [HOSTILE_NAME, HOSTILE_SENTENCE, "<b>Narnia</b>", ids["Quayside Robotics"]])
        session.execute("UPDATE profiles SET what_happened = ?, evidence = '[]' WHERE entity_id = ?",
                        [json.dumps([{"sentence": HOSTILE_SENTENCE, "url": "javascript:alert(3)", "publisher": "<i>p</i>"}]),
                         ids["Quayside Robotics"]])
    out = tmp_path / "cards"
    export(out)
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    for name, html in pages.items():
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Narnia" not in html, name
        assert 'href="javascript' not in html and "<i>p</i>" not in html, name
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in pages[INDEX]
    hostile = next(n for n in pages if n.startswith("script-alert-name-script"))
    assert "&lt;img src=x onerror=alert(2)&gt;" in pages[hostile] and "{{ 7*7 }}" in pages[hostile]
