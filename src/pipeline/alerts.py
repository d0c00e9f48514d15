"""The run's alert step: the watchlists evaluated against what the run changed, then delivery.

One function for every kind of run (ingest, reprocess): give it the organisations whose
evidence the run changed and when the run started. Evaluation writes in one transaction;
delivery never fails the run (a receiver that is down leaves the alerts pending for the next
run or `dossier alerts deliver`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from dossier.alerts.delivery import DeliveryOutcome, deliver_pending
from dossier.alerts.evaluate import evaluate_changes
from dossier.records.alerts import Alert, RunChanges
from dossier.settings import Settings
from dossier.store.warehouse import Warehouse
from dossier.tracing import Stopwatch


@dataclass
class AlertOutcome:
    """The alerts a run raised and what delivering the pending ones did."""

    raised: list[Alert] = field(default_factory=list)
    delivery: DeliveryOutcome = field(default_factory=DeliveryOutcome)
    durations: dict[str, float] = field(default_factory=dict)


def raise_alerts(
    warehouse: Warehouse, settings: Settings, run_id: str, since: datetime, organisations: Iterable[str]
) -> AlertOutcome:
    """Evaluate the watchlists over a run's changes (claims and organisations first seen at or
    after `since`, on `organisations`), store the new alerts, deliver whatever is pending."""
    watch = Stopwatch()
    outcome = AlertOutcome()
    changes = RunChanges(run_id=run_id, since=since, organisations=frozenset(organisations))
    with watch.time("alerts"):
        with warehouse.write() as session:
            outcome.raised = evaluate_changes(session, changes)
        outcome.delivery = deliver_pending(warehouse, settings)
    outcome.durations = watch.durations
    return outcome
