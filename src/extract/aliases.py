"""Organisation names: canonical forms, match keys, and aliases learned from the text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cleanco import basename
from rapidfuzz import fuzz

_LEADING_THE = re.compile(r"^(the)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\s*['’]s?$")
# Generic trailing words dropped from the match key only ("SoftBank Group" = "SoftBank").
_KEY_GENERIC = {"group", "holdings", "holding", "company", "co", "companies"}
FUZZY_THRESHOLD = 92.0


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


def initials(name: str) -> str:
    """Upper-case initials of the capitalised words of a name ("Federal Trade Commission" -> "FTC")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", canonical_name(name)) if w[0].isupper()]
    return "".join(w[0] for w in words).upper()


def is_acronym_of(short: str, long: str) -> bool:
    """True when `short` is written in capitals and spells the initials of `long`."""
    letters = short.replace(".", "").replace("&", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha() and letters == initials(long)


def is_short_form_of(short: str, long: str) -> bool:
    """True when `short` is the leading words of `long` ("Hon Hai" of "Hon Hai Precision Industry")."""
    short_words, long_words = name_key(short).split(), name_key(long).split()
    return 0 < len(short_words) < len(long_words) and long_words[: len(short_words)] == short_words


def same_name(a: str, b: str) -> bool:
    """True when two names denote the same organisation by key or fuzzy key match."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    # Fuzzy only on longer keys: short ones ("Arm", "Ark") differ by a letter and are different firms.
    return min(len(key_a), len(key_b)) >= 8 and fuzz.ratio(key_a, key_b) >= FUZZY_THRESHOLD


@dataclass
class AliasGraph:
    """Union-find over surface names, remembering how each link was learned."""

    def __post_init__(self) -> None:
        self._parent: dict[str, str] = {}
        self.learned: dict[str, str] = {}  # alias surface -> how it was learned

    def add(self, name: str) -> None:
        self._parent.setdefault(name, name)

    def find(self, name: str) -> str:
        self.add(name)
        root = name
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[name] != root:
            self._parent[name], name = root, self._parent[name]
        return root

    def link(self, name: str, alias: str, how: str) -> None:
        """Record that `alias` names the same organisation as `name`."""
        root_a, root_b = self.find(name), self.find(alias)
        if root_a != root_b:
            self._parent[root_b] = root_a
        if alias != name:
            self.learned.setdefault(alias, how)

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name in self._parent:
            out.setdefault(self.find(name), []).append(name)
        return out
