from datetime import UTC, datetime
from pathlib import Path

import pytest

from dossier.ingest.text import NoText, decode_body, extract_article
from dossier.records import Page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def page(html: str, url: str = "http://127.0.0.1:9/a.html") -> Page:
    return Page(url=url, final_url=url, status=200, html=html, fetched_at=datetime.now(UTC))


def test_main_text_and_metadata_without_the_clutter():
    article = extract_article(page((FIXTURES / "quayside.html").read_text()))
    assert article.text.count("Quayside") >= 4
    for clutter in ("cookies", "Related stories", "dockhand42", "Privacy"):
        assert clutter not in article.text
    assert article.canonical_url == "https://harbourledger.example/2025/10/quayside-marrowgate"
    assert article.author == "Ines Albright"
    assert article.site_name == "Harbour Ledger"
    assert article.published.date().isoformat() == "2025-10-06"


def test_content_hash_ignores_whitespace_only_changes():
    html = (FIXTURES / "quayside.html").read_text()
    a = extract_article(page(html))
    b = extract_article(page(html.replace("<p>Quayside will", "<p>\n   Quayside will")))
    c = extract_article(page(html.replace("400 sorting robots", "450 sorting robots")))
    assert a.content_hash == b.content_hash != c.content_hash


@pytest.mark.parametrize("html", ["<html><body></body></html>", "<html><body><nav>Home | About</nav></body></html>", ""])
def test_pages_without_article_text_raise_no_text(html):
    with pytest.raises(NoText, match="no article text"):
        extract_article(page(html))


def test_decoding_honours_the_declared_charset_and_falls_back_to_detection():
    assert decode_body("café".encode("latin-1"), "text/html; charset=ISO-8859-1") == "café"
    assert decode_body("café".encode(), "text/html; charset=nonsense") == "café"


def test_a_declared_charset_that_fails_is_decoded_by_detection_with_a_warning():
    from dossier.ingest.text import decode_page

    latin1 = "Café Lumière opens in Münster, says the café's owner. ".encode("latin-1") * 4
    decoded = decode_page(latin1, "text/html; charset=utf-8")
    assert "Café" in decoded.text and "Münster" in decoded.text  # the detector's guess (cp1250 here) is not exact
    assert decoded.warning is not None and decoded.warning.startswith("declared utf-8 does not decode; decoded as ")
    unknown = decode_page("café".encode(), "text/html; charset=nonsense")
    assert (unknown.text, unknown.warning) == ("café", "declared charset 'nonsense' is unknown; decoded as utf-8")
    # A charset that works, or none declared, is no news.
    assert decode_page("café".encode("latin-1"), "text/html; charset=ISO-8859-1").warning is None
    assert decode_page("café".encode(), "text/html").warning is None


def test_words_of_scripts_written_without_spaces_are_counted_per_character():
    from dossier.ingest.text import MIN_WORDS, count_words

    assert count_words("Foxconn will  build racks\nin Ohio.") == 6
    # Written for this test: "Hon Hai will build data-centre hardware in the United States."
    chinese = "鸿海将在美国建设数据中心硬件"
    assert count_words(chinese) == len(chinese) and count_words(chinese * 3) >= MIN_WORDS
    assert count_words("OpenAI と Foxconn は提携した") == 8  # latin words, and kana/kanji one by one


def test_pages_are_extracted_one_at_a_time_across_threads(monkeypatch):
    """trafilatura shares one lxml parser module-wide, which two threads must never use at once."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import trafilatura

    from dossier.ingest import text

    inside, most = 0, 0
    guard = threading.Lock()
    real = trafilatura.bare_extraction

    def counting(*args, **kwargs):
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)  # long enough for the other threads to arrive
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(text.trafilatura, "bare_extraction", counting)
    html = "<html><body><article>" + "<p>" + "A sentence about a harbour crane order. " * 30 + "</p></article></body></html>"
    pages = [Page(url=f"http://127.0.0.1:9/{n}", final_url=f"http://127.0.0.1:9/{n}", status=200, html=html,
                  fetched_at=datetime.now(UTC)) for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        articles = list(pool.map(text.extract_article, pages))
    assert len(articles) == 8 and most == 1
