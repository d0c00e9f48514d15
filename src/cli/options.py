"""Option types several commands share, declared once so that each means the same everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

JsonLines = Annotated[bool, typer.Option("--json", help="One JSON object per line (one per row).")]
JsonDocument = Annotated[bool, typer.Option("--json", help="As one JSON document.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's run logs.")]
Reviewer = Annotated[str, typer.Option("--reviewer", envvar="DOSSIER_REVIEWER", help="Who is acting (recorded in review_events).")]
Note = Annotated[str | None, typer.Option("--note", help="Why (recorded with the action).")]
ExportFormat = Annotated[str | None, typer.Option("--format", help="cards: md (default), json or html; graph: graphml (default) or csv.")]
