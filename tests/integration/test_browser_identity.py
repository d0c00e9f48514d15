"""Identity decisions in a real headless Chromium (Debian's, installed by `make browser`): type
into the merge picker, pick an organisation, read the confirmation, confirm, see the undo, undo;
cancel a merge; split an alias off and undo that too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.pipeline.analyse import analyse_articles
from dossier.pipeline.refresh import refresh_profiles
from dossier.pipeline.write import write_batch
from dossier.review.accounts import add_account
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from tests.support.articles import fetched
from tests.support.desk_browser import CHROMIUM, PASSWORD, launch, serving, sign_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture
def desk(tmp_path):
    """The desk over a warehouse with the quayside article's profiles and a reviewer."""
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (the test target installs it)")
    path = tmp_path / "dossier.duckdb"
    warehouse = Warehouse(path)
    outcome = analyse_articles([fetched((FIXTURES / "quayside.txt").read_text(), 1)], load_settings())
    refresh_profiles(warehouse, write_batch(warehouse, list(outcome.analysed), []).affected_entities)
    with warehouse.write() as con:
        add_account(con, "rita", PASSWORD, "reviewer")
    with serving(path) as url:
        yield url, warehouse


def judgements(warehouse: Warehouse) -> list[tuple[str, bool]]:
    with warehouse.read() as con:
        return con.execute("SELECT kind, superseded_by IS NULL FROM judgements ORDER BY created_at").fetchall()


def open_profile(page, url: str, name: str) -> None:
    page.goto(url + "/queue")
    page.get_by_role("link", name=name).click()


def test_merge_through_the_picker_and_its_confirmation_then_undo_it(desk):
    from playwright.sync_api import expect, sync_playwright

    url, warehouse = desk
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            sign_in(page, url, "rita")
            open_profile(page, url, "Quayside Robotics")
            picker = page.get_by_label("Merge into this one")
            expect(picker).to_have_value("")  # nothing preselected
            picker.press_sequentially("marrow")
            choice = page.locator("#merge-choices").get_by_role("button", name="Marrowgate Logistics")
            expect(choice).to_be_visible()
            choice.click()
            expect(picker).to_have_value("Marrowgate Logistics")
            page.get_by_label("merge note").fill("one firm")
            page.get_by_role("button", name="Review the merge").click()

            expect(page.get_by_role("heading", name="Merge Marrowgate Logistics into Quayside Robotics?")).to_be_visible()
            moves = page.locator("table.moves")
            expect(moves).to_contain_text("Marrowgate, Marrowgate Logistics")
            expect(moves.get_by_role("row", name="Claims")).to_contain_text("4")
            expect(page.locator("body")).to_contain_text("no binding purchase commitment")
            assert judgements(warehouse) == []  # the confirmation changed nothing
            page.get_by_role("button", name="Confirm merge").click()

            expect(page.get_by_role("status")).to_have_text("Merged Marrowgate Logistics into this organisation.")
            expect(page.locator("ul.undo")).to_contain_text("Merged into this: Marrowgate Logistics")
            assert judgements(warehouse) == [("merge", True)]
            page.get_by_role("button", name="Undo the merge of Marrowgate Logistics").click()

            expect(page.get_by_role("status")).to_contain_text("Undid the merge of Marrowgate Logistics")
            expect(page.locator("ul.undo")).to_have_count(0)
            assert judgements(warehouse) == [("merge", False), ("unmerge", True)]
            page.get_by_role("link", name="History", exact=True).click()
            expect(page.get_by_role("row").filter(has_text="unmerge")).to_contain_text("rita")
        finally:
            browser.close()


def test_cancel_leaves_everything_as_it_was_and_a_split_is_undone_in_the_browser(desk):
    from playwright.sync_api import expect, sync_playwright

    url, warehouse = desk
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            sign_in(page, url, "rita")
            open_profile(page, url, "Quayside Robotics")
            profile = page.url
            # Without picking: the typed name goes to the confirmation page, which resolves it.
            page.get_by_label("Merge into this one").fill("Marrowgate")
            page.get_by_role("button", name="Review the merge").click()
            expect(page.get_by_role("button", name="Confirm merge")).to_be_visible()
            page.get_by_role("link", name="Cancel").click()
            # Back on the profile (opened from the queue, its URL also carried the queue view).
            expect(page).to_have_url(re.compile(re.escape(profile.split("?")[0]) + r"(\?.*)?$"))
            assert judgements(warehouse) == []

            page.get_by_label("Split off alias").select_option("Quayside")
            page.get_by_role("button", name="Review the split").click()
            expect(page.get_by_role("heading", name="Split “Quayside” off Quayside Robotics?")).to_be_visible()
            page.get_by_role("button", name="Confirm split").click()
            expect(page.locator("ul.undo")).to_contain_text("Split off: Quayside")
            page.get_by_role("button", name="Undo the split of Quayside").click()
            expect(page.get_by_role("status")).to_contain_text("Undid the split of 'Quayside'")
            assert judgements(warehouse) == [("split", False), ("unsplit", True)]
        finally:
            browser.close()
