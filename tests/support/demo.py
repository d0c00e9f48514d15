"""The packaged demo site on loopback, as a fixture (registered by tests/conftest.py)."""

from __future__ import annotations

import pytest

from dossier.demo.server import feed_paths, serve_demo


@pytest.fixture(scope="module")
def demo_feed(prefect_harness):
    """One demo feed URL, its articles served beside it, inside Prefect's test harness."""
    with serve_demo() as base:
        yield base + feed_paths()[0]
