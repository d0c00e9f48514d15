"""The review desk over HTTP: sign-in, roles on every route, CSRF on every POST, escaping.
A real DuckDB file with real extraction output, the app in-process (starlette's TestClient)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from dossier.review.accounts import disable_account
from dossier.settings import load_settings
from dossier.web.app import ROUTERS
from dossier.web.security import check_csrf
from tests.support.desk import (
    PASSWORD,
    Clock,
    client,
    desk_app,
    entity_id,
    sign_in,
    signed_in,
    token,
)

PUBLIC = {("GET", "/login"), ("POST", "/login")}


@pytest.fixture
def app(desk_path, tmp_path):
    return desk_app(desk_path, tmp_path)


def api_routes() -> list[APIRoute]:
    """Every route of the desk, from the routers the app includes (one per resource)."""
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def test_every_route_but_login_requires_a_role(app):
    routes = api_routes()
    assert {"/login", "/queue", "/profiles/{entity_id}", "/claims/{claim_id}", "/users"} <= {r.path for r in routes}
    for route in routes:
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


def test_an_unknown_or_disabled_user_gets_the_same_refusal_as_a_wrong_password(app):
    """The answer does not tell which usernames exist or are active: status and page alike."""
    with app.state.warehouse.write() as con:
        disable_account(con, "vera", "adam")
    c = client(app)
    answers = [sign_in(c, "rita", "wrong password"), sign_in(c, "nosuchuser", PASSWORD), sign_in(c, "vera", PASSWORD)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert "Unknown user or wrong password." in answers[0].text
    assert answers[1].text == answers[0].text and answers[2].text == answers[0].text
    assert c.get("/queue").headers["location"] == "/login?next=/queue"  # none of them signed in


def set_cookie_flags(response) -> set[str]:
    """The attributes of the session's Set-Cookie header, lower-cased (`httponly`, `samesite=strict`, …)."""
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith("dossier_session=")]
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_the_session_cookie_is_samesite_strict_httponly_and_secure(desk_path, tmp_path):
    """As documented: Secure by default, dropped only by DOSSIER_SESSION_SECURE=false; HttpOnly
    and SameSite=Strict always; on the sign-in form's cookie and on the signed-in session's."""
    for secure in (True, False):
        (tmp_path / str(secure)).mkdir()
        app = desk_app(desk_path, tmp_path / str(secure), session_secure=secure)
        c = client(app)
        form = c.get("/login")
        signed = c.post("/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token(form.text)})
        assert signed.status_code == 303
        for response in (form, signed):
            flags = set_cookie_flags(response)
            assert {"httponly", "samesite=strict", "path=/"} <= flags, flags
            assert ("secure" in flags) is secure, flags


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
    assert c.post(f"/profiles/{quayside}/edit", data={"field": "type", "value": "Industrial manufacturer", "csrf_token": csrf}).status_code == 303
    assert c.post(f"/profiles/{quayside}/merge", data={"other": marrowgate, "csrf_token": csrf}).status_code == 303
    assert "Merged" in c.get(f"/profiles/{quayside}").text
    history = c.get("/history").text
    for action in ("reject_claim", "edit", "merge"):
        assert action in history
    refused = c.post(f"/profiles/{quayside}/edit", data={"field": "confidence", "value": "1", "csrf_token": csrf})
    assert "cannot be edited" in c.get(refused.headers["location"]).text


def queue_names(c: TestClient, query: str) -> set[str]:
    """The organisations the web queue lists for this query string."""
    response = c.get(f"/queue?{query}")
    assert response.status_code == 200, query
    return set(re.findall(r'<a href="/profiles/[0-9a-f]+(?:\?from=[^"]*)?"[^>]*>([^<]+)</a>', response.text))


def test_the_web_queue_filters_by_grade_domain_region_and_status(app):
    c = signed_in(app, "rita")
    quayside, marrowgate = entity_id(app, "Quayside Robotics"), entity_id(app, "Marrowgate Logistics")
    both = {"Quayside Robotics", "Marrowgate Logistics"}
    csrf = token(c.get("/queue").text)
    for field, value in (("region", "Europe"), ("primary_domain", "Industrials")):  # a reviewer's edits, so they differ
        assert c.post(f"/profiles/{marrowgate}/edit", data={"field": field, "value": value, "csrf_token": csrf}).status_code == 303
    assert c.post(f"/profiles/{quayside}/approve", data={"revision": 1, "csrf_token": csrf}).status_code == 303
    assert queue_names(c, "") == {"Marrowgate Logistics"}  # drafts by default
    assert queue_names(c, "status=approved") == {"Quayside Robotics"}
    assert queue_names(c, "status=any") == both
    assert queue_names(c, "status=any&region=Europe") == {"Marrowgate Logistics"}
    assert queue_names(c, "status=any&region=North+America") == {"Quayside Robotics"}
    assert queue_names(c, "status=any&domain=industrials") == {"Marrowgate Logistics"}
    assert queue_names(c, "status=any&grade=B%2FC&region=&domain=") == both  # empty menus mean all
    assert queue_names(c, "status=any&grade=A") == set()


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


# --- issue 8: review desk security ---------------------------------------------------------

def state(app) -> dict[str, list]:
    """Everything a review action could change."""
    with app.state.warehouse.write() as con:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                for table in ("profiles", "profile_overrides", "claim_reviews", "review_events", "users", "aliases")}


def route_form(app, path: str) -> tuple[str, dict]:
    """A POST route's path with real ids and a form that would succeed but for CSRF or role."""
    quayside, marrowgate = entity_id(app, "Quayside Robotics"), entity_id(app, "Marrowgate Logistics")
    with app.state.warehouse.write() as con:
        claim = con.execute("SELECT id FROM claims WHERE subject_id = ? LIMIT 1", [quayside]).fetchone()[0]
        alias = con.execute("SELECT alias FROM aliases WHERE entity_id = ? LIMIT 1", [quayside]).fetchone()
    ids = {"entity_id": quayside, "claim_id": claim}
    form = {"username": "adam", "password": PASSWORD, "revision": 1, "note": "n", "field": "type", "value": "v",
            "other": marrowgate, "alias": alias[0] if alias else "Quayside", "verdict": "rejected", "entity_id": quayside}
    return path.format(**ids), form  # a new path parameter fails here until it is added above


def post_routes(app) -> list[str]:
    return sorted(r.path for r in api_routes() if "POST" in r.methods)


def test_every_post_route_refuses_a_missing_or_forged_csrf_token(app):
    """Enumerates the app's POST routes: each answers 403 and changes nothing without the
    session's token, for a signed-in admin (who holds every role) and for sign-in itself."""
    admin = signed_in(app, "adam")
    before = state(app)
    routes = post_routes(app)
    assert {"/login", "/logout", "/profiles/{entity_id}/approve", "/claims/{claim_id}/verdict"} <= set(routes)
    for path in routes:
        url, form = route_form(app, path)
        for c in (admin, client(app)) if path == "/login" else (admin,):
            for forged in (None, "forged", ""):
                data = form if forged is None else {**form, "csrf_token": forged}
                response = c.post(url, data=data)
                assert response.status_code == 403, f"POST {path} with token {forged!r}: {response.status_code}"
    assert state(app) == before
    with app.state.warehouse.write() as con:
        assert con.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == 1  # adam's own sign-in
    assert admin.get("/queue").status_code == 200  # the forged sign-out did not sign out


def test_a_viewer_cannot_perform_any_reviewer_or_admin_action(app):
    """Enumerates every route: those needing more than the viewer role refuse a viewer with a
    valid CSRF token (403) and nothing changes; the viewer routes answer."""
    viewer = signed_in(app, "vera")
    csrf = token(viewer.get("/queue").text)
    before = state(app)
    guarded = set()
    for route in api_routes():
        if route.path in ("/login", "/logout"):
            continue
        [role] = [d.call.required_role for d in route.dependant.dependencies if hasattr(d.call, "required_role")]
        url, form = route_form(app, route.path)
        for method in route.methods:
            response = viewer.post(url, data={**form, "csrf_token": csrf}) if method == "POST" else viewer.get(url)
            if role == "viewer":
                assert response.status_code in (200, 303), f"{method} {route.path}: {response.status_code}"
            else:
                assert response.status_code == 403, f"{method} {route.path} let a viewer through"
                guarded.add((method, route.path))
    assert {("POST", f"/profiles/{{entity_id}}/{a}") for a in ("approve", "reject", "edit", "merge", "split")} <= guarded
    assert {("POST", "/claims/{claim_id}/verdict"), ("GET", "/users")} <= guarded
    assert state(app) == before


def test_sign_in_is_rate_limited_per_username_and_per_client(desk_path, tmp_path):
    clock = Clock()
    app = desk_app(desk_path, tmp_path, clock=clock, login_max_failures=5, login_max_failures_per_client=12, login_window=900)
    c = client(app)

    def attempt(username: str, password: str = PASSWORD) -> int:
        clock.advance(1)
        response = sign_in(c, username, password)
        assert response.status_code != 429 or response.headers["Retry-After"].isdigit()
        return response.status_code

    assert [attempt("rita", "wrong password") for _ in range(5)] == [401] * 5  # at 1 … 5 s
    locked = sign_in(c, "rita")  # the right password, refused while locked
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "896" and "Too many" in locked.text
    clock.advance(880)
    assert attempt("rita") == 429
    clock.advance(20)  # the first failure has left the 15-minute window
    assert attempt("rita") == 303
    # A successful sign-in resets the name's count: 4 + 4 failures around it do not lock.
    for _ in range(2):
        assert [attempt("rita", "wrong password") for _ in range(4)] == [401] * 4
        assert attempt("rita") == 303
    # Per client: 12 failures within the window (8 above, 4 more) lock the address out, whatever the name.
    assert [attempt(f"nobody{n}", "wrong password") for n in range(4)] == [401] * 4
    assert attempt("adam") == 429
    with app.state.warehouse.write() as con:
        outcomes = dict(con.execute("SELECT outcome, count(*) FROM login_attempts GROUP BY ALL").fetchall())
        clients = {r[0] for r in con.execute("SELECT DISTINCT client FROM login_attempts").fetchall()}
    # The first five failures and the first refusal left the window and were pruned; the refusal
    # at 886 s was answered from memory (no row); the client's lock-out is the one refusal kept.
    assert outcomes == {"failed": 8 + 4, "throttled": 1, "ok": 3} and clients == {"testclient"}


def test_a_session_expires_and_sign_out_ends_it_on_the_server(desk_path, tmp_path):
    clock = Clock()
    app = desk_app(desk_path, tmp_path, clock=clock, session_max_age=3600)
    c = signed_in(app, "rita")
    clock.advance(3599)
    assert c.get("/queue").status_code == 200
    clock.advance(2)
    expired = c.get("/queue")
    assert expired.status_code == 303 and expired.headers["location"] == "/login?next=/queue"
    c = signed_in(app, "rita")
    copied = c.cookies["dossier_session"]
    assert c.post("/logout", data={"csrf_token": token(c.get("/queue").text)}).headers["location"] == "/login"
    replay = client(app)
    replay.cookies.set("dossier_session", copied)  # a cookie kept from before the sign-out
    assert replay.get("/queue").status_code == 303
    assert signed_in(app, "rita").get("/queue").status_code == 200  # signing in again works


def test_every_response_carries_the_security_headers(app):
    c = signed_in(app, "rita")
    csp = None
    for response in (c.get("/queue"), c.get("/static/desk.css"), c.get("/profiles/nope"), c.get("/users"),
                     client(app).get("/queue"), client(app).get("/login"), client(app).post("/login", data={})):
        csp = response.headers.get("content-security-policy")
        assert csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, response.url
        # Scripts from the desk's own files only (its keyboard shortcuts): nothing inline, nothing from elsewhere.
        assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert c.get("/queue").headers["cache-control"] == "no-store"


# --- the sign-in limit behind a reverse proxy ----------------------------------------------

PROXY = ("10.0.0.2", 41000)  # the reverse proxy every client's request arrives from


def via(app, peer: tuple[str, int], forwarded_for: str) -> TestClient:
    """A browser whose requests reach the desk from `peer` carrying `X-Forwarded-For`."""
    return TestClient(app, base_url="https://testserver", follow_redirects=False, client=peer,
                      headers={"X-Forwarded-For": forwarded_for})


def attempt_clients(app) -> list[str]:
    with app.state.warehouse.write() as con:
        return [r[0] for r in con.execute("SELECT client FROM login_attempts ORDER BY attempted_at, client").fetchall()]


def test_behind_a_trusted_proxy_the_sign_in_limit_counts_each_real_client(desk_path, tmp_path):
    """One person guessing through the proxy locks out themselves, not everyone behind it;
    an address they prepend to X-Forwarded-For does not help them (the proxy's is believed)."""
    app = desk_app(desk_path, tmp_path, trusted_proxies=[PROXY[0]], login_max_failures_per_client=3)
    guesser = via(app, PROXY, "203.0.113.9")
    assert [sign_in(guesser, f"guess{n}", "wrong password").status_code for n in range(3)] == [401] * 3
    assert sign_in(guesser, "rita").status_code == 429
    forged = via(app, PROXY, "198.51.100.4, 203.0.113.9")  # the proxy appended what it saw
    assert sign_in(forged, "rita").status_code == 429
    assert sign_in(via(app, PROXY, "198.51.100.4"), "rita").status_code == 303
    # The forged attempt was refused from memory (the client was already locked out): no row.
    assert attempt_clients(app) == ["203.0.113.9"] * 4 + ["198.51.100.4"]


@pytest.mark.parametrize("trusted", [[], ["10.0.0.3"]], ids=["none-trusted", "another-proxy-trusted"])
def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(desk_path, tmp_path, trusted):
    """Without trust the header is the client's own claim: it neither changes the address
    recorded nor lets a guesser escape the per-client limit by varying it."""
    app = desk_app(desk_path, tmp_path, trusted_proxies=trusted, login_max_failures_per_client=3)
    fails = [sign_in(via(app, PROXY, f"203.0.113.{n}"), f"guess{n}", "wrong password").status_code for n in range(3)]
    assert fails == [401] * 3
    assert sign_in(via(app, PROXY, "198.51.100.4"), "rita").status_code == 429
    assert attempt_clients(app) == [PROXY[0]] * 4


def test_trusted_proxies_must_be_addresses_or_networks():
    from dossier.settings import ConfigError

    assert load_settings(trusted_proxies=[" 10.0.0.2", "fd00::/8"]).trusted_proxies == ["10.0.0.2", "fd00::/8"]
    for bad in ("*", "proxy.example", "10.0.0.0/33"):
        with pytest.raises(ConfigError, match="trusted_proxies"):
            load_settings(trusted_proxies=[bad])


def test_dossier_serve_believes_forwarded_headers_only_from_trusted_proxies(desk_path, tmp_path):
    """The real `dossier serve` process: uvicorn's own proxy handling (which would trust
    127.0.0.1) stays off, so only DOSSIER_TRUSTED_PROXIES decides."""
    for n, (trusted, recorded) in enumerate(((None, "127.0.0.1"), ('["127.0.0.1"]', "203.0.113.9"))):
        copy = tmp_path / f"serve{n}" / "dossier.duckdb"
        copy.parent.mkdir()
        copy.write_bytes(desk_path.read_bytes())
        env = {**os.environ, "DOSSIER_WAREHOUSE_PATH": str(copy), "DOSSIER_SESSION_SECURE": "false",
               "DOSSIER_SESSION_SECRET": "test-secret"}
        env.pop("DOSSIER_TRUSTED_PROXIES", None)
        if trusted:
            env["DOSSIER_TRUSTED_PROXIES"] = trusted
        with serve_process(env) as base:
            with httpx.Client(base_url=base, follow_redirects=False) as c:
                form = c.get("/login")
                response = c.post("/login", headers={"X-Forwarded-For": "203.0.113.9"},
                                  data={"username": "rita", "password": "wrong password", "csrf_token": token(form.text)})
                assert response.status_code == 401
        con = duckdb.connect(str(copy), read_only=True)
        try:
            assert con.execute("SELECT client FROM login_attempts").fetchall() == [(recorded,)], trusted
        finally:
            con.close()


@contextmanager
def serve_process(env: dict[str, str]) -> Iterator[str]:
    """`dossier serve` in a child process on a free loopback port, stopped after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-c", "from dossier.cli.app import main; main()", "serve", "--host", "127.0.0.1", "--port", str(port)]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert child.poll() is None, f"dossier serve exited: {child.stderr.read()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "dossier serve did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.wait(timeout=30)
