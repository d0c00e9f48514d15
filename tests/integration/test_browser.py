"""The review desk in a real headless Chromium (Debian's, installed by `make browser`):
sign in, open the queue, open a profile, approve it, find the approval in the history."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from dossier.pipeline.stages import analyse_articles, refresh_profiles, write_batch
from dossier.review.accounts import add_account
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from dossier.web.app import create_app
from tests.conftest import test_settings
from tests.unit.test_stages import fetched

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PASSWORD = "correct horse battery"


@pytest.fixture
def desk_url(tmp_path):
    """The desk served by uvicorn on a free loopback port, over a warehouse with real profiles."""
    path = tmp_path / "dossier.duckdb"
    warehouse = Warehouse(path)
    outcome = analyse_articles([fetched((FIXTURES / "quayside.txt").read_text(), 1)], load_settings())
    refresh_profiles(warehouse, write_batch(warehouse, list(outcome.analysed), []).affected_entities)
    with warehouse.write() as con:
        add_account(con, "rita", PASSWORD, "reviewer")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(test_settings(path)), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the desk did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_sign_in_open_queue_open_profile_approve_and_see_it_in_history(desk_url):
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (the test target installs it)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        # Debian's chromium, never a downloaded build; no sandbox because CI runs as root.
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(desk_url + "/queue")
            expect(page).to_have_url(f"{desk_url}/login?next=/queue")
            page.get_by_label("Username").fill("rita")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()

            expect(page).to_have_url(desk_url + "/queue")
            expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
            page.get_by_role("link", name="Quayside Robotics").click()

            expect(page.get_by_role("heading", name="Quayside Robotics")).to_contain_text("draft")
            georgia = page.get_by_role("row").filter(has_text="a plant in Georgia")
            expect(georgia).to_contain_text("affirmed")
            expect(georgia).to_contain_text("hedged")
            page.get_by_label("approval note").fill("checked in the browser")
            page.get_by_role("button", name="Approve revision 1").click()

            expect(page.get_by_role("status")).to_have_text("Approved revision 1.")
            expect(page.get_by_role("heading", name="Quayside Robotics")).to_contain_text("approved")
            page.get_by_role("link", name="History", exact=True).click()
            row = page.get_by_role("row").filter(has_text="Quayside Robotics")
            expect(row).to_contain_text("approve")
            expect(row).to_contain_text("rita")
            expect(row).to_contain_text("checked in the browser")
        finally:
            browser.close()
