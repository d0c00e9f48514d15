"""Commands for operators: `dossier snapshot`, `dossier schedule` and `dossier serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dossier.cli.access import connect, open_warehouse
from dossier.cli.options import Verbose
from dossier.cli.output import print_note, print_warning, say
from dossier.settings import load_settings

cli = typer.Typer()


@cli.command()
def snapshot(
    to: Annotated[Path | None, typer.Option("--to", help="Where to write it (default: setting snapshot_path, else <warehouse>.snapshot.duckdb).")] = None,
) -> None:
    """Publish a read-only copy of the warehouse for notebooks (also done after every ingest run)."""
    from dossier.store.snapshot import publish_snapshot

    settings = load_settings()
    snap = publish_snapshot(open_warehouse(settings), to or settings.effective_snapshot_path)
    say(f"snapshot: {snap.path.resolve()} ({snap.bytes / 1e6:.1f} MB, {snap.seconds:.2f} s)")


@cli.command()
def schedule(
    verbose: Verbose = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the deployments the configuration defines, serve nothing.")] = False,
    local_server: Annotated[bool, typer.Option("--local-server", help="Start a Prefect server on 127.0.0.1 for as long as this runs (when PREFECT_API_URL names none).")] = False,
    port: Annotated[int, typer.Option(help="Port of the --local-server.")] = 4200,
) -> None:
    """Serve scheduled ingestion: one Prefect deployment per feed group (schedules.GROUP in dossier.toml).

    Prefect's scheduler lives in its server: set PREFECT_API_URL to a running server, or pass
    --local-server to start one beside the deployments.
    """
    from dossier.cli.ingest import prefect_defaults

    prefect_defaults(verbose)
    from prefect.settings import PREFECT_API_URL

    from dossier.flows.schedule import (
        ScheduleError,
        build_deployments,
        local_prefect_server,
        serve_deployments,
    )

    settings = load_settings()
    deployments = build_deployments(settings)
    for deployment in deployments:
        [entry] = deployment.schedules
        group = deployment.parameters["group"]
        say(f"{deployment.name}: {_describe(entry.schedule)}, group {group!r}, "
            f"at most {deployment.concurrency_limit} run at a time")
        say(f"  ingests {_ingests(group, settings)}")
    if dry_run:
        return
    if local_server:
        with local_prefect_server(port) as url:
            say(f"Prefect server (UI and API) at {url}")
            serve_deployments(deployments)
    elif not PREFECT_API_URL.value():
        raise ScheduleError("schedules need a Prefect server: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api after "
                            "`prefect server start`), or run `dossier schedule --local-server`")
    else:
        serve_deployments(deployments)


def _ingests(group: str, settings) -> str:
    """What a run of `group` would ingest now; for a group whose runs would fail, why."""
    from dossier.errors import BusyError
    from dossier.pipeline.groups import ScheduleError, group_feeds

    try:
        return group_feeds(group, settings).describe()
    except ScheduleError as exc:
        return f"nothing, its runs would fail: {exc}"
    except BusyError:
        return "the feeds added with `dossier feeds add` (not listed now: another process holds the warehouse)"


def _describe(schedule) -> str:
    cron = getattr(schedule, "cron", None)
    if cron is not None:
        return f"cron '{cron}' ({schedule.timezone})"
    return f"every {schedule.interval.total_seconds():g} s"


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (DOSSIER_SERVE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (DOSSIER_SERVE_PORT).")] = None,
) -> None:
    """Start the review desk, a web application for reviewers (sign in with `dossier users add`)."""
    import uvicorn

    from dossier.cli.choices import check_port
    from dossier.web.address import desk_url, plain_http_warning
    from dossier.web.app import create_app

    settings = load_settings()
    check_port("--port", port)
    # Migrations applied once, here: the desk's pages read through read-only connections,
    # which cannot. A busy or broken warehouse is one line now rather than a failing page later.
    with connect(write=True, settings=settings):
        pass
    if settings.session_secret is None:
        print_note("note: DOSSIER_SESSION_SECRET is unset; sign-ins last until this process stops.")
    listen_host, listen_port = host or settings.serve_host, port if port is not None else settings.serve_port
    warning = plain_http_warning(settings, listen_host)
    if warning:
        print_warning(warning)
    say(f"Review desk at {desk_url(listen_host, listen_port)} (Ctrl+C stops it)")
    # proxy_headers=False: the app believes forwarded headers only from DOSSIER_TRUSTED_PROXIES
    # (web.app.trust_proxies); uvicorn's own handling would trust 127.0.0.1 regardless.
    uvicorn.run(create_app(settings), host=listen_host, port=listen_port, log_level="warning", proxy_headers=False)
