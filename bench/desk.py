"""The review desk row of `make bench`: the queue page and a profile page with 2,000 drafts.

`build_drafts` writes synthetic organisations and their draft profiles through the store (the
entities upsert and `write_drafts`, the functions ingestion uses), in a second or two: a queue
of the size a day of real news brings (issue 18 measured 2,140 drafts from ~1,000 stories),
with the spread the queue works with — impact, confidence, grades, domains, regions, dates,
aliases, and a share of claim-less drafts that the monitoring rule parks. `run_desk` then
serves the desk over it in this process (FastAPI's TestClient, the whole app: sign-in
session, middleware, routes, store, templates) and times each page, median of N requests.

    .venv/bin/python -m bench.desk ARGS.json RESULT.json   (what `python -m bench` runs)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0  # each page, median
PASSWORD = "bench password 1"
DOMAINS = ("AI infrastructure", "Energy", "Finance", "Transport", "Health", "Telecoms", "unknown")
REGIONS = ("Europe", "North America", "Asia", "Africa", "South America", "Oceania")
IMPACTS = ("high", "medium", "low", None)


def synthetic_profile(i: int, now: datetime) -> Any:
    """Draft number `i`: an organisation with a name, two aliases and, for three in four, a claim
    (one in thirteen has no date of its latest evidence: the queue then dates it by its revision)."""
    from dossier.records.profiles import EvidenceItem, KeyPoint, Profile, Source
    from dossier.scoring.grades import grade_for

    confidence = round(0.2 + (i * 37 % 71) / 100, 2)
    grade, label = grade_for(confidence)
    claimed = i % 4 != 0
    source = Source(sentence=f"Organisation {i} signed a supply deal with Partner {i % 97}.",
                    url=f"https://news.example/{i}", title=f"Story {i}", publisher="news.example")
    evidence = (EvidenceItem(sentence=source.sentence, url=source.url, title=source.title, publisher=source.publisher,
                             type="supply", polarity="affirmed", modality="asserted"),) if claimed else ()
    key_points = (KeyPoint(text=source.sentence, type="supply", polarity="affirmed", modality="asserted",
                           independent_sources=1, evidence=source),) if claimed else ()
    seen = now - timedelta(hours=i * 7 % (24 * 60))
    return Profile(
        entity_id=f"bench{i:06d}", name=f"Organisation {i:05d} Holdings", aliases=(f"Org{i:05d}", f"OH {i}"),
        type="company", category="company", region=REGIONS[i % len(REGIONS)], base=REGIONS[i % len(REGIONS)],
        primary_domain=DOMAINS[i % len(DOMAINS)], topic="supply", impact=IMPACTS[i % len(IMPACTS)],
        confidence=confidence, grade=grade, grade_label=label, source_count=1 + i % 5,
        independent_source_count=1 + i % 3, key_points=key_points, evidence=evidence,
        first_seen=seen - timedelta(days=3), last_seen=None if i % 13 == 5 else seen, models_version="bench",
    ).with_hash()


def build_drafts(path: Path, drafts: int, now: datetime | None = None) -> list[str]:
    """A warehouse at `path` with `drafts` draft profiles and a reviewer; their entity ids."""
    from dossier.review.accounts import add_account
    from dossier.store.warehouse import Warehouse, upsert

    now = now or datetime.now(UTC)
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    profiles = [synthetic_profile(i, now) for i in range(drafts)]
    warehouse = Warehouse(path)
    with warehouse.write() as session:
        upsert(session, "entities", [{"id": p.entity_id, "name": p.name, "kind": "organisation", "country": None,
                                      "continent": p.region, "first_seen": p.first_seen, "last_seen": p.last_seen or now}
                                     for p in profiles], key=["id"])
        session.profiles.write_drafts(profiles)
        add_account(session, "rita", PASSWORD, "reviewer")
    return [p.entity_id for p in profiles]


def _median_ms(get: Any, url: str, repeats: int) -> float:
    get(url)  # warm: templates compiled, file pages cached, as a reviewer's second page finds them
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return statistics.median(times)


def _parts(path: Path, repeats: int) -> dict[str, float]:
    """What a queue page is made of: opening the warehouse file (a request does it twice: the
    sign-in check and the page) and the queue's own query and view, each median of `repeats`."""
    from dossier.records.queue import QueueQuery
    from dossier.review.views import review_queue
    from dossier.store.warehouse import Warehouse

    warehouse = Warehouse(path)
    opens, views = [], []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        with warehouse.read():
            pass
        opens.append((time.perf_counter() - start) * 1000)
        with warehouse.read() as session:
            start = time.perf_counter()
            review_queue(session, QueueQuery())
            views.append((time.perf_counter() - start) * 1000)
    return {"open_ms": statistics.median(opens[1:]), "queue_view_ms": statistics.median(views[1:])}


def run_desk(args: dict[str, Any]) -> dict[str, Any]:
    """Build the warehouse, sign in, then time the queue and a profile page through the app."""
    import re

    from fastapi.testclient import TestClient

    from dossier.settings import load_settings
    from dossier.web.app import create_app

    path, drafts, repeats = Path(args["path"]), int(args.get("drafts", 2000)), int(args.get("repeats", 21))
    start = time.perf_counter()
    ids = build_drafts(path, drafts)
    build_s = time.perf_counter() - start
    app = create_app(load_settings(warehouse_path=path))
    client = TestClient(app, base_url="https://desk.bench", follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/login", data={"username": "rita", "password": PASSWORD, "next": "/queue", "csrf_token": token})
    middle = ids[len(ids) // 2 + 1]  # a draft in the queue (not a monitoring one)
    pages = {
        "queue": "/queue",
        "queue_page_10_by_name": "/queue?sort=name&page=10",
        "queue_search": "/queue?q=org01",
        "profile": f"/profiles/{middle}?from=%2Fqueue",
    }
    result: dict[str, Any] = {"drafts": drafts, "build_s": build_s, "repeats": repeats, "target_ms": TARGET_MS}
    for name, url in pages.items():
        result[f"{name}_ms"] = _median_ms(client.get, url, repeats)
    result.update(_parts(path, repeats))
    queue_html = client.get("/queue").text
    result["queue_rows"] = queue_html.count('class="row')
    result["monitoring"] = int(re.search(r"Monitoring \((\d+)\)", queue_html).group(1))
    return result


def measure(workdir: Path, drafts: int = 2000, repeats: int = 21) -> dict[str, Any]:
    """The desk row in a fresh process (its own memory and imports, as a desk server has)."""
    import subprocess

    args_path, result_path = workdir / "desk.args.json", workdir / "desk.result.json"
    args_path.write_text(json.dumps({"path": str(workdir / "desk.duckdb"), "drafts": drafts, "repeats": repeats}),
                         encoding="utf-8")
    result_path.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.desk", str(args_path), str(result_path)], cwd=ROOT, check=True)
    print(f"  desk: {time.perf_counter() - started:.1f} s", flush=True)
    return json.loads(result_path.read_text(encoding="utf-8"))


def checks(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, measured, goal, met) of the desk row, if it was measured."""
    row = results.get("desk")
    if not row:
        return []
    goal = f"< {row['target_ms']:.0f} ms"
    return [(f"review queue page, {row['drafts']:,} drafts (median of {row['repeats']})", f"{row['queue_ms']:.0f} ms",
             goal, row["queue_ms"] < row["target_ms"]),
            (f"profile page, {row['drafts']:,} drafts (median of {row['repeats']})", f"{row['profile_ms']:.0f} ms",
             goal, row["profile_ms"] < row["target_ms"])]


def report_lines(results: dict[str, Any]) -> list[str]:
    """The desk section of docs/BENCHMARKS.md (nothing when the row was not measured)."""
    row = results.get("desk")
    if not row:
        return []
    when = f" (measured at {row['measured_at']}, load average {row['load_average'][0]:.1f})" \
        if row.get("measured_at") else ""
    lines = [
        "", "## Review desk", "",
        f"A warehouse of {row['drafts']:,} synthetic draft profiles written through the store (`bench/desk.py`, built in "
        f"{row['build_s']:.1f} s; {row['monitoring']:,} of them under monitoring), served by the desk's FastAPI app in",
        "one process through its test client (sign-in session, middleware, routes, store, templates): each page",
        f"requested {row['repeats']} times after one warm-up request, median wall time{when}.",
        "", "| page | median |", "|---|---:|",
        f"| `/queue` (first page of {row['queue_rows']} rows, priority order) | {row['queue_ms']:.0f} ms |",
        f"| `/queue?sort=name&page=10` | {row['queue_page_10_by_name_ms']:.0f} ms |",
        f"| `/queue?q=org01` (search by alias) | {row['queue_search_ms']:.0f} ms |",
        f"| `/profiles/…?from=/queue` (a draft's page with its place in the queue) | {row['profile_ms']:.0f} ms |",
    ]
    if "open_ms" in row:
        lines += [
            "", "Of which, measured apart in the same process: opening the warehouse file read-only "
            f"{row['open_ms']:.0f} ms (the desk opens it per request, twice: the sign-in check and the page), the",
            f"queue's query and view (`views.review_queue`, first page) {row['queue_view_ms']:.0f} ms.",
        ]
    return lines


def main(argv: list[str]) -> int:
    args_path, result_path = Path(argv[0]), Path(argv[1])
    result = run_desk(json.loads(args_path.read_text(encoding="utf-8")))
    result_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
