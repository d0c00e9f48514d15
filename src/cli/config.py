"""`dossier config show`: the effective settings and where each came from."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from dossier.cli.options import JsonLines
from dossier.cli.output import print_json_lines, print_warning, show
from dossier.settings import config_path, describe_settings, unknown_config_keys

cli = typer.Typer(name="config", help="Inspect the configuration (DOSSIER_* environment over dossier.toml).",
                  no_args_is_help=True)


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a setting's value."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


@cli.command("show")
def config_show(json_out: JsonLines = False) -> None:
    """Print every setting's effective value and its origin: default, the TOML file, or environment."""
    # A ConfigError (a UsageError) becomes one line and exit code 2 in main().
    rows = describe_settings()
    unknown = unknown_config_keys()
    path = config_path()
    if json_out:
        print_json_lines({"name": name, "value": _plain(value), "origin": origin} for name, value, origin in rows)
    else:
        table = Table("setting", "value", "from", title=f"configuration file: {path or 'none (./dossier.toml absent)'}")
        for name, value, origin in rows:
            table.add_row(name, json.dumps(_plain(value)), origin)
        show(table)
    for key in unknown:
        print_warning(f"{path}: `{key}` is not a setting and is ignored")
