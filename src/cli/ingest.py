"""`dossier ingest`: one ingestion run from the command line, with a progress bar and its summary."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dossier.cli.access import open_warehouse
from dossier.cli.choices import check_choice
from dossier.cli.options import Verbose
from dossier.cli.output import console
from dossier.settings import Settings, load_settings

cli = typer.Typer()


def prefect_defaults(verbose: bool) -> None:
    """Quiet, offline Prefect defaults (explicit environment settings win)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _quiet_run_logs(handler: logging.Handler) -> None:
    """Without -v, a run that stops on an error is reported once, as the command's one error
    line: Prefect's flow and task run loggers would print the same error with its traceback
    (at ERROR, above any PREFECT_LOGGING_LEVEL), and the flow's own "run failed" record repeats it."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    handler.addFilter(lambda record: not (record.name == "dossier.flow" and str(record.msg).startswith("run failed")))


class _ProgressHandler(logging.Handler):
    """Draws the pipeline's progress events as a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage, done, total = getattr(record, "stage", None), getattr(record, "done", 0), getattr(record, "total", 0)
        if stage is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


@cli.command()
def ingest(
    feed: Annotated[list[str] | None, typer.Option("--feed", help="Ingest this feed URL (repeatable) instead of the configured feeds.")] = None,
    demo: Annotated[bool, typer.Option(help="Ingest the built-in demo even when feeds are configured.")] = False,
    verbose: Verbose = False,
    task_runner: Annotated[str | None, typer.Option("--task-runner", help="Where extraction batches run: default (threads in this process) or dask (setting task_runner).")] = None,
    wait: Annotated[float | None, typer.Option("--wait", min=0, help="Seconds to wait if another run holds the warehouse (setting run_lock_wait; default: exit at once).")] = None,
) -> None:
    """Poll feeds, fetch new articles, extract evidence and refresh draft profiles.

    With no feeds configured (see `dossier feeds add`), serves the built-in demo corpus from a
    loopback server and ingests it through the same code path as real feeds.
    """
    prefect_defaults(verbose)
    from dossier.tracing import configure_logging, remove_logging

    settings = load_settings()
    log_handler = configure_logging(settings.log_format, "INFO" if verbose else settings.log_level)
    # Imported before the run logs are quieted: importing Prefect configures its loggers.
    import dossier.flows.ingest  # noqa: F401

    if not verbose:
        _quiet_run_logs(log_handler)
    check_choice("--task-runner", task_runner, ("default", "dask"))
    overrides = {k: v for k, v in {"task_runner": task_runner, "run_lock_wait": wait}.items() if v is not None}
    settings = load_settings(**overrides)
    if not verbose:  # a LocalCluster announces every worker at INFO (read when dask is imported)
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from dossier.extract.nlp import check_model

    check_model(settings.spacy_model)  # before any feed is fetched: a run without its model only wastes the fetches
    try:
        summary = _run_with_progress(settings, list(feed or []), demo)
    finally:
        remove_logging(log_handler)
    _print_summary(summary)
    check_feeds_answered(summary)


def _run_with_progress(settings: Settings, feeds: list[str], demo: bool):
    """The run itself, its progress events drawn as bars; the demo when no feeds are given or configured."""
    from dossier.demo.server import demo_feeds, serve_demo
    from dossier.flows.ingest import run_ingest
    from dossier.pipeline.plan import configured_feed_urls

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=True)
    handler = _ProgressHandler(progress)
    progress_logger = logging.getLogger("dossier.progress")
    progress_logger.addHandler(handler)
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    try:
        urls = feeds or ([] if demo else configured_feed_urls(open_warehouse(settings)))
        with progress:
            if urls:
                return run_ingest(urls, settings, origin="cli" if feeds else "user")
            console.print("No feeds configured: ingesting the built-in demo corpus from a loopback server.")
            with serve_demo(settings.demo_port) as base:
                # The demo's own loopback server is allow-listed explicitly, nothing else.
                settings = settings.model_copy(update={"allowed_hosts": [*settings.allowed_hosts, "127.0.0.1"]})
                return run_ingest(list(demo_feeds(base)), settings, origin="demo", publishers=demo_feeds(base),
                                  host_delay=settings.demo_host_delay)
    finally:
        progress_logger.removeHandler(handler)


def check_feeds_answered(summary) -> None:
    """Raise RunFailed when every feed polled failed: the run did nothing, and a scheduler or
    script must hear that from the exit code, not only from a table."""
    from dossier.errors import RunFailed

    if summary.feeds_polled and summary.feeds_failed == summary.feeds_polled:
        first = next((f for f in summary.failures if f.stage == "feed"), None)
        detail = f"; first: {first.item}: {first.reason}" if first else ""
        raise RunFailed(f"every feed failed ({summary.feeds_failed} of {summary.feeds_polled}) in run "
                        f"{summary.run_id}{detail}")


def _print_summary(summary) -> None:
    table = Table(title=f"ingest run {summary.run_id} — {summary.status}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    feeds = f"{summary.feeds_polled} ({summary.feeds_not_modified} not modified, {summary.feeds_failed} failed"
    feeds += f", {summary.feeds_backed_off} backed off" if summary.feeds_backed_off else ""
    feeds += f", {summary.feeds_skipped} skipped by robots.txt" if summary.feeds_skipped else ""
    rows = [
        ("feeds polled", feeds + ")"),
        ("articles new", summary.articles_new), ("articles updated", summary.articles_updated),
        ("articles unchanged", summary.articles_unchanged), ("articles failed", summary.articles_failed),
        *([("articles skipped", summary.articles_skipped)] if summary.articles_skipped else []),
        *([("articles limited", f"{summary.articles_limited} (access-limited; their evidence counts less)")]
          if summary.articles_limited else []),
        *([("articles reprocessed", summary.articles_reprocessed)] if summary.articles_reprocessed else []),
        ("articles stale", f"{summary.articles_stale} (other models version; `dossier reprocess`)"
         if summary.articles_stale else 0),
        ("organisations", f"{summary.organisations} ({summary.organisations_touched} touched by this run)"),
        ("claims", summary.claims),
        ("drafts", f"{summary.drafts} ({summary.drafts_created} created, {summary.drafts_updated} updated)"),
        *([("alerts", f"{len(summary.alerts)} raised (dossier alerts list)")] if summary.alerts else []),
        ("run time", f"{summary.duration_s:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    # Outside the table so a narrow terminal never truncates it: people copy this path.
    console.print(f"warehouse: {Path(summary.warehouse_path).resolve()}", soft_wrap=True)
    for failure in summary.failures:
        console.print(f"[yellow]failed[/yellow] {failure.stage} {failure.item}: {failure.reason}")
    for item in summary.skipped:
        console.print(f"[yellow]skipped[/yellow] {item.stage} {item.item}: {item.reason}")
    for warning in summary.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}")
