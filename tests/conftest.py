"""Session-wide set-up and the fixtures every kind of test uses: Prefect's test harness (once per
session), a loopback site, ../shared/data. Shared helpers live in tests/support/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Prefect reads its settings when first imported: point it at a private home, no telemetry.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from tests.support.loopback import LoopbackSite  # noqa: E402

# Fixtures defined in tests/support/, available to every test module.
pytest_plugins = ["tests.support.desk", "tests.support.demo", "tests.support.extraction"]

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


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when it is absent (the core suite never needs it)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA
