"""Warehouse measurements on a generated warehouse: bulk upsert speed and the two reader queries.

The warehouse is built with dossier's own migrations and views; most rows are generated
in SQL (fast), the last mentions go through `dossier.store.warehouse.upsert`, the function
every ingestion batch uses, which is what the upsert figure measures.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _build(con, organisations: int, articles: int, mentions: int) -> None:
    """Entities, articles, profiles and `mentions` mentions, generated in SQL."""
    con.execute(f"""
        INSERT INTO entities (id, name, kind, country, continent, first_seen, last_seen)
        SELECT 'org' || lpad(i::VARCHAR, 7, '0'), 'Organisation ' || i, 'organisation', NULL, NULL, $now, $now
        FROM range({organisations}) t(i)""", {"now": NOW})
    con.execute(f"""
        INSERT INTO articles (id, url, canonical_url, feed_url, entry_key, title, published, fetched, publisher,
                              text, content_hash, cluster_id, status, first_seen, last_seen)
        SELECT 'art' || lpad(i::VARCHAR, 8, '0'), 'https://news.example/' || i, 'https://news.example/' || i,
               'https://news.example/feed', 'k' || i, 'Story ' || i,
               $now - to_minutes((i * 37 % (730 * 1440))::BIGINT), $now, 'news.example',
               'text of story ' || i, md5(i::VARCHAR), 'art' || lpad(i::VARCHAR, 8, '0'), 'ok', $now, $now
        FROM range({articles}) t(i)""", {"now": NOW})
    # Mentions: a few big organisations and a long tail (entity = i^2 mod n skews the spread).
    con.execute(f"""
        INSERT INTO mentions
        SELECT 'men' || lpad(i::VARCHAR, 9, '0'), 'art' || lpad((i // 4 % {articles})::VARCHAR, 8, '0'),
               'org' || lpad(((i * i) % {organisations})::VARCHAR, 7, '0'), 'Organisation', 'ORG',
               (i % 40) * 10, (i % 40) * 10 + 12, 0, 120, $now, $now
        FROM range({mentions}) t(i)""", {"now": NOW})
    con.execute(f"""
        INSERT INTO profiles (entity_id, revision, status, name, aliases, confidence, grade, grade_label,
                              source_count, independent_source_count, content_hash, created_at, updated_at)
        SELECT 'org' || lpad(i::VARCHAR, 7, '0'), r, CASE WHEN r = 1 AND i % 3 = 0 THEN 'approved' ELSE 'draft' END,
               'Organisation ' || i, ['Org ' || i], 0.5, 'C/D', 'Weak–medium', 3, 2, md5(i::VARCHAR || r), $now, $now
        FROM range({organisations}) t(i), range(1, 1 + (i % 2) + 1) s(r)""", {"now": NOW})


def _mention_rows(start: int, count: int, organisations: int, articles: int) -> list[dict[str, Any]]:
    return [
        {"id": f"new{i:09d}", "article_id": f"art{i // 4 % articles:08d}", "entity_id": f"org{(i * 7) % organisations:07d}",
         "text": "Organisation", "label": "ORG", "start_char": i % 500, "end_char": i % 500 + 12,
         "sentence_start": 0, "sentence_end": 120, "first_seen": NOW, "last_seen": NOW}
        for i in range(start, start + count)
    ]


def _median_ms(con, sql: str, params_list: list[list[Any]]) -> float:
    times = []
    for params in params_list:
        start = time.perf_counter()
        con.execute(sql, params).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


LOOKUP = "SELECT * FROM v_profiles_current WHERE name = ?"
TIMELINE = """
SELECT date_trunc('day', occurred_at) AS day, sum(mentions) AS mentions, count(*) AS articles
FROM v_entity_timeline
WHERE entity_id = ? AND occurred_at >= CAST(? AS TIMESTAMPTZ) - INTERVAL 90 DAY
GROUP BY day ORDER BY day
"""


def run_warehouse(args: dict[str, Any]) -> dict[str, Any]:
    """Build the warehouse, time the upserts, then the two queries on a read-only connection."""
    from dossier.store.warehouse import Warehouse, upsert

    path = Path(args["path"])
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    mentions = int(args.get("mentions", 1_000_000))
    organisations = max(100, mentions // 50)
    articles = max(100, mentions // 10)
    upsert_rows = min(200_000, mentions // 5)
    batch = max(1, upsert_rows // 4)
    warehouse = Warehouse(path)

    start = time.perf_counter()
    with warehouse.write() as con:
        _build(con, organisations, articles, mentions - upsert_rows)
    build_s = time.perf_counter() - start

    batches = [_mention_rows(i, batch, organisations, articles) for i in range(0, upsert_rows, batch)]
    written, seconds = 0, 0.0
    for rows in batches:
        with warehouse.write() as con:
            start = time.perf_counter()
            written += upsert(con, "mentions", rows, key=["id"])
            seconds += time.perf_counter() - start
    again = 0.0
    for rows in batches:
        with warehouse.write() as con:
            start = time.perf_counter()
            upsert(con, "mentions", rows, key=["id"])
            again += time.perf_counter() - start
    total_rows = sum(len(rows) for rows in batches)

    repeats = int(args.get("repeats", 21))
    with warehouse.read() as con:
        count = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        # The organisations with most mentions: the slowest timelines.
        busiest = [r[0] for r in con.execute(
            "SELECT entity_id FROM mentions GROUP BY 1 ORDER BY count(*) DESC LIMIT ?", [repeats]).fetchall()]
        names = [[f"Organisation {(i * 7919) % organisations}"] for i in range(repeats)]
        _median_ms(con, LOOKUP, names[:2])  # warm the file cache as a reader's second query would find it
        lookup_ms = _median_ms(con, LOOKUP, names)
        since = NOW.isoformat()
        _median_ms(con, TIMELINE, [[busiest[0], since]])
        timeline_ms = _median_ms(con, TIMELINE, [[e, since] for e in busiest])
        found = con.execute(TIMELINE, [busiest[0], since]).fetchall()
    return {
        "mentions": count, "articles": articles, "organisations": organisations, "build_s": build_s,
        "upsert_rows": total_rows, "upsert_written": written, "upsert_batch": batch,
        "upsert_rows_per_s": total_rows / seconds, "reupsert_rows_per_s": total_rows / again,
        "repeats": repeats, "lookup_ms": lookup_ms, "timeline_ms": timeline_ms, "timeline_days": len(found),
        "timeline_window_days": 90, "window_end": (NOW + timedelta(0)).isoformat(),
    }
