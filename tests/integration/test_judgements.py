"""Reviewer merges and splits survive re-extraction: applied on every run."""

import json
from pathlib import Path

import duckdb
import pytest

from dossier.pipeline.analyse import analyse_articles
from dossier.pipeline.refresh import refresh_profiles
from dossier.pipeline.write import write_batch
from dossier.review import desk
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from tests.support.articles import entity_of, fetched, ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def entity_id(warehouse: Warehouse, name: str) -> str:
    with warehouse.write() as con:
        return con.execute("SELECT id FROM entities WHERE name = ? AND kind = 'organisation'", [name]).fetchone()[0]


@pytest.fixture
def warehouse(tmp_path):
    return Warehouse(tmp_path / "w.duckdb")


def test_a_merge_moves_evidence_now_and_applies_to_later_articles(warehouse):
    text = (FIXTURES / "quayside.txt").read_text()
    ingest(warehouse, text)
    keep, merged = entity_id(warehouse, "Quayside Robotics"), entity_id(warehouse, "Marrowgate Logistics")
    with warehouse.write() as con:
        desk.merge(con, keep, merged, reviewer="ana", note="same group")
    assert entity_of(warehouse.path, "Marrowgate Logistics") == {"Quayside Robotics"}
    # A later article naming only Marrowgate resolves to the kept organisation.
    ingest(warehouse, "Marrowgate Logistics signed a partnership with Halden Systems to run a depot in Leeds.", n=2)
    assert entity_of(warehouse.path, "Marrowgate Logistics") == {"Quayside Robotics"}
    con = duckdb.connect(str(warehouse.path), read_only=True)
    statuses = con.execute("SELECT p.status FROM profiles p WHERE p.entity_id = ?", [merged]).fetchall()
    kinds = con.execute("SELECT kind, reviewer, note FROM judgements").fetchall()
    con.close()
    assert statuses and all(s == ("superseded",) for s in statuses)
    assert kinds == [("merge", "ana", "same group")]


def test_a_split_alias_never_resolves_to_the_entity_again(warehouse):
    text = (FIXTURES / "quayside.txt").read_text()
    ingest(warehouse, text)
    quayside = entity_id(warehouse, "Quayside Robotics")
    assert entity_of(warehouse.path, "Quayside") == {"Quayside Robotics"}
    with warehouse.write() as con:
        desk.split(con, quayside, "Quayside", reviewer="ana")
    assert entity_of(warehouse.path, "Quayside") == {"Quayside"}
    # Re-extracting the same article (and a new one) keeps the split.
    ingest(warehouse, text)
    ingest(warehouse, "Quayside Robotics Ltd said Quayside would hire 50 engineers in Ohio.", n=3)
    assert entity_of(warehouse.path, "Quayside") == {"Quayside"}
    assert entity_of(warehouse.path, "Quayside Robotics Ltd") == {"Quayside Robotics"}


def test_judgements_that_cannot_apply_are_refused(warehouse):
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    quayside = entity_id(warehouse, "Quayside Robotics")
    with warehouse.write() as con:
        with pytest.raises(desk.ReviewError, match="into itself"):
            desk.merge(con, quayside, quayside, reviewer="ana")
        with pytest.raises(desk.ReviewError, match="no alias"):
            desk.split(con, quayside, "Marrowgate", reviewer="ana")
        with pytest.raises(desk.ReviewError, match="no organisation"):
            desk.merge(con, quayside, "not-an-id", reviewer="ana")


def test_desk_split_records_the_judgement_refreshes_both_drafts_and_logs_the_event(warehouse):
    """The reviewer's split (dossier.review.desk.split): judgement, the new organisation's
    draft, the alias gone from the old one's draft, one review_events row — in one call."""
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    quayside = entity_id(warehouse, "Quayside Robotics")
    with warehouse.write() as con:
        before = con.execute("SELECT aliases FROM profiles WHERE entity_id = ? AND status = 'draft'", [quayside]).fetchone()[0]
        done = desk.split(con, quayside, "Quayside", reviewer="ana", note="another firm")
    assert "Quayside" in before  # profiles.aliases is a VARCHAR[]
    new_id = entity_id(warehouse, "Quayside")
    assert done.alias == "Quayside" and done.new_entity == new_id
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        [judgement] = con.execute("SELECT id, kind, entity_id, other, reviewer, note FROM judgements").fetchall()
        [event] = con.execute("SELECT reviewer, action, entity_id, revision, before, after, note FROM review_events").fetchall()
        [(aliases,)] = con.execute("SELECT aliases FROM profiles WHERE entity_id = ? AND status = 'draft'", [quayside]).fetchall()
        [(name, status)] = con.execute("SELECT name, status FROM profiles WHERE entity_id = ?", [new_id]).fetchall()
    finally:
        con.close()
    assert judgement == (done.judgement, "split", quayside, "Quayside", "ana", "another firm")
    reviewer, action, entity, revision, event_before, event_after, note = event
    assert (reviewer, action, entity, revision, note) == ("ana", "split", quayside, None, "another firm")
    assert json.loads(event_before) == {"alias_of": quayside}
    assert json.loads(event_after) == done.model_dump()
    assert "Quayside" not in aliases  # the old draft was refreshed at once
    assert (name, status) == ("Quayside", "draft")  # and the alias has a profile of its own
    assert entity_of(warehouse.path, "Quayside") == {"Quayside"}


def test_desk_split_of_an_alias_the_organisation_lacks_is_refused_and_logs_nothing(warehouse):
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    quayside = entity_id(warehouse, "Quayside Robotics")
    with warehouse.write() as con:
        with pytest.raises(desk.ReviewError, match="no alias"):
            desk.split(con, quayside, "Marrowgate", reviewer="ana")
        assert con.execute("SELECT count(*) FROM review_events").fetchone()[0] == 0


def test_drafts_refreshed_in_slices_equal_drafts_refreshed_at_once(tmp_path, monkeypatch):
    from dossier.profiles import refresh

    texts = [(FIXTURES / "quayside.txt").read_text(),
             "Marrowgate Logistics signed a partnership with Halden Systems to run a depot in Leeds."]
    outcome = analyse_articles([fetched(t, n) for n, t in enumerate(texts)], load_settings())

    def profiles(budget: int) -> list[tuple]:
        monkeypatch.setattr(refresh, "REFRESH_MENTIONS", budget)
        warehouse = Warehouse(tmp_path / f"slice-{budget}.duckdb")
        written = write_batch(warehouse, list(outcome.analysed), [])
        counts = refresh_profiles(warehouse, written.affected_entities)
        con = duckdb.connect(str(warehouse.path), read_only=True)
        try:
            rows = con.execute("SELECT entity_id, revision, status, content_hash FROM profiles ORDER BY entity_id").fetchall()
        finally:
            con.close()
        assert counts["created"] == len(rows) >= 3
        return rows

    assert profiles(1) == profiles(1_000_000)  # one organisation per slice, or all in one


def test_each_refresh_slice_commits_its_drafts_and_leaves_the_rest_queued(tmp_path, monkeypatch):
    from dossier.pipeline import refresh
    from dossier.profiles import refresh as drafts

    text = "Marrowgate Logistics signed a partnership with Halden Systems to run a depot in Leeds."
    outcome = analyse_articles([fetched(text, 1)], load_settings())
    warehouse = Warehouse(tmp_path / "queued.duckdb")
    written = write_batch(warehouse, list(outcome.analysed), [])
    assert len(written.affected_entities) >= 2
    monkeypatch.setattr(drafts, "REFRESH_MENTIONS", 1)  # one organisation per slice
    calls = []

    def second_slice_fails(con, ids, stopwatch=None):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("killed during the second slice")
        return refresh_slice(con, ids, stopwatch=stopwatch)

    refresh_slice = refresh.refresh_slice
    monkeypatch.setattr(refresh, "refresh_slice", second_slice_fails)
    with pytest.raises(RuntimeError):
        refresh_profiles(warehouse, written.affected_entities)
    with warehouse.read() as con:
        queued = {r[0] for r in con.execute("SELECT entity_id FROM profile_refresh_queue").fetchall()}
        drafted = {r[0] for r in con.execute("SELECT entity_id FROM profiles").fetchall()}
    assert drafted == set(calls[0])  # the first slice is written and off the queue
    assert queued == set(written.affected_entities) - drafted  # the failed slice and the rest stay queued

    monkeypatch.setattr(refresh, "refresh_slice", refresh_slice)
    refresh_profiles(warehouse, [])  # a later run picks up what is queued
    with warehouse.read() as con:
        assert con.execute("SELECT count(*) FROM profile_refresh_queue").fetchone()[0] == 0
        assert {r[0] for r in con.execute("SELECT entity_id FROM profiles").fetchall()} == set(written.affected_entities)


def warehouse_state(path: Path, entities: list[str] | None = None) -> dict[str, list[tuple]]:
    """What a merge or split changes, as analysts (the views) and later runs (the tables) see it."""
    con = duckdb.connect(str(path), read_only=True)
    revisions = "SELECT entity_id, revision, status, content_hash FROM profiles"
    params: list = []
    if entities is not None:
        revisions += " WHERE entity_id IN (SELECT unnest(?))"
        params = [entities]
    try:
        return {
            "v_profiles_current": con.execute(
                "SELECT entity_id, name, aliases, type, confidence, grade, source_count, status, revision"
                " FROM v_profiles_current ORDER BY entity_id").fetchall(),
            "v_claims": con.execute("SELECT claim_id, subject, object, evidence FROM v_claims ORDER BY claim_id").fetchall(),
            "revisions": con.execute(revisions + " ORDER BY ALL", params).fetchall(),
            "aliases": con.execute("SELECT entity_id, alias, alias_key, learned FROM aliases ORDER BY ALL").fetchall(),
            "mentions": con.execute("SELECT id, entity_id, text FROM mentions ORDER BY id").fetchall(),
            "claims": con.execute("SELECT id, subject_id, object_id FROM claims ORDER BY id").fetchall(),
            "ties": con.execute("SELECT id, organisation_id FROM ties ORDER BY id").fetchall(),
        }
    finally:
        con.close()


def history(path: Path) -> tuple[list[tuple], list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        events = con.execute("SELECT action, entity_id, reviewer FROM review_events ORDER BY occurred_at, id").fetchall()
        judgements = con.execute("SELECT id, kind, superseded_by FROM judgements ORDER BY created_at, id").fetchall()
    finally:
        con.close()
    return events, judgements


def test_an_unmerge_restores_the_warehouse_as_it_was_before_the_merge(warehouse):
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    ingest(warehouse, "Marrowgate Logistics signed a partnership with Halden Systems to run a depot in Leeds.", n=2)
    keep, merged = entity_id(warehouse, "Quayside Robotics"), entity_id(warehouse, "Marrowgate Logistics")
    before = warehouse_state(warehouse.path)
    with warehouse.write() as session:
        desk.merge(session, keep, merged, reviewer="ana", note="same group")
    merged_state = warehouse_state(warehouse.path)
    assert merged_state != before
    assert not [row for row in merged_state["mentions"] if row[1] == merged]  # the evidence moved ...
    assert {row[1] for row in merged_state["aliases"] if row[0] == keep} >= {"Marrowgate Logistics"}
    assert len(merged_state["aliases"]) == len(before["aliases"])  # ... and no alias row was deleted

    with warehouse.write() as session:
        done = desk.unmerge(session, keep, merged, reviewer="ben", note="two firms after all")
    assert warehouse_state(warehouse.path) == before

    events, judgements = history(warehouse.path)
    assert events == [("merge", keep, "ana"), ("unmerge", keep, "ben")]
    (merge_id, _, superseded_by), (unmerge_id, kind, still) = judgements
    assert (kind, superseded_by, still) == ("unmerge", unmerge_id, None) and done.judgement == unmerge_id
    # The merge no longer applies to later runs either.
    ingest(warehouse, "Marrowgate Logistics opened a depot in Hull, Marrowgate Logistics said.", n=3)
    assert entity_of(warehouse.path, "Marrowgate Logistics") == {"Marrowgate Logistics"}


def test_a_second_unmerge_is_refused_and_records_nothing(warehouse):
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    keep, merged = entity_id(warehouse, "Quayside Robotics"), entity_id(warehouse, "Marrowgate Logistics")
    with warehouse.write() as session:
        desk.merge(session, keep, merged, reviewer="ana")
    with warehouse.write() as session:
        desk.unmerge(session, keep, merged, reviewer="ana")
    state = warehouse_state(warehouse.path)
    with warehouse.write() as session:
        with pytest.raises(desk.ReviewError, match="un-merged already"):
            desk.unmerge(session, keep, merged, reviewer="ana")
        with pytest.raises(desk.ReviewError, match="not an organisation merged into"):
            desk.resolve_merged(session, keep, "Marrowgate Logistics")
    assert warehouse_state(warehouse.path) == state
    assert [e[0] for e in history(warehouse.path)[0]] == ["merge", "unmerge"]


def test_an_unsplit_restores_the_alias_and_its_mentions(warehouse):
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    quayside = entity_id(warehouse, "Quayside Robotics")
    entities = sorted({row[0] for row in warehouse_state(warehouse.path)["revisions"]})
    before = warehouse_state(warehouse.path, entities)
    with warehouse.write() as session:
        desk.split(session, quayside, "Quayside", reviewer="ana")
    assert entity_of(warehouse.path, "Quayside") == {"Quayside"}
    with warehouse.write() as session:
        desk.unsplit(session, quayside, "quayside", reviewer="ana", note="the short name after all")
    assert warehouse_state(warehouse.path, entities) == before
    assert entity_of(warehouse.path, "Quayside") == {"Quayside Robotics"}
    # The organisation the split made stays on record, its revisions superseded (nothing is deleted).
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        statuses = con.execute("SELECT p.status FROM profiles p JOIN entities e ON e.id = p.entity_id"
                               " WHERE e.name = 'Quayside'").fetchall()
    finally:
        con.close()
    assert statuses == [("superseded",)]
    assert [e[0] for e in history(warehouse.path)[0]] == ["split", "unsplit"]
    with warehouse.write() as session, pytest.raises(desk.ReviewError, match="un-split already"):
        desk.unsplit(session, quayside, "Quayside", reviewer="ana")
    # Re-extracting the article no longer splits the alias off.
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    assert entity_of(warehouse.path, "Quayside") == {"Quayside Robotics"}


def test_an_unmerge_takes_back_the_mentions_later_runs_gave_the_kept_organisation(warehouse):
    ingest(warehouse, (FIXTURES / "quayside.txt").read_text())
    keep, merged = entity_id(warehouse, "Quayside Robotics"), entity_id(warehouse, "Marrowgate Logistics")
    with warehouse.write() as session:
        desk.merge(session, keep, merged, reviewer="ana")
    ingest(warehouse, "Marrowgate Logistics opened a depot in Hull, Marrowgate Logistics said.", n=2)
    assert entity_of(warehouse.path, "Marrowgate Logistics") == {"Quayside Robotics"}
    with warehouse.write() as session:
        desk.unmerge(session, keep, merged, reviewer="ana")
    assert entity_of(warehouse.path, "Marrowgate Logistics") == {"Marrowgate Logistics"}
