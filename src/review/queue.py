"""The review queue's order: impact × uncertainty × recency (docs/review.md).

High-impact drafts the system is unsure of, about recent news, come first: they are where
a reviewer's minute changes the most.

The formula's constants are declared here once. The queue is ordered and paged in SQL
(dossier.store.queue, handed these constants by `ordering`); `priority` and `order_queue` are
the same formula in Python, which a test checks the SQL against.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dossier.records.queue import MonitoringRule, QueueOrdering
from dossier.records.review import Priority, QueueRow, RankedRow
from dossier.scoring.grades import GRADES
from dossier.settings import Settings

# Weight of each impact rating (scoring/impact.py); unrated counts as low.
IMPACT_WEIGHT = {"high": 1.0, "medium": 0.6, "low": 0.3}
DEFAULT_IMPACT_WEIGHT = 0.3
# 1 − confidence, floored so a confident, high-impact draft still outranks trivia.
MIN_UNCERTAINTY = 0.05
# Recency halves every 14 days since the latest evidence, floored so old items keep an order.
HALF_LIFE_DAYS = 14.0
MIN_RECENCY = 0.1


def priority(row: QueueRow, now: datetime | None = None) -> Priority:
    """The queue score of a revision row and its three factors."""
    now = now or datetime.now(UTC)
    impact = IMPACT_WEIGHT.get(str(row.impact or "").lower(), DEFAULT_IMPACT_WEIGHT)
    uncertainty = max(MIN_UNCERTAINTY, 1.0 - float(row.confidence or 0.0))
    seen = row.last_seen or row.updated_at
    if isinstance(seen, datetime):
        if seen.tzinfo is None:
            seen = seen.replace(tzinfo=UTC)
        age_days = max(0.0, (now - seen).total_seconds() / 86400)
        recency = max(MIN_RECENCY, 0.5 ** (age_days / HALF_LIFE_DAYS))
    else:
        recency = MIN_RECENCY
    return Priority(impact_weight=impact, uncertainty=round(uncertainty, 4), recency=round(recency, 4),
                    priority=round(impact * uncertainty * recency, 6))


def order_queue(rows: list[QueueRow], now: datetime | None = None) -> list[RankedRow]:
    """Rows with their priority factors, highest priority first (ties by name, then id)."""
    now = now or datetime.now(UTC)
    scored = [RankedRow(**row.model_dump(), **priority(row, now).model_dump()) for row in rows]
    return sorted(scored, key=lambda r: (-r.priority, r.name, r.entity_id))


def ordering(now: datetime | None = None) -> QueueOrdering:
    """The formula's constants and the grades, best first, for the SQL that orders the queue."""
    return QueueOrdering(high=IMPACT_WEIGHT["high"], medium=IMPACT_WEIGHT["medium"], low=IMPACT_WEIGHT["low"],
                         unrated=DEFAULT_IMPACT_WEIGHT, min_uncertainty=MIN_UNCERTAINTY, half_life_days=HALF_LIFE_DAYS,
                         min_recency=MIN_RECENCY, grades=tuple(GRADES), now=now or datetime.now(UTC))


def monitoring_rule(settings: Settings) -> MonitoringRule:
    """The monitoring rule of these settings (`monitoring_below`)."""
    return MonitoringRule(below=settings.monitoring_below)
