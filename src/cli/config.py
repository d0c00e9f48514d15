"""`dossier config show`: the effective settings and where each came from."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dossier.settings import config_path, describe_settings, unknown_config_keys

config_app = typer.Typer(help="Inspect the configuration (DOSSIER_* environment over dossier.toml).", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a setting's value."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


@config_app.command("show")
def config_show(
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per setting: name, value, origin.")] = False,
) -> None:
    """Print every setting's effective value and its origin: default, the TOML file, or environment."""
    # A ConfigError becomes one line with exit code 2 in the command group (DossierGroup).
    rows = describe_settings()
    unknown = unknown_config_keys()
    path = config_path()
    if json_out:
        for name, value, origin in rows:
            print(json.dumps({"name": name, "value": _plain(value), "origin": origin}))
    else:
        table = Table("setting", "value", "from", title=f"configuration file: {path or 'none (./dossier.toml absent)'}")
        for name, value, origin in rows:
            table.add_row(name, json.dumps(_plain(value)), origin)
        console.print(table)
    for key in unknown:
        errors.print(f"[yellow]warning:[/yellow] {escape(str(path))}: `{escape(key)}` is not a setting and is ignored")
