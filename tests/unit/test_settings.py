"""The settings model: TOML file under DOSSIER_* environment under overrides, and where each came from."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.settings import ConfigError, describe_settings, load_settings

TOML = """
nlp_batch_size = 16
host_delay = 2.5
[schedules.hourly]
cron = "0 * * * *"
[schedules.wire]
feeds = ["https://example.org/feed.xml"]
interval = 900
"""


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A working directory with a dossier.toml and no DOSSIER_* variables."""
    for name in [n for n in __import__("os").environ if n.startswith("DOSSIER_")]:
        monkeypatch.delenv(name)
    (tmp_path / "dossier.toml").write_text(TOML)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_environment_wins_over_the_file_and_overrides_win_over_both(config_dir, monkeypatch):
    monkeypatch.setenv("DOSSIER_HOST_DELAY", "3")
    settings = load_settings(retries=7)
    assert (settings.nlp_batch_size, settings.host_delay, settings.retries) == (16, 3.0, 7)
    assert settings.schedules["hourly"].cron == "0 * * * *"
    assert settings.schedules["wire"].interval == 900 and settings.schedules["wire"].feeds == ["https://example.org/feed.xml"]
    origins = {name: origin for name, _, origin in describe_settings(retries=7)}
    assert origins["nlp_batch_size"] == "dossier.toml"
    assert origins["host_delay"] == "environment"
    assert origins["retries"] == "override"
    assert origins["read_timeout"] == "default"


def test_dossier_config_names_another_file_and_a_missing_one_is_an_error(config_dir, monkeypatch):
    other = config_dir / "elsewhere.toml"
    other.write_text("nlp_batch_size = 8\n")
    monkeypatch.setenv("DOSSIER_CONFIG", str(other))
    assert load_settings().nlp_batch_size == 8
    monkeypatch.setenv("DOSSIER_CONFIG", str(config_dir / "absent.toml"))
    with pytest.raises(ConfigError, match="absent.toml"):
        load_settings()


def test_a_group_needs_exactly_one_schedule(config_dir):
    (config_dir / "dossier.toml").write_text('[schedules.both]\ncron = "* * * * *"\ninterval = 60\n')
    with pytest.raises(ConfigError, match="exactly one of cron or interval"):
        load_settings()


def test_an_unknown_key_in_a_group_is_an_error(config_dir):
    (config_dir / "dossier.toml").write_text('[schedules.g]\ncron = "* * * * *"\nfeed = ["x"]\n')
    with pytest.raises(ConfigError, match="schedules.g.feed"):
        load_settings()


def test_bad_toml_is_reported_with_its_file(config_dir):
    (config_dir / "dossier.toml").write_text("nlp_batch_size = \n")
    with pytest.raises(ConfigError, match="dossier.toml: not valid TOML"):
        load_settings()


def test_config_show_prints_value_and_origin(config_dir, monkeypatch):
    monkeypatch.setenv("DOSSIER_RETRIES", "4")
    (config_dir / "dossier.toml").write_text("mystery = 1\n" + TOML)
    result = CliRunner().invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in map(json.loads, [l for l in result.stdout.splitlines() if l.startswith("{")])}
    assert rows["retries"] == {"name": "retries", "value": 4, "origin": "environment"}
    assert rows["host_delay"]["origin"] == "dossier.toml" and rows["host_delay"]["value"] == 2.5
    assert rows["warehouse_path"] == {"name": "warehouse_path", "value": "warehouse/dossier.duckdb", "origin": "default"}
    assert rows["schedules"]["value"]["wire"]["interval"] == 900
    assert "mystery" in result.stderr and "ignored" in result.stderr


def test_the_example_configuration_is_valid(monkeypatch):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "dossier.example.toml"
    monkeypatch.setenv("DOSSIER_CONFIG", str(example))
    assert load_settings().schedules["all-feeds"].cron == "0 * * * *"
