"""Access-limited articles end to end, and the run-level leftovers around them, on a loopback site:
a 402 page and a 451 page (their feed summaries analysed instead), a short paywalled page with a
long feed summary, a normal page not flagged; `dossier runs show|list` counting them and naming
each run's kind; a run in which every feed failed recorded failed; a watch on an organisation
followed through a reviewer's merge."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import nbclient
import nbformat
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.flows.ingest import ingest_feeds
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

PAID_SUMMARY = ("Tessaly Grid Holdings agreed to acquire Brindle Automation for 40 million euros, the companies said on "
                "Tuesday, adding a robotics unit to the Danish operator's energy storage business in Aarhus.")
LEGAL_SUMMARY = ("Corvid Freight Systems signed a partnership with Halden Ports to run automated cranes at two "
                 "terminals in Rotterdam, according to a statement from both companies issued on Monday morning.")
TEASER_SUMMARY = ("Orrin Semiconductor will supply power chips to Velasko Motors under a five-year agreement, the "
                  "carmaker said, and Orrin plans to open a packaging plant in Dresden to serve the contract next year.")
TEASER_PAGE = b"""<html><head><title>Orrin to supply Velasko</title></head><body><article>
<h1>Orrin to supply Velasko</h1><p>Orrin Semiconductor will supply power chips to Velasko Motors.</p>
<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? Sign in.</p></div>
</article></body></html>"""
LATER_PAGE = b"""<html><head><title>Quayside buys Brask</title></head><body><article><h1>Quayside buys Brask</h1>
<p>Quayside Robotics Ltd acquired Brask Conveyors for 25 million pounds on Tuesday, the company said in a statement.</p>
<p>Brask Conveyors makes sorting lines for parcel hubs and employs about 300 people near Leeds, where Quayside Robotics
will keep its factory open. The deal follows the warehouse agreement Quayside signed with Marrowgate Logistics.</p>
<p>Analysts said Quayside Robotics could buy further suppliers next year to secure parts for its robots.</p>
</article></body></html>"""


def item(base: str, path: str, guid: str, title: str, summary: str, day: int = 6) -> str:
    return (f"<item><title>{title}</title><link>{base}{path}</link><guid>{guid}</guid>"
            f"<pubDate>Mon, {day:02d} Oct 2025 08:00:00 GMT</pubDate><description>{summary}</description></item>")


def feed(base: str, *items: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Ledger</title><link>{base}/</link>'
            + "".join(items) + "</channel></rss>").encode()


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def limited(prefect_harness, tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    with LoopbackSite() as site:
        base = site.base
        site.routes["/a/paid.html"] = Route(status=402, body=b"<html><body>Payment required</body></html>")
        site.routes["/a/blocked.html"] = Route(status=451, body=b"<html><body>Unavailable here</body></html>")
        site.routes["/a/teaser.html"] = Route(body=TEASER_PAGE)
        site.routes["/a/normal.html"] = Route(body=(FIXTURES / "quayside.html").read_bytes())
        items = [item(base, "/a/paid.html", "p1", "Tessaly to buy Brindle", PAID_SUMMARY),
                 item(base, "/a/blocked.html", "p2", "Corvid and Halden team up", LEGAL_SUMMARY),
                 item(base, "/a/teaser.html", "p3", "Orrin to supply Velasko", TEASER_SUMMARY)]
        normal = ("/a/normal.html", "p4", "Quayside and Marrowgate sign deal", LEGAL_SUMMARY)
        site.routes["/feed.xml"] = Route(content_type="application/rss+xml",
                                         body=feed(base, *items, item(base, *normal)))
        site.routes["/down.xml"] = Route(status=404)
        path = tmp_path_factory.mktemp("limited") / "dossier.duckdb"
        settings = test_settings(path)
        monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
        monkeypatch.setenv("COLUMNS", "200")
        out = {"path": path, "site": site}
        out["first"] = ingest_feeds([site.url("/feed.xml")], settings)
        out["show"] = cli("runs", "show", out["first"].run_id)
        # The normal page, updated in the feed, is now refused: its stored copy stays, not the summary.
        site.routes["/a/normal.html"].statuses = [403]
        site.routes["/feed.xml"].body = feed(base, *items, item(base, *normal, day=7))
        out["second"] = ingest_feeds([site.url("/feed.xml")], settings)
        out["down"] = ingest_feeds([site.url("/down.xml")], settings)
        out["list"] = cli("runs", "list")
        out["list_json"] = cli("runs", "list", "--json")
        # A watch on Marrowgate, merged into Quayside by a reviewer; a later story about Quayside.
        out["watch"] = cli("watch", "add", "organisation", "Marrowgate Logistics")
        out["merge"] = cli("review", "merge", "Quayside Robotics", "Marrowgate Logistics", "--reviewer", "rev")
        out["approve"] = cli("review", "approve", "Quayside Robotics", "--reviewer", "rev")
        site.routes["/a/later.html"] = Route(body=LATER_PAGE)
        site.routes["/feed.xml"].body = feed(base, item(base, "/a/later.html", "p5", "Quayside buys Brask", "Quayside buys."))
        out["third"] = ingest_feeds([site.url("/feed.xml")], settings)
        out["snapshot"] = settings.effective_snapshot_path
        yield out
    monkeypatch.undo()


def articles(path: Path) -> dict[str, tuple]:
    rows = query(path, "SELECT article_url, limited, limited_reason, status FROM v_articles")
    return {url.rsplit("/", 1)[-1]: (flag, reason, status) for url, flag, reason, status in rows}


def test_refused_pages_are_limited_and_their_feed_summaries_analysed(limited):
    stored = articles(limited["path"])
    assert stored["paid.html"][:1] == (True,) and stored["paid.html"][1].startswith("HTTP 402")
    assert stored["blocked.html"][0] is True and stored["blocked.html"][1].startswith("HTTP 451")
    for name in ("paid.html", "blocked.html"):
        assert "feed summary analysed" in stored[name][1] and stored[name][2] == "ok"
    [(text,)] = query(limited["path"], "SELECT text FROM articles WHERE url LIKE '%/a/paid.html'")
    assert text == PAID_SUMMARY
    # The summary's organisations and claims are evidence like any other, flagged.
    subjects = {s for (s,) in query(limited["path"], "SELECT subject FROM v_claims c JOIN v_articles a USING (article_url)"
                                                     " WHERE a.limited")}
    assert "Tessaly Grid Holdings" in subjects or "Corvid Freight Systems" in subjects, subjects


def test_a_short_paywalled_page_with_a_long_summary_is_limited_and_a_normal_page_is_not(limited):
    stored = articles(limited["path"])
    assert stored["teaser.html"][0] is True
    assert "shorter than the feed summary" in stored["teaser.html"][1]
    assert stored["normal.html"][:2] == (False, None)


def test_limited_evidence_counts_less(limited):
    rows = query(limited["path"], "SELECT c.confidence_detail FROM claims c JOIN articles a ON a.id = c.article_id"
                                  " WHERE a.limited")
    assert rows and all(json.loads(detail)["limited"] == 0.5 for (detail,) in rows)
    plain = query(limited["path"], "SELECT c.confidence_detail FROM claims c JOIN articles a ON a.id = c.article_id"
                                   " WHERE NOT a.limited")
    assert plain and all("limited" not in json.loads(detail) for (detail,) in plain)
    components = query(limited["path"], "SELECT e.name, p.score_components FROM profiles p JOIN entities e"
                                        " ON e.id = p.entity_id WHERE p.status = 'draft'")
    penalised = {name for name, detail in components if "limited_access" in json.loads(detail)}
    assert penalised and "Marrowgate Logistics" not in penalised


def test_the_run_report_counts_limited_articles(limited):
    first = limited["first"]
    assert first.articles_limited == 3 and first.articles_new == 4
    assert first.stage_counts["text"]["limited"] == 3
    assert sum("access-limited" in w for w in first.warnings) == 3
    show = limited["show"]
    assert show.exit_code == 0, show.output
    assert "articles limited" in show.output and "access-limited" in show.output
    assert limited["second"].articles_limited == 0 and limited["second"].articles_new == 0


def test_a_refused_page_keeps_its_stored_copy(limited):
    second = limited["second"]
    assert second.articles_updated == 0 and [f.reason for f in second.failures] == ["HTTP 403"]
    [(text, flag)] = query(limited["path"], "SELECT text, limited FROM articles WHERE url LIKE '%/a/normal.html'")
    assert "Quayside Robotics Ltd signed a partnership" in text and flag is False


def test_a_run_in_which_every_feed_failed_is_recorded_failed(limited):
    down = limited["down"]
    assert down.status == "failed" and down.feeds_failed == 1
    [(status,)] = query(limited["path"], "SELECT status FROM runs WHERE id = ?", [down.run_id])
    assert status == "failed"
    assert limited["first"].status == "completed"


def test_runs_list_names_each_runs_kind(limited):
    listed = limited["list"]
    assert listed.exit_code == 0, listed.output
    header = listed.output.splitlines()[0].split()
    assert header[:3] == ["run", "kind", "started"]
    assert all(json.loads(line)["kind"] == "ingest" for line in limited["list_json"].output.splitlines())


def test_a_watch_on_a_merged_organisation_follows_the_merge(limited):
    assert limited["watch"].exit_code == 0, limited["watch"].output
    assert limited["merge"].exit_code == 0, limited["merge"].output
    [(watch_id,)] = query(limited["path"], "SELECT id FROM watches")
    alerts = query(limited["path"], "SELECT a.kind, a.organisation, a.watch_ids, c.subject FROM v_alerts a"
                                    " JOIN v_claims c USING (claim_id) WHERE a.run_id = ?", [limited["third"].run_id])
    assert alerts, "no alert for the kept organisation's new claims"
    assert all(list(ids) == [watch_id] for _, _, ids, _ in alerts)
    assert {"Quayside Robotics"} & {org for _, org, _, _ in alerts}
    new_claims = query(limited["path"], "SELECT count(*) FROM claims c JOIN entities s ON s.id = c.subject_id"
                                        " LEFT JOIN entities o ON o.id = c.object_id WHERE c.first_seen >= ?"
                                        " AND 'Quayside Robotics' IN (s.name, o.name)", [limited["third"].started_at])
    assert len(alerts) == new_claims[0][0]  # exactly one per new claim on the kept organisation


def test_the_notebook_answers_every_question_on_a_warehouse_with_all_of_it(limited, monkeypatch):
    """The tour on a warehouse holding limited articles, an alert, review actions and a grade beside
    an approved revision: every plot takes its populated branch, none errs."""
    assert limited["approve"].exit_code == 0, limited["approve"].output
    monkeypatch.setenv("DOSSIER_SNAPSHOT", str(limited["snapshot"]))
    notebook = nbformat.read(NOTEBOOKS / "warehouse_tour.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 9
    shown = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs)
    assert "(3 access-limited)" in shown
    assert "HTTP 451" in shown  # the claims resting on limited articles are listed
    assert "approved_grade" in shown  # Quayside moved from its approved revision to a new draft
    assert "new_claim" in shown  # the alert that fired
    assert "merge" in shown and "approve" in shown  # review throughput by action
    assert "Quayside Robotics" in shown


def test_a_scheduled_run_in_which_every_feed_failed_ends_failed(prefect_harness, tmp_path, monkeypatch):
    from dossier.flows.schedule import scheduled_ingest

    path = tmp_path / "dossier.duckdb"
    with LoopbackSite() as site:
        site.routes["/down.xml"] = Route(status=503)
        monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(path))
        monkeypatch.setenv("DOSSIER_HOST_DELAY", "0")
        monkeypatch.setenv("DOSSIER_RETRIES", "0")
        monkeypatch.setenv("DOSSIER_ALLOWED_HOSTS", json.dumps(["127.0.0.1"]))
        monkeypatch.setenv("DOSSIER_SCHEDULES", json.dumps({"wires": {"interval": 60, "feeds": [site.url("/down.xml")]}}))
        state = scheduled_ingest("wires", return_state=True)
    assert state.is_failed(), state
    assert "group 'wires'" in state.message and "1 of 1 feeds failed" in state.message and "HTTP 503" in state.message
    [(status,)] = query(path, "SELECT status FROM runs")
    assert status == "failed"
