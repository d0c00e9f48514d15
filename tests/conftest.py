"""Shared fixtures: Prefect's test harness (once per session), loopback sites, settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Prefect reads its settings when first imported: point it at a private home, no telemetry.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from dossier.settings import Settings, load_settings  # noqa: E402
from tests.loopback import LoopbackSite  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """Prefect's test harness: a temporary local API and database for the whole session."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def site():
    with LoopbackSite() as loopback:
        yield loopback


def test_settings(warehouse_path: Path, **overrides) -> Settings:
    """Settings for tests: a private warehouse, no politeness delay, short timeouts."""
    values = dict(warehouse_path=warehouse_path, host_delay=0.0, read_timeout=1.0, connect_timeout=1.0,
                  retries=1, retry_backoff=0.05, allowed_hosts=["127.0.0.1"])  # loopback test servers
    values.update(overrides)
    return load_settings(**values)


test_settings.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when it is absent (the core suite never needs it)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA
