"""Every failure of issue 16, item 13, as the command line reports it: one line on standard
error naming the thing at fault, no traceback, and the exit code of its family (README, "Exit
codes": 0 ok, 1 failed, 2 usage, 3 busy, 4 storage). The CLI runs in-process (typer's CliRunner)
against real files, or as a real `dossier` process where Prefect's own logging is part of it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.errors import EXIT_BUSY, EXIT_FAILED, EXIT_STORAGE, EXIT_USAGE
from dossier.store.lock import run_lock
from dossier.store.warehouse import Warehouse
from tests.support.loopback import LoopbackSite, Route

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


# dossier's own log records at WARNING (DOSSIER_LOG_LEVEL), e.g. each failing feed, may precede
# the error line; nothing at ERROR, no traceback.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|INFO) dossier\.")


def one_error_line(result) -> str:
    """The single 'error: …' line a failed command printed, no traceback, no other error."""
    lines = [line for line in result.stderr.splitlines() if line.strip() and not LOG_RECORD.match(line)]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `dossier …` in-process on a private warehouse path; returns the result."""
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(tmp_path / "dossier.duckdb"))
    monkeypatch.setenv("DOSSIER_WAREHOUSE_WAIT", "0.5")
    monkeypatch.delenv("DOSSIER_CONFIG", raising=False)
    runner = CliRunner()
    return lambda *args, **kwargs: runner.invoke(app, list(args), **kwargs)


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "dossier.duckdb"
    with Warehouse(path).write():  # migrated, empty
        pass
    return path


@pytest.fixture
def not_a_folder(tmp_path) -> Path:
    """A path nothing can be written under (its parent is a regular file; permissions would not stop root)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "out"


# --- unwritable outputs -------------------------------------------------------------------

@pytest.mark.parametrize("command", [["export", "--out"], ["export", "parquet", "--out"], ["snapshot", "--to"],
                                     ["eval", "--only", "gold", "--out"]],
                         ids=["export-cards", "export-parquet", "snapshot", "eval"])
def test_an_unwritable_output_is_named_with_exit_code_4(cli, warehouse, not_a_folder, command):
    target = not_a_folder / "results.json" if command[0] == "eval" else not_a_folder
    started = time.monotonic()
    result = cli(*command, str(target))
    assert result.exit_code == EXIT_STORAGE, result.output
    line = one_error_line(result)
    assert str(not_a_folder.parent) in line and ("Not a directory" in line or "not a folder" in line)
    assert time.monotonic() - started < 30  # eval refuses before it evaluates anything


# --- usage ------------------------------------------------------------------------------

def test_a_non_json_list_setting_is_one_line_naming_the_variable(cli, monkeypatch):
    monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", "10.0.0.0/8")
    for command in (["feeds", "list"], ["config", "show"]):
        result = cli(*command)
        assert result.exit_code == EXIT_USAGE, result.output
        assert "DOSSIER_ALLOWED_HOSTS" in one_error_line(result)


@pytest.mark.parametrize("args, named", [
    (["serve", "--port", "99999"], "--port 99999"),
    (["profiles", "list", "--status", "bogus"], "--status 'bogus'"),
    (["review", "list", "--grade", "Z"], "--grade 'Z'"),
    (["review", "list", "--status", "bogus"], "--status 'bogus'"),
    (["ingest", "--task-runner", "spark"], "--task-runner 'spark'"),
])
def test_a_bad_option_value_is_a_usage_error(cli, warehouse, args, named):
    result = cli(*args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert named in one_error_line(result)


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:8080/rss", "loopback"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("https://10.1.2.3/feed.xml", "private"),
    ("http://[::1]/rss", "loopback"),
])
def test_feeds_add_refuses_what_every_run_would_refuse(cli, warehouse, url, why):
    result = cli("feeds", "add", url)
    assert result.exit_code == EXIT_USAGE, result.output
    line = one_error_line(result)
    assert url in line and why in line and "DOSSIER_ALLOWED_HOSTS" in line
    assert json.loads(cli("feeds", "list", "--json").stdout or "null") is None  # nothing was added


def test_feeds_add_accepts_an_allow_listed_private_host(cli, warehouse, monkeypatch):
    monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", '["10.0.0.0/8"]')
    assert cli("feeds", "add", "https://10.1.2.3/feed.xml").exit_code == 0


# --- the warehouse busy or broken ----------------------------------------------------------

def test_a_warehouse_held_by_another_process_is_exit_code_3(cli, warehouse):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time, duckdb
        con = duckdb.connect({str(warehouse)!r})
        print("held", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in (["profiles", "list"], ["feeds", "list"], ["runs", "list"], ["review", "list"]):
            result = cli(*command)
            assert result.exit_code == EXIT_BUSY, (command, result.output)
            line = one_error_line(result)
            assert str(warehouse) in line and "held by another process" in line
    finally:
        holder.stdin.close()
        holder.wait(10)


def test_a_corrupt_warehouse_is_exit_code_4(cli, tmp_path):
    (tmp_path / "dossier.duckdb").write_bytes(b"this is not a DuckDB file\n" * 200)
    for command in (["profiles", "list"], ["feeds", "list"], ["feeds", "add", "https://1.1.1.1/rss"]):
        result = cli(*command)
        assert result.exit_code == EXIT_STORAGE, (command, result.output)
        assert f"cannot open {tmp_path / 'dossier.duckdb'}" in one_error_line(result)


# --- inputs ----------------------------------------------------------------------------

def test_extract_of_an_empty_or_binary_file_exits_1_naming_each(cli, tmp_path):
    empty, binary = tmp_path / "empty.txt", tmp_path / "picture.png"
    empty.write_bytes(b"  \n")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    for path, why in ((empty, "empty"), (binary, "binary")):
        result = cli("extract", str(path))
        assert result.exit_code == EXIT_FAILED, result.output
        line = one_error_line(result)
        assert str(path) in line and why in line


def test_a_chinese_or_japanese_page_is_not_refused_as_two_words(cli, tmp_path):
    # Written for this test: a short news item in Chinese, and one in Japanese, without spaces.
    chinese = ("鸿海科技集团周二表示，将与一家美国人工智能公司合作，在威斯康星州和俄亥俄州的工厂设计并制造数据中心硬件。"
               "双方没有签订具有约束力的采购承诺，但美方公司获得了优先使用权。分析人士认为，这些工厂可能成为新的生产中心。")
    japanese = ("トヨタ自動車は火曜日、愛知県の工場で新しい電池の生産を始めると発表した。"
                "同社によると、投資額は約五百億円で、来年から従業員を三百人増やす計画だという。")
    for name, text in (("zh.html", chinese), ("ja.html", japanese)):
        page = tmp_path / name
        page.write_text(f"<html><head><title>新闻</title></head><body><article><h1>新闻</h1><p>{text}</p>"
                        f"<p>{text}</p></article></body></html>", encoding="utf-8")
        result = cli("extract", "--html", "--json", str(page))
        assert result.exit_code == 0, result.output
        assert "no article text" not in result.output


# --- runs ------------------------------------------------------------------------------

def test_a_second_concurrent_ingest_is_one_line_with_exit_code_3(cli, tmp_path, prefect_harness):
    with run_lock(tmp_path / "dossier.duckdb", holder="ingest (test)"):
        result = cli("ingest", "--feed", "http://127.0.0.1:9/feed.xml")
    assert result.exit_code == EXIT_BUSY, result.output
    assert "another run is writing" in one_error_line(result)


def test_a_run_in_which_every_feed_failed_exits_1(cli, tmp_path, monkeypatch, prefect_harness):
    monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", '["127.0.0.1"]')
    monkeypatch.setenv("DOSSIER_RETRIES", "0")
    monkeypatch.setenv("DOSSIER_SNAPSHOT_AFTER_RUN", "false")
    with LoopbackSite() as site:
        site.routes["/gone.xml"] = Route(status=500)
        site.routes["/broken.xml"] = Route(status=404)
        result = cli("ingest", "--feed", site.url("/gone.xml"), "--feed", site.url("/broken.xml"))
    assert result.exit_code == EXIT_FAILED, result.output
    line = one_error_line(result)
    assert "every feed failed (2 of 2)" in line and ("/gone.xml" in line or "/broken.xml" in line)


def test_a_missing_spacy_model_inside_the_flow_is_one_line_not_a_traceback(demo_feed, tmp_path):
    """A real `dossier ingest` process: Prefect's own run loggers are part of what the user sees."""
    from prefect.settings import PREFECT_API_URL

    feed, api_url = demo_feed, PREFECT_API_URL.value()
    env = {**os.environ, "DOSSIER_WAREHOUSE_PATH": str(tmp_path / "dossier.duckdb"), "DOSSIER_HOST_DELAY": "0",
           "DOSSIER_ALLOWED_HOSTS": '["127.0.0.1"]', "DOSSIER_SNAPSHOT_AFTER_RUN": "false",
           "DOSSIER_NLP_PROCESSES": "1", "DOSSIER_SPACY_MODEL": "en_core_web_not_installed",
           "PREFECT_API_URL": api_url}
    done = subprocess.run([sys.executable, "-c", "from dossier.cli.app import main; main()", "ingest", "--feed", feed],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "en_core_web_not_installed" in lines[0] and lines[0].startswith("error: "), done.stderr


def test_an_error_raised_inside_the_flow_is_one_line_with_its_family_code(demo_feed, tmp_path, monkeypatch, cli):
    """The command's own early model check switched off, the missing model is found where the
    run's analysis task loads it, inside the Prefect flow: it reaches the user as itself, one
    line with its family's exit code (usage), no traceback."""
    from dossier.extract import nlp

    feed = demo_feed
    for name, value in {"DOSSIER_HOST_DELAY": "0", "DOSSIER_ALLOWED_HOSTS": '["127.0.0.1"]',
                        "DOSSIER_SNAPSHOT_AFTER_RUN": "false", "DOSSIER_NLP_PROCESSES": "1",
                        "DOSSIER_SPACY_MODEL": "en_core_web_not_installed"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(nlp, "check_model", lambda model: None)  # the CLI's check only, not the analyser's
    result = cli("ingest", "--feed", feed)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "en_core_web_not_installed" in one_error_line(result)
    runs = cli("runs", "show", "--json")
    assert json.loads(runs.stdout)["status"] == "failed"  # the run got as far as the flow, and failed there


# --- refused requests and the other commands -------------------------------------------------

@pytest.mark.parametrize("args, named", [
    (["review", "approve", "No Such Org", "--reviewer", "ana"], "no organisation with a profile called 'No Such Org'"),
    (["review", "claim", "abc", "maybe", "--reviewer", "ana"], "'maybe': use accept or reject"),
    (["review", "edit", "No Such Org", "type=x"], "--reviewer (or DOSSIER_REVIEWER) is required"),
    (["users", "disable", "nobody"], "no active user 'nobody'"),
    (["runs", "show", "nope"], "no single run matches 'nope'"),
    (["profiles", "show", "No Such Org"], "no profile for 'No Such Org'"),
    (["feeds", "remove", "https://news.example/rss"], "is not a configured feed"),
    (["export", "pdf"], "unknown export 'pdf'"),
])
def test_a_request_the_warehouse_refuses_is_one_line_with_exit_code_1(cli, warehouse, monkeypatch, args, named):
    monkeypatch.delenv("DOSSIER_REVIEWER", raising=False)
    result = cli(*args)
    assert result.exit_code == EXIT_FAILED, result.output
    assert named in one_error_line(result)


def test_a_user_the_accounts_refuse_is_one_line_with_exit_code_1(cli, warehouse):
    result = cli("users", "add", "rita", "--password-stdin", input="short\n")
    assert result.exit_code == EXIT_FAILED, result.output
    assert "at least" in one_error_line(result)


def test_extract_with_a_model_that_is_not_installed_is_a_usage_error(cli, monkeypatch):
    monkeypatch.setenv("DOSSIER_SPACY_MODEL", "en_core_web_not_installed")
    result = cli("extract", "-", input="Foxconn will build servers in Ohio.")
    assert result.exit_code == EXIT_USAGE, result.output
    assert "en_core_web_not_installed" in one_error_line(result)


def test_schedule_with_nothing_to_schedule_is_one_line_with_exit_code_1(cli, monkeypatch):
    monkeypatch.delenv("DOSSIER_SCHEDULES", raising=False)
    result = cli("schedule", "--dry-run")
    assert result.exit_code == EXIT_FAILED, result.output
    assert "nothing to schedule" in one_error_line(result)


def test_schedule_with_a_prefect_server_that_does_not_answer_is_one_line_not_a_traceback(tmp_path):
    """A real `dossier schedule` process: Prefect's client fails deep inside `serve`."""
    env = {**os.environ, "DOSSIER_WAREHOUSE_PATH": str(tmp_path / "dossier.duckdb"),
           "DOSSIER_SCHEDULES": '{"all": {"interval": 60}}', "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    done = subprocess.run([sys.executable, "-c", "from dossier.cli.app import main; main()", "schedule"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_FAILED, done.stderr
    assert "Traceback" not in done.stderr and "╭" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach the Prefect server at http://127.0.0.1:9/api")
