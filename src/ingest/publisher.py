"""Publishers: the registered domain a feed or article belongs to (offline suffix list).

The private part of the public-suffix list counts: every tenant of a hosting platform
(`alice.github.io`, `bob.substack.com`, `carol.blogspot.com`) is a publisher of its own, not
one publisher with the platform's reputation and one vote among independent sources."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from dossier.assets import load_json


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled public-suffix snapshot only: no fetch at run time. Its private part lists
    # github.io and blogspot.com but not every platform; models/ adds the ones it lacks.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True,
                                 extra_suffixes=load_json("hosting_suffixes.json")["suffixes"])


def publisher_of(url: str) -> str:
    """Registered domain of a URL ("www.bbc.co.uk" -> "bbc.co.uk", "alice.github.io" ->
    "alice.github.io"); the bare host when it has no public suffix (loopback, ".example")."""
    host = (urlsplit(url).hostname or "").lower()
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    return host.removeprefix("www.") or url
