"""Stage functions in isolation."""

from datetime import datetime, timezone

from dossier.extract.analyse import Analyser
from dossier.ids import hash_text
from dossier.pipeline.stages import FetchedArticle, FetchJob, analyse_articles
from dossier.records import ArticleText, FeedEntry, Page
from dossier.settings import load_settings


def fetched(text: str, n: int) -> FetchedArticle:
    url = f"http://127.0.0.1:9/{n}.html"
    entry = FeedEntry(feed_url="http://127.0.0.1:9/rss", key=str(n), link=url)
    return FetchedArticle(
        job=FetchJob(entry=entry, publisher="example", reliability=0.6),
        page=Page(url=url, final_url=url, status=200, html="", fetched_at=datetime.now(timezone.utc)),
        article=ArticleText(url=url, canonical_url=url, text=text, content_hash=hash_text(text)),
        is_new=True,
    )


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
    from dossier.pipeline.stages import article_id, trusted_canonical
    from dossier.records import ArticleText

    def page(url, canonical):
        return ArticleText(url=url, canonical_url=canonical, text="words " * 50, content_hash="h")

    # The publisher's own domain (or the feed's site, for a mirror) is kept ...
    assert trusted_canonical(page("https://www.harbourledger.example/a?utm=x", "https://harbourledger.example/a"),
                             "harbourledger.example").canonical_url == "https://harbourledger.example/a"
    assert trusted_canonical(page("http://127.0.0.1:8765/a.html", "https://circuitdaily.example/a"),
                             "circuitdaily.example").canonical_url == "https://circuitdaily.example/a"
    # ... another site's article is not: it would take over that article's id and evidence.
    hijack = trusted_canonical(page("https://spoof.example/copy", "https://harbourledger.example/a"), "spoof.example")
    assert hijack.canonical_url == "https://spoof.example/copy"
    assert article_id(hijack.canonical_url) != article_id("https://harbourledger.example/a")


def test_a_link_listed_by_several_feeds_is_planned_once(tmp_path):
    from dossier.pipeline.stages import FeedConfig, plan_fetches
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
    from dossier.pipeline.stages import FeedConfig, plan_fetches
    from dossier.records import FeedPoll
    from dossier.store.warehouse import Warehouse

    warehouse = Warehouse(tmp_path / "w.duckdb")
    feeds = [FeedConfig(url=f"http://127.0.0.1:9/{name}.xml") for name in ("a", "b")]
    link = "http://127.0.0.1:9/shared.html"
    now = datetime.now(timezone.utc)
    with warehouse.write() as con:  # stored by an earlier run, under the second feed
        con.execute("INSERT INTO articles (id, url, canonical_url, feed_url, entry_key, status, content_hash,"
                    " first_seen, last_seen) VALUES ('x', ?, ?, ?, 'b-key', 'ok', 'h', ?, ?)",
                    [link, link, feeds[1].url, now, now])
    polls = [FeedPoll(feed_url=f.url, status=200, entries=(FeedEntry(feed_url=f.url, key=f"{f.url[-5]}-key", link=link),))
             for f in feeds]
    plan = plan_fetches(warehouse, feeds, polls)
    # Not fetched again for the first feed: the second feed's stored copy is unchanged.
    assert (plan.jobs, plan.unchanged, plan.repeated) == ([], 1, 1)
