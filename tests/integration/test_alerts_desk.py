"""`dossier watch …` and `dossier alerts list` against a real warehouse file, and the desk's
/alerts page over the same kind of file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from dossier.cli.app import app as cli_app
from dossier.records.alerts import Alert
from tests.support.desk import desk_app, entity_id, signed_in


def run(*args: str):
    return CliRunner().invoke(cli_app, list(args))


@pytest.fixture
def warehouse_env(desk_path, tmp_path, monkeypatch):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(copy))
    monkeypatch.setenv("COLUMNS", "200")
    return copy


def test_watch_add_list_remove(warehouse_env):
    added = run("watch", "add", "organisation", "quayside robotics", "--reviewer", "ana")
    assert added.exit_code == 0 and "watching organisation Quayside Robotics" in added.output
    assert "already watching" in run("watch", "add", "organisation", "Quayside Robotics").output
    assert run("watch", "add", "claim-type", "Supply").exit_code == 0
    assert run("watch", "add", "grade").exit_code == 0
    listed = [json.loads(line) for line in run("watch", "list", "--json").stdout.splitlines()]
    assert [(w["kind"], w["label"]) for w in listed] == [
        ("organisation", "Quayside Robotics"), ("claim_type", "supply"), ("grade", "every organisation")]
    assert listed[0]["created_by"] == "ana"
    removed = run("watch", "remove", listed[1]["id"][:8])
    assert removed.exit_code == 0 and "no longer watching claim type supply" in removed.output
    assert len(run("watch", "list", "--json").stdout.splitlines()) == 2
    assert len(run("watch", "list", "--all", "--json").stdout.splitlines()) == 3


def test_watch_refusals_are_one_line_with_their_exit_code(warehouse_env):
    unknown = run("watch", "add", "organisation", "Nobody Ltd")
    assert unknown.exit_code == 1 and "no organisation" in unknown.output
    bad_type = run("watch", "add", "claim-type", "gossip")
    assert bad_type.exit_code == 2 and "unknown claim type 'gossip'" in bad_type.output
    assert run("watch", "remove", "nosuchid").exit_code == 1
    assert run("alerts", "list", "--since", "yesterday").exit_code == 2
    assert run("alerts", "deliver").exit_code == 2  # no webhook configured


def _store_alert(path, entity: str, summary: str, when: datetime) -> None:
    from dossier.store.warehouse import Warehouse

    with Warehouse(path).write() as session:
        session.alerts.add_alerts([Alert(id=f"a-{summary[:5]}", kind="new_claim", entity_id=entity, summary=summary,
                                         run_id="r1", created_at=when)])


def test_alerts_list_filters_by_date(warehouse_env):
    assert "No alerts" in run("alerts", "list").output
    _store_alert(warehouse_env, "e1", "old news", datetime(2026, 1, 1, tzinfo=UTC))
    _store_alert(warehouse_env, "e1", "fresh news", datetime(2026, 6, 1, tzinfo=UTC))
    listed = [json.loads(line) for line in run("alerts", "list", "--since", "2026-03-01", "--json").stdout.splitlines()]
    assert [(a["summary"], a["delivery"]) for a in listed] == [("fresh news", "pending")]
    assert "old news" in run("alerts", "list").output


def test_the_desk_shows_alerts_to_every_reviewer(desk_path, tmp_path):
    app = desk_app(desk_path, tmp_path)
    quayside = entity_id(app, "Quayside Robotics")
    _store_alert(app.state.warehouse.path, quayside, "new claim: <b>Quayside</b> supply", datetime.now(UTC))
    viewer = signed_in(app, "vera")
    page = viewer.get("/alerts")
    assert page.status_code == 200 and 'href="/alerts"' in page.text
    assert "new claim: &lt;b&gt;Quayside&lt;/b&gt; supply" in page.text and f"/profiles/{quayside}" in page.text
    assert "new claim" not in viewer.get("/alerts?since=2099-01-01").text.split("<tbody>")[1]
    assert viewer.get("/alerts?since=soon").status_code == 400


def test_watch_list_says_which_organisation_a_watch_follows_after_a_merge(warehouse_env):
    assert run("watch", "add", "organisation", "Marrowgate Logistics").exit_code == 0
    merged = run("review", "merge", "Quayside Robotics", "Marrowgate Logistics", "--reviewer", "rita")
    assert merged.exit_code == 0, merged.output
    [watch] = [json.loads(line) for line in run("watch", "list", "--json").stdout.splitlines()]
    assert (watch["label"], watch["follows_name"]) == ("Marrowgate Logistics", "Quayside Robotics")
    assert "Marrowgate Logistics (merged: now Quayside Robotics)" in run("watch", "list").output
    unmerged = run("review", "unmerge", "Quayside Robotics", "Marrowgate Logistics", "--reviewer", "rita")
    assert unmerged.exit_code == 0, unmerged.output
    [watch] = [json.loads(line) for line in run("watch", "list", "--json").stdout.splitlines()]
    assert watch["follows"] is None and "merged" not in run("watch", "list").output
