"""Helpers and fixtures shared by tests: import helpers from here, never from a test module or
conftest. Fixtures here are registered once, by `pytest_plugins` in tests/conftest.py."""
