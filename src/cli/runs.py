"""`dossier runs list|show`: the run reports stored in the warehouse's `runs` table."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

import typer
from rich.table import Table

from dossier.cli.access import connect
from dossier.cli.options import JsonDocument, JsonLines
from dossier.cli.output import console, print_json, print_json_lines
from dossier.errors import Refused

cli = typer.Typer(name="runs", help="Read the reports of past ingestion runs.", no_args_is_help=True)


def _when(value: Any) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def _seconds(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else ""


@cli.command("list")
def runs_list(
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    json_out: JsonLines = False,
) -> None:
    """The latest runs: kind (ingest or reprocess), status, seconds, feeds polled, articles, failures and skips."""
    from dossier.store import runs as run_store

    with connect(write=False) as con:
        rows = run_store.list_runs(con, limit)
    if json_out:
        print_json_lines(rows)
        return
    if not rows:
        console.print("No runs yet; `dossier ingest` makes one.")
        return
    # Narrow enough for an 80-column terminal; `runs show` has the rest.
    table = Table(box=None, pad_edge=False, header_style="bold underline")
    for name in ("run", "kind", "started UTC", "status", "s", "feeds", "new", "upd", "fail", "skip"):
        table.add_column(name, no_wrap=True)
    for row in rows:
        c = row["counts"]
        table.add_row(row["id"], row.kind, _when(row["started_at"])[:16], row["status"], _seconds(row["duration_s"]),
                      str(c.get("feeds_polled", "")), str(c.get("articles_new", "")), str(c.get("articles_updated", "")),
                      str(len(row["failures"])), str(len(row["skipped"])))
    console.print(table)


@cli.command("show")
def runs_show(
    run: Annotated[str, typer.Argument(help="A run id, a unique prefix of one, or `latest`.")] = "latest",
    json_out: JsonDocument = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="The run report as Markdown (as the Prefect artifact).")] = False,
) -> None:
    """One run's report: counts and seconds per stage, failures, skipped items, warnings."""
    from dossier.pipeline.summary import STAGES, RunSummary, format_counts, render_markdown
    from dossier.records import Failure
    from dossier.store import runs as run_store

    with connect(write=False) as con:
        row = run_store.find_run(con, run)
    if row is None:
        raise Refused(f"no single run matches {run!r}; `dossier runs list` shows the ids")
    if json_out:
        print_json(row)
        return
    order = list(RunSummary.model_fields)  # the summary's own order, not the stored JSON's sorted keys
    ordered = dict(sorted(row.counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    failures = [Failure.model_validate(f) for f in row.failures]
    skipped = [Failure.model_validate(f) for f in row.skipped]
    if markdown:
        print(render_markdown(row.id, row.status, row.duration_s, None, ordered, row.stage_counts,
                              row.durations, failures, skipped, row.warnings), end="")
        return
    console.print(f"[bold]run {row.id}[/bold] — {row.kind} {row.status}, started {_when(row.started_at)} UTC,"
                  f" {_seconds(row.duration_s) or '?'} s")
    totals = Table("measure", "count", title="totals")
    for name, value in ordered.items():
        totals.add_row(name.replace("_", " "), str(value))
    if ordered:
        console.print(totals)
    stage_names = [s for s in STAGES if s in row.durations or s in row.stage_counts]
    stage_names += [s for s in row.stage_counts if s not in stage_names]
    stages = Table("stage", "seconds", "counts", title="stages")
    for stage in stage_names:
        seconds = row.durations.get(stage)
        counts = format_counts(row.stage_counts.get(stage, {}))
        stages.add_row(stage, f"{seconds:.3f}" if seconds is not None else "", counts)
    if stage_names:
        console.print(stages)
    for title, items in (("failed", failures), ("skipped", skipped)):
        for item in items:
            console.print(f"[yellow]{title}[/yellow] {item.stage} {item.item}: {item.reason}", soft_wrap=True)
    for warning in row.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", soft_wrap=True)
