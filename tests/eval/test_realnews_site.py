"""`make realnews`: the loopback site serves every business and tech story with feeds that
dossier's own feed parser and text extractor read back as the stories they came from."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from bench.realnews import ClaimRow, ProfileRow, RealnewsSite, Report, load_stories, render_markdown
from dossier.ingest.feeds import parse_feed
from dossier.ingest.text import extract_article
from dossier.records import Page


@pytest.fixture(scope="module")
def stories(shared_data):
    return load_stories(shared_data)


@pytest.mark.shared
def test_every_business_and_tech_story_is_served_with_its_headline(stories):
    sections = {s.section for s in stories}
    assert sections == {"business", "tech"}
    assert len(stories) == len({s.path for s in stories}) > 800
    assert all(s.headline and s.paragraphs for s in stories)


@pytest.mark.shared
def test_the_feeds_list_every_story_and_pages_extract_to_the_story_text(stories):
    with RealnewsSite(stories) as site, httpx.Client() as client:
        listed = {}
        for url in site.feed_urls():
            response = client.get(url)
            assert response.status_code == 200 and "rss" in response.headers["content-type"]
            for entry in parse_feed(url, response.content).entries:
                listed[entry.link] = entry.title
                assert entry.published is not None
            again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
            assert again.status_code == 304
        assert listed == {site.base + s.path: s.headline for s in stories}
        assert client.get(site.base + "/robots.txt").status_code == 200
        assert client.get(site.base + "/business/999999.html").status_code == 404

        story = next(s for s in stories if s.section == "tech")
        response = client.get(site.base + story.path)
        page = Page(url=site.base + story.path, final_url=site.base + story.path, status=200, html=response.text,
                    fetched_at=datetime.now(UTC))
        article = extract_article(page)
        assert article.title == story.headline
        assert article.canonical_url == site.base + story.path
        assert all(" ".join(p.split()[:8]) in article.text for p in story.paragraphs)
        assert article.text.startswith(story.paragraphs[0][:40])  # the body alone, as the gold annotates it


def test_the_markdown_report_escapes_article_text():
    report = Report(articles=2, organisations=1, claims=1, seed=3,
                    top=(ProfileRow(name="Acme | Co", mentions=4, sources=2, independent_sources=2, type="unknown",
                                    category="company", base="unknown", grade="D", confidence=0.3,
                                    aliases=("ACME",)),),
                    sample=(ClaimRow(subject="Acme | Co", type="acquisition", object=None, polarity="affirmed",
                                     modality="asserted", evidence="Acme | Co bought *everything*.",
                                     article="business/001"),))
    text = render_markdown(report, seconds=12.0)
    assert "2 articles ingested in 12 s" in text
    assert "| 1 | Acme \\| Co | 4 | 2 (2) |" in text
    assert "Acme \\| Co bought \\*everything\\*." in text
