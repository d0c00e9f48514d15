"""Scheduled ingestion: one Prefect deployment per feed group of the configuration, served by `dossier schedule`.

Schedules are declared in one place, `[schedules.<group>]` in dossier.toml (or
DOSSIER_SCHEDULES), each with a cron expression or an interval. Every deployment has a
concurrency limit of one, and every run takes the warehouse's run lock, so two runs never
write at once: a run that finds another writing waits up to `schedule_lock_wait` seconds.

A scheduled run that fails ends Failed with its reason in one line, and the reason is in its
run record (`dossier runs show`), never only in a traceback: one that could not start (its group
gone or without feeds, the lock held too long) is recorded here, one that stopped on an error by
the ingest flow itself.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import Failed, State
from pydantic import ValidationError

from dossier.demo.server import demo_feeds, serve_demo
from dossier.errors import DossierError
from dossier.extract.nlp import check_model
from dossier.flows.ingest import run_ingest
from dossier.pipeline.groups import GroupFeeds, ScheduleError, group_feeds, record_refused_run
from dossier.pipeline.summary import RunSummary
from dossier.settings import ConfigError, FeedGroup, Settings, load_settings
from dossier.store.lock import WarehouseLocked
from dossier.store.warehouse import Warehouse

__all__ = ["ScheduleError", "build_deployments", "scheduled_ingest", "serve_deployments", "local_prefect_server"]

log = logging.getLogger("dossier.flow")


@flow(name="scheduled_ingest", validate_parameters=False)
def scheduled_ingest(group: str) -> dict[str, Any] | State:
    """Ingest one feed group of the configuration (read when the run starts, so edits apply to the next run).

    Returns the run summary; a run that fails returns a Failed state whose message is the reason."""
    _one_line_errors()
    try:
        settings = load_settings()
    except ConfigError as exc:  # no warehouse is known to record the run in: Prefect's state says it
        return Failed(message=str(exc))
    try:
        feeds = group_feeds(group, settings)
        check_model(settings.spacy_model)  # before any feed is fetched, as `dossier ingest` does
    except DossierError as exc:
        return _not_started(group, settings, exc)
    try:
        summary = ingest_group(feeds, settings)
    except (WarehouseLocked, ConfigError) as exc:  # refused before the run opened its record
        return _not_started(group, settings, exc)
    except DossierError as exc:  # the run's own record says why: the ingest flow failed it
        return Failed(message=f"group {group!r}: {exc}")
    if summary.status == "failed":  # recorded failed (every feed failed): Prefect's state says so too
        first = next((f"{f.item}: {f.reason}" for f in summary.failures), "no reason recorded")
        return Failed(message=f"group {group!r}: run {summary.run_id} failed ({summary.feeds_failed} of "
                              f"{summary.feeds_polled} feeds failed; first: {first})")
    return summary.model_dump(mode="json")


def ingest_group(feeds: GroupFeeds, settings: Settings) -> RunSummary:
    """One ingest run of the group's feeds, or of the built-in demo served on loopback meanwhile."""
    if feeds.source != "demo":
        return run_ingest(list(feeds.urls), settings, origin="schedule", lock_wait=settings.schedule_lock_wait)
    with serve_demo(settings.demo_port) as base:
        # The demo's own loopback server is allow-listed explicitly, nothing else (as `dossier ingest`).
        demo_settings = settings.model_copy(update={"allowed_hosts": [*settings.allowed_hosts, "127.0.0.1"]})
        return run_ingest(list(demo_feeds(base)), demo_settings, origin="demo", publishers=demo_feeds(base),
                          host_delay=settings.demo_host_delay, lock_wait=settings.schedule_lock_wait)


def _not_started(group: str, settings: Settings, error: DossierError) -> State:
    """Record a run that could not start as failed, with its reason and artifact; its Failed state."""
    message = f"group {group!r}: {error}"
    try:
        summary = record_refused_run(Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait),
                                     group, error)
    except DossierError as exc:  # the warehouse itself is the trouble: the state still says why
        log.error("scheduled run of group %r not recorded: %s", group, exc)
        return Failed(message=f"{message} (not recorded in the warehouse: {exc})")
    create_markdown_artifact(key="ingest-run-summary", markdown=summary.to_markdown(),
                             description=f"dossier scheduled run of group {group!r} (failed)")
    return Failed(message=f"{message} (run {summary.run_id})")


class _DossierErrorsInOneLine(logging.Filter):
    """Drop the traceback from Prefect's log of a DossierError: its message is the whole story
    (the run record has it too); a bug keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DossierError):
            record.exc_info = None
            record.exc_text = None
        return True


def _one_line_errors() -> None:
    """Install the filter on Prefect's flow-run logger once per process (each scheduled run is one)."""
    logger = logging.getLogger("prefect.flow_runs")
    if not any(isinstance(f, _DossierErrorsInOneLine) for f in logger.filters):
        logger.addFilter(_DossierErrorsInOneLine())


def schedule_of(name: str, group: FeedGroup) -> Schedule:
    """The Prefect schedule of a feed group. Settings checked cron and time zone when they loaded;
    should Prefect still refuse one, that is one line naming the group too."""
    try:
        if group.cron is not None:
            return Cron(group.cron, timezone=group.timezone)
        return Interval(group.interval, timezone=group.timezone)
    except (ValidationError, ValueError) as exc:
        reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise ConfigError(f"feed group {name!r}: Prefect refuses its schedule: {reason}") from None


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    """One deployment `ingest-<group>` of `scheduled_ingest` per configured feed group."""
    if not settings.schedules:
        raise ScheduleError("nothing to schedule: add [schedules.<group>] tables with cron or interval to dossier.toml "
                            "(dossier.example.toml has one that ingests the demo: cp dossier.example.toml dossier.toml)")
    return [
        scheduled_ingest.to_deployment(
            name=f"ingest-{name}",
            schedules=[schedule_of(name, group)],
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
