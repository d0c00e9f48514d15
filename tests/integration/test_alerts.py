"""Watchlists and alerts end to end: loopback feeds, a real warehouse, the real model, Prefect's
harness and a loopback webhook receiver that verifies every signature.

One warehouse goes through four runs: the first brings the organisations, then two are
watched; the second adds a feed with new claims while the receiver is down (alerts recorded as
failed, the run unharmed); the third adds another feed with the receiver back (its own alerts
and the earlier ones delivered); the fourth changes nothing (no alert, no post)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.demo.server import DEMO_PUBLISHERS, demo_files
from dossier.flows.ingest import ingest_feeds
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings
from tests.support.webhook import SECRET, WebhookReceiver

CLAIM_KINDS = ("new_claim", "negated_claim", "contradiction")
WATCHED = ("Kestrel Compute", "Foxconn")


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def claims_on_watched_since(path: Path, since) -> set[str]:
    """Ids of the claims naming a watched organisation (subject or object) first seen since `since`."""
    watched = [r[0] for r in query(path, "SELECT value FROM watches WHERE kind = 'organisation'")]
    rows = query(path, "SELECT id FROM claims WHERE (subject_id IN (SELECT unnest(?)) OR object_id IN"
                       " (SELECT unnest(?))) AND first_seen >= ?", [watched, watched, since])
    return {r[0] for r in rows}


@pytest.fixture(scope="module")
def journey(prefect_harness, tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    with LoopbackSite() as site, WebhookReceiver() as receiver:
        for path, body in demo_files().items():
            site.routes[path] = Route(body=body.replace(b"{{BASE}}", site.base.encode()))
        feeds = {name: site.url(f"/feeds/{name}") for name in ("ledgerwire.xml", "circuitdaily.atom", "northgate.xml")}
        publishers = {site.url(p): publisher for p, publisher in DEMO_PUBLISHERS.items()}
        path = tmp_path_factory.mktemp("alerts") / "dossier.duckdb"
        # Loopback is allowed explicitly, for the receiver as for the feeds.
        settings = test_settings(path, allowed_hosts=["127.0.0.1"], webhook_url=receiver.url, webhook_secret=SECRET,
                                 webhook_retries=1, webhook_backoff=0.01)
        monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
        monkeypatch.setenv("DOSSIER_WEBHOOK_URL", receiver.url)
        monkeypatch.setenv("DOSSIER_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", json.dumps(["127.0.0.1"]))
        monkeypatch.setenv("COLUMNS", "200")
        out = {"path": path, "receiver": receiver}
        out["first"] = ingest_feeds([feeds["ledgerwire.xml"]], settings, publishers=publishers)
        out["added"] = [cli("watch", "add", "organisation", name) for name in WATCHED]
        receiver.down = True
        out["second"] = ingest_feeds([feeds["ledgerwire.xml"], feeds["circuitdaily.atom"]], settings, publishers=publishers)
        out["after_second"] = query(path, "SELECT alert_id, kind, delivery, attempts, last_error FROM v_alerts")
        out["expected_second"] = claims_on_watched_since(path, out["second"].started_at)
        receiver.down = False
        out["third"] = ingest_feeds(list(feeds.values()), settings, publishers=publishers)
        out["expected_third"] = claims_on_watched_since(path, out["third"].started_at)
        out["posts_third"] = len(receiver.received)
        out["fourth"] = ingest_feeds(list(feeds.values()), settings, publishers=publishers)
        out["deliver"] = cli("alerts", "deliver")
        out["listed"] = cli("alerts", "list", "--json")
        yield out
    monkeypatch.undo()


def test_watches_are_added_by_name_or_alias(journey):
    assert all(r.exit_code == 0 for r in journey["added"]), [r.output for r in journey["added"]]
    labels = {r[0] for r in query(journey["path"], "SELECT label FROM watches WHERE removed_at IS NULL")}
    assert len(labels) == 2 and "Kestrel Compute" in labels


def test_a_watched_organisation_gets_exactly_one_alert_per_new_claim(journey):
    path = journey["path"]
    for run, expected in (("second", journey["expected_second"]), ("third", journey["expected_third"])):
        summary = journey[run]
        assert summary.status == "completed"
        alerted = query(path, "SELECT claim_id FROM alerts WHERE run_id = ? AND kind IN (SELECT unnest(?))",
                        [summary.run_id, list(CLAIM_KINDS)])
        assert sorted(r[0] for r in alerted) == sorted(expected), run
        assert len(summary.alerts) >= len(expected) and summary.stage_counts["alerts"]["raised"] == len(summary.alerts)
    assert journey["expected_second"], "the second feed brings new claims on a watched organisation"


def test_a_receiver_that_is_down_leaves_alerts_failed_and_the_run_unharmed(journey):
    second, rows = journey["second"], journey["after_second"]
    assert second.status == "completed" and rows
    assert {(kind in (*CLAIM_KINDS, "grade_change"), delivery, attempts) for _, kind, delivery, attempts, _ in rows} \
        == {(True, "failed", 1)}
    assert all("HTTP 503" in error or "not sent" in error for *_, error in rows)
    assert second.stage_counts["alerts"]["failed"] == len(rows) and second.stage_counts["alerts"]["delivered"] == 0
    assert any("alerts not delivered" in w for w in second.warnings)
    assert "## Alerts" in second.to_markdown()


def test_a_later_run_retries_and_delivers_every_alert_once_signed(journey):
    path, receiver = journey["path"], journey["receiver"]
    stored = {r[0] for r in query(path, "SELECT id FROM alerts")}
    received = [a["id"] for a in receiver.alerts()]
    assert sorted(received) == sorted(stored)  # each alert once: the failed ones retried, none twice
    assert receiver.received and all(item.signed for item in receiver.received)
    assert all(item.headers["x-dossier-signature"].startswith("sha256=") for item in receiver.received)
    assert query(path, "SELECT DISTINCT delivery FROM v_alerts") == [("delivered",)]
    retried = query(path, "SELECT attempts FROM alerts WHERE run_id = ?", [journey["second"].run_id])
    assert {r[0] for r in retried} == {2}


def test_an_identical_run_raises_no_alert_and_posts_nothing(journey):
    fourth = journey["fourth"]
    assert fourth.alerts == [] and fourth.stage_counts["alerts"] == {"raised": 0, "delivered": 0, "failed": 0}
    assert len(journey["receiver"].received) == journey["posts_third"]
    assert journey["deliver"].exit_code == 0 and "delivered 0 alerts" in journey["deliver"].output


def test_alerts_list_json_gives_every_alert_with_its_delivery(journey):
    assert journey["listed"].exit_code == 0, journey["listed"].output
    listed = [json.loads(line) for line in journey["listed"].stdout.splitlines()]
    assert len(listed) == len(query(journey["path"], "SELECT id FROM alerts"))
    assert {a["delivery"] for a in listed} == {"delivered"} and all(a["summary"] for a in listed)
