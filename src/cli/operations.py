"""Commands for operators and analysts: `dossier snapshot`, `dossier schedule`, and the Parquet export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from dossier.settings import load_settings

console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def snapshot(
    to: Annotated[Path | None, typer.Option("--to", help="Where to write it (default: setting snapshot_path, else <warehouse>.snapshot.duckdb).")] = None,
) -> None:
    """Publish a read-only copy of the warehouse for notebooks (also done after every ingest run)."""
    from dossier.store.snapshot import publish_snapshot
    from dossier.store.warehouse import Warehouse

    settings = load_settings()
    # Errors (warehouse busy or missing, an unwritable --to) become one line in DossierGroup.
    snap = publish_snapshot(Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait),
                            to or settings.effective_snapshot_path)
    console.print(f"snapshot: {snap.path.resolve()} ({snap.bytes / 1e6:.1f} MB, {snap.seconds:.2f} s)", soft_wrap=True)


def export_parquet_command(out: Path, tables: bool) -> None:
    """`dossier export parquet`: each public view as OUT/<view>.parquet, with --tables every table too."""
    from dossier.store.snapshot import export_parquet
    from dossier.store.warehouse import Warehouse

    settings = load_settings()
    out.mkdir(parents=True, exist_ok=True)  # before reading: an unwritable --out is named at once
    with Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait).read() as con:
        written = export_parquet(con, out, tables=tables)
    for path in written:
        console.print(f"wrote {path}", soft_wrap=True)


def schedule(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's run logs.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the deployments the configuration defines, serve nothing.")] = False,
    local_server: Annotated[bool, typer.Option("--local-server", help="Start a Prefect server on 127.0.0.1 for as long as this runs (when PREFECT_API_URL names none).")] = False,
    port: Annotated[int, typer.Option(help="Port of the --local-server.")] = 4200,
) -> None:
    """Serve scheduled ingestion: one Prefect deployment per feed group (schedules.GROUP in dossier.toml).

    Prefect's scheduler lives in its server: set PREFECT_API_URL to a running server, or pass
    --local-server to start one beside the deployments.
    """
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.settings import PREFECT_API_URL

    from dossier.flows.schedule import ScheduleError, build_deployments, local_prefect_server

    try:
        deployments = build_deployments(load_settings())
    except ScheduleError as exc:
        raise _fail(str(exc)) from None
    for deployment in deployments:
        [entry] = deployment.schedules
        console.print(f"{deployment.name}: {_describe(entry.schedule)}, group {deployment.parameters['group']!r}, "
                      f"at most {deployment.concurrency_limit} run at a time")
    if dry_run:
        return
    from prefect import serve

    if local_server:
        try:
            with local_prefect_server(port) as url:
                console.print(f"Prefect server (UI and API) at {url}")
                serve(*deployments)
        except ScheduleError as exc:
            raise _fail(str(exc)) from None
    elif not PREFECT_API_URL.value():
        raise _fail("schedules need a Prefect server: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api after "
                    "`prefect server start`), or run `dossier schedule --local-server`")
    else:
        serve(*deployments)


def _describe(schedule) -> str:
    cron = getattr(schedule, "cron", None)
    if cron is not None:
        return f"cron '{cron}' ({schedule.timezone})"
    return f"every {schedule.interval.total_seconds():g} s"
