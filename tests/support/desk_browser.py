"""The review desk in a real headless Chromium: the desk served by uvicorn on a loopback port,
Debian's Chromium driven by playwright, and the screenshot of a merge confirmation for the docs.

As a script it makes docs/screenshots/merge-confirm.png from the demo warehouse (`make run`
writes it to warehouse/dossier.duckdb; the warehouse is copied, never changed):

    .venv/bin/python -m tests.support.desk_browser [WAREHOUSE] [--keep NAME] [--merge NAME]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serving(path: Path, **settings: Any) -> Iterator[str]:
    """The desk over the warehouse at `path`, served by uvicorn on a free loopback port: its URL."""
    import uvicorn

    from dossier.web.app import create_app
    from tests.support.settings import test_settings

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(test_settings(path, **settings)), log_level="warning",
                                           lifespan="off"))
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


def launch(pw: Any) -> Any:
    """Debian's Chromium, never a downloaded build; no sandbox because CI runs as root."""
    if not CHROMIUM.exists():
        raise RuntimeError("no /usr/bin/chromium: run `make browser`")
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])


def sign_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the desk's form; the page lands on the queue."""
    page.goto(url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/queue")


def screenshot_merge_confirmation(warehouse: Path, out: Path, keep: str, merge: str) -> Path:
    """A PNG of the confirmation page for merging organisation `merge` into `keep` (names), made
    on a copy of `warehouse` with a reviewer added, by picking `merge` in the profile's picker."""
    from playwright.sync_api import sync_playwright

    from dossier.review.accounts import add_account
    from dossier.store.warehouse import Warehouse

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "dossier.duckdb"
        shutil.copyfile(warehouse, copy)
        with Warehouse(copy).write() as con:
            add_account(con, "screenshots", PASSWORD, "reviewer")
            keep_id = con.execute("SELECT id FROM entities WHERE name = ?", [keep]).fetchone()[0]
        with serving(copy) as url, sync_playwright() as pw:
            browser = launch(pw)
            try:
                page = browser.new_page(viewport={"width": 1000, "height": 700})
                sign_in(page, url, "screenshots")
                page.goto(f"{url}/profiles/{keep_id}")
                page.get_by_label("Merge into this one").press_sequentially(merge[:5])
                page.locator("#merge-choices").get_by_role("button", name=merge).click()
                page.get_by_label("merge note").fill("same company?")
                page.get_by_role("button", name="Review the merge").click()
                page.get_by_role("button", name="Confirm merge").wait_for()
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out), full_page=True)
            finally:
                browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Screenshot the desk's merge confirmation for the docs.")
    parser.add_argument("warehouse", nargs="?", type=Path, default=ROOT / "warehouse" / "dossier.duckdb")
    parser.add_argument("--keep", default="Kilindini Networks")
    parser.add_argument("--merge", default="Tana Express")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "merge-confirm.png")
    args = parser.parse_args()
    print(screenshot_merge_confirmation(args.warehouse, args.out, args.keep, args.merge))


if __name__ == "__main__":
    main()
