"""Organisation names: canonical forms, match keys, and aliases learned from the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from dossier.ids import canonical_name, name_key

FUZZY_THRESHOLD = 92.0


def initials(name: str) -> str:
    """Upper-case initials of the capitalised words of a name ("Federal Trade Commission" -> "FTC")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", canonical_name(name)) if w[0].isupper()]
    return "".join(w[0] for w in words).upper()


def is_acronym_of(short: str, long: str) -> bool:
    """True when `short` is written in capitals and spells the initials of `long`, with or
    without its legal suffix ("ONGC" of "Oil and Natural Gas Corporation")."""
    letters = short.replace(".", "").replace("&", "")
    if len(letters) < 2 or not letters.isupper() or not letters.isalpha():
        return False
    return letters == initials(long) or letters == "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", long) if w[0].isupper()).upper()


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
