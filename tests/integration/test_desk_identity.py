"""Identity decisions in the desk, the readable history and plain-HTTP sign-in, over HTTP: the
organisation search, the merge and split confirmation pages (what moves, Confirm, Cancel), undo,
the paginated and filtered history with its diffs, `dossier serve`'s URL and warning line, and
the sign-in page's word on a dropped Secure cookie. A real DuckDB file with real extraction
output, the app in-process (starlette's TestClient)."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dossier.cli.app import app as cli_app
from dossier.store.warehouse import Warehouse
from dossier.web.address import SECURE_COOKIE_REFUSED
from tests.support.desk import PASSWORD, client, desk_app, entity_id, signed_in, token


@pytest.fixture
def app(desk_path, tmp_path):
    return desk_app(desk_path, tmp_path)


def ids(app) -> tuple[str, str]:
    return entity_id(app, "Quayside Robotics"), entity_id(app, "Marrowgate Logistics")


def state(app) -> dict[str, list]:
    """Every table an identity decision changes."""
    with app.state.warehouse.write() as con:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                for table in ("profiles", "aliases", "mentions", "claims", "ties", "judgements", "review_events")}


def text(response) -> str:
    """The page's text with tags stripped and entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


# --- the organisation search ------------------------------------------------------------------

def add_organisations(app, count: int) -> None:
    """`count` more organisations called "Acme Holding NN", each with a draft (copied rows)."""
    quayside, _ = ids(app)
    with app.state.warehouse.write() as con:
        for n in range(count):
            org, name = f"acme{n:02d}", f"Acme Holding {n:02d}"
            con.execute("INSERT INTO entities SELECT * REPLACE (? AS id, ? AS name) FROM entities WHERE id = ?",
                        [org, name, quayside])
            con.execute("INSERT INTO profiles SELECT * REPLACE (? AS entity_id, ? AS name) FROM profiles"
                        " WHERE entity_id = ?", [org, name, quayside])


def test_the_search_finds_organisations_by_name_and_by_alias(app):
    quayside, marrowgate = ids(app)
    c = signed_in(app, "vera")  # a viewer may search
    found = c.get("/organisations/search", params={"q": "marrow"})
    assert found.status_code == 200 and found.headers["content-type"].startswith("application/json")
    assert found.json() == [{"id": marrowgate, "name": "Marrowgate Logistics", "alias": None}]
    # "Robotics Ltd" is in an alias only: the alias is named.
    assert c.get("/organisations/search", params={"q": "robotics LTD"}).json() == [
        {"id": quayside, "name": "Quayside Robotics", "alias": "Quayside Robotics Ltd"}]
    assert c.get("/organisations/search", params={"q": "a", "exclude": quayside}).json()[0]["id"] == marrowgate
    assert quayside not in [m["id"] for m in c.get("/organisations/search", params={"q": "a", "exclude": quayside}).json()]
    assert c.get("/organisations/search", params={"q": "  "}).json() == []
    assert c.get("/organisations/search", params={"q": "no such thing"}).json() == []


def test_the_search_needs_a_sign_in_and_lists_at_most_twenty(app):
    add_organisations(app, 25)
    anonymous = client(app).get("/organisations/search", params={"q": "acme"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    c = signed_in(app, "vera")
    names = [m["name"] for m in c.get("/organisations/search", params={"q": "acme"}).json()]
    assert names == [f"Acme Holding {n:02d}" for n in range(20)]
    assert len(c.get("/organisations/search", params={"q": "acme", "limit": 500}).json()) == 20
    assert len(c.get("/organisations/search", params={"q": "acme", "limit": 3}).json()) == 3
    # Exact names first, then those starting with the text, then the rest.
    assert [m["name"] for m in c.get("/organisations/search", params={"q": "acme holding 07"}).json()] == ["Acme Holding 07"]


def test_the_profile_page_presets_no_merge_target_and_lists_no_organisations(app):
    quayside, _ = ids(app)
    add_organisations(app, 5)
    page = signed_in(app, "rita").get(f"/profiles/{quayside}").text
    picker = page[page.index('action="/profiles/' + quayside + '/merge"'):]
    picker = picker[:picker.index("</form>")]
    assert 'method="get"' in page[page.index('action="/profiles/' + quayside + '/merge"') - 40:][:60]
    assert "<select" not in picker and "<option" not in picker and "Acme Holding" not in page
    assert 'name="other_id" value=""' in picker and '<script src="/static/picker.js" defer></script>' in page


# --- merge: confirmation, confirm, cancel, undo ----------------------------------------------

def test_the_merge_confirmation_shows_what_moves_and_changes_nothing(app):
    quayside, marrowgate = ids(app)
    c = signed_in(app, "rita")
    before = state(app)
    page = c.get(f"/profiles/{quayside}/merge", params={"other": "Marrowgate", "note": "same firm?"})
    assert page.status_code == 200
    words = text(page)
    assert "Merge Marrowgate Logistics into Quayside Robotics?" in words
    assert "Aliases 2: Marrowgate, Marrowgate Logistics" in words
    assert "Articles 1 (4 mention(s))" in words and "Claims 4" in words and "Place ties 1" in words
    assert "Revisions superseded Marrowgate Logistics revision 1 (draft)" in words
    assert "no binding purchase commitment" in words and "purchase_commitment" in words
    assert f'<input type="hidden" name="other" value="{marrowgate}">' in page.text
    assert 'value="same firm?"' in page.text and "Confirm merge" in words
    assert f'<a href="/profiles/{quayside}" class="button">Cancel</a>' in page.text
    assert state(app) == before  # looking is not merging; Cancel is a link back to the profile
    by_id = c.get(f"/profiles/{quayside}/merge", params={"other_id": marrowgate})
    assert by_id.status_code == 200 and "Merge Marrowgate Logistics into Quayside Robotics?" in text(by_id)


def test_a_merge_target_that_is_unknown_ambiguous_or_itself_is_refused_with_choices(app):
    quayside, _ = ids(app)
    add_organisations(app, 3)
    c = signed_in(app, "rita")
    ambiguous = c.get(f"/profiles/{quayside}/merge", params={"other": "Acme"})
    assert ambiguous.status_code == 400 and "no organisation with a profile has the name, alias or id 'Acme'" in text(ambiguous)
    assert "Confirm merge" not in ambiguous.text
    assert [f"/profiles/{quayside}/merge?other_id=acme0{n}&amp;note=" for n in range(3)] == re.findall(
        r'href="(/profiles/[^"]+/merge\?other_id=[^"]+)"', ambiguous.text)
    itself = c.get(f"/profiles/{quayside}/merge", params={"other_id": quayside})
    assert itself.status_code == 400 and "cannot be merged into itself" in text(itself)
    assert c.get("/profiles/nope/merge", params={"other": "Acme"}).status_code == 404
    assert signed_in(app, "vera").get(f"/profiles/{quayside}/merge", params={"other": "Marrowgate"}).status_code == 403


def test_confirming_merges_exactly_what_the_confirmation_listed_and_undo_unmerges(app):
    quayside, marrowgate = ids(app)
    c = signed_in(app, "rita")
    with app.state.warehouse.read() as con:
        preview = con.judgements.merge_preview(quayside, marrowgate)
    page = c.get(f"/profiles/{quayside}/merge", params={"other_id": marrowgate})
    done = c.post(f"/profiles/{quayside}/merge", data={"other": marrowgate, "note": "one firm", "csrf_token": token(page.text)})
    assert done.status_code == 303 and done.headers["location"] == f"/profiles/{quayside}"
    with app.state.warehouse.read() as con:
        moved = dict(con.execute("SELECT table_name || '.' || column_name, count(*) FROM judgement_moves"
                                 " GROUP BY ALL").fetchall())
        claims = con.execute("SELECT count(DISTINCT row_key) FROM judgement_moves WHERE table_name = 'claims'").fetchone()[0]
    assert moved["aliases.entity_id"] == len(preview.aliases) and moved["mentions.entity_id"] == preview.mentions
    assert claims == len(preview.claims) and moved["ties.organisation_id"] == preview.ties
    assert moved["profiles.status"] == len(preview.retired)

    profile = c.get(f"/profiles/{quayside}")
    words = text(profile)
    assert "Merged Marrowgate Logistics into this organisation." in words
    assert "Merged into this: Marrowgate Logistics — Undo" in words
    assert 'aria-label="Undo the merge of Marrowgate Logistics"' in profile.text
    assert "Undo" not in text(signed_in(app, "vera").get(f"/profiles/{quayside}"))  # viewers see, cannot undo

    undone = c.post(f"/profiles/{quayside}/unmerge", data={"other": marrowgate, "csrf_token": token(profile.text)})
    assert undone.status_code == 303
    words = text(c.get(f"/profiles/{quayside}"))
    assert "Undid the merge of Marrowgate Logistics: it is an organisation of its own again." in words
    assert "Merged into this" not in words
    with app.state.warehouse.read() as con:
        assert con.execute("SELECT count(*) FROM mentions WHERE entity_id = ?", [marrowgate]).fetchone()[0] == preview.mentions
        assert con.execute("SELECT status FROM profiles WHERE entity_id = ? ORDER BY revision DESC LIMIT 1",
                           [marrowgate]).fetchone()[0] == "draft"
        assert [e.action for e in con.reviews.events(quayside)][:2] == ["unmerge", "merge"]
    again = c.post(f"/profiles/{quayside}/unmerge", data={"other": marrowgate, "csrf_token": token(profile.text)})
    assert "Not done:" in text(c.get(again.headers["location"]))


def test_split_goes_through_a_confirmation_and_can_be_undone(app):
    quayside, _ = ids(app)
    c = signed_in(app, "rita")
    before = state(app)
    page = c.get(f"/profiles/{quayside}/split", params={"alias": "Quayside"})
    words = text(page)
    assert page.status_code == 200 and "Split “Quayside” off Quayside Robotics?" in words
    assert "Aliases 1: Quayside" in words and "Articles 1" in words
    mentions = int(re.search(r"Mentions (\d+)", words).group(1))
    assert mentions >= 1 and "Confirm split" in words and state(app) == before
    refused = c.get(f"/profiles/{quayside}/split", params={"alias": "Quayside Robotics"})
    assert refused.status_code == 400 and "is the name of" in text(refused)

    done = c.post(f"/profiles/{quayside}/split", data={"alias": "Quayside", "csrf_token": token(page.text)})
    assert done.status_code == 303
    with app.state.warehouse.read() as con:
        assert con.execute("SELECT count(*) FROM judgement_moves WHERE table_name = 'mentions'").fetchone()[0] == mentions
    profile = c.get(f"/profiles/{quayside}")
    assert "Split off: Quayside — Undo" in text(profile)
    undone = c.post(f"/profiles/{quayside}/unsplit", data={"alias": "Quayside", "csrf_token": token(profile.text)})
    assert undone.status_code == 303
    words = text(c.get(f"/profiles/{quayside}"))
    assert "Undid the split of 'Quayside': it names this organisation again." in words and "Split off:" not in words
    history = text(c.get("/history"))
    assert "unsplit" in history and " split " in history


# --- the history ---------------------------------------------------------------------------

def add_events(app, count: int, reviewer: str, entity: str | None) -> None:
    with app.state.warehouse.write() as con:
        for n in range(count):
            con.reviews.append_event(reviewer, "edit", entity, None, {"region": f"R{n}"},
                                     {"overrides": {"region": f"S{n}"}, "draft_revision": 2}, f"note {n}")


def test_the_history_is_paged_fifty_at_a_time_with_filters_kept_in_the_links(app):
    quayside, marrowgate = ids(app)
    with app.state.warehouse.read() as con:
        earlier = con.reviews.count_events()  # the accounts' creation
    add_events(app, 60, "rowan", quayside)
    add_events(app, 5, "ada", marrowgate)
    c = signed_in(app, "vera")
    first = c.get("/history")
    assert first.status_code == 200 and first.text.count("<tr>") == 1 + 50  # the header row and 50
    assert f"Page 1 of 2 · {65 + earlier} action(s)" in text(first) and 'href="/history?page=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    second = c.get("/history?page=2")
    assert second.text.count("<tr>") == 1 + 15 + earlier and 'href="/history" rel="prev"' in second.text
    assert 'rel="next"' not in second.text

    mine = c.get("/history", params={"reviewer": "rowan"})
    assert "Page 1 of 2 · 60 action(s)" in text(mine)
    assert 'href="/history?reviewer=rowan&amp;page=2" rel="next"' in mine.text
    assert "<option selected>rowan</option>" in mine.text
    assert "<td>ada</td>" not in mine.text and "<td>rowan</td>" in mine.text
    assert "Page 1 of 1 · 5 action(s)" in text(c.get("/history", params={"organisation": "marrow"}))
    assert "Page 1 of 1 · 5 action(s)" in text(c.get("/history", params={"entity": marrowgate}))
    assert "No review actions match these filters." in text(c.get("/history", params={"reviewer": "rowan", "entity": marrowgate}))
    assert 'href="/history?reviewer=ada&amp;organisation=marrow&amp;page=2"' not in c.get(
        "/history", params={"reviewer": "ada", "organisation": "marrow"}).text  # one page only


def test_the_history_renders_before_and_after_as_field_lines(app):
    quayside, _ = ids(app)
    c = signed_in(app, "rita")
    csrf = token(c.get(f"/profiles/{quayside}").text)
    c.post(f"/profiles/{quayside}/edit", data={"field": "type", "value": "Industrial manufacturer", "csrf_token": csrf})
    revision = re.search(r'name="revision" value="(\d+)"', c.get(f"/profiles/{quayside}").text).group(1)
    c.post(f"/profiles/{quayside}/approve", data={"revision": revision, "csrf_token": csrf, "note": "fine"})
    page = c.get("/history")
    words = text(page)
    assert "type : " in words and "→ Industrial manufacturer" in words
    assert "status : draft → approved" in words  # the approval against the draft it approved
    assert '{"' not in page.text and "&#34;" not in page.text and "&quot;" not in page.text  # no raw JSON
    # The CLI's history still reads the same log.
    with app.state.warehouse.read() as con:
        assert [e.action for e in con.reviews.events(quayside, 10)] == ["approve", "edit"]


# --- plain-HTTP sign-in ----------------------------------------------------------------------

def test_a_sign_in_over_plain_http_says_the_secure_cookie_was_refused(desk_path, tmp_path):
    app = desk_app(desk_path, tmp_path)  # session_secure on, the default
    # Over plain HTTP to a host that is not loopback, httpx (like a browser) keeps the Secure
    # session cookie to itself: the form comes back without it.
    plain = TestClient(app, base_url="http://desk.example", follow_redirects=False)
    form = plain.get("/login")
    assert "secure" in form.headers["set-cookie"].lower()
    refused = plain.post("/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token(form.text)})
    assert refused.status_code == 403 and html.escape(SECURE_COOKIE_REFUSED, quote=True) in refused.text
    assert "out of date" not in refused.text and 'action="/login"' in refused.text  # the sign-in form again
    # Over HTTPS the same sign-in works; a forged token there is still "out of date".
    assert client(app).post("/login", data={"csrf_token": "forged"}).status_code == 403
    assert "out of date" in client(app).post("/login", data={"csrf_token": "forged"}).text
    assert signed_in(app, "rita").get("/queue").status_code == 200
    # With the cookie not Secure, plain HTTP works.
    (tmp_path / "insecure").mkdir()
    plain = TestClient(desk_app(desk_path, tmp_path / "insecure", session_secure=False), base_url="http://desk.example",
                       follow_redirects=False)
    form = plain.get("/login")
    assert plain.post("/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token(form.text)}).status_code == 303


def test_dossier_serve_prints_its_url_and_warns_of_plain_http_beyond_loopback(desk_path, tmp_path, monkeypatch):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(copy))
    monkeypatch.delenv("DOSSIER_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("DOSSIER_SESSION_SECURE", raising=False)
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(kw))  # serve nothing, record where
    runner = CliRunner()

    result = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Review desk at http://0.0.0.0:8123/ (Ctrl+C stops it)"]
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "plain HTTP on 0.0.0.0" in warning and "DOSSIER_SESSION_SECURE=false" in warning
    assert served == [{"host": "0.0.0.0", "port": 8123, "log_level": "warning", "proxy_headers": False}]

    for host in ("127.0.0.1", "localhost", "::1"):
        result = runner.invoke(cli_app, ["serve", "--host", host, "--port", "8123"])
        assert result.exit_code == 0 and "warning:" not in result.stderr, host
    assert "[::1]:8123" in result.stdout
    monkeypatch.setenv("DOSSIER_SESSION_SECURE", "false")
    result = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0 and "warning:" not in result.stderr


def test_the_url_dossier_serve_prints_is_where_it_answers(desk_path, tmp_path):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOSSIER_")}
    env.update(DOSSIER_WAREHOUSE_PATH=str(copy), DOSSIER_SESSION_SECRET="test-secret")
    argv = [sys.executable, "-c", "from dossier.cli.app import main; main()", "serve", "--port", str(port)]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().strip()
        assert line == f"Review desk at http://127.0.0.1:{port}/ (Ctrl+C stops it)", child.stderr.read() if not line else line
        url = line.split()[3]
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(url, follow_redirects=False)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and child.poll() is None, "dossier serve did not answer"
                time.sleep(0.2)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    finally:
        child.terminate()
        child.wait(timeout=30)


def test_the_cli_history_still_lists_the_log_and_filters_by_reviewer(desk_path, tmp_path, monkeypatch):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(copy))
    with Warehouse(copy).write() as con:
        con.reviews.append_event("rowan", "edit", None, None, {"type": None}, {"overrides": {"type": "x"}}, "n")
    runner = CliRunner()
    everyone = runner.invoke(cli_app, ["review", "history", "--json"])
    mine = runner.invoke(cli_app, ["review", "history", "--json", "--by", "rowan"])
    assert everyone.exit_code == 0 and mine.exit_code == 0
    assert len(everyone.stdout.splitlines()) > len(mine.stdout.splitlines()) == 1
    assert '"reviewer": "rowan"' in mine.stdout and '"action": "edit"' in mine.stdout
