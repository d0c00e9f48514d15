"""The review desk while the warehouse is held, and under a sign-in flood (issue 16, items 9 and 11).

Readers never open a writer; when another process holds the file a page is a 503 with the
security headers, within the desk's short wait, never a bare 500 after 30 s. Refused sign-ins
are answered from memory (no hashing, no connection, no row); hashing happens outside the
connection lock, so a flood never holds up a signed-in reviewer; old attempts are pruned.
Timing targets belong in benchmarks: these tests check the mechanisms."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta

import pytest

from dossier.review import accounts
from dossier.web.app import SECURITY_HEADERS
from tests.support.desk import Clock, client, desk_app, entity_id, sign_in, signed_in, token

PAGES = ("/queue", "/queue?status=any", "/history", "/users")


def count_calls(monkeypatch, obj, name: str) -> list[int]:
    """Count calls of obj.name (still calling it); the list holds one entry per call."""
    calls: list[int] = []
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


def test_pages_are_read_without_ever_opening_a_writer(desk_path, tmp_path, monkeypatch):
    app = desk_app(desk_path, tmp_path)
    admin = signed_in(app, "adam")
    quayside = entity_id(app, "Quayside Robotics")
    writes = count_calls(monkeypatch, app.state.warehouse, "write")
    for path in (*PAGES, f"/profiles/{quayside}"):
        assert admin.get(path).status_code == 200, path
    assert writes == []


@pytest.fixture
def held(desk_path, tmp_path):
    """The desk over a warehouse another process then holds for writing; yields (app, reviewer client)."""
    app = desk_app(desk_path, tmp_path, desk_warehouse_wait=0.5)
    reviewer = signed_in(app, "rita")
    quayside = entity_id(app, "Quayside Robotics")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, duckdb
        con = duckdb.connect({str(app.state.warehouse.path)!r})
        print("held", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield app, reviewer, quayside
    finally:
        holder.stdin.close()
        holder.wait(10)


def test_a_held_warehouse_is_a_503_page_with_the_security_headers(held):
    app, reviewer, quayside = held
    form_token = token(reviewer.get("/login").text)
    for method, path in [*(("GET", p) for p in PAGES), ("GET", f"/profiles/{quayside}"),
                         ("POST", f"/profiles/{quayside}/approve")]:
        started = time.monotonic()
        response = (reviewer.get(path) if method == "GET"
                    else reviewer.post(path, data={"revision": 1, "csrf_token": form_token}))
        assert time.monotonic() - started < 10, path  # the desk's short wait, not DuckDB's 30 s
        assert response.status_code == 503, (path, response.status_code)
        assert "busy" in response.text and response.headers["Retry-After"].isdigit()
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value, (path, header)
        assert response.headers["Cache-Control"] == "no-store"


def test_refused_sign_ins_cost_no_hashing_no_connection_and_no_row(desk_path, tmp_path, monkeypatch):
    clock = Clock()
    app = desk_app(desk_path, tmp_path, clock=clock, login_max_failures=3, login_max_failures_per_client=50)
    c = client(app)
    assert [sign_in(c, "rita", "wrong password").status_code for _ in range(3)] == [401] * 3
    assert sign_in(c, "rita").status_code == 429  # decided from the warehouse's count, and remembered
    with app.state.warehouse.read() as con:
        rows = con.execute("SELECT count(*) FROM login_attempts").fetchone()[0]
    hashes = count_calls(monkeypatch, accounts.PasswordHasher, "verify")
    reads = count_calls(monkeypatch, app.state.warehouse, "read")
    writes = count_calls(monkeypatch, app.state.warehouse, "write")
    flood = [sign_in(c, "rita", f"guess {n}").status_code for n in range(40)]
    assert flood == [429] * 40
    assert hashes == [] and reads == [] and writes == []
    assert app.state.refused_sign_ins.refused == 40
    with app.state.warehouse.read() as con:
        assert con.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == rows


def test_sign_in_attempts_are_pruned_once_out_of_the_window(desk_path, tmp_path):
    clock = Clock()
    app = desk_app(desk_path, tmp_path, clock=clock, login_max_failures=1000, login_max_failures_per_client=1000,
                   login_window=60)
    c = client(app)
    for _ in range(30):  # 30 failures, one every 10 s: at most 6 ever fall inside the 60 s window
        clock.advance(10)
        assert sign_in(c, "rita", "wrong password").status_code == 401
    with app.state.warehouse.read() as con:
        kept = [r[0] for r in con.execute("SELECT attempted_at FROM login_attempts ORDER BY 1").fetchall()]
    assert len(kept) <= 7 and min(kept) >= clock.now - timedelta(seconds=60)


def test_password_hashing_does_not_hold_up_a_signed_in_reviewer(desk_path, tmp_path, monkeypatch):
    """While a sign-in is hashing (held here until released), another reviewer's page is served."""
    app = desk_app(desk_path, tmp_path)
    reviewer = signed_in(app, "rita")
    hashing, release = threading.Event(), threading.Event()
    real_verify = accounts.PasswordHasher.verify

    def slow_verify(self, hash_, password):
        hashing.set()
        release.wait(30)
        return real_verify(self, hash_, password)

    monkeypatch.setattr(accounts.PasswordHasher, "verify", slow_verify)
    outcome: list[int] = []
    guesser = client(app)
    form = guesser.get("/login")
    thread = threading.Thread(target=lambda: outcome.append(guesser.post("/login", data={
        "username": "vera", "password": "wrong password", "next": "/queue", "csrf_token": token(form.text)}).status_code))
    thread.start()
    try:
        assert hashing.wait(30)
        pages: list[int] = []
        reader = threading.Thread(target=lambda: pages.append(reviewer.get("/queue").status_code))
        reader.start()
        reader.join(15)  # would wait for the hash if it ran under the connection lock
        assert pages == [200] and not outcome  # served while the sign-in is still hashing
    finally:
        release.set()
        thread.join(30)
    assert outcome == [401]


def test_a_burst_of_parallel_guesses_cannot_pass_the_limit_while_hashing(desk_path, tmp_path, monkeypatch):
    """Hashing runs outside the connection lock; attempts under way still count, so ten parallel
    guesses at one name get at most login_max_failures hashes."""
    app = desk_app(desk_path, tmp_path, login_max_failures=3, login_max_failures_per_client=100)
    real_verify = accounts.PasswordHasher.verify
    started = threading.Barrier(3, timeout=30)

    hashes: list[int] = []

    def slow_verify(self, hash_, password):
        hashes.append(1)
        started.wait()  # the first three hash together: the rest arrive while they are under way
        return real_verify(self, hash_, password)

    monkeypatch.setattr(accounts.PasswordHasher, "verify", slow_verify)
    clients = [client(app) for _ in range(10)]
    tokens = [token(c.get("/login").text) for c in clients]
    codes: list[int] = []

    def guess(c, csrf) -> None:
        codes.append(c.post("/login", data={"username": "rita", "password": "wrong password", "next": "/queue",
                                            "csrf_token": csrf}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [401] * 3 + [429] * 7
    assert len(hashes) == 3


def test_an_unexpected_error_is_a_500_page_with_the_security_headers(desk_path, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from dossier.store.session import ReviewsRepository, bind

    app = desk_app(desk_path, tmp_path)
    cookies = signed_in(app, "adam").cookies
    c = TestClient(app, base_url="https://testserver", follow_redirects=False, raise_server_exceptions=False,
                   cookies=cookies)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, injected")

    monkeypatch.setattr(ReviewsRepository, "events", bind(broken))
    response = c.get("/history")
    assert response.status_code == 500 and "injected" not in response.text
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value, header
