"""Article takeover (issue 16, item 1) and borrowed reputation (item 4), on two loopback hosts.

An honest publisher (127.0.0.1) and a hostile one (127.0.0.2) each have a feed. The hostile
feed names the honest site as its `<channel><link>`, and its page declares the honest article's
URL as its canonical, with a fabricated story. Before the fix the hostile page took the honest
article's id and replaced its URL, title, text and claims, under the victim's name.
"""

from __future__ import annotations

import duckdb
import pytest

from dossier.flows.ingest import ingest_feeds
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

RSS = "application/rss+xml; charset=utf-8"

HONEST_PAGE = """<html><head><title>Pellworth Foods buys Ostrava Mills</title>
<link rel="canonical" href="{honest}/news/pellworth.html"></head><body><article>
<h1>Pellworth Foods buys Ostrava Mills</h1>
<p>Pellworth Foods has acquired Ostrava Mills, the flour producer, for an undisclosed sum, the
company said on Tuesday, adding that the mill's two hundred staff would keep their jobs.</p>
<p>Pellworth Foods said the purchase would give it a reliable supply of flour for its bakeries
in the north of the country, where demand for its bread has grown for three years running.</p>
</article></body></html>"""

FORGED_PAGE = """<html><head><title>Pellworth Foods walks away from Ostrava Mills</title>
<link rel="canonical" href="{honest}/news/pellworth.html"></head><body><article>
<h1>Pellworth Foods walks away from Ostrava Mills</h1>
<p>Pellworth Foods has not acquired Ostrava Mills and will not buy the flour producer, a person
who claimed to know the company's thinking said on Tuesday, in a story nobody else has carried.</p>
<p>The unnamed person said Pellworth Foods would close its northern bakeries next year and that
the company had no plans to buy anything from any mill in the region for the time being.</p>
</article></body></html>"""

HONEST_FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Honest Herald</title><link>{honest}/</link>
<item><title>Pellworth Foods buys Ostrava Mills</title><link>{honest}/news/pellworth.html</link><guid>h-1</guid></item>
</channel></rss>"""

# Claims the honest site as its own, and (second feed) a wire service's reputation.
FORGED_FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Honest Herald (mirror)</title><link>{claimed}/</link>
<item><title>Pellworth Foods walks away</title><link>{hostile}/copy/{slug}.html</link><guid>x-{slug}</guid></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def takeover(prefect_harness, tmp_path_factory):
    with LoopbackSite("127.0.0.1") as honest, LoopbackSite("127.0.0.2") as hostile:
        honest.routes["/news/pellworth.html"] = Route(body=HONEST_PAGE.format(honest=honest.base).encode())
        honest.routes["/feed.xml"] = Route(body=HONEST_FEED.format(honest=honest.base).encode(), content_type=RSS)
        for slug, claimed in (("site", honest.base), ("wire", "https://www.reuters.com")):
            hostile.routes[f"/copy/{slug}.html"] = Route(body=FORGED_PAGE.format(honest=honest.base).encode())
            hostile.routes[f"/{slug}.xml"] = Route(
                body=FORGED_FEED.format(claimed=claimed, hostile=hostile.base, slug=slug).encode(), content_type=RSS)
        path = tmp_path_factory.mktemp("takeover") / "dossier.duckdb"
        settings = test_settings(path, allowed_hosts=["127.0.0.0/8"])
        feeds = [honest.url("/feed.xml"), hostile.url("/site.xml"), hostile.url("/wire.xml")]
        first = ingest_feeds(feeds, settings)
        # The honest feed now answers 304: before the fix, a takeover then stuck for good.
        second = ingest_feeds(feeds, settings)
        yield {"honest": honest, "hostile": hostile, "path": path, "runs": (first, second)}


def rows(path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_a_forged_canonical_does_not_take_over_the_honest_article(takeover):
    honest, hostile, path = takeover["honest"], takeover["hostile"], takeover["path"]
    assert all(run.status == "completed" for run in takeover["runs"])
    [(url, canonical, title, text, publisher)] = rows(
        path, "SELECT url, canonical_url, title, text, publisher FROM articles WHERE canonical_url = ?",
        honest.url("/news/pellworth.html"))
    assert url == honest.url("/news/pellworth.html") and publisher == "127.0.0.1"
    assert title == "Pellworth Foods buys Ostrava Mills" and "has acquired Ostrava Mills" in text
    # The forged copies are kept, each under its own URL and its own publisher.
    forged = rows(path, "SELECT url, canonical_url, publisher FROM articles WHERE url LIKE ? AND status = 'ok'",
                  hostile.base + "/%")
    assert sorted(forged) == [(hostile.url(f"/copy/{slug}.html"), hostile.url(f"/copy/{slug}.html"), "127.0.0.2")
                              for slug in ("site", "wire")]


def test_the_honest_articles_claims_are_its_own(takeover):
    honest, path = takeover["honest"], takeover["path"]
    claims = rows(path, """SELECT c.type, c.polarity FROM claims c JOIN articles a ON a.id = c.article_id
                           WHERE a.url = ?""", honest.url("/news/pellworth.html"))
    assert ("acquisition", "affirmed") in claims and all(polarity == "affirmed" for _, polarity in claims)


def test_a_feeds_claimed_site_never_lends_its_name_or_reliability(takeover):
    hostile, path = takeover["hostile"], takeover["path"]
    feeds = dict(rows(path, "SELECT url, coalesce(publisher, '') FROM feeds"))
    assert feeds[hostile.url("/site.xml")] == "" and feeds[hostile.url("/wire.xml")] == ""  # nothing stored as configured
    publishers = {row[0] for row in rows(path, "SELECT DISTINCT publisher FROM articles")}
    assert "reuters.com" not in publishers and publishers == {"127.0.0.1", "127.0.0.2"}
    # The forged copies' claims are scored with the default prior, not the wire service's 0.9.
    priors = {float(row[0]) for row in rows(path, """SELECT c.confidence_detail->>'$.reliability' FROM claims c
                                                     JOIN articles a ON a.id = c.article_id WHERE a.url LIKE ?""",
                                            hostile.base + "/%")}
    assert priors == {0.6}, priors
