"""Stage functions in isolation."""

from datetime import UTC, datetime

import pytest

from dossier.extract.analyse import Analyser
from dossier.pipeline.analyse import analyse_articles
from dossier.pipeline.plan import FetchJob
from dossier.records import ArticleText, FeedEntry
from dossier.settings import load_settings
from tests.support.articles import fetched


def test_an_article_that_breaks_the_nlp_batch_is_recorded_and_the_rest_go_on(monkeypatch):
    original = Analyser.analyse_doc

    def fragile(self, doc):
        if "BREAKS" in doc.text:  # stands in for a component crash on one odd document
            raise ValueError("component crashed")
        return original(self, doc)

    monkeypatch.setattr(Analyser, "analyse_doc", fragile)
    articles = [fetched("Kestrel Compute will supply chips to Halden Systems.", 1),
                fetched("This text BREAKS the pipeline.", 2),
                fetched("Nordlys Energy signed a partnership with Brightwater Cable Systems.", 3)]
    outcome = analyse_articles(articles, load_settings())
    assert [a.fetched.job.entry.key for a in outcome.analysed] == ["1", "3"]
    [failure] = outcome.failures
    assert (failure.stage, failure.item) == ("nlp", "http://127.0.0.1:9/2.html")
    assert "component crashed" in failure.reason


def test_a_canonical_url_on_another_site_is_not_trusted():
    from dossier.ids import article_id
    from dossier.pipeline.fetch import trusted_canonical

    def page(url, canonical):
        return ArticleText(url=url, canonical_url=canonical, text="words " * 50, content_hash="h")

    # The fetched page's own domain (or the publisher configured for its feed host, a mirror) is kept ...
    assert trusted_canonical(page("https://www.harbourledger.example/a?utm=x", "https://harbourledger.example/a"),
                             "harbourledger.example").canonical_url == "https://harbourledger.example/a"
    assert trusted_canonical(page("http://127.0.0.1:8765/a.html", "https://circuitdaily.example/a"),
                             "circuitdaily.example").canonical_url == "https://circuitdaily.example/a"
    # ... another site's article is not: it would take over that article's id and evidence.
    hijack = trusted_canonical(page("https://spoof.example/copy", "https://harbourledger.example/a"), "spoof.example")
    assert hijack.canonical_url == "https://spoof.example/copy"
    assert article_id(hijack.canonical_url) != article_id("https://harbourledger.example/a")


@pytest.mark.parametrize("url, publisher", [
    ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
    # Tenants of a hosting platform are publishers of their own (the private suffix list).
    ("https://alice.github.io/post", "alice.github.io"), ("https://bob.github.io/post", "bob.github.io"),
    ("https://carol.substack.com/p/x", "carol.substack.com"), ("https://dan.blogspot.com/2026/x", "dan.blogspot.com"),
    ("https://erin.wordpress.com/x", "erin.wordpress.com"),
    ("http://127.0.0.1:8765/a.html", "127.0.0.1"), ("https://www.ledgerwire.example/a", "ledgerwire.example"),
])
def test_publisher_identity_counts_private_suffixes(url, publisher):
    from dossier.ingest.publisher import publisher_of

    assert publisher_of(url) == publisher


def test_a_feeds_claimed_site_never_becomes_its_publisher():
    from dossier.pipeline.plan import FeedConfig, publisher_for

    assert publisher_for(FeedConfig(url="https://feeds.spoof-news.com/rss")) == "spoof-news.com"
    assert publisher_for(FeedConfig(url="http://127.0.0.1:9/rss", publisher="ledgerwire.example")) == "ledgerwire.example"


def test_an_article_takes_its_publisher_and_reliability_from_where_it_was_fetched():
    from dossier.pipeline.fetch import article_source

    entry = FeedEntry(feed_url="https://feeds.spoof-news.com/rss", key="1", link="https://spoof-news.com/a")
    job = FetchJob(entry=entry, publisher="spoof-news.com", reliability=0.61)
    assert article_source(job, "https://www.spoof-news.com/a") == ("spoof-news.com", 0.61, None)
    # A link (or a redirect) to another site: that site's name and its own prior, not the feed's.
    assert article_source(job, "https://www.reuters.com/x") == ("reuters.com", 0.9, None)
    # A configured mirror: pages on the feed's own host are the configured publisher's.
    mirror = FetchJob(entry=FeedEntry(feed_url="http://127.0.0.1:9/rss", key="1", link="http://127.0.0.1:9/a"),
                      publisher="ledgerwire.example", reliability=0.7, configured_publisher="ledgerwire.example")
    assert article_source(mirror, "http://127.0.0.1:9/a") == ("ledgerwire.example", 0.7, "ledgerwire.example")
    assert article_source(mirror, "https://other.example/a") == ("other.example", 0.6, None)


def test_a_link_listed_by_several_feeds_is_planned_once(tmp_path):
    from dossier.pipeline.plan import FeedConfig, plan_fetches
    from dossier.records import FeedPoll
    from dossier.store.warehouse import Warehouse

    feeds = [FeedConfig(url=f"http://127.0.0.1:9/{name}.xml") for name in ("a", "b", "c")]
    shared, own = "http://127.0.0.1:9/shared.html", "http://127.0.0.1:9/own.html"

    def poll(feed: FeedConfig, *links: str) -> FeedPoll:
        return FeedPoll(feed_url=feed.url, status=200, entries=tuple(
            FeedEntry(feed_url=feed.url, key=f"{feed.url}#{link}", link=link) for link in links))

    polls = [poll(feeds[0], shared), poll(feeds[1], shared, own), poll(feeds[2], shared)]
    plan = plan_fetches(Warehouse(tmp_path / "w.duckdb"), feeds, polls)
    assert [(job.entry.feed_url, job.entry.link) for job in plan.jobs] == [(feeds[0].url, shared), (feeds[1].url, own)]
    assert (plan.repeated, plan.unchanged) == (2, 0)


def test_a_repeated_link_stays_with_the_feed_that_already_holds_it(tmp_path):
    from dossier.pipeline.plan import FeedConfig, plan_fetches
    from dossier.records import FeedPoll
    from dossier.store.warehouse import Warehouse

    warehouse = Warehouse(tmp_path / "w.duckdb")
    feeds = [FeedConfig(url=f"http://127.0.0.1:9/{name}.xml") for name in ("a", "b")]
    link = "http://127.0.0.1:9/shared.html"
    now = datetime.now(UTC)
    with warehouse.write() as con:  # stored by an earlier run, under the second feed
        con.execute("INSERT INTO articles (id, url, canonical_url, feed_url, entry_key, status, content_hash,"
                    " first_seen, last_seen) VALUES ('x', ?, ?, ?, 'b-key', 'ok', 'h', ?, ?)",
                    [link, link, feeds[1].url, now, now])
    polls = [FeedPoll(feed_url=f.url, status=200, entries=(FeedEntry(feed_url=f.url, key=f"{f.url[-5]}-key", link=link),))
             for f in feeds]
    plan = plan_fetches(warehouse, feeds, polls)
    # Not fetched again for the first feed: the second feed's stored copy is unchanged.
    assert (plan.jobs, plan.unchanged, plan.repeated) == ([], 1, 1)
