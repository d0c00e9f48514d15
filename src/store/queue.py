"""The review queue in SQL: filtered, searched, ordered and paged in the warehouse, so that a
page of 50 costs the same with 60 drafts or 20,000.

The priority formula (impact × uncertainty × recency) is computed here with the constants
`dossier.review.queue` declares (handed in as a `QueueOrdering`); a test checks that this
SQL and that module's Python give the same numbers and the same order. The monitoring flag
is the rule a `MonitoringRule` carries (docs/review.md, "Monitoring").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dossier.records.queue import (
    MonitoringRule,
    QueueCounts,
    QueueNeighbours,
    QueueOrdering,
    QueuePage,
    QueueQuery,
)
from dossier.records.review import EntityRef, RankedRow

if TYPE_CHECKING:
    from dossier.store.session import Session

# Between the aliases when they are searched as one string; removed from the search text.
ALIAS_SEPARATOR = "\x1f"

# The columns of a queue row (records.review.RankedRow), in its declared order.
ROW_COLUMNS = ("entity_id, revision, status, name, type, grade, grade_label, confidence, primary_domain, region, "
               "impact, source_count, independent_source_count, last_seen, updated_at, approved_revision, diff, "
               "overrides, content_hash, monitoring, impact_weight, uncertainty, recency, priority")

# Each sort key's expression; ties always go by name, then id (as the Python order does).
SORT_SQL = {
    "priority": "priority",
    "name": "lower(name)",
    "confidence": "confidence",
    "grade": "coalesce(list_position($grades, grade), 99)",
    "last_seen": "coalesce(last_seen, updated_at)",
}


def _filters(query: QueueQuery, params: dict[str, Any]) -> str:
    """The WHERE of the query's status, filters and search (matched without regard to case)."""
    where = ["TRUE"]
    if query.status != "any":
        where.append("p.status = $status")
    for column, value in (("grade", query.grade), ("primary_domain", query.domain), ("region", query.region)):
        if value:
            where.append(f"lower(p.{column}) = lower(${column})")
            params[column] = value
    search = (query.search or "").replace(ALIAS_SEPARATOR, "").strip()
    if search:
        where.append("(contains(lower(p.name), lower($search)) OR contains(lower(array_to_string("
                     f"coalesce(p.aliases, []::VARCHAR[]), '{ALIAS_SEPARATOR}')), lower($search)))")
        params["search"] = search
    return " AND ".join(where)


def _view(query: QueueQuery, ordering: QueueOrdering, rule: MonitoringRule) -> tuple[str, dict[str, Any]]:
    """The CTEs `latest` (per organisation its newest revision with the status, filtered) and
    `scored` (with the priority factors and the monitoring flag), and their parameters."""
    params: dict[str, Any] = {
        "status": query.status, "high": ordering.high, "medium": ordering.medium, "low": ordering.low,
        "unrated": ordering.unrated, "min_uncertainty": ordering.min_uncertainty, "now": ordering.now,
        "half_life": ordering.half_life_days, "min_recency": ordering.min_recency, "below": rule.below,
    }
    partition = "p.entity_id" if query.status == "any" else "p.entity_id, p.status"
    where = _filters(query, params)
    sql = f"""
    WITH latest AS (
        SELECT p.entity_id, p.revision, p.status, p.name, p.type, p.grade, p.grade_label, p.confidence,
               p.primary_domain, p.region, p.impact, p.source_count, p.independent_source_count,
               p.last_seen, p.updated_at, p.approved_revision, p.diff, p.overrides, p.content_hash,
               coalesce(json_array_length(p.evidence), 0) = 0 AS no_claim
        FROM profiles p
        WHERE p.status <> 'superseded' OR $status = 'superseded'
        QUALIFY row_number() OVER (PARTITION BY {partition} ORDER BY p.revision DESC) = 1 AND {where}
    ),
    factors AS (
        SELECT *,
            CASE lower(coalesce(impact, '')) WHEN 'high' THEN $high WHEN 'medium' THEN $medium
                 WHEN 'low' THEN $low ELSE $unrated END AS impact_weight,
            greatest($min_uncertainty, 1.0 - coalesce(confidence, 0.0)) AS raw_uncertainty,
            CASE WHEN coalesce(last_seen, updated_at) IS NULL THEN $min_recency
                 ELSE greatest($min_recency, pow(0.5, greatest(0.0, (epoch_us($now::TIMESTAMPTZ)
                      - epoch_us(coalesce(last_seen, updated_at))) / 1e6 / 86400) / $half_life)) END AS raw_recency,
            status = 'draft' AND no_claim AND confidence < $below AS monitoring
        FROM latest
    ),
    scored AS (
        SELECT *, round(raw_uncertainty, 4) AS uncertainty, round(raw_recency, 4) AS recency,
               round(impact_weight * raw_uncertainty * raw_recency, 6) AS priority
        FROM factors
    )"""
    return sql, params


def _in_view(query: QueueQuery) -> str:
    """The condition of the query's monitoring view."""
    return {"queue": "NOT monitoring", "only": "monitoring", "all": "TRUE"}[query.monitoring]


def _order(query: QueueQuery, ordering: QueueOrdering, params: dict[str, Any]) -> str:
    """The ORDER BY of the query's sort key and direction, ties by name then id."""
    if query.sort == "grade":
        params["grades"] = list(ordering.grades)
    direction = "DESC" if query.is_descending else "ASC"
    return f"{SORT_SQL[query.sort]} {direction} NULLS LAST, name, entity_id"


def queue_counts(con: Session, query: QueueQuery, ordering: QueueOrdering, rule: MonitoringRule) -> QueueCounts:
    """How many revisions match the query's filters and search, in the queue and under monitoring."""
    view, params = _view(query, ordering, rule)
    row = con.execute(f"{view} SELECT count(*) FILTER (WHERE NOT monitoring), count(*) FILTER (WHERE monitoring)"
                      " FROM scored", params).fetchone()
    queue, monitoring = (int(row[0]), int(row[1])) if row else (0, 0)
    total = {"queue": queue, "only": monitoring, "all": queue + monitoring}[query.monitoring]
    return QueueCounts(queue=queue, monitoring=monitoring, total=total)


def queue_page(con: Session, query: QueueQuery, ordering: QueueOrdering, rule: MonitoringRule) -> QueuePage:
    """One page of the queue in the query's order (`per_page` 0: every row), with its counts
    (taken in the same pass; a page past the end asks for them on their own)."""
    view, params = _view(query, ordering, rule)
    order = _order(query, ordering, params)
    limit = ""
    if query.per_page:
        limit = "LIMIT $limit OFFSET $offset"
        params.update(limit=query.per_page, offset=query.offset)
    cursor = con.execute(f"""{view},
        counted AS (SELECT *, count(*) FILTER (WHERE NOT monitoring) OVER () AS in_queue,
                              count(*) FILTER (WHERE monitoring) OVER () AS in_monitoring FROM scored)
        SELECT {ROW_COLUMNS}, in_queue, in_monitoring FROM counted WHERE {_in_view(query)}
        ORDER BY {order} {limit}""", params)
    names = [d[0] for d in cursor.description]
    found = [dict(zip(names, row)) for row in cursor.fetchall()]
    if not found:
        counts = queue_counts(con, query, ordering, rule)
    else:
        queue, monitoring = int(found[0]["in_queue"]), int(found[0]["in_monitoring"])
        counts = QueueCounts(queue=queue, monitoring=monitoring,
                             total={"queue": queue, "only": monitoring, "all": queue + monitoring}[query.monitoring])
    rows = tuple(RankedRow.model_validate({k: v for k, v in row.items() if not k.startswith("in_")}) for row in found)
    return QueuePage(query=query, rows=rows, counts=counts)


def queue_neighbours(con: Session, query: QueueQuery, ordering: QueueOrdering, rule: MonitoringRule,
                     entity_id: str) -> QueueNeighbours:
    """The profiles before and after `entity_id` in the query's order (pages ignored); when it is
    not in the view, the view's first profile comes next."""
    view, params = _view(query, ordering, rule)
    order = _order(query, ordering, params)
    params["entity"] = entity_id
    rows = con.execute(f"""{view},
        ranked AS (SELECT entity_id, name, row_number() OVER (ORDER BY {order}) AS pos, count(*) OVER () AS total
                   FROM scored WHERE {_in_view(query)}),
        here AS (SELECT pos FROM ranked WHERE entity_id = $entity)
        SELECT entity_id, name, pos, total, (SELECT pos FROM here) FROM ranked
        WHERE pos = 1 OR abs(pos - coalesce((SELECT pos FROM here), -9)) = 1 ORDER BY pos""", params).fetchall()
    if not rows:
        return QueueNeighbours()
    total, here = int(rows[0][3]), rows[0][4]
    by_pos = {int(pos): EntityRef(id=eid, name=name) for eid, name, pos, _, _ in rows}
    if here is None:
        return QueueNeighbours(next=by_pos.get(1), total=total)
    return QueueNeighbours(previous=by_pos.get(here - 1), next=by_pos.get(here + 1), position=int(here), total=total)
