"""Versioned extraction assets (ruler patterns, claim rules, alias and reliability tables).

Assets are data, not code: edit the files, bump VERSION, and every output is stamped with it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def read_asset(name: str) -> str:
    """Text of one asset file shipped in this package."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_json(name: str) -> Any:
    """Parsed JSON asset (cached: assets do not change while a process runs)."""
    return json.loads(read_asset(name))


def load_jsonl(name: str) -> list[dict[str, Any]]:
    """Parsed JSON-lines asset, skipping blank lines."""
    return [json.loads(line) for line in read_asset(name).splitlines() if line.strip()]


def models_version() -> str:
    """The VERSION stamp of the assets, recorded with every row extraction wrote: the warehouse keeps
    it as `articles.models_version`, `profiles.models_version` and (one stamp, older name)
    `claims.extractor_version`; the evaluation results carry it as `models_version`."""
    return read_asset("VERSION").strip()
