"""Stable ids: a short hash of the identifying parts, so re-runs upsert onto the same rows.

The identity of an organisation, a place and an article is worked out here, below every stage:
extraction, the warehouse and review all key rows the same way without importing each other.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from typing import Any

from cleanco import basename

_ESCAPES = str.maketrans({"\x1e": "\x1e\x1e", "\x1f": "\x1e\x1f", "\x00": "\x1e\x00"})


def make_id(*parts: object) -> str:
    """Return a 16-hex-digit id for the given parts.

    Parts are joined by a separator (0x1F) with None written as a lone NUL; inside a part the
    separator, NUL and the escape byte (0x1E) are escaped, so different part lists never
    share an encoding ("a\x1fb" vs "a", "b"; None vs "\x00"). Parts without those control
    characters (every real name and URL) encode exactly as before the escaping was added.
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        digest.update(b"\x00" if part is None else str(part).translate(_ESCAPES).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def hash_text(text: str) -> str:
    """Content hash of an article text (whitespace-normalised), for change detection."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, so equal content always serialises, and hashes, the same."""
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


# --- names and the entities keyed by them ------------------------------------------------

_LEADING_THE = re.compile(r"^(the)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\s*['’]s?$")
# Generic trailing words dropped from the match key only ("SoftBank Group" = "SoftBank").
_KEY_GENERIC = {"group", "holdings", "holding", "company", "co", "companies"}


# Names are compared pairwise within a document, so the same few names are keyed thousands
# of times (73,000 calls on one long page); cleanco's basename dominated. Pure functions of
# a string: cached, bounded so a long run's memory stays flat.
@lru_cache(maxsize=65536)
def canonical_name(surface: str) -> str:
    """Display name of an organisation: no leading "the", possessive or legal suffix.

    Applied to a fixed point, so canonical_name(canonical_name(x)) == canonical_name(x):
    removing a suffix can expose a possessive or a "the" ("The Kestrel's Inc")."""
    name = surface
    for _ in range(8):
        cleaned = _canonical_pass(name)
        if cleaned == name:
            break
        name = cleaned
    return name


def _canonical_pass(surface: str) -> str:
    name = " ".join(surface.split()).strip(" ,;:-–—\"'“”")
    name = _POSSESSIVE.sub("", name)
    name = _LEADING_THE.sub("", name)
    while True:
        stripped = basename(name).strip(" ,")
        if not stripped or stripped == name:
            break
        name = stripped
    return name


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Match key of a name: canonical, case- and accent-folded, punctuation and generic words out."""
    text = unicodedata.normalize("NFKD", canonical_name(name)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    while len(words) > 1 and words[-1] in _KEY_GENERIC:
        words.pop()
    return " ".join(words)


def organisation_id(name: str) -> str:
    """Stable id of an organisation first seen under `name`."""
    return make_id("organisation", name_key(name))


def location_id(name: str, country: str | None) -> str:
    """Stable id of a place."""
    return make_id("location", country or "", name_key(name) or name.lower())


def article_id(canonical_url: str) -> str:
    """Stable id of an article: its canonical URL's."""
    return make_id("article", canonical_url)
