"""The warehouse layer on a real DuckDB file, re-opened to check."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from dossier.records.profiles import Profile
from dossier.store.profiles import write_drafts
from dossier.store.warehouse import Warehouse, _migrations, upsert


@pytest.fixture
def warehouse(tmp_path):
    return Warehouse(tmp_path / "w.duckdb")


def entity(name, when):
    return {"id": "e1", "name": name, "kind": "organisation", "country": None, "continent": None,
            "first_seen": when, "last_seen": when}


def test_migrations_are_recorded_once(warehouse):
    for _ in range(2):
        with warehouse.write():
            pass
    con = duckdb.connect(str(warehouse.path), read_only=True)
    recorded = con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert recorded == [(number, name) for number, name, _ in _migrations()]
    assert recorded[:2] == [(1, "001_initial.sql"), (2, "002_ties.sql")]
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert {"v_profiles_current", "v_claims", "v_entity_timeline"} <= views
    con.close()


# The public views are a contract (warehouse/README.md): tables may change, these columns may not.
PUBLIC_VIEW_COLUMNS = {
    "v_profiles_current": ["entity_id", "name", "aliases", "type", "category", "region", "primary_domain", "confidence",
                           "grade", "grade_label", "source_count", "independent_source_count", "status", "revision",
                           "updated_at", "known_id", "ticker", "isin", "wikipedia_url"],
    "v_claims": ["claim_id", "subject", "type", "object", "polarity", "modality", "evidence", "article_url",
                 "published_at", "confidence", "review_verdict", "attributed_to"],
    "v_entity_timeline": ["entity_id", "name", "article_id", "title", "article_url", "occurred_at", "mentions"],
    "v_alerts": ["alert_id", "kind", "entity_id", "organisation", "claim_id", "summary", "watch_ids", "run_id",
                 "created_at", "delivery", "attempts", "last_error", "delivered_at"],
    "v_articles": ["article_id", "article_url", "title", "publisher", "feed_url", "published_at", "status", "limited",
                   "limited_reason", "story_id", "models_version"],
    "v_review_events": ["event_id", "occurred_at", "reviewer", "action", "entity_id", "organisation", "revision", "note"],
    "v_profile_revisions": ["entity_id", "name", "revision", "status", "confidence", "grade", "grade_label", "created_at",
                            "updated_at"],
}


def test_public_views_keep_their_documented_columns(warehouse):
    with warehouse.write():
        pass
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        for view, columns in PUBLIC_VIEW_COLUMNS.items():
            assert [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description] == columns, view
    finally:
        con.close()


def test_the_view_contract_is_the_one_the_readme_documents():
    readme = (Path(__file__).resolve().parents[2] / "warehouse" / "README.md").read_text(encoding="utf-8")
    for view, columns in PUBLIC_VIEW_COLUMNS.items():
        section = readme.split(f"## `{view}`", 1)[1].split("\n## ", 1)[0]
        documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
        assert documented == columns, view


def test_upsert_is_idempotent_and_keeps_first_seen(warehouse):
    t1, t2 = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    with warehouse.write() as con:
        assert upsert(con, "entities", [entity("Kestrel", t1)], key=["id"]) == 1
        assert upsert(con, "entities", [entity("Kestrel", t2)], key=["id"]) == 0  # nothing but last_seen differs
        assert upsert(con, "entities", [entity("Kestrel Compute", t2), entity("Kestrel Compute", t2)], key=["id"]) == 1
    con = duckdb.connect(str(warehouse.path), read_only=True)
    assert con.execute("SELECT name, first_seen, last_seen FROM entities").fetchall() == [("Kestrel Compute", t1, t2)]
    con.close()


def test_a_failed_batch_leaves_nothing_behind(warehouse):
    with pytest.raises(RuntimeError):
        with warehouse.write() as con:
            upsert(con, "entities", [entity("Kestrel", datetime.now(UTC))], key=["id"])
            raise RuntimeError("crash mid-batch")
    con = duckdb.connect(str(warehouse.path), read_only=True)
    assert con.execute("SELECT count(*) FROM entities").fetchone()[0] == 0
    con.close()


def draft(content_hash, confidence=0.5):
    return Profile(entity_id="e1", name="Kestrel Compute", confidence=confidence, grade="C/D", grade_label="Weak–medium",
                   source_count=1, independent_source_count=1, content_hash=content_hash)


def revisions(warehouse):
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        return con.execute("SELECT revision, status, content_hash, confidence FROM profiles ORDER BY revision").fetchall()
    finally:
        con.close()


def test_drafts_update_in_place_and_unchanged_drafts_are_not_rewritten(warehouse):
    with warehouse.write() as con:
        assert write_drafts(con, [draft("h1")]) == {"created": 1, "updated": 0, "unchanged": 0}
        assert write_drafts(con, [draft("h1")]) == {"created": 0, "updated": 0, "unchanged": 1}
        assert write_drafts(con, [draft("h2", 0.6)]) == {"created": 0, "updated": 1, "unchanged": 0}
    assert revisions(warehouse) == [(1, "draft", "h2", 0.6)]


def test_an_approved_revision_is_never_modified_new_evidence_opens_a_draft_beside_it(warehouse):
    with warehouse.write() as con:
        write_drafts(con, [draft("h1")])
        con.execute("UPDATE profiles SET status = 'approved', reviewer = 'ana'")
        assert write_drafts(con, [draft("h2", 0.7)]) == {"created": 1, "updated": 0, "unchanged": 0}
        assert write_drafts(con, [draft("h3", 0.8)]) == {"created": 0, "updated": 1, "unchanged": 0}
        current = con.execute("SELECT status, revision FROM v_profiles_current").fetchall()
    assert revisions(warehouse) == [(1, "approved", "h1", 0.5), (2, "draft", "h3", 0.8)]
    assert current == [("approved", 1)]  # consumers keep seeing the approved revision


def test_feed_polls_count_consecutive_failures_back_off_and_adding_again_clears_it(warehouse):
    from dossier.records import FeedPoll
    from dossier.store import feeds as feed_store

    url = "http://127.0.0.1:9/rss"
    failed, ok = FeedPoll(feed_url=url, status=500, error="HTTP 500"), FeedPoll(feed_url=url, status=304, not_modified=True)
    robots = FeedPoll(feed_url=url, status=None, skipped="disallowed by robots.txt")
    with warehouse.write() as con:
        feed_store.add_feed(con, url)

    def poll(result):
        with warehouse.write() as con:
            feed_store.record_polls(con, [(result, "example")], lambda n: 60.0 * n if n >= 2 else None)
            return con.execute("SELECT error_count, next_poll_after IS NOT NULL, last_warning FROM feeds").fetchone()

    assert poll(failed) == (1, False, None)
    assert poll(robots) == (1, False, "skipped: disallowed by robots.txt")  # a refusal is not a failure
    assert poll(failed) == (2, True, None)
    with warehouse.write() as con:
        assert not feed_store.add_feed(con, url)  # already configured, but polled on the next run
        assert con.execute("SELECT error_count, next_poll_after FROM feeds").fetchone() == (2, None)
    assert poll(ok) == (0, False, None)
    # A server asking for a long pause gets it, before the backoff would start.
    busy = FeedPoll(feed_url=url, status=429, error="HTTP 429 asking for a 7200 s pause", retry_after=7200.0)
    assert poll(busy) == (1, True, None)
    with warehouse.write() as con:
        wait = con.execute("SELECT epoch(next_poll_after) - epoch(last_polled) FROM feeds").fetchone()[0]
    assert wait == pytest.approx(7200, abs=1)


def test_v_claims_carries_who_a_claim_is_attributed_to(warehouse):
    """Migration 012: the claim's source ("according to X") reaches analysts through v_claims."""
    now = datetime(2025, 3, 1, tzinfo=UTC)
    article = {"id": "a1", "url": "https://news.example/a1", "canonical_url": "https://news.example/a1",
               "status": "ok", "first_seen": now, "last_seen": now}
    claim = {"subject_id": "e1", "type": "acquisition", "object_id": None, "object_text": "a rival",
             "polarity": "affirmed", "modality": "reported", "evidence": "X will buy a rival, Y said.",
             "evidence_start": 0, "evidence_end": 27, "article_id": "a1", "rule": "acquisition-verb",
             "extractor_version": "test", "extractor_confidence": 0.8, "first_seen": now, "last_seen": now}
    with warehouse.write() as con:
        upsert(con, "entities", [entity("Kestrel", now)], key=["id"])
        upsert(con, "articles", [article], key=["id"])
        upsert(con, "claims", [claim | {"id": "c1", "attributed_to": "Halden Systems"},
                               claim | {"id": "c2", "type": "merger", "attributed_to": None}], key=["id"])
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        rows = dict(con.execute("SELECT claim_id, attributed_to FROM v_claims ORDER BY claim_id").fetchall())
    finally:
        con.close()
    assert rows == {"c1": "Halden Systems", "c2": None}


def test_recency_is_measured_at_the_newest_evidence_in_the_warehouse(warehouse):
    from dossier.profiles.refresh import recency_reference

    old, newer = datetime(2004, 3, 1, tzinfo=UTC), datetime(2005, 1, 27, tzinfo=UTC)
    rows = [{"id": f"a{i}", "url": f"http://x.example/{i}", "canonical_url": f"http://x.example/{i}", "status": status,
             "published": when, "first_seen": when, "last_seen": when}
            for i, (when, status) in enumerate([(old, "ok"), (newer, "ok"), (datetime(2030, 1, 1, tzinfo=UTC), "failed")])]
    with warehouse.write() as con:
        assert recency_reference(con) > newer  # an empty warehouse: now
        upsert(con, "articles", rows, key=["id"])
        assert recency_reference(con) == newer  # failed articles are no evidence


def test_identifiers_of_a_linked_organisation_reach_the_view_and_an_unlinked_mention_never_clears_them(warehouse):
    from dossier.store.articles import link_entities

    t1 = datetime(2025, 1, 1, tzinfo=UTC)
    link = {"id": "e1", "known_id": "ptk:GB0000000001", "ticker": "KST.L", "isin": "GB0000000001",
            "wikipedia_url": "https://en.wikipedia.org/wiki/Kestrel"}
    with warehouse.write() as con:
        upsert(con, "entities", [entity("Kestrel Compute", t1)], key=["id"])
        write_drafts(con, [draft("h1")])
        assert con.execute("SELECT known_id, ticker FROM v_profiles_current").fetchall() == [(None, None)]
        assert link_entities(con, [link]) == 1
        assert link_entities(con, [link]) == 0  # the same link again changes nothing
        assert link_entities(con, [{"id": "e1", "known_id": None}]) == 0  # an unlinked mention clears nothing
        upsert(con, "entities", [entity("Kestrel Compute", t1)], key=["id"])  # nor does the entity upsert
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        row = con.execute("SELECT name, known_id, ticker, isin, wikipedia_url FROM v_profiles_current").fetchone()
    finally:
        con.close()
    assert row == ("Kestrel Compute", "ptk:GB0000000001", "KST.L", "GB0000000001", "https://en.wikipedia.org/wiki/Kestrel")


def test_a_card_shows_the_identifiers_it_has_and_no_line_without_them():
    from dossier.profiles.render import render_markdown

    row = draft("h1").model_dump() | {"base": "unknown", "region": "unknown", "type": "unknown", "category": "unknown",
                         "primary_domain": "unknown", "topic": "unknown", "impact": "low", "operational_criticality": "low",
                         "time_horizon": "unknown", "score_components": {}, "sources_phrase": "1 source",
                         "first_seen": None, "last_seen": None}
    assert "Identifiers" not in render_markdown(row)
    card = render_markdown(row | {"ticker": "KST.L", "isin": "GB0000000001", "known_id": "ptk:GB0000000001"})
    assert "| Identifiers | ticker KST.L · ISIN GB0000000001 |" in card
