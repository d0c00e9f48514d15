"""The warehouse run lock, and the deployments `dossier schedule` serves, built from configuration."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, timedelta

import pytest

from dossier.flows.schedule import ScheduleError, build_deployments
from dossier.pipeline.groups import group_feeds
from dossier.settings import load_settings
from dossier.store.lock import WarehouseLocked, lock_path, run_lock
from dossier.store.warehouse import Warehouse


def test_a_second_holder_is_refused_naming_the_first(tmp_path):
    path = tmp_path / "dossier.duckdb"
    with run_lock(path, holder="ingest (cli)"):
        with pytest.raises(WarehouseLocked, match=r"ingest \(cli\) in process \d+ since"):
            with run_lock(path):
                pass
    with run_lock(path):  # released on exit
        assert lock_path(path).is_file()


def test_a_waiting_holder_gets_the_lock_when_the_first_lets_go(tmp_path):
    path = tmp_path / "dossier.duckdb"
    held = threading.Event()

    def first() -> None:
        with run_lock(path):
            held.set()
            time.sleep(0.6)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(5)
    started = time.monotonic()
    with run_lock(path, wait=10):
        waited = time.monotonic() - started
    thread.join()
    assert 0.3 < waited < 5


def test_each_feed_group_becomes_a_deployment_with_its_schedule_and_a_limit_of_one(tmp_path):
    settings = load_settings(warehouse_path=tmp_path / "w.duckdb", schedules={
        "hourly": {"cron": "0 * * * *", "timezone": "Europe/Paris"},
        "wire": {"interval": 900, "feeds": ["https://example.org/feed.xml"]},
    })
    deployments = {d.name: d for d in build_deployments(settings)}
    assert set(deployments) == {"ingest-hourly", "ingest-wire"}
    hourly, wire = deployments["ingest-hourly"], deployments["ingest-wire"]
    assert hourly.schedules[0].schedule.cron == "0 * * * *" and hourly.schedules[0].schedule.timezone == "Europe/Paris"
    assert wire.schedules[0].schedule.interval == timedelta(seconds=900)
    assert hourly.parameters == {"group": "hourly"} and wire.parameters == {"group": "wire"}
    assert hourly.concurrency_limit == wire.concurrency_limit == 1
    assert hourly.entrypoint == "dossier.flows.schedule.scheduled_ingest"


def test_no_groups_and_unknown_or_empty_groups_are_clear_errors(tmp_path):
    with pytest.raises(ScheduleError, match="nothing to schedule"):
        build_deployments(load_settings(schedules={}))
    with pytest.raises(ScheduleError, match="no feed group 'nope'"):
        group_feeds("nope", load_settings(warehouse_path=tmp_path / "w.duckdb", schedules={}))


def test_an_empty_group_with_no_configured_feeds_refuses_to_run_unless_it_falls_back_to_the_demo(tmp_path):
    settings = load_settings(warehouse_path=tmp_path / "w.duckdb", schedules={
        "all": {"interval": 60}, "fresh": {"interval": 60, "demo": True}})
    with pytest.raises(ScheduleError, match="has no feeds"):
        group_feeds("all", settings)
    assert group_feeds("fresh", settings).source == "demo"
    assert not settings.warehouse_path.exists()  # asking what a group ingests writes nothing
    with Warehouse(settings.warehouse_path).write() as session:
        session.feeds.add_feed("https://example.org/feed.xml")
    added = group_feeds("fresh", settings)  # a feed added ends the demo fallback
    assert (added.source, added.urls) == ("added", ("https://example.org/feed.xml",))


def test_a_schedule_prefect_refuses_is_one_line_naming_the_group():
    """Settings check cron first; what slips past them is still a ConfigError naming the group."""
    from dossier.flows.schedule import schedule_of
    from dossier.settings import ConfigError, FeedGroup

    group = FeedGroup.model_construct(cron="0 0 1W * *", interval=None, timezone="UTC", feeds=[], demo=False)
    with pytest.raises(ConfigError, match="feed group 'odd': Prefect refuses its schedule"):
        schedule_of("odd", group)


@pytest.mark.parametrize(("group", "problem"), [
    ({"interval": 0}, "schedules.g.interval: Input should be greater than 0"),
    ({"interval": "hourly"}, "schedules.g.interval"),
    ({"cron": "0 * * * *", "timezone": "Mars/Olympus"}, "schedules.g.timezone: 'Mars/Olympus' is not a time zone"),
    ({"interval": 60, "demo": True, "feeds": ["https://example.org/f.xml"]}, "schedules.g: demo = true is for a group without feeds"),
])
def test_a_bad_schedule_is_one_line_naming_the_group(group, problem):
    from dossier.settings import ConfigError

    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_settings(schedules={"g": group})


def test_a_dossier_error_is_logged_by_prefect_without_its_traceback():
    import logging
    import sys

    from dossier.flows.schedule import _DossierErrorsInOneLine

    def record_of(error: Exception) -> logging.LogRecord:
        try:
            raise error
        except Exception:
            return logging.LogRecord("prefect.flow_runs", logging.ERROR, __file__, 1, "failed: %r", (error,), sys.exc_info())

    quiet, bug = record_of(ScheduleError("no feeds")), record_of(KeyError("bug"))
    assert _DossierErrorsInOneLine().filter(quiet) and quiet.exc_info is None
    assert _DossierErrorsInOneLine().filter(bug) and bug.exc_info is not None


@pytest.mark.parametrize(("expression", "problem"), [
    ("0 * * * *", None), ("*/15 9-17 * * mon-fri", None), ("@daily", None), ("0 0 L * *", None),
    ("0 0 * * 5#3", None), ("61 * * * *", "'61' is no minute"), ("0 24 * * *", "'24' is no hour"),
    ("* * * *", "4 field(s)"), ("*/0 * * * *", "'*/0' is no minute"), ("0 0 0 * *", "'0' is no day of month"),
])
def test_cron_expressions_are_checked_field_by_field(expression, problem):
    from dossier.settings import cron_problem

    found = cron_problem(expression)
    assert (found is None) if problem is None else (problem in found), found


def test_a_snapshot_is_a_whole_read_only_copy_and_a_failed_one_is_a_warning(tmp_path):
    from datetime import datetime

    import duckdb

    from dossier.flows.ingest import publish_run_snapshot
    from dossier.pipeline.summary import RunSummary
    from dossier.store.snapshot import publish_snapshot
    from dossier.store.warehouse import Warehouse

    warehouse = Warehouse(tmp_path / "dossier.duckdb")
    with warehouse.write() as con:
        con.execute("INSERT INTO feeds (url, added_at, origin, active) VALUES ('http://a/f.xml', now(), 'user', TRUE)")
    snap = publish_snapshot(warehouse, tmp_path / "snap" / "s.duckdb")
    assert oct(snap.path.stat().st_mode & 0o777) == "0o444" and not list(snap.path.parent.glob("*.tmp"))
    with warehouse.write() as con:  # a later write does not reach the published copy
        con.execute("DELETE FROM feeds")
    reader = duckdb.connect(str(snap.path), read_only=True)
    assert reader.execute("SELECT url FROM feeds").fetchall() == [("http://a/f.xml",)]
    reader.close()

    (tmp_path / "blocked").write_text("a file where the snapshot's folder should be")
    settings = load_settings(warehouse_path=warehouse.path, snapshot_path=tmp_path / "blocked" / "s.duckdb")
    now = datetime.now(UTC)
    summary = RunSummary(run_id="r1", started_at=now, finished_at=now, warehouse_path=str(warehouse.path))
    publish_run_snapshot(warehouse, settings, summary)
    assert summary.warnings and "not published" in summary.warnings[0]


def test_the_same_warehouse_through_a_symlink_shares_one_lock(tmp_path):
    """Keyed by the resolved path: a second run through another spelling of the path is refused."""
    real = tmp_path / "data" / "dossier.duckdb"
    real.parent.mkdir()
    (tmp_path / "link").symlink_to(real.parent)
    (tmp_path / "alias.duckdb").symlink_to(real)
    with run_lock(real, holder="ingest (cli)"):
        for other in (tmp_path / "link" / "dossier.duckdb", tmp_path / "alias.duckdb",
                      tmp_path / "data" / ".." / "data" / "dossier.duckdb"):
            with pytest.raises(WarehouseLocked):
                with run_lock(other):
                    pass
    assert lock_path(tmp_path / "alias.duckdb") == lock_path(real) == real.with_name("dossier.duckdb.lock")


def test_the_lock_file_is_never_opened_through_a_symlink(tmp_path):
    """A symlink planted where the lock file goes is refused: nothing is truncated or written through it."""
    from dossier.store.lock import LockFileRefused

    victim = tmp_path / "precious.txt"
    victim.write_text("must survive")
    path = tmp_path / "dossier.duckdb"
    lock_path(path).symlink_to(victim)
    with pytest.raises(LockFileRefused, match="symbolic link"):
        with run_lock(path):
            pass
    assert victim.read_text() == "must survive"
