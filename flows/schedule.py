"""Scheduled ingestion: one Prefect deployment per feed group of the configuration, served by `dossier schedule`.

Schedules are declared in one place, `[schedules.<group>]` in dossier.toml (or
DOSSIER_SCHEDULES), each with a cron expression or an interval. Every deployment has a
concurrency limit of one, and every run takes the warehouse's run lock, so two runs never
write at once: a run that finds another writing waits up to `schedule_lock_wait` seconds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from prefect import flow
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Interval
from prefect.settings import PREFECT_API_URL, temporary_settings

from dossier.errors import DossierError
from dossier.flows.ingest import run_ingest
from dossier.pipeline.plan import configured_feed_urls
from dossier.settings import FeedGroup, Settings, load_settings
from dossier.store.warehouse import Warehouse


class ScheduleError(DossierError):
    """The configuration schedules nothing, or names a group that does not exist."""


def group_feeds(group: FeedGroup, settings: Settings) -> list[str]:
    """A group's feed URLs; an empty list in the group means every feed added with `dossier feeds add`."""
    if group.feeds:
        return list(group.feeds)
    warehouse = Warehouse(Path(settings.warehouse_path))
    return configured_feed_urls(warehouse) if warehouse.path.exists() else []


@flow(name="scheduled_ingest", validate_parameters=False)
def scheduled_ingest(group: str) -> dict[str, Any]:
    """Ingest one feed group of the configuration (read when the run starts, so edits apply to the next run)."""
    settings = load_settings()
    if group not in settings.schedules:
        raise ScheduleError(f"no feed group {group!r} in the configuration (have: {', '.join(settings.schedules) or 'none'})")
    urls = group_feeds(settings.schedules[group], settings)
    if not urls:
        raise ScheduleError(f"feed group {group!r} has no feeds and none are configured (`dossier feeds add URL`)")
    summary = run_ingest(urls, settings, origin="schedule", lock_wait=settings.schedule_lock_wait)
    return summary.model_dump(mode="json")


def schedule_of(group: FeedGroup) -> Any:
    """The Prefect schedule of a feed group."""
    if group.cron is not None:
        return Cron(group.cron, timezone=group.timezone)
    return Interval(group.interval, timezone=group.timezone)


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    """One deployment `ingest-<group>` of `scheduled_ingest` per configured feed group."""
    if not settings.schedules:
        raise ScheduleError("nothing to schedule: add [schedules.<group>] tables with cron or interval to dossier.toml")
    return [
        scheduled_ingest.to_deployment(
            name=f"ingest-{name}",
            schedules=[schedule_of(group)],
            parameters={"group": name},
            concurrency_limit=1,
            tags=["dossier", f"group:{name}"],
            description=f"dossier ingestion of feed group {name!r}",
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        for name, group in sorted(settings.schedules.items())
    ]


def serve_deployments(deployments: list[RunnerDeployment]) -> None:
    """Serve `deployments` until stopped; a Prefect server that cannot be reached is a
    ScheduleError (one line for the user), not Prefect's traceback."""
    from prefect import serve

    try:
        serve(*deployments)
    except httpx.HTTPError as exc:
        raise ScheduleError(f"cannot reach the Prefect server at {PREFECT_API_URL.value()}: {exc}") from None


@contextmanager
def local_prefect_server(port: int, timeout: float = 120.0) -> Iterator[str]:
    """Run `prefect server start` on 127.0.0.1:`port` and point this process's Prefect client at it."""
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise ScheduleError(f"the Prefect server exited at start: {server.stderr.read().decode()[-500:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ScheduleError(f"the Prefect server did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.5)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url.removesuffix("/api")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
