"""End to end: loopback feeds and pages, a real DuckDB file, the real model, Prefect's harness."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dossier.demo.server import DEMO_PUBLISHERS, demo_files
from dossier.flows.ingest import ingest_feeds
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
DATA_TABLES = ("articles", "entities", "aliases", "mentions", "claims", "profiles")
CHANGED = "/articles/foxconn-wisconsin-ai-servers.html"

FAULT_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Ledger</title><link>https://harbourledger.example/</link>
<item><title>Quayside and Marrowgate sign deal</title><link>{base}/articles/quayside.html</link><guid>hl-1</guid>
<pubDate>Mon, 06 Oct 2025 08:00:00 GMT</pubDate></item>
<item><title>A page that never answers</title><link>{base}/articles/slow.html</link><guid>hl-2</guid></item>
<item><title>A page with no text</title><link>{base}/articles/empty.html</link><guid>hl-3</guid></item>
</channel></rss>"""


def serve_corpus(site: LoopbackSite) -> list[str]:
    """Route the demo corpus plus a feed of faulty pages; return the feed URLs (one is missing)."""
    for path, body in demo_files().items():
        kind = "application/rss+xml" if path.endswith(".xml") else "application/atom+xml" if path.endswith(".atom") else "text/html"
        site.routes[path] = Route(body=body.replace(b"{{BASE}}", site.base.encode()), content_type=kind)
    site.routes["/feeds/faults.xml"] = Route(body=FAULT_FEED.format(base=site.base).encode(), content_type="application/rss+xml")
    site.routes["/articles/quayside.html"] = Route(body=(FIXTURES / "quayside.html").read_bytes())
    site.routes["/articles/slow.html"] = Route(body=b"<html><body><p>too late</p></body></html>", delay=2.5)
    site.routes["/articles/empty.html"] = Route(body=b"<html><body><nav>Home | Markets | About</nav></body></html>")
    feeds = sorted(p for p in site.routes if p.startswith("/feeds/"))
    return [site.url(p) for p in feeds] + [site.url("/feeds/missing.xml")]


def publishers(site: LoopbackSite) -> dict[str, str]:
    """The demo feeds' publishers, vouched for as the demo command does (the feeds share one host)."""
    return {site.url(path): publisher for path, publisher in DEMO_PUBLISHERS.items()}


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of the data tables, sorted, for before/after comparison."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in DATA_TABLES}
    finally:
        con.close()


def article_hits(site: LoopbackSite) -> int:
    return sum(route.hits for path, route in site.routes.items() if path.startswith("/articles/"))


@pytest.fixture(scope="module")
def corpus_site():
    with LoopbackSite() as site:
        yield site, serve_corpus(site)


@pytest.fixture(scope="module")
def two_runs(prefect_harness, corpus_site, tmp_path_factory):
    """Run 1 on a fresh warehouse, run 2 over unchanged feeds; both summaries and snapshots."""
    site, feeds = corpus_site
    path = tmp_path_factory.mktemp("warehouse") / "dossier.duckdb"
    settings = test_settings(path)
    first = ingest_feeds(feeds, settings, publishers=publishers(site))
    after_first, hits_first = snapshot(path), article_hits(site)
    second = ingest_feeds(feeds, settings, publishers=publishers(site))
    return {"path": path, "settings": settings, "first": first, "second": second,
            "after_first": after_first, "after_second": snapshot(path),
            "hits_first": hits_first, "hits_second": article_hits(site)}


def test_first_run_ingests_the_corpus_and_creates_profiles(two_runs):
    first = two_runs["first"]
    assert first.feeds_polled == 5
    assert first.articles_new == 19  # 18 demo articles + the fixture article
    assert first.drafts_created >= 20 and first.drafts == first.drafts_created
    con = duckdb.connect(str(two_runs["path"]), read_only=True)
    try:
        views = dict(con.execute("SELECT name, grade FROM v_profiles_current").fetchall())
        assert {"Foxconn", "OpenAI", "Quayside Robotics"} <= set(views)
        assert con.execute("SELECT count(*) FROM v_claims WHERE article_url LIKE 'https://%'").fetchone()[0] >= 20
        assert con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchone()[0] == 2
        clusters = dict(con.execute("SELECT regexp_extract(url, '[^/]+$'), cluster_id FROM articles").fetchall())
        # The two syndicated wire copies are one story; the original report is another.
        assert clusters["foxconn-openai-wire.html"] == clusters["foxconn-openai-wire-northgate.html"]
        assert clusters["openai-foxconn-hardware.html"] != clusters["foxconn-openai-wire.html"]
    finally:
        con.close()


def test_failures_are_recorded_with_reasons_and_the_run_completes(two_runs):
    first = two_runs["first"]
    reasons = {(f.stage, f.item.rsplit("/", 1)[-1]): f.reason for f in first.failures}
    assert reasons[("feed", "missing.xml")] == "HTTP 404"
    assert "timed out" in reasons[("fetch", "slow.html")]
    assert "no article text" in reasons[("text", "empty.html")]
    assert first.feeds_failed == 1 and first.articles_failed == 2 and first.status == "completed"
    con = duckdb.connect(str(two_runs["path"]), read_only=True)
    try:
        failed = dict(con.execute("SELECT entry_key, error FROM articles WHERE status = 'failed'").fetchall())
        feed = con.execute("SELECT last_status, last_error, error_count FROM feeds WHERE url LIKE '%missing.xml'").fetchone()
        run = con.execute("SELECT failures FROM runs ORDER BY started_at LIMIT 1").fetchone()[0]
    finally:
        con.close()
    assert failed["hl-2"].startswith("fetch: timed out") and failed["hl-3"].startswith("text: no article text")
    assert feed[0] == 404 and feed[1] == "HTTP 404" and feed[2] == 2  # two runs, two failures
    assert "slow.html" in run and "empty.html" in run


def test_second_run_over_unchanged_feeds_fetches_nothing_and_changes_no_row(two_runs):
    second = two_runs["second"]
    assert second.feeds_not_modified == 4  # every feed but the missing one answered 304
    assert (second.articles_new, second.articles_updated, second.drafts_created, second.drafts_updated) == (0, 0, 0, 0)
    assert two_runs["hits_second"] == two_runs["hits_first"]  # no article page requested again
    assert two_runs["after_second"] == two_runs["after_first"]


def test_a_changed_article_updates_its_evidence_without_duplicates(two_runs, corpus_site, tmp_path):
    site, feeds = corpus_site
    path = tmp_path / "dossier.duckdb"
    shutil.copy(two_runs["path"], path)
    page = site.routes[CHANGED]
    original_page, feed = page.body, site.routes["/feeds/northgate.xml"]
    original_feed = feed.body
    try:
        page.body = page.body.replace(
            b"Foxconn scaled back the original project several times.",
            b"Foxconn scaled back the original project several times. Foxconn signed a partnership with "
            b"Tessellate Colocation Group to fit out two halls at the Wisconsin site.",
        )
        feed.body = feed.body.replace(b"Thu, 25 Sep 2025 09:00:00 +0000", b"Fri, 26 Sep 2025 10:00:00 +0000")
        third = ingest_feeds(feeds, test_settings(path), publishers=publishers(site))
    finally:
        page.body, feed.body = original_page, original_feed
    assert (third.articles_new, third.articles_updated) == (0, 1)
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT canonical_url) FROM articles)").fetchone()
        article_id, text = con.execute("SELECT id, text FROM articles WHERE url LIKE ?", [f"%{CHANGED}"]).fetchone()
        mentions = con.execute("SELECT text, start_char, end_char FROM mentions WHERE article_id = ?", [article_id]).fetchall()
        claims = con.execute("SELECT v.subject, v.type, v.object FROM v_claims v JOIN claims c ON c.id = v.claim_id WHERE c.article_id = ?", [article_id]).fetchall()
        revisions = con.execute("SELECT count(*) FROM profiles p JOIN entities e ON e.id = p.entity_id WHERE e.name = 'Foxconn'").fetchone()[0]
    finally:
        con.close()
    before_articles = len(two_runs["after_first"]["articles"])
    assert counts[0] == before_articles and counts[1] == counts[0]  # same rows, no duplicate article
    assert "Tessellate Colocation Group" in text
    # Every stored mention points at its text in the new version: no stale offsets survived.
    assert mentions and all(text[start:end] == surface for surface, start, end in mentions)
    assert ("Foxconn", "partnership", "Tessellate Colocation Group") in claims
    assert revisions == 1  # the draft is updated in place, not duplicated


def test_foxconn_demo_story(two_runs):
    con = duckdb.connect(str(two_runs["path"]), read_only=True)
    try:
        profile = con.execute(
            "SELECT p.aliases, p.places, p.relationships FROM profiles p JOIN entities e ON e.id = p.entity_id"
            " WHERE e.name = 'Foxconn'").fetchone()
        commitment = con.execute(
            "SELECT polarity, evidence FROM v_claims WHERE subject = 'OpenAI' AND type = 'purchase_commitment'"
            " AND article_url LIKE '%openai-foxconn-hardware' AND evidence LIKE '%no binding purchase commitment%'"
        ).fetchall()
        affirmed = con.execute(
            "SELECT count(*) FROM v_claims WHERE subject = 'OpenAI' AND type = 'purchase_commitment'"
            " AND polarity = 'affirmed' AND article_url LIKE '%foxconn%'").fetchone()[0]
    finally:
        con.close()
    import json

    aliases, places, relationships = profile[0], json.loads(profile[1]), json.loads(profile[2])
    assert "Hon Hai Technology Group" in aliases
    resolved = {p["name"]: (p["country"], p["continent"]) for p in places}
    for state in ("Wisconsin", "Ohio", "Texas"):
        assert resolved[state] == ("US", "North America")
    assert any(r["organisation"] == "OpenAI" for r in relationships)
    assert commitment and {polarity for polarity, _ in commitment} == {"negated"}
    assert affirmed == 0  # never the worst error: the negated commitment as affirmed


def test_a_run_that_stops_on_a_structural_error_is_recorded_as_failed(prefect_harness, corpus_site, tmp_path, monkeypatch):
    from dossier.pipeline import plan

    def broken_plan(*args, **kwargs):
        raise RuntimeError("planner exploded")

    monkeypatch.setattr(plan, "plan_fetches", broken_plan)
    site, feeds = corpus_site
    path = tmp_path / "dossier.duckdb"
    with pytest.raises(RuntimeError, match="planner exploded"):
        ingest_feeds(feeds[:1], test_settings(path), publishers=publishers(site))
    con = duckdb.connect(str(path), read_only=True)
    try:
        run_id, status, failures = con.execute("SELECT id, status, failures FROM runs").fetchone()
    finally:
        con.close()
    assert status == "failed" and "planner exploded" in failures
    # The failed run's report is a Prefect artifact too, as a completed run's is.
    from prefect.artifacts import Artifact

    artifact = Artifact.get("ingest-run-summary")
    assert artifact is not None and artifact.data.startswith(f"# dossier run {run_id}\n\nfailed in ")
    assert "planner exploded" in artifact.data
