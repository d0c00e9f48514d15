"""Checks of option values that click's own types would report in a multi-line box: here a
wrong value is one line and exit code 2 (a UsageError), before anything is opened."""

from __future__ import annotations

from collections.abc import Iterable

from dossier.errors import UsageError


def check_choice(option: str, value: str | None, allowed: Iterable[str]) -> None:
    """Refuse `value` for `option` unless it is one of `allowed` (None: the option was not given)."""
    choices = list(allowed)
    if value is not None and value not in choices:
        raise UsageError(f"{option} {value!r} is not one of {', '.join(choices)}")


def check_port(option: str, port: int | None) -> None:
    """Refuse a TCP port outside 0–65535 (0: any free port)."""
    if port is not None and not 0 <= port <= 65535:
        raise UsageError(f"{option} {port} is not a TCP port (0–65535)")
