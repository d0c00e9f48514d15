"""The alerts as the CLI and the desk show them: one view function for both."""

from __future__ import annotations

from datetime import datetime

from dossier.records.alerts import Alert
from dossier.store.session import Session


def recent_alerts(
    session: Session, since: datetime | None = None, limit: int | None = 100, run_id: str | None = None
) -> list[Alert]:
    """Alerts newest first, raised at or after `since` (all when None), by `run_id` if given."""
    return session.alerts.list_alerts(since, limit, run_id)
