"""Everything the `dossier` command prints goes through here: tables, JSON, one-line
messages on standard output and the one error line on standard error."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from rich.console import Console, RenderableType
from rich.text import Text

console = Console()
errors = Console(stderr=True)


def one_line(message: str) -> str:
    """`message` with every run of whitespace (newlines included) as one space."""
    return " ".join(message.split())


def print_error(message: str) -> None:
    """The error line: never wrapped, never read as markup, whatever the message held."""
    errors.print(Text.assemble(("error: ", "red"), one_line(message)), soft_wrap=True)


def print_warning(message: str) -> None:
    """A warning on standard error (the command goes on)."""
    errors.print(Text.assemble(("warning: ", "yellow"), message), soft_wrap=True)


def print_note(message: str) -> None:
    """A plain note on standard error, e.g. about a setting the command fell back on."""
    errors.print(Text(message), soft_wrap=True)


def say(message: str | Text) -> None:
    """One line of the command's own output (plain text: names from articles are never markup)."""
    console.print(message if isinstance(message, Text) else Text(message), soft_wrap=True)


def show(renderable: RenderableType) -> None:
    """A table, card or other rich renderable on standard output."""
    console.print(renderable)


def show_table(table: RenderableType, rows: Iterable[Any], empty: str) -> None:
    """`table`, or the one line `empty` when there were no rows."""
    console.print(table if list(rows) else Text(empty))


def _plain(value: Any) -> Any:
    """A record as the plain data it dumps to (fields in declared order), anything else as it is."""
    return value.model_dump() if isinstance(value, BaseModel) else value


def print_json(value: Any) -> None:
    """One JSON document, indented (values JSON cannot hold are written as strings)."""
    print(json.dumps(_plain(value), default=str, indent=2))


def print_json_lines(rows: Iterable[Any]) -> None:
    """One JSON object per line (a record as its fields), as scripts read them with `jq -c` or line by line."""
    for row in rows:
        print(json.dumps(_plain(row), default=str))
