"""Watch rules, watch records, webhook signing and delivery (immediate and digest) on a real
warehouse file and a loopback receiver."""

from __future__ import annotations

import hashlib
import hmac
import socket
from datetime import UTC, datetime, timedelta

import pytest

from dossier.alerts.delivery import deliver_pending
from dossier.alerts.rules import match_changes
from dossier.alerts.watches import WatchError, make_watch
from dossier.ingest.webhook import WebhookClient, WebhookError, sign, verify
from dossier.records.alerts import Alert, ChangedClaim, OrganisationState, RunChanges
from dossier.store.warehouse import Warehouse
from tests.support.settings import test_settings
from tests.support.webhook import SECRET, WebhookReceiver

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
CHANGES = RunChanges(run_id="r1", since=NOW - timedelta(minutes=5), organisations=frozenset({"k", "f"}))


def claim(cid: str, **fields) -> ChangedClaim:
    values = dict(id=cid, subject_id="k", subject="Kestrel", type="acquisition", object="Tidewater",
                  polarity="affirmed", modality="planned", evidence="Kestrel will acquire Tidewater.")
    return ChangedClaim(**{**values, **fields})


def state(entity_id: str, label: str = "Strong", **fields) -> OrganisationState:
    values = dict(entity_id=entity_id, name=entity_id.upper(), grade="A/B", grade_label=label,
                  primary_domain="AI infrastructure", region="Europe", first_seen=NOW - timedelta(days=3))
    return OrganisationState(**{**values, **fields})


def test_one_alert_per_claim_whichever_watches_match_it():
    watches = [make_watch("organisation", "k", "Kestrel"), make_watch("claim-type", "Acquisition")]
    claims = [claim("c1"), claim("c2", polarity="negated"), claim("c3", contradicts="c0"),
              claim("c4", subject_id="x", type="supply")]
    alerts = match_changes(watches, CHANGES, claims, [], {}, NOW)
    assert [(a.claim_id, a.kind, len(a.watch_ids)) for a in alerts] == [
        ("c1", "new_claim", 2), ("c2", "negated_claim", 2), ("c3", "contradiction", 2)]
    assert alerts[2].other_claim_id == "c0"
    assert len({a.id for a in alerts}) == 3


def test_grade_moves_and_new_organisations_in_a_watched_domain():
    watches = [make_watch("grade", None), make_watch("domain", "ai infrastructure"), make_watch("region", "europe")]
    states = [state("k", "Medium"), state("f", first_seen=NOW), state("same")]
    grades = {"k": ("A/B", "Strong"), "same": ("A/B", "Strong")}
    alerts = match_changes(watches, CHANGES, [], states, grades, NOW)
    assert [(a.kind, a.entity_id) for a in alerts] == [("grade_change", "k"), ("new_organisation", "f")]
    assert alerts[0].detail["label_before"] == "Strong" and alerts[1].watch_ids == (watches[1].id, watches[2].id)


def test_watch_values_are_checked():
    with pytest.raises(WatchError, match="unknown claim type"):
        make_watch("claim-type", "gossip")
    with pytest.raises(WatchError, match="unknown watch kind"):
        make_watch("mood", "x")
    assert make_watch("region", "north america").value == "North America"
    assert make_watch("grade", None).value == "*"
    assert make_watch("organisation", "k", "Kestrel").id == make_watch("organisation", "k", "K").id


def test_the_signature_is_hmac_sha256_over_the_exact_body():
    body = b'{"a":1}'
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign(SECRET, body) == expected and verify(SECRET, body, expected)
    assert not verify(SECRET, body + b" ", expected) and not verify("other", body, expected)


def _client(url: str, allowed: list[str], sleeps: list[float]) -> WebhookClient:
    return WebhookClient(url, SECRET, allowed_hosts=allowed, user_agent="t", connect_timeout=1, read_timeout=1,
                         retries=2, backoff=0.5, sleep=sleeps.append)


def test_the_webhook_keeps_to_the_fetch_scope_and_retries_with_backoff():
    sleeps: list[float] = []
    with _client("http://127.0.0.1:9/hook", [], sleeps) as client, pytest.raises(WebhookError, match="refused"):
        client.post(b"{}", "alert")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with _client(f"http://127.0.0.1:{port}/hook", ["127.0.0.1"], sleeps) as client:
        with pytest.raises(WebhookError, match="connection failed.*3 attempts"):
            client.post(b"{}", "alert")
    assert sleeps == [0.5, 1.0]


def _alert(aid: str, when: datetime) -> Alert:
    return Alert(id=aid, kind="new_claim", entity_id="k", summary=f"alert {aid}", run_id="r", created_at=when)


def test_digest_mode_posts_each_finished_day_once(tmp_path):
    warehouse = Warehouse(tmp_path / "dossier.duckdb")
    yesterday, today = NOW - timedelta(days=1), NOW
    with warehouse.write() as session:
        session.alerts.add_alerts([_alert("a1", yesterday), _alert("a2", yesterday + timedelta(hours=1)),
                                   _alert("a3", today)])
    with WebhookReceiver() as receiver:
        settings = test_settings(warehouse.path, webhook_url=receiver.url, webhook_secret=SECRET, webhook_mode="digest")
        first = deliver_pending(warehouse, settings, NOW)
        assert (first.posts, first.delivered) == (1, 2)
        [digest] = [r.payload for r in receiver.received]
        assert digest["type"] == "digest" and digest["day"] == "2026-12-05" and digest["count"] == 2
        assert receiver.received[0].signed
        assert deliver_pending(warehouse, settings, NOW).posts == 0  # today's digest waits for the day to end
        assert deliver_pending(warehouse, settings, NOW, whole_days_only=False).delivered == 1
        assert [a["id"] for a in receiver.alerts()] == ["a1", "a2", "a3"]


def test_immediate_mode_records_a_failure_then_delivers(tmp_path):
    warehouse = Warehouse(tmp_path / "dossier.duckdb")
    with warehouse.write() as session:
        assert len(session.alerts.add_alerts([_alert("a1", NOW), _alert("a2", NOW)])) == 2
        assert session.alerts.add_alerts([_alert("a1", NOW)]) == []  # raised once only
    with WebhookReceiver(down=True) as receiver:
        settings = test_settings(warehouse.path, webhook_url=receiver.url, webhook_secret=SECRET, webhook_retries=0)
        failed = deliver_pending(warehouse, settings, NOW)
        assert (failed.posts, failed.failed, failed.delivered) == (1, 2, 0)
        with warehouse.read() as session:
            pending = session.alerts.pending_alerts()
        assert [(a.delivery, a.attempts) for a in pending] == [("failed", 1), ("failed", 1)]
        receiver.down = False
        assert deliver_pending(warehouse, settings, NOW).delivered == 2
        assert all(r.signed and r.payload["type"] == "alert" for r in receiver.received)
    with warehouse.read() as session:
        assert session.alerts.pending_alerts() == []


def test_a_webhook_needs_its_secret(tmp_path):
    from dossier.settings import ConfigError

    with pytest.raises(ConfigError, match="webhook_secret"):
        test_settings(tmp_path / "w.duckdb", webhook_url="http://127.0.0.1:1/hook")


def _seed_claims(session) -> None:
    """Two organisations; three stories (two in one near-duplicate cluster) about one deal."""
    old, new = NOW - timedelta(days=2), NOW
    for eid, name in (("k", "Kestrel"), ("t", "Tidewater")):
        session.execute("INSERT INTO entities (id, name, kind, first_seen, last_seen) VALUES (?, ?, 'organisation', ?, ?)",
                        [eid, name, old, old])
    for aid, cluster in (("a1", "a1"), ("a2", "a1"), ("a3", "a3")):
        session.execute("INSERT INTO articles (id, url, canonical_url, status, cluster_id, first_seen, last_seen)"
                        " VALUES (?, ?, ?, 'ok', ?, ?, ?)", [aid, f"https://x.example/{aid}", f"https://x.example/{aid}",
                                                            cluster, old, old])
    for cid, aid, polarity, seen in (("c1", "a1", "affirmed", old), ("c2", "a2", "negated", new),
                                     ("c3", "a3", "negated", new)):
        session.execute(
            "INSERT INTO claims (id, subject_id, type, object_id, polarity, modality, evidence, evidence_start,"
            " evidence_end, article_id, extractor_version, extractor_confidence, first_seen, last_seen)"
            " VALUES (?, 'k', 'acquisition', 't', ?, 'asserted', 'e', 0, 1, ?, 'v', 0.9, ?, ?)",
            [cid, polarity, aid, seen, seen])


def test_changed_claims_are_the_new_ones_and_a_contradiction_needs_an_independent_story(tmp_path):
    warehouse = Warehouse(tmp_path / "dossier.duckdb")
    with warehouse.write() as session:
        _seed_claims(session)
        changed = session.alerts.changed_claims({"t"}, NOW - timedelta(minutes=1))
    # c2 repeats c1's story (one cluster): no contradiction; c3 is another story saying the opposite.
    assert [(c.id, c.subject, c.object, c.contradicts) for c in changed] == [
        ("c2", "Kestrel", "Tidewater", None), ("c3", "Kestrel", "Tidewater", "c1")]
