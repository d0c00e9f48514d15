"""Webhook payloads: one alert at a time, or a day's alerts as one digest.

The body is JSON built once; the signature is computed over exactly these bytes, so a receiver
verifies what it received, never a re-serialisation of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from dossier.records.alerts import Alert


def alert_body(alert: Alert, sent_at: datetime) -> bytes:
    """The body of one alert's POST."""
    return _encode({"type": "alert", "sent_at": sent_at.isoformat(), "alert": alert.to_json()})


def digest_body(day: date, alerts: Sequence[Alert], sent_at: datetime) -> bytes:
    """The body of one day's digest POST: every alert raised that day (UTC), oldest first."""
    return _encode({"type": "digest", "day": day.isoformat(), "sent_at": sent_at.isoformat(),
                    "count": len(alerts), "alerts": [a.to_json() for a in alerts]})


def by_day(alerts: Sequence[Alert]) -> dict[date, list[Alert]]:
    """Alerts grouped by the UTC day they were raised, days in order."""
    days: dict[date, list[Alert]] = {}
    for alert in sorted(alerts, key=lambda a: (a.created_at, a.id)):
        days.setdefault(alert.created_at.astimezone(UTC).date(), []).append(alert)
    return days


def _encode(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
