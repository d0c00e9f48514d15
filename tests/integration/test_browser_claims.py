"""Claim verdicts and edits in a real headless Chromium (Debian's, installed by `make browser`):
a claim rejected once leaves both its copies (two publishers, one sentence), and an edit
outside the field's allowed values is refused with its message."""

from __future__ import annotations

import pytest

from dossier.review.accounts import add_account
from dossier.store.warehouse import Warehouse
from tests.support.articles import ingest
from tests.support.desk_browser import CHROMIUM, PASSWORD, launch, serving, sign_in

SUPPLY = "Quayside Robotics will supply 400 sorting robots to Marrowgate Logistics under the deal."
PARTNERSHIP = "Quayside Robotics signed a partnership with Marrowgate Logistics on Monday, the companies said."
STORIES = {
    "harbourledger.example": f"{PARTNERSHIP} {SUPPLY} The robots sort parcels in three warehouses in Ohio. Harbour "
                             "Ledger understands the first machines arrive before the winter peak, when parcel volumes "
                             "double and the depots run night shifts.",
    "dockside.example": f"Automation is spreading through American freight depots. {SUPPLY} Dockside Weekly spoke to "
                        "warehouse staff in Columbus who said training on the new systems starts in spring. Unions "
                        "have asked for guarantees that no jobs will be cut as a result.",
}


@pytest.fixture
def desk_url(tmp_path):
    """The desk over a warehouse where two publishers carry the same supply sentence."""
    path = tmp_path / "dossier.duckdb"
    warehouse = Warehouse(path)
    for n, (publisher, text) in enumerate(STORIES.items(), start=1):
        ingest(warehouse, text, n, publisher)
    with warehouse.write() as con:
        add_account(con, "rita", PASSWORD, "reviewer")
    with serving(path) as url:
        yield url


def test_a_claim_rejected_once_leaves_both_copies_and_an_invalid_edit_is_refused(desk_url):
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (the test target installs it)")
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            sign_in(page, desk_url, "rita")
            expect(page).to_have_url(desk_url + "/queue")
            page.get_by_role("link", name="Quayside Robotics").click()

            copies = page.get_by_role("row").filter(has_text=SUPPLY).filter(has_text="supply")
            expect(copies).to_have_count(2)
            for publisher in STORIES:
                expect(copies.filter(has_text=publisher)).to_contain_text("open")
            # The card names it (key points, what to watch) while it is open, nowhere once rejected.
            said = page.get_by_role("listitem").filter(has_text="supplies Marrowgate Logistics")
            expect(said.first).to_be_visible()

            copies.filter(has_text="dockside.example").locator('button[value="rejected"]').click()
            expect(page.get_by_role("status")).to_have_text("Claim rejected, and with it 1 copy of it from other stories.")
            copies = page.get_by_role("row").filter(has_text=SUPPLY).filter(has_text="supply")
            expect(copies).to_have_count(2)
            for publisher in STORIES:  # both copies, though only one was rejected
                expect(copies.filter(has_text=publisher)).to_contain_text("rejected")
            expect(said).to_have_count(0)
            expect(page.get_by_role("listitem").filter(has_text="partners with Marrowgate Logistics").first).to_be_visible()

            page.get_by_label("Field").select_option("impact")
            page.get_by_label("Value").fill("extreme")
            page.get_by_role("button", name="Save edit").click()
            expect(page.get_by_role("status")).to_contain_text(
                "impact: 'extreme' is not a known impact level; allowed: low, medium, high")
            page.get_by_label("Field").select_option("region")
            page.get_by_label("Value").fill("Narnia")
            page.get_by_role("button", name="Save edit").click()
            expect(page.get_by_role("status")).to_contain_text("region: 'Narnia' is not a known region (continent)")
        finally:
            browser.close()
