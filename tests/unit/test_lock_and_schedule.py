"""The warehouse run lock, and the deployments `dossier schedule` serves, built from configuration."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from dossier.flows.schedule import ScheduleError, build_deployments, scheduled_ingest
from dossier.settings import load_settings
from dossier.store.lock import WarehouseLocked, lock_path, run_lock


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
        scheduled_ingest.fn("nope")


def test_an_empty_group_with_no_configured_feeds_refuses_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DOSSIER_SCHEDULES", '{"all": {"interval": 60}}')
    with pytest.raises(ScheduleError, match="has no feeds"):
        scheduled_ingest.fn("all")
