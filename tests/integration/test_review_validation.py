"""Validated input (docs/review.md): an edit may set only a value its field can take, on the
command line and on the web desk alike, and a command-line action names an active reviewer
once the warehouse has users. A real warehouse file with real extraction output."""

from __future__ import annotations

import html
import re
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app as cli_app
from dossier.errors import EXIT_FAILED
from dossier.review.accounts import add_account, disable_account
from dossier.review.revisions import EditError, allowed_values, check_edit
from dossier.store.warehouse import Warehouse
from tests.support.desk import PASSWORD, desk_app, entity_id, signed_in, token


def run(*args: str):
    return CliRunner().invoke(cli_app, list(args))


def one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def rows(path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# --- the check itself ---------------------------------------------------------------------

@pytest.mark.parametrize("field, value, stored", [
    ("impact", "HIGH", "high"),
    ("region", "north  america", "North America"),
    ("type", "ai hardware manufacturer", "AI hardware manufacturer"),
    ("category", "regulator", "regulator"),
    ("primary_domain", "Transport", "Transport"),
    ("topic", "Partnerships and alliances", "Partnerships and alliances"),
    ("time_horizon", "6-24 months", "6–24 months"),  # a hyphen for the en dash
    ("base", "USA", "United States"),
    ("base", "Taiwan", "Taiwan"),
    ("region", "unknown", "unknown"),
    ("name", "  Quayside   Robotics plc ", "Quayside Robotics plc"),
    ("type", None, None),  # clears the override
])
def test_an_allowed_value_is_stored_in_its_listed_spelling(field, value, stored):
    assert check_edit(field, value) == stored


@pytest.mark.parametrize("field, value, message", [
    ("impact", "extreme", "impact: 'extreme' is not a known impact level; allowed: low, medium, high"),
    ("region", "Narnia", "region: 'Narnia' is not a known region (continent); allowed: Africa, Asia, Europe, "
                         "North America, South America, Oceania, Antarctica, unknown"),
    ("type", "robot maker", f"type: 'robot maker' is not a known type; {len(allowed_values('type'))} allowed; "
                            "`dossier review values type` lists them"),
    ("base", "Narnia", "base: 'Narnia' is not a known country;"),
    ("operational_criticality", "vital", "allowed: low, medium, high"),
    ("name", "x" * 201, "name: 201 characters, at most 200 allowed"),
    ("name", "   ", "name: an empty value"),
    ("confidence", "1", "'confidence' cannot be edited"),
])
def test_a_value_outside_the_field_is_refused_naming_field_value_and_allowed_values(field, value, message):
    with pytest.raises(EditError) as refused:
        check_edit(field, value)
    assert message in str(refused.value)


def test_every_allowed_value_passes_the_check_and_free_text_has_none():
    for field in ("type", "category", "primary_domain", "topic", "region", "impact", "operational_criticality",
                  "time_horizon"):
        values = allowed_values(field)
        assert values and all(check_edit(field, v) == v for v in values), field
    assert allowed_values("name") is None
    assert "Taiwan" in allowed_values("base") and "United States" in allowed_values("base")


# --- the command line ----------------------------------------------------------------------

@pytest.fixture
def warehouse_file(desk_path, tmp_path, monkeypatch):
    """A private copy of the desk's warehouse (quayside profiles; users vera, rita, adam)."""
    path = tmp_path / "dossier.duckdb"
    shutil.copyfile(desk_path, path)
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    monkeypatch.delenv("DOSSIER_REVIEWER", raising=False)
    monkeypatch.setenv("COLUMNS", "300")
    return path


def test_cli_refuses_an_edit_outside_the_allowed_values_and_records_nothing(warehouse_file):
    for pair, named in (("impact=extreme", "impact: 'extreme' is not a known impact level; allowed: low, medium, high"),
                        ("region=Narnia", "region: 'Narnia' is not a known region (continent)")):
        result = run("review", "edit", "Quayside Robotics", pair, "--reviewer", "rita")
        assert result.exit_code == EXIT_FAILED, result.output
        assert named in one_line(result)
    assert rows(warehouse_file, "SELECT count(*) FROM profile_overrides") == [(0,)]
    assert rows(warehouse_file, "SELECT count(*) FROM review_events WHERE action = 'edit'") == [(0,)]
    done = run("review", "edit", "Quayside Robotics", "impact=HIGH", "region=europe", "--reviewer", "rita")
    assert done.exit_code == 0, done.output
    assert sorted(rows(warehouse_file, "SELECT field, value FROM profile_overrides")) == [
        ("impact", '"high"'), ("region", '"Europe"')]


def test_cli_lists_the_allowed_values(warehouse_file):
    listed = run("review", "values", "type")
    assert listed.exit_code == 0 and "AI hardware manufacturer" in listed.stdout.splitlines()
    fields = run("review", "values").stdout
    assert "impact: 3 values" in fields and "name: free text" in fields
    assert run("review", "values", "grade").exit_code == EXIT_FAILED


def test_cli_actions_need_an_active_reviewer_once_users_exist(warehouse_file):
    with Warehouse(warehouse_file).write() as session:
        add_account(session, "olga", PASSWORD, "reviewer")
        disable_account(session, "olga", "adam")
    for reviewer, named in (("olga", "user 'olga' is disabled"), ("nobody", "no user 'nobody'"),
                            ("vera", "user 'vera' has the role viewer")):
        result = run("review", "approve", "Quayside Robotics", "--reviewer", reviewer)
        assert result.exit_code == EXIT_FAILED, result.output
        assert named in one_line(result)
    claim = rows(warehouse_file, "SELECT id FROM claims LIMIT 1")[0][0]
    assert "no user 'nobody'" in one_line(run("review", "claim", claim, "reject", "--reviewer", "nobody"))
    assert rows(warehouse_file, "SELECT count(*) FROM review_events WHERE action NOT LIKE 'user_%'") == [(0,)]
    assert rows(warehouse_file, "SELECT count(*) FROM claim_reviews") == [(0,)]
    for reviewer in ("rita", "adam"):  # a reviewer and an admin may act
        assert run("review", "claim", claim, "reject", "--reviewer", reviewer).exit_code == 0
    approved = run("review", "approve", "Quayside Robotics", "--reviewer", "rita")
    assert approved.exit_code == 0, approved.output
    assert rows(warehouse_file, "SELECT reviewer, action FROM review_events WHERE action NOT LIKE 'user_%'"
                                " ORDER BY occurred_at") == [("rita", "reject_claim"), ("adam", "reject_claim"),
                                                             ("rita", "approve")]


def test_without_any_user_any_reviewer_name_may_act(warehouse_file):
    with duckdb.connect(str(warehouse_file)) as con:
        con.execute("DELETE FROM users")  # a fresh demo warehouse: nobody was ever added
    done = run("review", "approve", "Quayside Robotics", "--reviewer", "anyone")
    assert done.exit_code == 0, done.output
    assert rows(warehouse_file, "SELECT reviewer FROM review_events WHERE action = 'approve'") == [("anyone",)]


# --- the web desk --------------------------------------------------------------------------

def flash(page: str) -> str:
    found = re.search(r'<p class="flash" role="status">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_the_web_desk_refuses_an_invalid_edit_with_the_same_message(desk_path, tmp_path):
    app = desk_app(desk_path, tmp_path)
    c = signed_in(app, "rita")
    quayside = entity_id(app, "Quayside Robotics")
    csrf = token(c.get("/queue").text)
    for field, value, named in (("impact", "extreme", "impact: 'extreme' is not a known impact level; allowed: low, medium, high"),
                                ("region", "Narnia", "region: 'Narnia' is not a known region (continent)")):
        posted = c.post(f"/profiles/{quayside}/edit", data={"field": field, "value": value, "csrf_token": csrf})
        assert posted.status_code == 303
        assert named in flash(c.get(posted.headers["location"]).text)
    posted = c.post(f"/profiles/{quayside}/edit", data={"field": "impact", "value": "low", "csrf_token": csrf})
    assert flash(c.get(posted.headers["location"]).text) == "Set impact to 'low'."
    with app.state.warehouse.read() as session:
        assert session.revisions.active_overrides([quayside]) == {quayside: {"impact": "low"}}
