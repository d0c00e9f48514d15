from datetime import UTC, datetime

from dossier.ingest.feeds import parse_feed, poll_feed
from dossier.ingest.fetch import Fetcher
from tests.support.loopback import Route
from tests.support.settings import test_settings

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quay Street Journal</title><link>https://quaystreet.example/</link>
<item><title>One</title><link>https://quaystreet.example/a</link><guid isPermaLink="false">qs-1</guid>
<pubDate>Tue, 04 Nov 2025 09:00:00 GMT</pubDate></item>
<item><title>Two</title><link>https://quaystreet.example/b</link></item>
<item><title>Two again</title><link>https://quaystreet.example/b</link></item>
<item><title>No link</title><guid>qs-3</guid></item>
<item><title>Odd date</title><link>https://quaystreet.example/c</link><pubDate>Sat, 01 Jan 2450 00:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_entries_are_keyed_by_guid_or_link_and_deduplicated():
    poll = parse_feed("https://quaystreet.example/rss", RSS)
    assert [e.key for e in poll.entries] == ["qs-1", "https://quaystreet.example/b", "https://quaystreet.example/c"]
    assert poll.entries[0].published == datetime(2025, 11, 4, 9, tzinfo=UTC)
    assert poll.title == "Quay Street Journal" and poll.site_url == "https://quaystreet.example/"


def test_entries_without_link_are_skipped_with_a_warning_and_absurd_dates_dropped():
    poll = parse_feed("https://quaystreet.example/rss", RSS)
    assert "1 entries without an http(s) link skipped" in poll.warning
    assert poll.entries[2].published is None


def test_malformed_feed_still_yields_its_entries_with_a_warning():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>unclosed & bad</title></channel>")
    poll = parse_feed("https://quaystreet.example/rss", broken)
    assert poll.error is None
    assert poll.warning.startswith("malformed feed")
    assert len(poll.entries) >= 3


def test_a_page_that_is_not_a_feed_is_an_error():
    poll = parse_feed("https://quaystreet.example/rss", b"<html><body>hello</body></html>")
    assert poll.error and "not an RSS/Atom feed" in poll.error


def test_conditional_get_sends_validators_and_a_304_keeps_them(site, tmp_path):
    site.routes["/rss"] = Route(body=RSS, content_type="application/rss+xml")
    with Fetcher(test_settings(tmp_path / "w.duckdb")) as fetcher:
        first = poll_feed(fetcher, site.url("/rss"))
        second = poll_feed(fetcher, site.url("/rss"), etag=first.etag, modified=first.modified)
    assert first.status == 200 and len(first.entries) == 3 and first.etag
    assert second.not_modified and second.status == 304 and second.entries == ()
    assert second.etag == first.etag
    assert site.routes["/rss"].request_headers[1]["if-none-match"] == first.etag


def test_a_missing_feed_is_an_error_not_an_exception(site, tmp_path):
    with Fetcher(test_settings(tmp_path / "w.duckdb")) as fetcher:
        poll = poll_feed(fetcher, site.url("/gone.xml"))
    assert poll.error == "HTTP 404" and poll.entries == ()
