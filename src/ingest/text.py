"""Main text and metadata of an article page, with trafilatura."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import trafilatura
from trafilatura.utils import decode_file, detect_encoding

from dossier.errors import InputError
from dossier.ids import hash_text
from dossier.records import ArticleText, Page

MIN_WORDS = 40


class NoText(InputError):
    """The page holds no article text worth analysing; `text` and `words` say what little it held."""

    def __init__(self, message: str, text: str = "", words: int = 0) -> None:
        super().__init__(message)
        self.text = text
        self.words = words


class DecodedBody(NamedTuple):
    text: str
    warning: str | None = None  # why the declared charset was not used, and what was


def declared_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header declares, if any."""
    if not content_type or "charset=" not in content_type:
        return None
    return content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"').lower() or None


def decode_page(body: bytes, content_type: str | None) -> DecodedBody:
    """Decode a response body: the declared charset when it works, else detection.

    A declared charset that fails is worth a warning (the page may read wrongly, and the
    server is misconfigured); an undeclared one is ordinary and detected silently."""
    charset = declared_charset(content_type)
    if charset is None:
        return DecodedBody(decode_file(body))
    try:
        return DecodedBody(body.decode(charset))
    except LookupError:
        problem = f"declared charset {charset!r} is unknown"
    except UnicodeDecodeError:
        problem = f"declared {charset} does not decode"
    for guess in detect_encoding(body):  # ["utf-8"] for valid UTF-8
        try:
            return DecodedBody(body.decode(guess), f"{problem}; decoded as {guess}")
        except (LookupError, UnicodeDecodeError):
            continue
    return DecodedBody(body.decode("utf-8", errors="replace"), f"{problem}; undecodable bytes replaced")


def decode_body(body: bytes, content_type: str | None) -> str:
    """The text of `decode_page`, for callers with no run to record a warning in."""
    return decode_page(body, content_type).text


# Scripts written without spaces between words (Chinese, Japanese kana and kanji): each
# character counts as a word, so a Chinese or Japanese article is not "2 words" long.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_UNSPACED}]|[^\\s{_UNSPACED}]+")


def count_words(text: str) -> int:
    """Words in `text`: runs between spaces, and each character of a script written without spaces."""
    return len(_WORD.findall(text))


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# trafilatura parses every page with one module-level lxml HTMLParser, and an lxml parser must
# not be used by two threads at once: the fetch threads that extract text as pages arrive crashed
# the ingesting process (SIGSEGV, glibc "corrupted size vs. prev_size") in 2,000-article benchmark
# runs. Extraction holds the GIL nearly throughout, so one at a time costs no parallelism.
_ONE_PARSE_AT_A_TIME = threading.Lock()


def extract_article(page: Page) -> ArticleText:
    """Main text, title, author, date, site name and canonical URL of a page; raise NoText if none."""
    # fast: no second opinion from the readability/jusText fallbacks. On the 181 pages of the
    # article-extraction benchmark it costs 34 % less CPU and scores higher (F1 0.960 vs 0.957).
    with _ONE_PARSE_AT_A_TIME:
        doc = trafilatura.bare_extraction(
            page.html, url=page.final_url, with_metadata=True, include_comments=False, include_tables=True, fast=True,
        )
    text = (doc.text or "").strip() if doc is not None else ""
    words = count_words(text)
    if words < MIN_WORDS:
        raise NoText(f"no article text found ({words} words)", text=text, words=words)
    canonical = doc.url if doc.url and urlsplit(doc.url).scheme in ("http", "https") else page.final_url
    return ArticleText(
        url=page.final_url, canonical_url=canonical, title=doc.title, author=doc.author,
        published=_parse_date(doc.date), site_name=doc.sitename, language=doc.language,
        text=text, content_hash=hash_text(text),
    )
