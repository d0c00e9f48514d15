"""Access-limited articles: pages a paywall, a sign-in or a legal block kept us from reading whole.

Their evidence is kept (a lede or a feed summary still names organisations and often the
claim) but it is flagged, so confidence counts it less and analysts can tell it apart. The
rule, in the order it is checked (docs/operations.md, "Access-limited articles"):

1. The page was refused with HTTP 401, 402, 403 or 451: the feed's summary of the entry is
   analysed instead when it has at least `MIN_SUMMARY_WORDS` words (else the entry fails as before).
2. The page declares itself not free (schema.org `isAccessibleForFree: false`, in JSON-LD or
   microdata), whatever text came out of it.
3. The extracted text has fewer words than the feed's summary (of at least `MIN_SUMMARY_WORDS`):
   a teaser cut short by a paywall. The summary, which says more, is analysed instead.
4. The extracted text is under `SHORT_WORDS` words and carries a paywall notice ("subscribe to
   continue", "already a subscriber?", ...).

A normal article is longer than its feed's summary and has none of these, so it is never flagged.
"""

from __future__ import annotations

import re

from dossier.ingest.text import count_words

# HTTP statuses that mean "not for you without an account, payment or another jurisdiction".
LIMITED_STATUSES = {401: "sign-in required", 402: "payment required", 403: "forbidden", 451: "unavailable for legal reasons"}
# A summary shorter than this says too little to stand in for a page (one headline-like line).
MIN_SUMMARY_WORDS = 20
# Texts at least this long are articles even when a subscription notice follows them.
SHORT_WORDS = 150

_NOT_FREE = re.compile(
    r"""["']?isAccessibleForFree["']?\s*[:=]\s*["']?(false|no|0)\b"""
    r"""|itemprop\s*=\s*["']isAccessibleForFree["'][^>]*content\s*=\s*["'](false|no|0)["']"""
    r"""|content\s*=\s*["'](false|no|0)["'][^>]*itemprop\s*=\s*["']isAccessibleForFree["']""",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"subscribe (now )?to (continue|read|keep reading|unlock)|subscribers? only|for subscribers"
    r"|already an? (subscriber|member)|to continue reading|continue reading with|sign in to (continue|read)"
    r"|log ?in to (continue|read)|register to (continue|read)|this (article|story|content) is (for|available to) "
    r"(subscribers|members|premium)|unlock this (article|story)|premium (article|content|story)|paywall",
    re.IGNORECASE,
)


def refused_reason(status: int | None, summary: str | None) -> str | None:
    """Why a refused page is access-limited and its summary analysed instead; None when the status is
    not an access refusal or there is no summary long enough to analyse."""
    if status not in LIMITED_STATUSES or count_words(summary or "") < MIN_SUMMARY_WORDS:
        return None
    return f"HTTP {status} ({LIMITED_STATUSES[status]}); feed summary analysed"


def declares_not_free(page_html: str) -> bool:
    """The page says it is not free to read (schema.org isAccessibleForFree false)."""
    return "isaccessibleforfree" in page_html.lower() and _NOT_FREE.search(page_html) is not None


def has_paywall_notice(text: str) -> bool:
    """The text carries a subscription or sign-in notice."""
    return _PAYWALL.search(text) is not None


def limited_reason(page_html: str, text_words: int, text: str, summary: str | None) -> tuple[str | None, bool]:
    """Why a fetched page is access-limited (None when it is not), and whether the feed summary
    should be analysed in place of the extracted text (it is longer)."""
    summary_words = count_words(summary or "")
    use_summary = summary_words >= MIN_SUMMARY_WORDS and text_words < summary_words
    if declares_not_free(page_html):
        reason = "page declares itself not free (isAccessibleForFree false)"
    elif use_summary:
        reason = f"extracted text ({text_words} words) shorter than the feed summary ({summary_words} words)"
    elif text_words < SHORT_WORDS and has_paywall_notice(text):
        return f"short text ({text_words} words) with a paywall notice", False
    else:
        return None, False
    return reason + ("; feed summary analysed" if use_summary else ""), use_summary
