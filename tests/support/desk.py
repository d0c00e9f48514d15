"""The review desk under test: a warehouse with real extraction output and three users, the
app over a private copy of it, and a signed-in client. `desk_path` is a fixture (registered
by tests/conftest.py); the rest are plain helpers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.settings import test_settings

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def desk_path(tmp_path_factory) -> Path:
    """A warehouse with the quayside article's profiles and three users."""
    # Imported here: every test session loads this plugin, most never use the desk.
    from dossier.pipeline.analyse import analyse_articles
    from dossier.pipeline.refresh import refresh_profiles
    from dossier.pipeline.write import write_batch
    from dossier.review.accounts import add_account
    from dossier.settings import load_settings
    from dossier.store.warehouse import Warehouse
    from tests.support.articles import fetched

    path = tmp_path_factory.mktemp("web") / "dossier.duckdb"
    warehouse = Warehouse(path)
    outcome = analyse_articles([fetched((FIXTURES / "quayside.txt").read_text(), 1)], load_settings())
    refresh_profiles(warehouse, write_batch(warehouse, list(outcome.analysed), []).affected_entities)
    with warehouse.write() as con:
        for name, role in (("vera", "viewer"), ("rita", "reviewer"), ("adam", "admin")):
            add_account(con, name, PASSWORD, role)
    return path


def desk_app(desk_path: Path, tmp_path: Path, clock=None, **settings):
    """The desk over a private copy of the module's warehouse."""
    from dossier.web.app import create_app

    copy = tmp_path / "dossier.duckdb"
    copy.write_bytes(desk_path.read_bytes())
    return create_app(test_settings(copy, **settings), **({"clock": clock} if clock else {}))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def client(app) -> TestClient:
    from fastapi.testclient import TestClient

    # https: the session cookie is Secure and would not be sent over plain http.
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(c: TestClient, username: str, password: str = PASSWORD):
    form = c.get("/login")
    return c.post("/login", data={"username": username, "password": password, "next": "/queue", "csrf_token": token(form.text)})


def signed_in(app, username: str) -> TestClient:
    c = client(app)
    response = sign_in(c, username)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    return c


def entity_id(app, name: str) -> str:
    with app.state.warehouse.write() as con:
        return con.execute("SELECT id FROM entities WHERE name = ?", [name]).fetchone()[0]
