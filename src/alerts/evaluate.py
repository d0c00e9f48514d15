"""Evaluating the watchlists against what one run changed, in the run's write session."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dossier.alerts.rules import follow_merges, match_changes
from dossier.records.alerts import Alert, RunChanges
from dossier.store.session import WriteSession

log = logging.getLogger("dossier.alerts")


def evaluate_changes(session: WriteSession, changes: RunChanges, now: datetime | None = None) -> list[Alert]:
    """Write the alerts the active watches raise over `changes`; return the ones new to the warehouse.

    The grades of the changed organisations are remembered whether or not anything watches
    them, so a grade watch added later alerts on a move from a grade already known. A watch on an
    organisation merged into another covers the kept one."""
    now = now or datetime.now(UTC)
    repo = session.alerts
    states = repo.organisation_states(changes.organisations)
    watches = repo.list_watches()
    if watches:
        watches = follow_merges(watches, session.judgements.load().merges)
    fresh: list[Alert] = []
    if watches:
        claims = repo.changed_claims(changes.organisations, changes.since)
        grades = repo.known_grades(changes.organisations)
        fresh = repo.add_alerts(match_changes(watches, changes, claims, states, grades, now))
    repo.record_grades(states, now)
    if fresh:
        log.info("%d alerts raised", len(fresh), extra={"stage": "alerts", "event": "alerts_raised"})
    return fresh
