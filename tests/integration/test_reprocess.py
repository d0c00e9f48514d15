"""`dossier reprocess` after a models version bump, on real warehouse files.

The demo is ingested by an "older extractor": the stamp of an earlier models version, and an
analyser that misses every facility claim. A reviewer approves Foxconn's profile and rejects
one of its claims. Then the installed version re-analyses the stored texts: the evidence
changes, the rejected claim stays rejected, the approved revision stays current with a new
draft beside it; a run killed after its first batch and run again ends where an uninterrupted
run ends; an ingest run with a `reprocess_budget` does that many and reports the rest as stale.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import dossier.assets
from dossier.assets import models_version
from dossier.cli.app import app
from dossier.demo.server import demo_feeds, serve_demo
from dossier.extract.analyse import Analyser
from dossier.flows.ingest import ingest_feeds
from dossier.flows.reprocess import reprocess_articles
from dossier.pipeline import reprocess
from dossier.review import desk
from dossier.store.warehouse import Warehouse
from tests.support.settings import test_settings

OLD_VERSION = "2000.1.1"
MISSED = "facility"  # the claim type the older extractor never found
CHUNK = 6            # 18 demo articles: three batches
EDITED_TYPE = "Hardware and electronics maker"  # a reviewer's override of Foxconn's type (a taxonomy type)
COMPARED = ("articles", "entities", "aliases", "mentions", "claims", "ties", "profiles", "claim_reviews")
NOT_COMPARED = {"first_seen", "last_seen", "fetched", "created_at", "updated_at", "reviewed_at"}
VIEWS = ("v_profiles_current", "v_claims", "v_entity_timeline")


def contents(path: Path) -> dict[str, list[str]]:
    """Every row of the data tables (without write times) and of the public views, sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in (*COMPARED, *VIEWS):
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if c not in NOT_COMPARED]
            out[table] = sorted(map(repr, con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()))
        return out
    finally:
        con.close()


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def stale(prefect_harness, tmp_path_factory):
    """A warehouse written by the older extractor, with Foxconn approved and one of its claims rejected."""
    path = tmp_path_factory.mktemp("reprocess") / "stale" / "dossier.duckdb"
    settings = test_settings(path, article_chunk_size=CHUNK, nlp_processes=1, snapshot_after_run=False)
    real_read, real_analyse = dossier.assets.read_asset, Analyser.analyse_doc

    def old_read(name: str) -> str:
        return f"{OLD_VERSION}\n" if name == "VERSION" else real_read(name)

    def old_analyse(self, doc):  # noqa: ANN001, ANN202
        analysis = real_analyse(self, doc)
        return analysis.model_copy(update={"claims": tuple(c for c in analysis.claims if c.type != MISSED)})

    with pytest.MonkeyPatch.context() as mp, serve_demo(0) as base:
        mp.setattr(dossier.assets, "read_asset", old_read)
        mp.setattr(Analyser, "analyse_doc", old_analyse)
        publishers = demo_feeds(base)
        first = ingest_feeds(list(publishers), settings, origin="demo", publishers=publishers)
        port = int(base.rsplit(":", 1)[1].strip("/"))
    assert first.articles_new == 18 and first.articles_stale == 0  # stale against the version of its day
    warehouse = Warehouse(path)
    with warehouse.write() as session:
        foxconn = desk.resolve_entity(session, "Foxconn")["id"]
        desk.approve(session, foxconn, "ada", note="checked")
        desk.edit(session, foxconn, {"type": EDITED_TYPE}, "ada", "house style")
        claims = [c for c in session.claims.entity_claims(foxconn) if c["subject_id"] == foxconn]
        rejected = claims[0]["id"]
        desk.review_claim(session, rejected, "rejected", "ada", "misread")
    approved = query(path, "SELECT * FROM profiles WHERE entity_id = ? AND status = 'approved'", [foxconn])
    return {"path": path, "foxconn": foxconn, "rejected": rejected, "approved": approved, "port": port}


def copy_of(stale: dict, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name / "dossier.duckdb"
    target.parent.mkdir(parents=True)
    shutil.copyfile(stale["path"], target)
    return target


@pytest.fixture(scope="module")
def reprocessed(stale, tmp_path_factory):
    """The stale warehouse reprocessed by `dossier reprocess`, uninterrupted."""
    path = copy_of(stale, tmp_path_factory.mktemp("whole"), "whole")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {"WAREHOUSE_PATH": str(path), "NLP_PROCESSES": "1", "ARTICLE_CHUNK_SIZE": str(CHUNK),
                            "SNAPSHOT_AFTER_RUN": "false"}.items():
            mp.setenv(f"DOSSIER_{name}", value)
        result = CliRunner().invoke(app, ["reprocess"])
    assert result.exit_code == 0, result.output
    return {"path": path, "output": result.output}


def test_reprocess_replaces_the_evidence_of_stale_articles(stale, reprocessed):
    before, after = stale["path"], reprocessed["path"]
    assert query(before, "SELECT count(*) FROM claims WHERE type = ?", [MISSED]) == [(0,)]
    assert query(after, "SELECT count(*) FROM claims WHERE type = ?", [MISSED])[0][0] > 0
    assert query(after, "SELECT DISTINCT models_version FROM articles") == [(models_version(),)]
    assert query(after, "SELECT DISTINCT extractor_version FROM claims") == [(models_version(),)]
    assert "articles reprocessed" in reprocessed["output"] and "18" in reprocessed["output"]
    [(kind, status, counts, stages)] = query(after, "SELECT kind, status, counts, stage_counts FROM runs"
                                                    " ORDER BY started_at DESC LIMIT 1")
    assert (kind, status) == ("reprocess", "completed")
    counts, stages = json.loads(counts), json.loads(stages)
    assert counts["articles_reprocessed"] == 18 and counts["articles_stale"] == 0 and counts["articles_new"] == 0
    assert stages["reprocess"] == {"stale": 18, "selected": 18, "analysed": 18, "missing": 0}
    assert stages["nlp"]["analysed"] == 18 and "fetch" not in stages
    # Nothing left to do: a second run analyses nothing and changes nothing.
    rerun = reprocess_articles(test_settings(after, nlp_processes=1, snapshot_after_run=False))
    assert rerun.articles_reprocessed == 0 and rerun.drafts_created == rerun.drafts_updated == 0


def test_a_rejected_claim_stays_rejected_and_the_approved_revision_current(stale, reprocessed):
    after, foxconn = reprocessed["path"], stale["foxconn"]
    # Extracted again by the installed version, same id, same sentence: the verdict follows it.
    assert query(after, "SELECT extractor_version FROM claims WHERE id = ?", [stale["rejected"]]) == [(models_version(),)]
    assert query(after, "SELECT review_verdict FROM v_claims WHERE claim_id = ?", [stale["rejected"]]) == [("rejected",)]
    assert query(after, "SELECT * FROM profiles WHERE entity_id = ? AND status = 'approved'", [foxconn]) \
        == stale["approved"]
    [(status, revision)] = query(after, "SELECT status, revision FROM v_profiles_current WHERE entity_id = ?", [foxconn])
    assert (status, revision) == ("approved", stale["approved"][0][1])
    # The new evidence is in the draft beside it, the reviewer's override laid on top.
    [(draft, kind, evidence)] = query(
        after, "SELECT revision, type, evidence FROM profiles WHERE entity_id = ? AND status = 'draft'", [foxconn])
    assert draft > revision and kind == EDITED_TYPE
    [(before,)] = query(stale["path"], "SELECT evidence FROM profiles WHERE entity_id = ? AND status = 'draft'", [foxconn])
    assert evidence != before


def test_a_run_killed_after_its_first_batch_then_run_again_ends_as_an_uninterrupted_one(
    stale, reprocessed, tmp_path, monkeypatch
):
    path = copy_of(stale, tmp_path, "killed")
    settings = test_settings(path, article_chunk_size=CHUNK, nlp_processes=1, snapshot_after_run=False)
    real_write, calls = reprocess.write_reprocessed, []

    def write_then_die(warehouse, analysed):  # noqa: ANN001, ANN202
        if calls:
            raise RuntimeError("killed after the first batch")
        calls.append(len(analysed))
        return real_write(warehouse, analysed)

    monkeypatch.setattr(reprocess, "write_reprocessed", write_then_die)
    with pytest.raises(RuntimeError, match="killed after"):
        reprocess_articles(settings)
    monkeypatch.setattr(reprocess, "write_reprocessed", real_write)
    assert calls == [CHUNK]
    assert reprocess.count_stale(Warehouse(path)) == 18 - CHUNK  # the first batch stayed written
    assert query(path, "SELECT kind, status FROM runs ORDER BY started_at DESC LIMIT 1") == [("reprocess", "failed")]
    rerun = reprocess_articles(settings)
    assert rerun.articles_reprocessed == 18 - CHUNK and rerun.articles_stale == 0
    assert contents(path) == contents(reprocessed["path"])


def test_ingest_reports_stale_articles_and_reprocesses_its_budget(stale, tmp_path):
    path = copy_of(stale, tmp_path, "budget")
    settings = test_settings(path, article_chunk_size=CHUNK, nlp_processes=1, snapshot_after_run=False,
                             reprocess_budget=5)
    with serve_demo(stale["port"]) as base:  # the same feed and article URLs: nothing new to fetch
        assert base.rstrip("/").endswith(f":{stale['port']}")
        publishers = demo_feeds(base)
        summary = ingest_feeds(list(publishers), settings, origin="demo", publishers=publishers)
    assert summary.articles_new == 0
    assert summary.articles_reprocessed == 5 and summary.articles_stale == 13
    assert summary.stage_counts["reprocess"] == {"stale": 18, "selected": 5, "analysed": 5, "missing": 0}
    assert query(path, "SELECT count(*) FROM articles WHERE models_version = ?", [models_version()]) == [(5,)]


def test_the_bench_row_reprocesses_a_stale_copy_and_reports_its_ratio(stale, tmp_path):
    from bench import reprocess as reprocess_bench

    path = copy_of(stale, tmp_path, "bench")
    measured = reprocess_bench.run({"warehouse": str(path), "processes": 1})
    assert measured["articles"] == 18 and measured["failed"] == 0 and measured["stale_after"] == 0
    assert reprocess_bench.ratio({"reprocess": measured, "raw": {"seconds": measured["seconds"]}}) == 1.0
    assert reprocess_bench.ratio({"raw": {"seconds": 1.0}}) is None


def test_a_reprocess_run_alerts_a_watch_once_per_claim_the_new_models_find_first(stale, tmp_path):
    """Watchlists are evaluated after a reprocess run as after an ingest: the claims the installed
    models find for the first time raise one alert each; claims found again raise none."""
    path = copy_of(stale, tmp_path, "watched")
    foxconn = stale["foxconn"]
    before = {c for (c,) in query(path, "SELECT id FROM claims WHERE subject_id = ? OR object_id = ?", [foxconn, foxconn])}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {"WAREHOUSE_PATH": str(path), "NLP_PROCESSES": "1", "ARTICLE_CHUNK_SIZE": str(CHUNK),
                            "SNAPSHOT_AFTER_RUN": "false"}.items():
            mp.setenv(f"DOSSIER_{name}", value)
        watched = CliRunner().invoke(app, ["watch", "add", "organisation", "Foxconn", "--reviewer", "ada"])
        assert watched.exit_code == 0, watched.output
        result = CliRunner().invoke(app, ["reprocess"])
    assert result.exit_code == 0, result.output
    after = {c for (c,) in query(path, "SELECT id FROM claims WHERE subject_id = ? OR object_id = ?", [foxconn, foxconn])}
    alerted = [c for (c,) in query(path, "SELECT claim_id FROM alerts WHERE entity_id = ? AND claim_id IS NOT NULL",
                                   [foxconn])]
    assert after - before, "the installed models find claims the older extractor missed"
    assert sorted(alerted) == sorted(after - before)  # one alert per new claim, none for claims found again
