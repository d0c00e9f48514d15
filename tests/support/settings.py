"""Settings for tests."""

from __future__ import annotations

from pathlib import Path

from dossier.settings import Settings, load_settings


def test_settings(warehouse_path: Path, **overrides) -> Settings:
    """Settings for tests: a private warehouse, no politeness delay, short timeouts."""
    values = dict(warehouse_path=warehouse_path, host_delay=0.0, read_timeout=1.0, connect_timeout=1.0,
                  retries=1, retry_backoff=0.05, allowed_hosts=["127.0.0.1"])  # loopback test servers
    values.update(overrides)
    return load_settings(**values)


test_settings.__test__ = False  # a helper, not a test (pytest collects it where it is imported)
