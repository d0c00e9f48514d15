"""The context of one ingest run (zavod's `Context`): what every stage of the run shares.

Built once when the run starts, from the settings the caller loaded (never read here): the
warehouse, the politeness state every request of the run goes through (one host throttle, one
robots.txt cache, one time budget), the run's ledger and where progress is reported.
It stays in the run's own process: analysis batches sent to other processes or a Dask cluster
take only their articles and the settings.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from dossier.ingest.fetch import HostThrottle, RunBudget
from dossier.ingest.robots import RobotsCache
from dossier.pipeline.ledger import Ledger, Progress
from dossier.pipeline.summary import RunSummary
from dossier.settings import Settings
from dossier.store.warehouse import Warehouse

progress_log = logging.getLogger("dossier.progress")


def log_progress(stage: str, done: int, total: int) -> None:
    """Progress events for whoever listens (the CLI draws a bar from them)."""
    progress_log.info("%s %d/%d", stage, done, total, extra={"stage": stage, "done": done, "total": total})


@dataclass(frozen=True)
class RunContext:
    """One ingest run's shared state; its stages take what they need from it."""

    settings: Settings
    warehouse: Warehouse
    run_id: str
    started_at: datetime
    throttle: HostThrottle
    robots: RobotsCache
    budget: RunBudget
    ledger: Ledger
    progress: Progress = log_progress

    @classmethod
    def start(
        cls, settings: Settings, warehouse: Warehouse, host_delay: float | None = None, progress: Progress = log_progress
    ) -> RunContext:
        """A new run: its id, its start time (the run budget counts from now) and an empty ledger.

        `host_delay` overrides `settings.host_delay` for this run."""
        started = datetime.now(UTC)
        run_id = uuid.uuid4().hex[:12]
        throttle = HostThrottle(settings.host_delay if host_delay is None else host_delay, settings.host_concurrency,
                                strikes=settings.host_strikes)
        summary = RunSummary(run_id=run_id, started_at=started, finished_at=started,
                             warehouse_path=str(settings.warehouse_path))
        return cls(settings=settings, warehouse=warehouse, run_id=run_id, started_at=started, throttle=throttle,
                   robots=RobotsCache(), budget=RunBudget.starting_now(settings.run_budget),
                   ledger=Ledger(summary, progress), progress=progress)
