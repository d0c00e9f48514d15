"""The review desk in a real headless Chromium (Debian's, installed by `make browser`):
sign in, open the queue, open a profile, approve it, find the approval in the history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dossier.ids import hash_text
from dossier.pipeline.analyse import analyse_articles
from dossier.pipeline.fetch import FetchedArticle
from dossier.pipeline.plan import FetchJob
from dossier.pipeline.refresh import refresh_profiles
from dossier.pipeline.write import write_batch
from dossier.records import ArticleText, FeedEntry, Page
from dossier.review.accounts import add_account
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse
from tests.support.articles import fetched
from tests.support.desk_browser import launch, serving

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PASSWORD = "correct horse battery"


@pytest.fixture
def desk(tmp_path):
    """The desk over a warehouse with real profiles: its URL and the warehouse file."""
    path = tmp_path / "dossier.duckdb"
    warehouse = Warehouse(path)
    outcome = analyse_articles([fetched((FIXTURES / "quayside.txt").read_text(), 1)], load_settings())
    refresh_profiles(warehouse, write_batch(warehouse, list(outcome.analysed), []).affected_entities)
    with warehouse.write() as con:
        add_account(con, "rita", PASSWORD, "reviewer")
    with serving(path) as url:
        yield url, warehouse


@pytest.fixture
def desk_url(desk):
    return desk[0]


def test_sign_in_open_queue_open_profile_approve_and_see_it_in_history(desk_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
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


def test_a_tampered_csrf_token_is_refused_in_the_browser_and_nothing_is_approved(desk):
    """A real form post from Chromium whose hidden token was changed in the page: 403, the
    draft stays a draft, no approval is logged; the untouched form then still works."""
    from playwright.sync_api import expect, sync_playwright

    url, warehouse = desk
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.goto(url + "/login")
            page.get_by_label("Username").fill("rita")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("link", name="Quayside Robotics").click()
            profile = page.url
            approve = page.locator('form[action$="/approve"]')
            token = approve.locator('input[name="csrf_token"]')
            real = token.input_value()
            token.evaluate("(el, forged) => { el.value = forged; }", real[::-1])  # same length, wrong value
            with page.expect_response(lambda r: r.url.endswith("/approve")) as answer:
                page.get_by_role("button", name="Approve revision 1").click()
            assert answer.value.status == 403
            expect(page.get_by_role("heading", name="403")).to_be_visible()
            expect(page.locator("body")).to_contain_text("security token")
            with warehouse.write() as con:
                statuses = con.execute("SELECT p.status FROM profiles p JOIN entities e ON e.id = p.entity_id"
                                       " WHERE e.name = 'Quayside Robotics'").fetchall()
                approvals = con.execute("SELECT count(*) FROM review_events WHERE action = 'approve'").fetchone()[0]
            assert statuses == [("draft",)] and approvals == 0

            page.goto(profile)  # the page's own token still works: the refusal was the tampering
            page.get_by_role("button", name="Approve revision 1").click()
            expect(page.get_by_role("status")).to_have_text("Approved revision 1.")
        finally:
            browser.close()


# --- issue 8: hostile article-derived text renders inert ------------------------------------

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload="window.__xss=1">'
HOSTILE_TEXT = (
    f"Quayside Robotics Ltd signed a partnership with Marrowgate Logistics on Monday to automate three warehouses"
    f" in Ohio, the companies said {SCRIPT}.\n\n"
    f"Quayside will supply 400 sorting robots to Marrowgate under the deal {IMG}. Marrowgate has not committed"
    f" to buy any further machines.\n\n"
    f"Analysts said Quayside could open a plant in Georgia to serve the contract {SVG}."
)
ORG = f"Quayside Robotics {IMG}"
OTHER = f"Marrowgate {SCRIPT}"
ALIAS = f"Quayside {SVG}"


def hostile(n: int, text: str, source_url: str) -> FetchedArticle:
    """An article whose feed title, page title, publisher, site name and text carry payloads and
    whose canonical URL is a script URL."""
    url = f"http://127.0.0.1:9/hostile{n}.html"
    entry = FeedEntry(feed_url="http://127.0.0.1:9/rss", key=str(n), link=url, title=f"Feed title {SCRIPT}")
    return FetchedArticle(
        job=FetchJob(entry=entry, publisher=f"Publisher {IMG}", reliability=0.6),
        page=Page(url=url, final_url=url, status=200, html="", fetched_at=datetime.now(UTC)),
        article=ArticleText(url=url, canonical_url=source_url, title=f"Robots {SCRIPT}", site_name=SVG, text=text,
                            content_hash=hash_text(text)),
        is_new=True,
    )


@pytest.fixture
def hostile_desk(tmp_path):
    """Hostile articles through the real analysis and write path; then organisation names and
    an alias with payloads (as a hostile page could make them), drafts re-assembled from them."""
    path = tmp_path / "dossier.duckdb"
    warehouse = Warehouse(path)
    articles = [hostile(1, HOSTILE_TEXT, "javascript:window.__xss=1//"),
                hostile(2, "Quayside Robotics will supply robots to Marrowgate Logistics next year.",
                        "data:text/html,<script>window.__xss=1</script>"),
                hostile(3, "Quayside Robotics said Marrowgate Logistics signed a partnership for a depot.",
                        " JaVaScRiPt:window.__xss=1//")]
    outcome = analyse_articles(articles, load_settings())
    assert len(outcome.analysed) == 3
    write_batch(warehouse, list(outcome.analysed), [])
    with warehouse.write() as con:
        quayside = con.execute("SELECT id FROM entities WHERE name = 'Quayside Robotics'").fetchone()[0]
        marrowgate = con.execute("SELECT id FROM entities WHERE name = 'Marrowgate Logistics'").fetchone()[0]
        con.execute("UPDATE entities SET name = ? WHERE id = ?", [ORG, quayside])
        con.execute("UPDATE entities SET name = ? WHERE id = ?", [OTHER, marrowgate])
        con.execute("INSERT INTO aliases SELECT id, ?, 'hostile', 'name', first_seen FROM entities WHERE id = ?", [ALIAS, quayside])
        add_account(con, "rita", PASSWORD, "reviewer")
    refresh_profiles(warehouse, [quayside, marrowgate])
    with warehouse.write() as con:
        claims = [r[0] for r in con.execute("SELECT id FROM claims WHERE subject_id = ? AND evidence LIKE '%<%'"
                                            " ORDER BY evidence_start", [quayside]).fetchall()]
        assert con.execute("SELECT count(*) FROM profiles WHERE name = ?", [ORG]).fetchone()[0] == 1
    assert claims, "the hostile evidence sentences yielded no claims"
    with serving(path) as url:
        yield url, quayside, claims


def test_hostile_text_renders_inert_on_every_page(hostile_desk):
    """Payloads from feeds, pages and organisation names are shown as text on the login,
    queue, profile, evidence, history and error pages: no script runs, no dialog opens, no
    element carries a handler, no link has a script or data URL."""
    from playwright.sync_api import expect, sync_playwright

    url, quayside, claims = hostile_desk
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            dialogs, violations = [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

            def inert(path: str | None, *shown: str) -> None:
                if path is not None:
                    page.goto(url + path)
                page.wait_for_load_state("load")
                where = page.url
                assert page.evaluate("() => window.__xss") is None, f"a script ran on {where}"
                assert page.locator("script:not([src^='/static/']), svg, iframe, object, embed, [onerror], [onload]").count() == 0, where
                protocols = page.eval_on_selector_all("a[href]", "els => els.map(e => e.protocol)")
                assert set(protocols) <= {"http:", "https:"}, f"{where}: links {protocols}"
                body = page.locator("body")
                for text in shown:
                    expect(body).to_contain_text(text)
                assert not dialogs and not violations, f"{where}: {dialogs} {violations}"

            inert(f"/login?next=/{SVG}")
            page.get_by_label("Username").fill("rita")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            inert(None)  # landed on the reflected next= path: a 404 page, inert
            inert("/queue", ORG, OTHER)
            inert(f"/profiles/{quayside}", ORG, ALIAS, OTHER, SCRIPT, IMG, SVG, f"Robots {SCRIPT}", f"Publisher {IMG}")
            assert page.get_by_role("link", name=f"Robots {SCRIPT}").count() == 0  # the source URLs are not links
            for claim in claims:
                inert(f"/claims/{claim}", ORG, f"Robots {SCRIPT}", f"Publisher {IMG}")
                assert page.get_by_role("link", name="open the source").count() == 0
            # A reviewer's own input takes the same path into overrides and the history.
            page.goto(f"{url}/profiles/{quayside}")
            page.get_by_label("Value").fill(f"maker {IMG}")
            page.get_by_label("edit note").fill(f"note {SCRIPT}")
            page.get_by_role("button", name="Save edit").click()
            inert(None, f"maker {IMG}")
            inert("/history", ORG, f"note {SCRIPT}", "maker <img src=x onerror=")  # quotes JSON-escaped there
            inert(f"/history?entity={quayside}", ORG)
            inert(f"/queue?status={SCRIPT}", SCRIPT)  # reflected in the error message
        finally:
            browser.close()
