"""Feed groups of the schedule: what a group ingests, and the run record of a scheduled run that
could not start.

A scheduled run has no one watching it: when it cannot run (its group is gone from the
configuration, it has no feeds, another run held the warehouse too long) the reason goes where
an operator looks, its row in `runs` (`dossier runs show`), as for any failed run.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Literal

from dossier.errors import DossierError
from dossier.pipeline.summary import RunSummary
from dossier.records import Failure, Record
from dossier.settings import Settings
from dossier.store.warehouse import Warehouse

log = logging.getLogger("dossier.pipeline")

# Where a group's feeds come from: listed in the group, added with `dossier feeds add`, or the
# built-in demo (a `demo = true` group while no feed is added).
FeedSource = Literal["listed", "added", "demo"]


class ScheduleError(DossierError):
    """The configuration schedules nothing, or names a group that does not exist or has no feeds."""


class GroupFeeds(Record):
    """What one run of a feed group ingests. The demo's URLs exist only while its server runs."""

    group: str
    source: FeedSource
    urls: tuple[str, ...] = ()

    def describe(self) -> str:
        """One phrase for `dossier schedule --dry-run`."""
        if self.source == "demo":
            return "the built-in demo corpus (no feeds added yet; served on loopback for each run)"
        where = "listed in the group" if self.source == "listed" else "added with `dossier feeds add`"
        return f"{len(self.urls)} feed(s) {where}"


def group_feeds(name: str, settings: Settings) -> GroupFeeds:
    """The feeds group `name` ingests now; a ScheduleError when the group is unknown or has none."""
    if name not in settings.schedules:
        have = ", ".join(sorted(settings.schedules)) or "none"
        raise ScheduleError(f"no feed group {name!r} in the configuration (have: {have})")
    group = settings.schedules[name]
    if group.feeds:
        return GroupFeeds(group=name, source="listed", urls=tuple(group.feeds))
    added = added_feed_urls(Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait))
    if added:
        return GroupFeeds(group=name, source="added", urls=added)
    if group.demo:
        return GroupFeeds(group=name, source="demo")
    raise ScheduleError(f"feed group {name!r} has no feeds and none are configured (`dossier feeds add URL`, "
                        f"or demo = true in [schedules.{name}] to ingest the built-in demo meanwhile)")


def added_feed_urls(warehouse: Warehouse) -> tuple[str, ...]:
    """URLs of the feeds added with `dossier feeds add`; none while there is no warehouse. Read
    through a read session: listing them (a dry run) never takes the writer's place."""
    if not warehouse.path.exists():
        return ()
    with warehouse.read() as session:
        return tuple(row["url"] for row in session.feeds.list_feeds())


def record_refused_run(warehouse: Warehouse, group: str, error: BaseException) -> RunSummary:
    """Store a scheduled run of `group` that could not start as a failed run with the reason.

    Only this run's row is written: the run lock may be another run's, whose row must stay as it
    is (which is why this is not `record.open_run`, which closes stale runs)."""
    now = datetime.now(UTC)
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], started_at=now, finished_at=now, status="failed",
                         warehouse_path=str(warehouse.path),
                         failures=[Failure(stage="schedule", item=f"group {group}", reason=str(error))])
    with warehouse.write() as session:
        session.runs.start_run(summary.run_id, now)
        session.runs.finish_run(summary.run_id, summary.to_row())
    log.error("scheduled run %s of group %r did not start: %s", summary.run_id, group, error,
              extra={"stage": "run"})
    return summary
