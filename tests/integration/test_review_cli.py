"""`dossier review …` and `dossier users …` against a real warehouse file, re-opened to check."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.pipeline.analyse import analyse_articles
from dossier.pipeline.refresh import refresh_profiles
from dossier.pipeline.write import write_batch
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from tests.support.articles import entity_of, fetched, ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture
def env(tmp_path, monkeypatch):
    path = tmp_path / "dossier.duckdb"
    warehouse = Warehouse(path)
    outcome = analyse_articles([fetched((FIXTURES / "quayside.txt").read_text(), 1)], load_settings())
    refresh_profiles(warehouse, write_batch(warehouse, list(outcome.analysed), []).affected_entities)
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("COLUMNS", "200")
    return path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_review_commands_act_and_record(env):
    listed = run("review", "list", "--json")
    assert listed.exit_code == 0, listed.output
    queue = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {q["name"] for q in queue} == {"Quayside Robotics", "Marrowgate Logistics"}
    assert queue == sorted(queue, key=lambda q: -q["priority"])
    shown = run("review", "show", "Quayside", "--json")
    assert shown.exit_code == 0, shown.output
    claim = next(c for c in json.loads(shown.stdout)["claims"] if c["type"] == "supply")
    # "..., the companies said": the reviewer sees whom a reported claim is attributed to.
    partnership = next(c for c in json.loads(shown.stdout)["claims"] if c["type"] == "partnership")
    assert (partnership["modality"], partnership["attributed_to"]) == ("reported", "the companies")
    assert "reported, per the companies" in run("review", "show", "Quayside").output

    assert run("review", "approve", "Quayside Robotics", "--reviewer", "ana", "--note", "ok").exit_code == 0
    again = run("review", "approve", "Quayside Robotics", "--reviewer", "ana")
    assert again.exit_code == 1 and "no draft to approve" in again.output
    edited = run("review", "edit", "Quayside Robotics", "type=Industrial manufacturer", "--reviewer", "ana")
    assert edited.exit_code == 0, edited.output
    assert run("review", "claim", claim["id"], "reject", "--reviewer", "ana", "--note", "pilot only").exit_code == 0
    assert run("review", "reject", "Marrowgate Logistics", "--reviewer", "ben", "--note", "too thin").exit_code == 0
    refused = run("review", "edit", "Quayside Robotics", "grade=A", "--reviewer", "ana")
    assert refused.exit_code == 1 and "cannot be edited" in refused.output

    assert rows(env, "SELECT revision, status, type FROM profiles WHERE name = 'Quayside Robotics' ORDER BY revision") == [
        (1, "approved", "unknown"), (2, "draft", "Industrial manufacturer")]
    assert rows(env, "SELECT status, note FROM profiles WHERE name = 'Marrowgate Logistics'") == [("rejected", "too thin")]
    history = run("review", "history", "--json")
    assert [json.loads(line)["action"] for line in history.stdout.splitlines()] == [
        "reject", "reject_claim", "edit", "approve"]
    shown = run("review", "show", "Quayside Robotics")
    assert "changes against approved revision 1" in shown.output and "Industrial manufacturer" in shown.output


def test_users_are_added_listed_and_disabled_never_deleted(env):
    added = run("users", "add", "rita", "--role", "reviewer", "--password-stdin", input="correct horse battery\n")
    assert added.exit_code == 0, added.output
    assert run("users", "add", "rita", "--password-stdin", input="another password\n").exit_code == 1
    short = run("users", "add", "sam", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    assert run("users", "disable", "rita").exit_code == 0
    [(name, role, active, hashed)] = rows(env, "SELECT username, role, active, password_hash FROM users")
    assert (name, role, active) == ("rita", "reviewer", False)
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert "disabled" in run("users", "list").output


HALDEN = "Halden Systems, a server hardware manufacturer, opened a factory in Leeds, England."  # Europe, AI infrastructure


def listed(*options: str) -> set[str]:
    """The names `dossier review list --json` shows with these options."""
    result = run("review", "list", "--json", *options)
    assert result.exit_code == 0, result.output
    return {json.loads(line)["name"] for line in result.stdout.splitlines()}


def test_review_list_filters_by_grade_domain_region_and_status(env):
    ingest(Warehouse(env), HALDEN, n=2)
    americans = {"Quayside Robotics", "Marrowgate Logistics"}
    everyone = americans | {"Halden Systems"}
    assert rows(env, "SELECT DISTINCT grade FROM profiles") == [("B/C",)]  # what the fixtures yield
    assert listed() == everyone
    assert listed("--region", "Europe") == {"Halden Systems"}
    assert listed("--region", "north america") == americans  # case does not matter
    assert listed("--domain", "AI infrastructure") == {"Halden Systems"}
    assert listed("--domain", "unknown") == {"Quayside Robotics"}
    assert listed("--domain", "Transport") == {"Marrowgate Logistics"}  # its name says logistics
    assert listed("--grade", "B/C") == everyone and listed("--grade", "A") == set()
    assert run("review", "approve", "Quayside Robotics", "--reviewer", "ana").exit_code == 0
    assert run("review", "reject", "Halden Systems", "--reviewer", "ana", "--note", "thin").exit_code == 0
    assert listed() == {"Marrowgate Logistics"}  # the default status is draft
    assert listed("--status", "approved") == {"Quayside Robotics"}
    assert listed("--status", "rejected") == {"Halden Systems"}
    assert listed("--status", "any") == everyone
    assert listed("--status", "any", "--region", "North America", "--grade", "B/C") == americans
    refused = run("review", "list", "--status", "pending")
    assert refused.exit_code == 2 and "--status 'pending' is not one of" in refused.output  # a usage error


def test_review_merge_and_split_are_stored_and_applied_on_the_next_run(env):
    quayside, marrowgate = (rows(env, f"SELECT id FROM entities WHERE name = '{n}'")[0][0]
                            for n in ("Quayside Robotics", "Marrowgate Logistics"))
    merged = run("review", "merge", "Quayside Robotics", "Marrowgate Logistics", "--reviewer", "ana", "--note", "same group")
    assert merged.exit_code == 0, merged.output
    assert "merged Marrowgate Logistics into Quayside Robotics" in merged.output
    split = run("review", "split", "Quayside Robotics", "Quayside", "--reviewer", "ben", "--note", "another firm")
    assert split.exit_code == 0, split.output
    assert "split 'Quayside' off Quayside Robotics" in split.output

    # Re-opened: both judgements and both events are in the file.
    assert rows(env, "SELECT kind, entity_id, other, reviewer, note FROM judgements ORDER BY created_at") == [
        ("merge", quayside, marrowgate, "ana", "same group"), ("split", quayside, "Quayside", "ben", "another firm")]
    events = rows(env, "SELECT action, reviewer, entity_id, after->>'judgement', note FROM review_events ORDER BY occurred_at")
    judgements = [r[0] for r in rows(env, "SELECT id FROM judgements ORDER BY created_at")]
    assert events == [("merge", "ana", quayside, judgements[0], "same group"),
                      ("split", "ben", quayside, judgements[1], "another firm")]
    assert {s for (s,) in rows(env, f"SELECT status FROM profiles WHERE entity_id = '{marrowgate}'")} == {"superseded"}

    # The next run's new article resolves by the judgements, not by the names alone.
    ingest(Warehouse(env), "Marrowgate Logistics signed a partnership with Halden Systems to run a depot in Leeds. "
                           "Quayside Robotics Ltd said Quayside would hire 50 engineers in Ohio.", n=3)
    assert entity_of(env, "Marrowgate Logistics") == {"Quayside Robotics"}
    assert entity_of(env, "Quayside") == {"Quayside"}
    assert entity_of(env, "Quayside Robotics Ltd") == {"Quayside Robotics"}


def test_review_unmerge_and_unsplit_undo_the_judgements_and_refuse_a_second_time(env):
    marrowgate = rows(env, "SELECT id FROM entities WHERE name = 'Marrowgate Logistics'")[0][0]
    current = "SELECT entity_id, name, aliases, status, revision FROM v_profiles_current ORDER BY entity_id"
    before = rows(env, current)
    assert run("review", "merge", "Quayside Robotics", "Marrowgate Logistics", "--reviewer", "ana").exit_code == 0
    assert run("review", "split", "Quayside Robotics", "Quayside", "--reviewer", "ana").exit_code == 0

    undone = run("review", "unmerge", "Quayside Robotics", "Marrowgate Logistics", "--reviewer", "ben", "--note", "two firms")
    assert undone.exit_code == 0, undone.output
    assert "un-merged Marrowgate Logistics from Quayside Robotics" in undone.output
    unsplit = run("review", "unsplit", "Quayside Robotics", "Quayside", "--reviewer", "ben")
    assert unsplit.exit_code == 0, unsplit.output
    assert "un-split 'Quayside'" in unsplit.output
    assert rows(env, current) == before
    assert rows(env, "SELECT kind, superseded_by IS NULL FROM judgements ORDER BY created_at") == [
        ("merge", False), ("split", False), ("unmerge", True), ("unsplit", True)]
    history = run("review", "history", "--json")
    assert [json.loads(line)["action"] for line in history.stdout.splitlines()] == ["unsplit", "unmerge", "split", "merge"]

    again = run("review", "unmerge", "Quayside Robotics", marrowgate, "--reviewer", "ben")
    assert again.exit_code == 1 and "not an organisation merged into" in again.output
    again = run("review", "unsplit", "Quayside Robotics", "Quayside", "--reviewer", "ben")
    assert again.exit_code == 1 and "un-split already" in again.output
    assert len(rows(env, "SELECT * FROM review_events")) == 4
