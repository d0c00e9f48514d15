"""Full and read-only disks (issue 16, items 12 and 13): a run that fills the disk is recorded as
failed with its reason, never left `running`; a run that cannot set aside the space to record
its end does not start; commands say what refused, in one line, with exit code 4; reading
commands work on a read-only file system. Real tmpfs mounts, real DuckDB files."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.errors import EXIT_STORAGE
from dossier.flows.ingest import ingest_feeds
from dossier.pipeline import write
from dossier.store.warehouse import Warehouse
from tests.support.mounts import fill, remount_read_only, tmpfs
from tests.support.settings import test_settings


def runs(path) -> list[tuple[str, list]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [(status, json.loads(failures) if failures else [])
                for status, failures in con.execute("SELECT status, failures FROM runs ORDER BY started_at").fetchall()]
    finally:
        con.close()


def one_error_line(result) -> str:
    """The single 'error: …' line a failed command printed (and that nothing else was printed to stderr)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    return lines[0]


def test_a_run_that_fills_the_disk_is_recorded_failed_with_its_reason(demo_feed, monkeypatch):
    with tmpfs("24m") as disk:
        path = disk / "dossier.duckdb"
        real_write = write.write_batch

        def write_on_a_full_disk(*args, **kwargs):
            fill(disk)  # the injected fault: the disk fills up just before the first batch is written
            return real_write(*args, **kwargs)

        monkeypatch.setattr(write, "write_batch", write_on_a_full_disk)
        with pytest.raises(Exception) as raised:
            ingest_feeds([demo_feed], test_settings(path, nlp_processes=1, snapshot_after_run=False))
        assert "full" in str(raised.value).lower() or "no space" in str(raised.value).lower()
        [(status, failures)] = runs(path)
        assert status == "failed"  # not left `running`
        assert failures[0]["stage"] == "run" and ("full" in failures[0]["reason"] or "space" in failures[0]["reason"])
        assert not Warehouse(path).reserve_path.exists()  # spent on the record, not left behind


def test_a_run_that_cannot_set_space_aside_does_not_start(demo_feed):
    with tmpfs("16m") as disk:
        path = disk / "dossier.duckdb"
        with Warehouse(path).write():  # an empty, migrated warehouse
            pass
        fill(disk)
        monkeypatched = CliRunner().invoke(app, ["ingest", "--feed", demo_feed],
                                           env={"DOSSIER_WAREHOUSE_PATH": str(path), "DOSSIER_ALLOWED_HOSTS": '["127.0.0.1"]',
                                                "DOSSIER_NLP_PROCESSES": "1", "DOSSIER_HOST_DELAY": "0"})
        assert monkeypatched.exit_code == EXIT_STORAGE, monkeypatched.output
        line = one_error_line(monkeypatched)
        assert "dossier.duckdb.reserve" in line and "No space left" in line
        assert runs(path) == []  # nothing started, so nothing is left running


def test_reading_commands_work_on_a_read_only_file_system_and_writers_say_why_not(tmp_path):
    with tmpfs("16m") as disk:
        path = disk / "dossier.duckdb"
        env = {"DOSSIER_WAREHOUSE_PATH": str(path), "DOSSIER_WAREHOUSE_WAIT": "0"}
        runner = CliRunner()
        assert runner.invoke(app, ["feeds", "add", "https://1.1.1.1/rss"], env=env).exit_code == 0
        remount_read_only(disk)
        listed = runner.invoke(app, ["feeds", "list", "--json"], env=env)
        assert listed.exit_code == 0, listed.output
        assert [json.loads(line)["url"] for line in listed.stdout.splitlines()] == ["https://1.1.1.1/rss"]
        for command in (["profiles", "list"], ["runs", "list"], ["review", "list"], ["users", "list"]):
            result = runner.invoke(app, command, env=env)
            assert result.exit_code == 0, (command, result.output)
        refused = runner.invoke(app, ["feeds", "add", "https://1.0.0.1/rss"], env=env)
        assert refused.exit_code == EXIT_STORAGE
        line = one_error_line(refused)
        assert str(path) in line and "read-only" in line.lower()
        snap = runner.invoke(app, ["snapshot", "--to", str(disk / "s.duckdb")], env=env)
        assert snap.exit_code == EXIT_STORAGE and "Read-only file system" in one_error_line(snap)


def test_an_ingest_on_a_read_only_file_system_is_one_line_with_exit_code_4(demo_feed):
    with tmpfs("16m") as disk:
        path = disk / "dossier.duckdb"
        with Warehouse(path).write():
            pass
        remount_read_only(disk)
        result = CliRunner().invoke(app, ["ingest", "--feed", demo_feed],
                                    env={"DOSSIER_WAREHOUSE_PATH": str(path), "DOSSIER_ALLOWED_HOSTS": '["127.0.0.1"]'})
        assert result.exit_code == EXIT_STORAGE, result.output
        line = one_error_line(result)
        assert str(disk) in line and "Read-only file system" in line
        assert runs(path) == []
