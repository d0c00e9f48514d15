"""Reviewer decisions survive ingestion: loopback feed and pages, a real DuckDB file, the real
model, Prefect's harness. One story told in three runs, checked after each."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dossier.flows.ingest import ingest_feeds
from dossier.review import desk
from dossier.store.warehouse import Warehouse
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

PAGE = """<!doctype html><html lang="en"><head><title>{title} | Harbour Ledger</title>
<link rel="canonical" href="https://harbourledger.example/{slug}"></head><body>
<nav><a href="/">Home</a> <a href="/markets">Markets</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>
<footer>Harbour Ledger, all rights reserved.</footer></body></html>"""

ITEM = "<item><title>{title}</title><link>{base}/articles/{slug}.html</link><guid>hl-{slug}</guid><pubDate>{date}</pubDate></item>"

PLANT = ("Quayside Robotics opened a new plant in Columbus, Ohio, on Tuesday, and said it will hire 120 engineers there. "
         "Tidewell Freight, the trucking arm of Marrowgate Logistics, will carry the robots between its depots. "
         "The plant is the company's largest outside its home market, executives told reporters at the opening.")
TIDEWELL = ("Tidewell Freight signed a supply agreement with Quayside Robotics for 30 loading robots, the companies said. "
            "The machines will be delivered to depots in Kentucky and Indiana over the coming months, according to the "
            "two companies, which did not disclose the value of the order.")
GEORGIA = b"Analysts said Quayside could open a plant in Georgia to serve the contract, near its existing site outside Atlanta."
GEORGIA_NEW = b"Analysts said Quayside could open a plant in Georgia to serve the contract within two years."


def page(slug: str, title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split(". ") if p)
    return PAGE.format(title=title, slug=slug, paragraphs=paragraphs).encode()


class Story:
    """The loopback site of a small publisher whose feed grows run by run."""

    def __init__(self, site: LoopbackSite, path: Path) -> None:
        self.site, self.path, self.items = site, path, []
        self.settings = test_settings(path)
        self.warehouse = Warehouse(path)

    def publish(self, slug: str, title: str, body: bytes, date: str) -> None:
        self.site.routes[f"/articles/{slug}.html"] = Route(body=body)
        self.items = [i for i in self.items if i[0] != slug] + [(slug, title, date)]
        feed = "".join(ITEM.format(title=t, base=self.site.base, slug=s, date=d) for s, t, d in self.items)
        self.site.routes["/feed.xml"] = Route(
            body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Ledger</title>'
                 f'<link>https://harbourledger.example/</link>{feed}</channel></rss>'.encode(),
            content_type="application/rss+xml")

    def run(self):
        return ingest_feeds([self.site.url("/feed.xml")], self.settings)

    def rows(self, sql: str, params=()) -> list[dict]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            con.close()

    def entity(self, name: str) -> str:
        return self.rows("SELECT id FROM entities WHERE name = ? AND kind = 'organisation'", [name])[0]["id"]

    def claim(self, type_: str, needle: str) -> str:
        [row] = self.rows("SELECT id FROM claims WHERE type = ? AND evidence LIKE ?", [type_, f"%{needle}%"])
        return row["id"]


@pytest.fixture(scope="module")
def story(prefect_harness, tmp_path_factory):
    """Run 1: the quayside article; approve Quayside. Run 2: a new article about it. Then the
    reviewer edits, rejects two claims and merges; run 3 re-ingests a changed article and a new one."""
    with LoopbackSite() as site:
        s = Story(site, tmp_path_factory.mktemp("review") / "dossier.duckdb")
        s.publish("quayside", "Quayside and Marrowgate sign deal", (FIXTURES / "quayside.html").read_bytes(),
                  "Mon, 06 Oct 2025 08:00:00 GMT")
        s.run()
        s.quayside, s.marrowgate = s.entity("Quayside Robotics"), s.entity("Marrowgate Logistics")
        with s.warehouse.write() as con:
            s.approved = desk.approve(con, s.quayside, reviewer="ana", note="checked against the filing")
        s.after_approve = s.rows("SELECT * FROM profiles WHERE entity_id = ? ORDER BY revision", [s.quayside])

        s.publish("plant", "Quayside opens Columbus plant", page("plant", "Quayside opens Columbus plant", PLANT),
                  "Tue, 07 Oct 2025 08:00:00 GMT")
        s.second = s.run()
        s.after_second = s.rows("SELECT * FROM profiles WHERE entity_id = ? ORDER BY revision", [s.quayside])

        s.supply, s.georgia = s.claim("supply", "400 sorting robots"), s.claim("facility", "Georgia")
        s.tidewell = s.entity("Tidewell Freight")
        with s.warehouse.write() as con:
            desk.edit(con, s.quayside, {"type": "Industrial manufacturer"}, reviewer="ana", note="from its filings")
            desk.review_claim(con, s.supply, "rejected", reviewer="ana", note="the deal is for a pilot only")
            desk.review_claim(con, s.georgia, "rejected", reviewer="ana", note="analyst speculation")
            desk.merge(con, s.marrowgate, s.tidewell, reviewer="ben", note="Tidewell is Marrowgate's trucking arm")
        s.before_third = s.rows("SELECT * FROM profiles WHERE entity_id = ? ORDER BY revision", [s.quayside])

        quayside = site.routes["/articles/quayside.html"].body.replace(GEORGIA, GEORGIA_NEW)
        s.publish("quayside", "Quayside and Marrowgate sign deal", quayside, "Wed, 08 Oct 2025 08:00:00 GMT")
        s.publish("tidewell", "Tidewell orders loading robots", page("tidewell", "Tidewell orders loading robots", TIDEWELL),
                  "Thu, 09 Oct 2025 08:00:00 GMT")
        s.third = s.run()
        yield s


def latest(rows: list[dict], status: str) -> dict:
    return [r for r in rows if r["status"] == status][-1]


def test_an_approved_revision_is_unchanged_by_new_evidence_which_opens_a_draft_with_its_diff(story):
    [approved] = story.after_approve
    assert (approved["revision"], approved["status"], approved["reviewer"]) == (1, "approved", "ana")
    assert story.second.articles_new == 1
    first, draft = story.after_second
    assert first == approved  # every column, byte for byte
    assert (draft["revision"], draft["status"], draft["approved_revision"]) == (2, "draft", 1)
    diff = json.loads(draft["diff"])
    added = [k["text"] for k in diff["key_points"]["added"]]
    assert any("plant in Columbus" in t or "120 engineers" in t for t in added), diff
    assert diff["source_count"] == {"approved": 1, "draft": 2}
    # Consumers keep seeing the approved revision.
    [current] = story.rows("SELECT revision, status FROM v_profiles_current WHERE entity_id = ?", [story.quayside])
    assert current == {"revision": 1, "status": "approved"}
    # ... and after the third run too.
    assert story.rows("SELECT * FROM profiles WHERE entity_id = ? AND revision = 1", [story.quayside]) == [approved]


def test_an_edit_override_survives_reingestion(story):
    assert story.third.articles_updated == 1 and story.third.articles_new == 1
    rows = story.rows("SELECT * FROM profiles WHERE entity_id = ? ORDER BY revision", [story.quayside])
    draft = latest(rows, "draft")
    assert draft["type"] == "Industrial manufacturer"
    assert json.loads(draft["overrides"]) == {"type": "Industrial manufacturer"}
    assert json.loads(draft["diff"])["type"] == {"approved": "unknown", "draft": "Industrial manufacturer"}
    assert len([r for r in rows if r["status"] == "draft"]) == 1  # updated in place, never duplicated


def test_a_merge_survives_reingestion(story):
    names = {r["name"] for r in story.rows(
        "SELECT DISTINCT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN articles a ON a.id = m.article_id"
        " WHERE m.text = 'Tidewell Freight'")}
    assert names == {"Marrowgate Logistics"}  # the new article's mentions too
    statuses = {r["status"] for r in story.rows("SELECT status FROM profiles WHERE entity_id = ?", [story.tidewell])}
    assert statuses == {"superseded"}
    [draft] = story.rows("SELECT relationships FROM profiles WHERE entity_id = ? AND status = 'draft'", [story.marrowgate])
    assert any(r["organisation"] == "Quayside Robotics" and r["type"] == "supply" for r in json.loads(draft["relationships"]))


def test_a_rejected_claim_stays_out_until_its_evidence_changes(story):
    rows = story.rows("SELECT * FROM profiles WHERE entity_id = ? ORDER BY revision", [story.quayside])
    before = latest(story.before_third, "draft")
    after = latest(rows, "draft")
    before_claims = {e["claim_id"] for e in json.loads(before["evidence"])}
    after_claims = {e["claim_id"] for e in json.loads(after["evidence"])}
    assert story.supply not in before_claims and story.georgia not in before_claims
    # Same sentence after re-ingestion: the rejection still holds.
    assert story.supply not in after_claims
    assert story.rows("SELECT evidence FROM claims WHERE id = ?", [story.supply])
    # The Georgia sentence changed: that claim is open for review again.
    assert story.georgia in after_claims
    [georgia] = story.rows("SELECT evidence FROM claims WHERE id = ?", [story.georgia])
    assert "within two years" in georgia["evidence"]
    # v_claims carries the verdict for consumers: rejected while the sentence holds, re-opened after.
    verdicts = {r["claim_id"]: r["review_verdict"] for r in story.rows(
        "SELECT claim_id, review_verdict FROM v_claims WHERE claim_id IN (?, ?)", [story.supply, story.georgia])}
    assert verdicts == {story.supply: "rejected", story.georgia: None}


def test_every_action_is_in_review_events_with_before_and_after(story):
    events = story.rows("SELECT reviewer, action, entity_id, before, after, note FROM review_events ORDER BY occurred_at")
    assert [e["action"] for e in events] == ["approve", "edit", "reject_claim", "reject_claim", "merge"]
    approve, edit = events[0], events[1]
    assert approve["reviewer"] == "ana" and json.loads(approve["before"])["draft"]["revision"] == 1
    assert json.loads(approve["after"])["status"] == "approved"
    assert json.loads(edit["before"]) == {"type": "unknown"}
    assert json.loads(edit["after"])["overrides"] == {"type": "Industrial manufacturer"}
    assert events[4]["reviewer"] == "ben" and events[4]["entity_id"] == story.marrowgate
    # Nothing is deleted: both claim verdicts are still stored.
    assert len(story.rows("SELECT * FROM claim_reviews")) == 2
