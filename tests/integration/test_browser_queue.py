"""The scaled review queue in a real headless Chromium (Debian's, `make browser`): search, paging,
keyboard approve-and-next through five drafts, a bulk reject.

With DOSSIER_SCREENSHOTS=<folder> set, the search-and-paging test also saves the queue as
<folder>/queue.png (how docs/screenshots/queue.png is made)."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.desk import PASSWORD, build_drafts
from dossier.records.queue import MonitoringRule, QueueQuery
from dossier.review import desk
from dossier.store.warehouse import Warehouse
from tests.support.desk_browser import CHROMIUM, launch, serving, sign_in

DRAFTS = 120


@pytest.fixture
def desk_url(tmp_path):
    path = tmp_path / "dossier.duckdb"
    build_drafts(path, DRAFTS)
    with serving(path) as url:
        yield url, Warehouse(path)


@contextmanager
def signed_in_page(url: str):
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (the test target installs it)")
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            sign_in(page, url, "rita", PASSWORD)
            expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
            yield page
            assert not errors, errors  # the script ran without an error and within the CSP
        finally:
            browser.close()


def queue_names(page) -> list[str]:
    return page.locator("#queue tbody a.open").all_inner_texts()


def test_search_and_paging_in_the_browser(desk_url):
    from playwright.sync_api import expect

    url, warehouse = desk_url
    with signed_in_page(url) as page:
        expect(page.locator("#queue tbody tr.row")).to_have_count(50)
        expect(page.locator(".pager .where")).to_contain_text("Page 1 of")
        first_page = queue_names(page)
        page.get_by_role("link", name="Next ›").click()
        expect(page).to_have_url(f"{url}/queue?page=2")
        expect(page.locator(".pager .where")).to_contain_text("Page 2 of")
        assert not set(queue_names(page)) & set(first_page)

        page.keyboard.press("/")  # focuses the search box
        expect(page.locator("#search")).to_be_focused()
        page.keyboard.type("ORG00042")  # an alias, in other case
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/queue\?q=ORG00042&"))
        parked = page.get_by_role("link", name="Monitoring (")
        names = queue_names(page)
        if not names:  # it is a monitoring draft: the tab says so, and lists it
            parked.click()
            names = queue_names(page)
        assert names == ["Organisation 00042 Holdings"]

        folder = os.environ.get("DOSSIER_SCREENSHOTS")
        if folder:
            page.goto(url + "/queue?sort=priority")
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.locator("#queue tbody input[type=checkbox]").nth(3).check()
            page.screenshot(path=str(Path(folder) / "queue.png"), full_page=False)


def test_keyboard_approve_and_next_through_five_drafts(desk_url):
    from playwright.sync_api import expect

    url, warehouse = desk_url
    with warehouse.read() as con:
        order = [r.entity_id for r in desk.queue_page(con, QueueQuery(sort="name", per_page=10), MonitoringRule()).rows]
    with signed_in_page(url) as page:
        page.get_by_role("link", name="Organisation", exact=True).click()  # sort by name
        expect(page).to_have_url(f"{url}/queue?sort=name")
        page.keyboard.press("?")
        expect(page.locator("#shortcuts dl")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#shortcuts dl")).to_be_hidden()
        page.keyboard.press("j")
        expect(page.locator("#queue tbody tr.row").first).to_have_class(re.compile(r"\bselected\b"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{url}/profiles/{order[0]}?from=%2Fqueue%3Fsort%3Dname")
        in_queue = queue_size(warehouse)
        for i in range(5):
            expect(page.locator(".queue-nav .where")).to_have_text(f"1 of {in_queue - i}")
            page.keyboard.press("a")
            expect(page).to_have_url(f"{url}/profiles/{order[i + 1]}?from=%2Fqueue%3Fsort%3Dname")
            expect(page.locator("p.flash")).to_contain_text("Approved revision 1")
        page.keyboard.press("j")  # next in the queue without deciding
        expect(page).to_have_url(f"{url}/profiles/{order[6]}?from=%2Fqueue%3Fsort%3Dname")
        page.keyboard.press("k")
        expect(page).to_have_url(f"{url}/profiles/{order[5]}?from=%2Fqueue%3Fsort%3Dname")
        page.keyboard.press("r")  # the reason field, then Enter rejects and moves on
        expect(page.get_by_label("rejection reason")).to_be_focused()
        page.keyboard.type("a product, not an organisation")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{url}/profiles/{order[6]}?from=%2Fqueue%3Fsort%3Dname")
    with warehouse.read() as con:
        statuses = {entity: con.revisions.revisions(entity)[0].status for entity in order[:7]}
    assert statuses == {**{e: "approved" for e in order[:5]}, order[5]: "rejected", order[6]: "draft"}


def queue_size(warehouse: Warehouse) -> int:
    """Drafts in the queue view (monitoring ones left out)."""
    with warehouse.read() as con:
        return desk.queue_page(con, QueueQuery(per_page=1), MonitoringRule()).counts.queue


def test_bulk_reject_in_the_browser(desk_url):
    from playwright.sync_api import expect

    url, warehouse = desk_url
    with signed_in_page(url) as page:
        names = queue_names(page)[:3]
        for name in names:
            page.get_by_label(f"tick {name}").check()
        page.get_by_role("button", name="Reject ticked").click()  # no note: refused, nothing rejected
        expect(page.locator("p.flash")).to_contain_text("a bulk rejection needs a note")
        for name in names:
            page.get_by_label(f"tick {name}").check()
        page.get_by_label("bulk note").fill("trade-show listings")
        page.get_by_role("button", name="Reject ticked").click()
        expect(page.locator("p.flash")).to_contain_text("Rejected 3 of 3.")
        for name in names:
            expect(page.locator("#queue tbody")).not_to_contain_text(name)
    with warehouse.read() as con:
        events = con.reviews.events()
    rejected = [e for e in events if e.action == "reject"]
    assert len(rejected) == 3 and {e.note for e in rejected} == {"trade-show listings"}
