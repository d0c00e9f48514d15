"""Stable ids: a short hash of the identifying parts, so re-runs upsert onto the same rows."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def make_id(*parts: object) -> str:
    """Return a 16-hex-digit id for the given parts (None and '' are distinct)."""
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        digest.update(b"\x00" if part is None else str(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def hash_text(text: str) -> str:
    """Content hash of an article text (whitespace-normalised), for change detection."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, so equal content always serialises, and hashes, the same."""
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
