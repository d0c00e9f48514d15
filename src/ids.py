"""Stable ids: a short hash of the identifying parts, so re-runs upsert onto the same rows."""

from __future__ import annotations

import hashlib
import json
from typing import Any

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
