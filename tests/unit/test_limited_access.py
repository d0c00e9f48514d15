"""The access-limited rule (dossier.ingest.access) and what limited evidence does to confidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dossier.alerts.rules import follow_merges
from dossier.ingest.access import (
    MIN_SUMMARY_WORDS,
    declares_not_free,
    has_paywall_notice,
    limited_reason,
    refused_reason,
)
from dossier.ingest.feeds import parse_feed, summary_text
from dossier.records.alerts import Watch
from dossier.scoring.confidence import (
    LIMITED_PENALTY,
    LIMITED_RELIABILITY_FACTOR,
    ScoreInput,
    SourceEvidence,
    score_claim,
    score_profile,
)

NOW = datetime(2025, 12, 1, tzinfo=UTC)
SUMMARY = " ".join(["Quayside Robotics signed a partnership with Marrowgate Logistics to automate warehouses."] * 3)
ARTICLE = " ".join(["Quayside Robotics Ltd signed a partnership with Marrowgate Logistics on Monday."] * 12)


@pytest.mark.parametrize("status", [401, 402, 403, 451])
def test_a_refused_page_with_a_summary_is_limited_and_its_summary_analysed(status):
    reason = refused_reason(status, SUMMARY)
    assert reason is not None and reason.startswith(f"HTTP {status}") and "feed summary analysed" in reason


@pytest.mark.parametrize("status,summary", [(404, SUMMARY), (500, SUMMARY), (402, None), (402, "Too short to stand in.")])
def test_other_refusals_or_no_usable_summary_stay_failures(status, summary):
    assert refused_reason(status, summary) is None


def test_a_normal_article_longer_than_its_summary_is_not_limited():
    assert limited_reason("<html><article>...</article></html>", 120, ARTICLE, SUMMARY) == (None, False)
    assert limited_reason("<html></html>", 120, ARTICLE, None) == (None, False)


def test_a_text_shorter_than_its_feed_summary_is_limited_and_the_summary_used():
    reason, use_summary = limited_reason("<html></html>", 10, "Subscribe to continue reading.", SUMMARY)
    assert use_summary and "shorter than the feed summary" in reason and "feed summary analysed" in reason


def test_a_short_text_with_a_paywall_notice_is_limited_without_a_summary():
    text = "Quayside Robotics signed a deal. " * 10 + "Already a subscriber? Sign in to continue reading."
    reason, use_summary = limited_reason("<html></html>", 60, text, None)
    assert reason is not None and "paywall notice" in reason and not use_summary
    # A long article that merely ends with a subscription box is an article.
    assert limited_reason("<html></html>", 400, text, None) == (None, False)


def test_a_page_declaring_itself_not_free_is_limited():
    json_ld = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    microdata = '<meta itemprop="isAccessibleForFree" content="False">'
    assert declares_not_free(json_ld) and declares_not_free(microdata)
    assert not declares_not_free('<script>{"isAccessibleForFree": true}</script>')
    reason, use_summary = limited_reason(json_ld, 300, ARTICLE, SUMMARY)
    assert reason.startswith("page declares itself not free") and not use_summary


def test_paywall_notices_are_phrases_not_single_words():
    assert has_paywall_notice("This article is for subscribers only.")
    assert not has_paywall_notice("Investors can subscribe to the share offer until Friday.")


def test_feed_summaries_are_parsed_as_plain_text():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>http://example.org/a</link><description>&lt;p&gt;Quayside &amp;amp; Marrowgate
&lt;b&gt;sign&lt;/b&gt; a deal.&lt;/p&gt;</description></item></channel></rss>"""
    [entry] = parse_feed("http://example.org/feed.xml", body).entries
    assert entry.summary == "Quayside & Marrowgate sign a deal."
    assert summary_text(None) is None and summary_text("<p> </p>") is None
    assert MIN_SUMMARY_WORDS > 5


def _source(article: str, cluster: str, limited: bool = False, publisher: str = "a.example") -> SourceEvidence:
    return SourceEvidence(article, publisher, cluster, 0.7, NOW - timedelta(days=2), limited)


def test_limited_stories_cost_their_share_of_the_penalty_and_only_then():
    full = [_source("a1", "c1"), _source("a2", "c2", publisher="b.example")]
    half = [_source("a1", "c1"), _source("a2", "c2", limited=True, publisher="b.example")]
    whole = score_profile(ScoreInput(full, [], now=NOW))
    part = score_profile(ScoreInput(half, [], now=NOW))
    assert whole.score - part.score == pytest.approx(LIMITED_PENALTY / 2, abs=1e-3)
    assert "limited_access" not in whole.detail()  # unchanged detail (and hashes) when nothing is limited
    assert part.detail()["limited_access"]["limited_stories"] == 1
    assert part.detail()["limited_penalty"] == pytest.approx(LIMITED_PENALTY / 2)


def test_a_story_read_whole_once_is_not_limited_by_its_teaser_copies():
    copies = [_source("a1", "c1", limited=True), _source("a2", "c1")]
    assert "limited_access" not in score_profile(ScoreInput(copies, [], now=NOW)).detail()


def test_a_claim_from_a_limited_article_scores_with_less_of_its_source():
    plain, detail = score_claim(0.8, 0.8, "asserted")
    limited, limited_detail = score_claim(0.8, 0.8, "asserted", limited=True)
    assert plain - limited == pytest.approx(0.3 * 0.8 * (1 - LIMITED_RELIABILITY_FACTOR), abs=1e-4)
    assert "limited" not in detail and limited_detail["limited"] == LIMITED_RELIABILITY_FACTOR


def test_a_watch_on_a_merged_organisation_follows_the_merge():
    watches = [Watch(id="w1", kind="organisation", value="hon-hai", label="Hon Hai", created_at=NOW),
               Watch(id="w2", kind="grade", value="old", label="Old", created_at=NOW),
               Watch(id="w3", kind="claim_type", value="partnership", label="partnership", created_at=NOW)]
    followed = follow_merges(watches, {"hon-hai": "foxconn", "old": "mid", "mid": "new"})
    assert [(w.id, w.value) for w in followed] == [("w1", "foxconn"), ("w2", "new"), ("w3", "partnership")]
    assert follow_merges(watches[:1], {"hon-hai": "x", "x": "hon-hai"})[0].value == "x"  # a cycle ends
