"""Delivering pending alerts to the configured webhook, without ever failing the caller.

A receiver that is down leaves its alerts pending with the attempt and the reason recorded on
each row; the next run (or `dossier alerts deliver`) tries them again. In immediate mode each
alert is one POST; a pass stops at the first failure (the rest would fail the same way and
only hold the run up). In digest mode each UTC day that is over gets one POST with its alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from dossier.alerts.digest import alert_body, by_day, digest_body
from dossier.ingest.webhook import WebhookClient, WebhookError
from dossier.records.alerts import Alert
from dossier.settings import Settings
from dossier.store.warehouse import Warehouse

log = logging.getLogger("dossier.alerts")


@dataclass
class DeliveryOutcome:
    """What one delivery pass did."""

    delivered: int = 0
    failed: int = 0
    posts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> bool:
        return bool(self.posts)


def webhook_client(settings: Settings, sleep: Callable[[float], None] | None = None) -> WebhookClient | None:
    """The client for the configured receiver, or None when no webhook is configured."""
    if not settings.webhook_url or settings.webhook_secret is None:
        return None
    options = {"sleep": sleep} if sleep is not None else {}
    return WebhookClient(
        settings.webhook_url, settings.webhook_secret.get_secret_value(), allowed_hosts=settings.allowed_hosts,
        user_agent=settings.user_agent, connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout,
        retries=settings.webhook_retries, backoff=settings.webhook_backoff, **options,
    )


def deliver_pending(
    warehouse: Warehouse, settings: Settings, now: datetime | None = None, *, whole_days_only: bool = True
) -> DeliveryOutcome:
    """Send the pending alerts as the settings say (nothing without a webhook); record each
    attempt on the alert rows. Digest mode sends only days that are over unless
    `whole_days_only` is false (`dossier alerts deliver --today`)."""
    now = now or datetime.now(UTC)
    outcome = DeliveryOutcome()
    if not settings.webhook_url:
        return outcome
    digest = settings.webhook_mode == "digest"
    before = datetime.combine(now.astimezone(UTC).date(), time(), UTC) if digest and whole_days_only else None
    with warehouse.read() as session:
        pending = session.alerts.pending_alerts(before)
    client = webhook_client(settings) if pending else None
    if client is None:
        return outcome
    with client:
        if digest:
            batches = [(f"digest {day}", digest_body(day, alerts, now), alerts) for day, alerts in by_day(pending).items()]
            _send(warehouse, client, batches, "digest", outcome)
        else:
            _send(warehouse, client, [(a.id, alert_body(a, now), [a]) for a in pending], "alert", outcome)
    return outcome


def _send(
    warehouse: Warehouse, client: WebhookClient, batches: list[tuple[str, bytes, list[Alert]]], event: str,
    outcome: DeliveryOutcome,
) -> None:
    """POST each batch in order, recording each; after a failure the rest are recorded as not sent."""
    for index, (name, body, alerts) in enumerate(batches):
        ids = [a.id for a in alerts]
        outcome.posts += 1
        try:
            client.post(body, event, {"X-Dossier-Delivery": name})
        except WebhookError as exc:
            log.warning("alerts not delivered: %s", exc, extra={"stage": "alerts"})
            rest = [a.id for _, _, later in batches[index + 1:] for a in later]
            with warehouse.write() as session:
                session.alerts.record_delivery(ids, None, exc.reason)
                session.alerts.record_delivery(rest, None, f"not sent: the receiver failed ({exc.reason})")
            outcome.failed += len(ids) + len(rest)
            outcome.errors.append(str(exc))
            return
        with warehouse.write() as session:
            session.alerts.record_delivery(ids, datetime.now(UTC), None)
        outcome.delivered += len(ids)
