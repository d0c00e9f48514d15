"""The review queue at scale, through the desk's app and the CLI: paging, sorting, search by name
or alias, filters kept in the URL, approve/reject-and-next, bulk decisions with one note, the
monitoring rule, and the SQL priority checked against the documented Python formula.

The warehouse holds synthetic drafts written through the store (bench/desk.py, the benchmark's
own builder), so that paging has pages; the monitoring rule is also checked on real
extraction output (the desk fixture's quayside article)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from typer.testing import CliRunner

from bench.desk import PASSWORD as BENCH_PASSWORD
from bench.desk import build_drafts
from dossier.cli.app import app as cli_app
from dossier.records.queue import MonitoringRule, QueueQuery
from dossier.records.review import QueueRow
from dossier.review import desk
from dossier.review.accounts import add_account
from dossier.review.queue import order_queue
from dossier.store.warehouse import Warehouse
from dossier.web.app import create_app
from dossier.web.queue_query import read_from
from tests.support.desk import PASSWORD, client, token
from tests.support.settings import test_settings

DRAFTS = 130
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def drafts_path(tmp_path_factory) -> Path:
    """A warehouse of DRAFTS synthetic drafts, a reviewer (rita) and a viewer (vera)."""
    path = tmp_path_factory.mktemp("queue") / "dossier.duckdb"
    build_drafts(path, DRAFTS, now=NOW)
    with Warehouse(path).write() as con:
        add_account(con, "vera", PASSWORD, "viewer")
    return path


@pytest.fixture
def app(drafts_path, tmp_path):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(drafts_path.read_bytes())
    return create_app(test_settings(copy), clock=lambda: NOW)


def signed_in(app, username: str = "rita"):
    c = client(app)
    password = BENCH_PASSWORD if username == "rita" else PASSWORD
    response = c.post("/login", data={"username": username, "password": password, "next": "/queue",
                                      "csrf_token": token(c.get("/login").text)})
    assert response.status_code == 303, response.text
    return c


def listed(html: str) -> list[str]:
    """The organisations a queue page lists, in its order."""
    return re.findall(r'<a href="/profiles/[^"]+" class="open">([^<]+)</a>', html)


def picks(html: str) -> dict[str, str]:
    """Name → the value of its bulk checkbox."""
    found = re.findall(r'<tr class="row[^"]*" data-href="[^"]+">\s*<td><input type="checkbox" name="pick" form="bulk" '
                       r'value="([^"]+)"[^>]*></td>.*?class="open">([^<]+)</a>', html, flags=re.S)
    return {name: value for value, name in found}


def rows(app, sql: str, params=()) -> list[tuple]:
    with app.state.warehouse.write() as con:
        return con.execute(sql, list(params)).fetchall()


def ranked(path_or_app, query: QueueQuery, now: datetime = NOW):
    warehouse = path_or_app.state.warehouse if hasattr(path_or_app, "state") else Warehouse(path_or_app)
    with warehouse.read() as con:
        return desk.queue_page(con, query, MonitoringRule(), now=now)


# --- the order: SQL against the documented formula ---------------------------------------------

def test_the_sql_priority_agrees_with_the_python_formula(drafts_path):
    page = ranked(drafts_path, QueueQuery(status="any", monitoring="all", per_page=0))
    assert len(page.rows) == DRAFTS
    python = order_queue([QueueRow.model_validate(r.model_dump()) for r in page.rows], NOW)
    assert [r.entity_id for r in page.rows] == [r.entity_id for r in python]
    for sql_row, py_row in zip(page.rows, python, strict=True):
        assert sql_row.priority == pytest.approx(py_row.priority, abs=1e-6)
        assert (sql_row.impact_weight, sql_row.uncertainty, sql_row.recency) == pytest.approx(
            (py_row.impact_weight, py_row.uncertainty, py_row.recency), abs=1e-4)
    assert {r.impact for r in page.rows} == {"high", "medium", "low", None}  # every weight exercised
    assert any(r.last_seen is None for r in page.rows)  # dated by the revision instead


# --- paging, sorting, search, filters in the URL -----------------------------------------------

def test_the_queue_is_paged_on_the_server_and_the_pager_keeps_the_view(app):
    c = signed_in(app)
    counts = ranked(app, QueueQuery()).counts
    first = c.get("/queue")
    assert first.status_code == 200
    assert len(listed(first.text)) == 50
    pages = -(-counts.queue // 50)
    assert f"Page 1 of {pages} · {counts.queue} profiles" in first.text
    second = c.get("/queue?page=2")
    assert len(listed(second.text)) == 50 and not set(listed(first.text)) & set(listed(second.text))
    last = c.get(f"/queue?page={pages}")
    assert len(listed(last.text)) == counts.queue - 50 * (pages - 1)
    every = [name for page in range(1, pages + 1) for name in listed(c.get(f"/queue?page={page}").text)]
    assert len(every) == len(set(every)) == counts.queue  # each draft once across the pages
    assert listed(c.get("/queue?size=25").text) == listed(first.text)[:25]

    view = c.get("/queue?monitoring=all&sort=name&dir=desc&q=holdings&size=25").text
    following = re.search(r'<a href="([^"]+)" rel="next"', view).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(following).query) == {"q": ["holdings"], "monitoring": ["all"], "sort": ["name"],
                                                    "dir": ["desc"], "page": ["2"], "size": ["25"]}
    assert 'name="q" id="search" value="holdings"' in view
    europe = c.get("/queue?region=Europe&grade=B/C&status=draft").text
    assert "<option selected>Europe</option>" in europe and "<option selected>B/C</option>" in europe
    by_confidence = re.search(r'<a href="([^"]+)" class="sort-confidence"', europe).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(by_confidence).query) == {"grade": ["B/C"], "region": ["Europe"], "sort": ["confidence"]}
    profile_link = re.search(r'<a href="(/profiles/[^"]+)" class="open"', europe).group(1).replace("&amp;", "&")
    assert profile_path(profile_link)[1] == "/queue?grade=B%2FC&region=Europe"
    for bad in ("sort=colour", "dir=up", "page=0", "size=7", "monitoring=hidden", "status=pending"):
        assert c.get(f"/queue?{bad}").status_code == 400, bad


def test_the_queue_sorts_by_each_key_both_ways(app):
    c = signed_in(app)
    everyone = ranked(app, QueueQuery(per_page=0)).rows
    by_name = listed(c.get("/queue?sort=name&size=200").text)
    assert by_name == sorted((r.name for r in everyone), key=str.lower)
    assert listed(c.get("/queue?sort=name&dir=desc&size=200").text) == by_name[::-1]
    confidences = [r.confidence for r in ranked(app, QueueQuery(sort="confidence", per_page=0)).rows]
    assert confidences == sorted(confidences, reverse=True)
    grades = [r.grade for r in ranked(app, QueueQuery(sort="grade", per_page=0)).rows]
    order = ["A", "A/B", "B/C", "C/D", "D"]
    assert grades == sorted(grades, key=order.index)
    assert [r.grade for r in ranked(app, QueueQuery(sort="grade", descending=True, per_page=0)).rows] == grades[::-1]
    seen = [r.last_seen or r.updated_at for r in ranked(app, QueueQuery(sort="last_seen", per_page=0)).rows]
    assert seen == sorted(seen, reverse=True)
    priorities = [r.priority for r in everyone]
    assert priorities == sorted(priorities, reverse=True)
    header = c.get("/queue?sort=name").text
    assert 'aria-sort="ascending"' in header and 'href="/queue?sort=name&amp;dir=desc" class="sort-name"' in header


def test_search_finds_a_name_or_an_alias_without_regard_to_case(app):
    c = signed_in(app)
    assert listed(c.get("/queue?q=ORG00007&monitoring=all").text) == ["Organisation 00007 Holdings"]  # an alias
    assert listed(c.get("/queue?q=oh+13&monitoring=all").text) == ["Organisation 00013 Holdings"]  # the other alias
    assert set(listed(c.get("/queue?q=organisation+0001&monitoring=all").text)) == {
        f"Organisation {i:05d} Holdings" for i in range(10, 20)}
    assert "Nothing in the queue" in c.get("/queue?q=%25").text  # LIKE wildcards are plain text
    assert "Nothing in the queue" in c.get("/queue?q=no+such+company").text


# --- approve and next, reject and next ------------------------------------------------------------

def profile_path(location: str) -> tuple[str, str | None]:
    """The entity id and the `from` of a profile URL."""
    parts = urlsplit(location)
    return parts.path.rsplit("/", 1)[1], parse_qs(parts.query).get("from", [None])[0]


def test_approve_and_next_lands_on_the_next_draft_of_the_queue_view(app):
    c = signed_in(app)
    came_from = "/queue?region=Asia&sort=name"
    order = ranked(app, read_from(came_from, desk.STATUSES)).rows
    first, second, third = order[0], order[1], order[2]
    page = c.get(f"/profiles/{first.entity_id}?from={quote(came_from, safe='')}")
    assert f"1 of {len(order)}" in page.text and "Approve and next" in page.text
    assert f'href="/profiles/{second.entity_id}?from={quote(came_from, safe="")}" rel="next"' in page.text
    form = {"csrf_token": token(page.text), "revision": first.revision, "content_hash": first.content_hash,
            "then": "next", "from": came_from}
    done = c.post(f"/profiles/{first.entity_id}/approve", data=form)
    assert done.status_code == 303
    assert profile_path(done.headers["location"]) == (second.entity_id, came_from)
    landed = c.get(done.headers["location"])
    assert f"Approved revision {first.revision} ({first.name})" in landed.text
    assert f"1 of {len(order) - 1}" in landed.text  # the approved one left the view
    assert rows(app, "SELECT status FROM profiles WHERE entity_id = ?", [first.entity_id]) == [("approved",)]

    rejected = c.post(f"/profiles/{second.entity_id}/reject", data={
        "csrf_token": form["csrf_token"], "revision": second.revision, "note": "not an organisation",
        "then": "next", "from": came_from})
    assert profile_path(rejected.headers["location"]) == (third.entity_id, came_from)
    stale = c.post(f"/profiles/{third.entity_id}/approve", data={**form, "revision": third.revision + 5})
    assert profile_path(stale.headers["location"]) == (third.entity_id, came_from)  # refused: stays, view kept
    assert "Not done" in c.get(stale.headers["location"]).text

    last = ranked(app, QueueQuery(region="Asia", sort="name", per_page=0)).rows[-1]
    end = c.post(f"/profiles/{last.entity_id}/approve", data={
        **form, "revision": last.revision, "content_hash": last.content_hash})
    assert end.headers["location"] == "/queue?region=Asia&sort=name"  # the last one: back to the view


@pytest.mark.parametrize("hostile", ["https://evil.example/queue", "//evil.example/queue", "/users",
                                     "/queue/../users", "/queue?sort=colour", "javascript:alert(1)",
                                     "/queue\\@evil.example"])
def test_a_from_that_is_not_the_desks_queue_is_ignored(app, hostile):
    c = signed_in(app)
    top = ranked(app, QueueQuery()).rows
    form = {"csrf_token": token(c.get("/queue").text), "revision": top[0].revision,
            "content_hash": top[0].content_hash, "then": "next", "from": hostile}
    done = c.post(f"/profiles/{top[0].entity_id}/approve", data=form)
    location = done.headers["location"]
    assert location.startswith("/profiles/") and "evil" not in unquote(location)
    assert profile_path(location) == (top[1].entity_id, "/queue")  # the default queue instead


# --- bulk decisions ---------------------------------------------------------------------------------

def test_bulk_reject_with_one_note_decides_each_and_reports_the_refused_one(app):
    c = signed_in(app)
    page = c.get("/queue?sort=name").text
    ticked = dict(list(picks(page).items())[:4])
    assert len(ticked) == 4
    names = list(ticked)
    stale_name = names[1]
    entity, revision, _ = ticked[stale_name].split(":")
    ticked[stale_name] = f"{entity}:{revision}:0000stale"  # as if a run changed it since the page was loaded
    refused = c.post("/queue/bulk", data={"csrf_token": token(page), "action": "reject", "note": " ",
                                          "pick": list(ticked.values()), "from": "/queue?sort=name"})
    assert refused.headers["location"] == "/queue?sort=name"
    assert "a bulk rejection needs a note" in c.get(refused.headers["location"]).text
    assert rows(app, "SELECT count(*) FROM review_events WHERE action IN ('approve', 'reject')") == [(0,)]

    # reject checks the revision, not the hash: make the stale one a revision the queue never showed
    ticked[stale_name] = f"{entity}:{int(revision) + 1}:"
    done = c.post("/queue/bulk", data={"csrf_token": token(page), "action": "reject", "note": "press releases",
                                       "pick": list(ticked.values()), "from": "/queue?sort=name"})
    flash = c.get(done.headers["location"]).text
    assert "Rejected 3 of 4." in flash and f"Refused: {stale_name}: revision {int(revision) + 1} is no longer" in flash
    events = rows(app, "SELECT action, note, reviewer FROM review_events WHERE action LIKE 're%' ORDER BY occurred_at")
    assert events == [("reject", "press releases", "rita")] * 3  # one event each
    statuses = dict(rows(app, "SELECT name, status FROM profiles WHERE name IN (SELECT unnest(?))", [names]))
    assert statuses == {**{n: "rejected" for n in names}, stale_name: "draft"}
    assert not set(names) - {stale_name} & set(listed(c.get("/queue?sort=name").text))


def test_bulk_approve_checks_the_content_each_reviewer_saw(app):
    c = signed_in(app)
    page = c.get("/queue").text
    ticked = list(picks(page).items())[:3]
    stale = ticked[2][1].rsplit(":", 1)[0] + ":0000stale"
    done = c.post("/queue/bulk", data={"csrf_token": token(page), "action": "approve", "note": "",
                                       "pick": [ticked[0][1], ticked[1][1], stale]})
    flash = c.get(done.headers["location"]).text
    assert "Approved 2 of 3." in flash and "the draft changed since you opened it" in flash
    assert rows(app, "SELECT count(*) FROM review_events WHERE action = 'approve'") == [(2,)]


def test_bulk_needs_a_reviewer_and_the_csrf_token(app):
    viewer = signed_in(app, "vera")
    page = viewer.get("/queue").text
    assert 'id="bulk"' not in page and 'name="pick"' not in page  # a viewer gets no checkboxes
    one = ranked(app, QueueQuery()).rows[0]
    value = f"{one.entity_id}:{one.revision}:{one.content_hash}"
    assert viewer.post("/queue/bulk", data={"csrf_token": token(page), "action": "approve", "pick": [value]}
                       ).status_code == 403
    reviewer = signed_in(app)
    assert reviewer.post("/queue/bulk", data={"csrf_token": "forged", "action": "approve", "pick": [value]}
                         ).status_code == 403
    assert rows(app, "SELECT count(*) FROM review_events WHERE action IN ('approve', 'reject')") == [(0,)]


# --- monitoring ------------------------------------------------------------------------------------

def test_monitoring_parks_claimless_low_confidence_drafts_and_shows_them_under_their_tab(app):
    c = signed_in(app)
    everyone = ranked(app, QueueQuery(monitoring="all", per_page=0)).rows
    parked = {r.name for r in everyone if r.monitoring}
    claimless = {name for name, n in rows(app, "SELECT name, json_array_length(evidence) FROM profiles") if n == 0}
    low = {r.name for r in everyone if r.confidence < 0.75}
    assert parked == claimless & low and parked and claimless - low  # the rule, and a claimless draft it keeps
    assert not parked & {r.name for r in everyone if r.name not in claimless}  # a draft with a claim is never parked
    queue = c.get("/queue?size=200").text
    assert not parked & set(listed(queue)) and f"Monitoring ({len(parked)})" in queue
    assert f"{len(parked)} under monitoring not shown" in queue
    tab = c.get("/queue?monitoring=only&size=200").text
    assert set(listed(tab)) == parked and "no claim about the organisation" in tab
    assert len(listed(c.get("/queue?monitoring=all&size=200").text)) == len(everyone)

    one = next(r for r in everyone if r.monitoring)  # still opened and approved like any draft
    came_from = "/queue?monitoring=only"
    shown = c.get(f"/profiles/{one.entity_id}?from={quote(came_from, safe='')}")
    assert shown.status_code == 200 and "Approve and next" in shown.text
    done = c.post(f"/profiles/{one.entity_id}/approve", data={
        "csrf_token": token(shown.text), "revision": one.revision, "content_hash": one.content_hash,
        "then": "next", "from": came_from})
    assert profile_path(done.headers["location"])[1] == came_from
    assert rows(app, "SELECT status FROM profiles WHERE entity_id = ?", [one.entity_id]) == [("approved",)]


def test_the_monitoring_threshold_is_a_setting(drafts_path, tmp_path):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(drafts_path.read_bytes())
    strict = create_app(test_settings(copy, monitoring_below=0.0), clock=lambda: NOW)
    assert "Monitoring (0)" in signed_in(strict).get("/queue").text


def test_drafts_with_claims_from_real_extraction_are_never_parked(desk_path):
    with Warehouse(desk_path).read() as con:
        page = desk.queue_page(con, QueueQuery(monitoring="all", per_page=0), MonitoringRule(below=1.0))
        claims = {row[0] for row in con.execute(
            "SELECT DISTINCT e.name FROM claims c JOIN entities e ON e.id IN (c.subject_id, c.object_id)").fetchall()}
    assert page.rows and claims
    for row in page.rows:
        assert row.monitoring == (row.name not in claims), row.name


# --- the command line --------------------------------------------------------------------------------

def test_review_list_searches_sorts_pages_and_lists_monitoring(drafts_path, tmp_path, monkeypatch):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(drafts_path.read_bytes())
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(copy))

    def names(*options: str) -> list[str]:
        result = CliRunner().invoke(cli_app, ["review", "list", "--json", *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["name"] for line in result.stdout.splitlines()]

    by_name = ranked(copy, QueueQuery(sort="name", per_page=0)).rows
    assert names("--sort", "name", "--limit", "10", "--page", "2") == [r.name for r in by_name[10:20]]
    assert names("--sort", "name", "--order", "desc", "--limit", "3") == [r.name for r in by_name[::-1][:3]]
    assert names("--search", "org00007", "--monitoring", "all") == ["Organisation 00007 Holdings"]
    parked = [r.name for r in ranked(copy, QueueQuery(monitoring="only", sort="name", per_page=0)).rows]
    assert names("--monitoring", "only", "--sort", "name", "--limit", "0") == parked
    first = json.loads(CliRunner().invoke(cli_app, ["review", "list", "--json", "--limit", "1"]).stdout)
    assert {"priority", "content_hash", "monitoring"} <= set(first) and "diff" not in first
    shown = CliRunner().invoke(cli_app, ["review", "list", "--limit", "5"])
    assert "under monitoring (--monitoring only lists them)" in shown.output
    wrong = CliRunner().invoke(cli_app, ["review", "list", "--sort", "colour"])
    assert wrong.exit_code == 2 and "--sort 'colour' is not one of" in wrong.output


# --- the benchmark row (no timing asserted: the figures live in docs/BENCHMARKS.md) ------------------

def test_the_desk_benchmark_measures_and_reports_its_pages(tmp_path):
    from bench import desk as desk_bench

    row = desk_bench.run_desk({"path": str(tmp_path / "desk.duckdb"), "drafts": 60, "repeats": 1})
    assert row["drafts"] == 60 and row["queue_rows"] + row["monitoring"] == 60 and row["monitoring"] > 0
    assert all(row[f"{page}_ms"] > 0 for page in ("queue", "queue_page_10_by_name", "queue_search", "profile"))
    text = "\n".join(desk_bench.report_lines({"desk": row}))
    assert "## Review desk" in text and "`/queue?q=org01`" in text and "opening the warehouse file" in text
    assert [met for *_, met in desk_bench.checks({"desk": row})] != [] and desk_bench.report_lines({}) == []
