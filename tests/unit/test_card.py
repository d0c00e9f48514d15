"""The analyst's card (dossier.profiles.card): one view behind the Markdown card, the HTML card
and the desk; percent and bands, what to watch by horizon, evidence once per sentence, escaping."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.profiles.card import build_card, confidence_view, due_date, group_evidence, watch_bucket
from dossier.profiles.render import render_html, render_markdown, sections
from dossier.records.profiles import EvidenceItem
from tests.support.cards import HOSTILE_NAME, HOSTILE_SENTENCE, HOSTILE_URL, PUBLISHED, card_row, watch

SECTIONS = ("Confidence", "At a glance", "Key points", "What happened", "Why it matters", "What to watch",
            "Now", "Next quarter", "Next year", "Relationships", "Places", "Evidence (1)")


def test_confidence_reads_as_a_percentage_with_its_grade_and_the_band_table():
    view = confidence_view(0.72)
    assert (view.percent, view.grade, view.label) == (72, "B/C", "Medium")
    assert view.headline == "72 % · grade B/C · Medium"
    assert [(b.grade, b.range) for b in view.bands] == [
        ("A", "90–100 %"), ("A/B", "75–89 %"), ("B/C", "55–74 %"), ("C/D", "35–54 %"), ("D", "10–34 %"), ("D", "0–9 %")]
    assert [b.current for b in view.bands] == [False, False, True, False, False, False]
    # The two D bands are told apart: a score of 5 % is internal monitoring, not a weak signal.
    low = confidence_view(0.05)
    assert [b.label for b in low.bands if b.current] == ["Internal monitoring"] and low.percent == 5
    # Banded at two decimals, as grades are: 0.749 prints 75 % and is A/B.
    assert (confidence_view(0.749).percent, confidence_view(0.749).grade) == (75, "A/B")
    assert confidence_view(1.0).bands[0].current and confidence_view(0.0).bands[-1].current


@pytest.mark.parametrize(("phrase", "published", "due"), [
    ("by December", date(2025, 11, 10), date(2025, 12, 31)),       # a deadline: the end of its month
    ("by March", date(2025, 11, 10), date(2026, 3, 31)),           # the next March after the article
    ("before March 2027", date(2025, 11, 10), date(2027, 3, 1)),    # "before": the start
    ("by the end of 2026", date(2025, 11, 10), date(2026, 12, 31)),
    ("starting 2027", date(2025, 11, 10), date(2027, 1, 1)),
    ("next quarter", date(2025, 11, 10), date(2026, 1, 1)),
    ("next year", date(2025, 11, 10), date(2026, 1, 1)),
    ("next month", date(2025, 12, 20), date(2026, 1, 1)),
    ("next week", date(2025, 11, 10), date(2025, 11, 17)),
    ("next spring", date(2025, 11, 10), date(2026, 3, 1)),
    ("by the second half", date(2025, 3, 1), date(2025, 12, 31)),
    ("from the first quarter of 2027", date(2025, 11, 10), date(2027, 1, 1)),
    ("by the first quarter", date(2025, 11, 10), date(2026, 3, 31)),  # this year's is over: next year's
])
def test_a_time_phrase_is_dated_from_its_article(phrase, published, due):
    assert due_date(phrase, published) == due


def test_undatable_phrases_have_no_due_date():
    assert due_date(None, date(2025, 1, 1)) is None and due_date("by December", None) is None
    assert due_date("soon", date(2025, 1, 1)) is None


def test_what_to_watch_is_bucketed_by_date_then_modality():
    as_of = date(2025, 11, 14)
    assert watch_bucket("planned", date(2025, 12, 1), as_of) == "now"        # 17 days ahead
    assert watch_bucket("hedged", date(2025, 10, 1), as_of) == "now"         # overdue: look now
    assert watch_bucket("planned", date(2026, 1, 31), as_of) == "quarter"    # 78 days
    assert watch_bucket("planned", date(2026, 6, 1), as_of) == "year"
    assert watch_bucket("planned", None, as_of) == "quarter"                 # an undated plan
    assert watch_bucket("hedged", None, as_of) == "year"                     # an undated maybe
    assert watch_bucket("asserted", None, None) == "year"


def test_the_card_splits_what_to_watch_into_now_next_quarter_and_next_year():
    row = card_row()
    row["what_to_watch"] = [*row["what_to_watch"], watch("Acme ships", "planned", "next week", "Acme ships next week.",
                                                         "https://three.example/a3")]
    card = build_card(row, PUBLISHED)
    buckets = {b.key: [e.text for e in b.entries] for b in card.what_to_watch}
    assert card.as_of == date(2025, 11, 14)
    assert buckets == {"now": ["Acme ships"], "quarter": ["Acme supplies racks", "Acme opens a plant"],
                       "year": ["Acme may list"]}
    ships = card.what_to_watch[0].entries[0]
    assert ships.due == date(2025, 11, 21) and ships.citation.words == "three.example, 2025-11-14"


def test_what_happened_cites_publisher_date_and_link():
    card = build_card(card_row(), PUBLISHED)
    [happened] = card.what_happened
    assert happened.citation.words == "one.example, 2025-11-10" and happened.citation.url == "https://one.example/a1"
    # Without the articles' dates the citation says so rather than guessing.
    assert build_card(card_row()).what_happened[0].citation.words == "one.example, date unknown"


def test_evidence_repeating_a_sentence_is_shown_once_with_its_copies_counted():
    base = {"type": "supply", "polarity": "affirmed", "modality": "asserted", "publisher": "p"}
    items = [EvidenceItem(sentence="Acme builds racks.", url=f"https://p{i}.example/", **base) for i in range(3)]
    items.append(EvidenceItem(sentence="Acme  builds racks. ", url="https://p0.example/",
                              **{**base, "type": "facility"}))
    items.append(EvidenceItem(sentence="Another sentence.", url="https://p0.example/", **base))
    grouped = group_evidence(items)
    assert [(e.sentence.strip(), e.copies) for e in grouped] == [("Acme builds racks.", 3), ("Another sentence.", 1)]
    assert {c.type for c in grouped[0].claims} == {"supply", "facility"}
    card = build_card(card_row(evidence=[i.model_dump() for i in items]))
    assert card.evidence_total == 2 and card.evidence[0].text.endswith("Acme builds racks. (3 copies)")
    assert "(3 copies)" in render_markdown(card_row(evidence=[i.model_dump() for i in items]))


def test_every_section_is_in_the_markdown_and_the_html_card():
    markdown, html = render_markdown(card_row(), PUBLISHED), render_html(card_row(), PUBLISHED)
    for title in SECTIONS:
        assert title in markdown and title in html, title
    assert "Confidence **72 % · grade B/C · Medium**" in markdown
    assert "| B/C | 55–74 % | Medium | ← this card |" in markdown
    assert '<tr class="current" aria-current="true"><td>B/C</td><td>55–74 %</td>' in html
    assert "3 copies" in markdown and "3 copies" in html
    assert "one.example, 2025-11-10" in markdown and "one.example, 2025-11-10" in html
    assert "Signal focus | supply" in markdown and "Impact: medium — affirmed supply" in markdown
    # The terminal card reads the same sections.
    titles = [title for title, _ in sections(card_row(), PUBLISHED)]
    assert {"What happened", "What to watch: now", "What to watch: next quarter", "Evidence (1)"} <= set(titles)


def test_hostile_names_sentences_and_links_stay_text_in_every_format():
    row = card_row(name=HOSTILE_NAME, sentence=HOSTILE_SENTENCE, url=HOSTILE_URL)
    html = render_html(row, PUBLISHED)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "</li></ul> " not in html and "{{ 7*7 }}" in html  # template syntax in data is not evaluated
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")  # never a link
    assert "<script>" not in html.split("</table>")[0]
    markdown = render_markdown(row, PUBLISHED)
    assert "<script>" not in markdown and "\\<img src=x" in markdown and "\\*Acme\\*" in markdown
    assert f"<{HOSTILE_URL}>" not in markdown
