"""The review desk over HTTP: sign-in, roles on every route, CSRF on every POST, escaping.
A real DuckDB file with real extraction output, the app in-process (starlette's TestClient)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from dossier.pipeline.stages import analyse_articles, refresh_profiles, write_batch
from dossier.review.accounts import add_account
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from dossier.web.app import create_app
from dossier.web.security import check_csrf
from tests.conftest import test_settings
from tests.unit.test_stages import fetched

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PASSWORD = "correct horse battery"
PUBLIC = {("GET", "/login"), ("POST", "/login")}


@pytest.fixture(scope="module")
def desk_path(tmp_path_factory) -> Path:
    """A warehouse with the quayside article's profiles and three users."""
    path = tmp_path_factory.mktemp("web") / "dossier.duckdb"
    warehouse = Warehouse(path)
    outcome = analyse_articles([fetched((FIXTURES / "quayside.txt").read_text(), 1)], load_settings())
    refresh_profiles(warehouse, write_batch(warehouse, list(outcome.analysed), []).affected_entities)
    with warehouse.write() as con:
        for name, role in (("vera", "viewer"), ("rita", "reviewer"), ("adam", "admin")):
            add_account(con, name, PASSWORD, role)
    return path


@pytest.fixture
def app(desk_path, tmp_path):
    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    return create_app(test_settings(copy))


def client(app) -> TestClient:
    # https: the session cookie is Secure and would not be sent over plain http.
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, username: str) -> TestClient:
    c = client(app)
    form = c.get("/login")
    response = c.post("/login", data={"username": username, "password": PASSWORD, "next": "/queue", "csrf_token": token(form.text)})
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    return c


def entity_id(app, name: str) -> str:
    with app.state.warehouse.write() as con:
        return con.execute("SELECT id FROM entities WHERE name = ?", [name]).fetchone()[0]


def test_every_route_but_login_requires_a_role(app):
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods:
            roles = [d.call.required_role for d in route.dependant.dependencies if hasattr(d.call, "required_role")]
            assert roles or (method, route.path) in PUBLIC, f"{method} {route.path} checks no role"
            calls = [d.call for d in route.dependant.dependencies]
            assert method != "POST" or check_csrf in calls, f"{method} {route.path} checks no CSRF token"


def test_unauthenticated_requests_are_redirected_to_login(app):
    c = client(app)
    quayside = entity_id(app, "Quayside Robotics")
    for path in ("/", "/queue?status=any", f"/profiles/{quayside}", "/history", "/users", "/claims/x"):
        response = c.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/"), path
    response = c.post(f"/profiles/{quayside}/approve", data={"revision": 1, "csrf_token": "x"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_wrong_password_or_a_disabled_user_cannot_sign_in(app):
    c = client(app)
    form = c.get("/login")
    response = c.post("/login", data={"username": "rita", "password": "wrong password", "csrf_token": token(form.text)})
    assert response.status_code == 401 and "wrong password" in response.text
    response = c.post("/login", data={"username": "rita", "password": PASSWORD})  # no token
    assert response.status_code == 403
    session = signed_in(app, "rita")
    with app.state.warehouse.write() as con:
        con.execute("UPDATE users SET active = FALSE WHERE username = 'rita'")
    assert session.get("/queue").status_code == 303  # the session ends with the account


def test_a_post_without_a_valid_csrf_token_is_refused(app):
    c = signed_in(app, "rita")
    quayside = entity_id(app, "Quayside Robotics")
    page = c.get(f"/profiles/{quayside}")
    assert page.status_code == 200
    for data in ({"revision": 1}, {"revision": 1, "csrf_token": "forged"}):
        response = c.post(f"/profiles/{quayside}/approve", data=data)
        assert response.status_code == 403
        assert "security token" in response.text
    with app.state.warehouse.write() as con:
        assert con.execute("SELECT status FROM profiles WHERE entity_id = ?", [quayside]).fetchall() == [("draft",)]
        assert con.execute("SELECT count(*) FROM review_events WHERE action = 'approve'").fetchone()[0] == 0
    response = c.post(f"/profiles/{quayside}/approve", data={"revision": 1, "csrf_token": token(page.text), "note": "ok"})
    assert response.status_code == 303
    with app.state.warehouse.write() as con:
        assert con.execute("SELECT status, reviewer FROM profiles WHERE entity_id = ?", [quayside]).fetchall() == [("approved", "rita")]


def test_roles_viewer_reads_reviewer_acts_admin_manages(app):
    viewer = signed_in(app, "vera")
    quayside = entity_id(app, "Quayside Robotics")
    page = viewer.get(f"/profiles/{quayside}")
    assert page.status_code == 200 and "Approve revision" not in page.text
    response = viewer.post(f"/profiles/{quayside}/approve", data={"revision": 1, "csrf_token": token(page.text)})
    assert response.status_code == 403
    assert viewer.get("/users").status_code == 403
    assert signed_in(app, "adam").get("/users").status_code == 200


def test_reviewer_forms_edit_merge_and_claim_verdicts(app):
    c = signed_in(app, "rita")
    quayside, marrowgate = entity_id(app, "Quayside Robotics"), entity_id(app, "Marrowgate Logistics")
    page = c.get(f"/profiles/{quayside}")
    csrf = token(page.text)
    claim_id = re.search(r'href="/claims/([0-9a-f]+)#evidence"', page.text).group(1)
    evidence = c.get(f"/claims/{claim_id}")
    assert evidence.status_code == 200 and '<mark id="evidence">' in evidence.text and "open the source" in evidence.text
    assert c.post(f"/claims/{claim_id}/verdict", data={"verdict": "rejected", "entity_id": quayside, "csrf_token": csrf}).status_code == 303
    assert c.post(f"/profiles/{quayside}/edit", data={"field": "type", "value": "robot maker", "csrf_token": csrf}).status_code == 303
    assert c.post(f"/profiles/{quayside}/merge", data={"other": marrowgate, "csrf_token": csrf}).status_code == 303
    assert "Merged" in c.get(f"/profiles/{quayside}").text
    history = c.get("/history").text
    for action in ("reject_claim", "edit", "merge"):
        assert action in history
    refused = c.post(f"/profiles/{quayside}/edit", data={"field": "confidence", "value": "1", "csrf_token": csrf})
    assert "cannot be edited" in c.get(refused.headers["location"]).text


def test_article_derived_text_is_escaped(app):
    quayside = entity_id(app, "Quayside Robotics")
    with app.state.warehouse.write() as con:
        con.execute("UPDATE profiles SET name = '<script>alert(1)</script>' WHERE entity_id = ?", [quayside])
        con.execute("UPDATE claims SET evidence = evidence || ' <img src=x onerror=alert(2)>' WHERE subject_id = ?", [quayside])
    c = signed_in(app, "rita")
    for path in ("/queue", f"/profiles/{quayside}"):
        html = c.get(path).text
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = c.get(f"/profiles/{quayside}").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
