"""`dossier reprocess`: stored article texts analysed again after models/VERSION moved, with a progress bar."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dossier.cli.ingest import _ProgressHandler, _quiet_run_logs, prefect_defaults
from dossier.cli.options import Verbose
from dossier.cli.output import console
from dossier.settings import load_settings

cli = typer.Typer()


@cli.command()
def reprocess(
    everything: Annotated[bool, typer.Option("--all", help="Analyse every stored article again, not only the stale ones (a rerun starts over).")] = False,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="Only articles published (else fetched) on or after this date, UTC.")] = None,
    feed: Annotated[str | None, typer.Option("--feed", help="Only the articles of this feed URL.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many articles, oldest first (the rest stay stale for a later run).")] = None,
    verbose: Verbose = False,
    wait: Annotated[float | None, typer.Option("--wait", min=0, help="Seconds to wait if another run holds the warehouse (setting run_lock_wait; default: exit at once).")] = None,
) -> None:
    """Re-analyse stored article texts whose models version differs from models/VERSION, without fetching.

    Evidence is replaced as for an updated article; reviewer judgements, claim verdicts and
    overrides stay; approved revisions are untouched and new drafts open beside them. Killed
    midway, a rerun picks up what is still stale.
    """
    prefect_defaults(verbose)
    from dossier.tracing import configure_logging, remove_logging

    settings = load_settings(**({"run_lock_wait": wait} if wait is not None else {}))
    log_handler = configure_logging(settings.log_format, "INFO" if verbose else settings.log_level)
    import dossier.flows.reprocess  # noqa: F401 - before the run logs are quieted: importing Prefect configures its loggers

    if not verbose:
        _quiet_run_logs(log_handler)
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from dossier.extract.nlp import check_model
    from dossier.flows.reprocess import run_reprocess
    from dossier.pipeline.reprocess import stale_selection

    check_model(settings.spacy_model)
    selection = stale_selection(everything=everything, since=since.replace(tzinfo=since.tzinfo or UTC) if since else None,
                                feed_url=feed)
    try:
        with _progress_bar():
            summary = run_reprocess(settings, selection=selection, limit=limit, origin="cli")
    finally:
        remove_logging(log_handler)
    _print_summary(summary)


@contextmanager
def _progress_bar():
    """The run's progress events drawn as bars while the block runs."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=True)
    handler = _ProgressHandler(progress)
    progress_logger = logging.getLogger("dossier.progress")
    progress_logger.addHandler(handler)
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    try:
        with progress:
            yield
    finally:
        progress_logger.removeHandler(handler)


def _print_summary(summary) -> None:  # noqa: ANN001 - a RunSummary (imported with the flow, lazily)
    counts = summary.stage_counts.get("reprocess", {})
    table = Table(title=f"reprocess run {summary.run_id} — {summary.status}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("articles selected", f"{counts.get('selected', 0)} of {counts.get('stale', 0)} matching"),
        ("articles reprocessed", summary.articles_reprocessed), ("articles failed", summary.articles_failed),
        ("articles still stale", summary.articles_stale),
        ("organisations", f"{summary.organisations} ({summary.organisations_touched} touched by this run)"),
        ("claims", summary.claims),
        ("drafts", f"{summary.drafts} ({summary.drafts_created} created, {summary.drafts_updated} updated)"),
        ("run time", f"{summary.duration_s:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    console.print(f"warehouse: {Path(summary.warehouse_path).resolve()}", soft_wrap=True)
    for failure in summary.failures:
        console.print(f"[yellow]failed[/yellow] {failure.stage} {failure.item}: {failure.reason}")
