"""Known organisations: listed companies from pytickersymbols plus the curated lists of models/.

pytickersymbols (installed package, offline data) knows 1,837 companies of 20 stock indices
with their ISINs, tickers, industries, headquarters and Wikipedia pages;
models/known_organisations.json adds what it lacks (regulators, central banks, ministries,
international bodies, unions, exchanges, news organisations, parties, large unlisted or
otherwise uncovered companies). The gazetteer links a name seen in an article to one of them
and tells the entity fixer which surface forms to look for, and which of them are also
ordinary words that need context before they count ("Next", "Shell", "Sky").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import pycountry
from pydantic import BaseModel, ConfigDict

from dossier.assets import load_json
from dossier.extract.aliases import canonical_name, name_key

# Trailing words a listed company's name carries that news usually leaves out
# ("Vodafone Group" -> "Vodafone", "The Coca-Cola Company" -> "Coca-Cola").
_GENERIC_TAIL = {"group", "holdings", "holding", "company", "corporation", "corp", "incorporated", "inc",
                 "plc", "ag", "se", "sa", "nv", "co", "ltd", "limited"}
_CLASS_SUFFIX = re.compile(r"\s*\(?\bclass [a-z]\)?$", re.IGNORECASE)
_COUNTRY_FIXES = {"us": "US", "usa": "US", "u.s.": "US", "u.s": "US", "united states": "US",
                  "england": "GB", "scotland": "GB", "wales": "GB", "uk": "GB", "united kingdom": "GB",
                  "russia": "RU", "south korea": "KR", "korea": "KR", "taiwan": "TW", "the netherlands": "NL"}
_CURATED_KINDS = ("regulator", "central_bank", "international_organisation", "government_body", "court", "union",
                  "trade_association", "ngo", "political_party", "university", "exchange", "news_organisation",
                  "company")
_MIN_ALIAS_LETTERS = 2
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


class KnownOrganisation(BaseModel):
    """One organisation reference data knows, with its identifiers."""

    model_config = ConfigDict(frozen=True)

    id: str                      # "ptk:<ISIN or symbol>" for pytickersymbols, "list:<slug>" for curated entries
    name: str                    # canonical name
    kind: str                    # company | regulator | central_bank | government_body | court | union | ...
    country: str | None = None   # ISO 3166-1 alpha-2 of the headquarters
    industries: tuple[str, ...] = ()
    sector: str | None = None    # a models/taxonomy.json sector key, for curated entries that give one
    ticker: str | None = None
    isin: str | None = None
    wikipedia_url: str | None = None
    aliases: tuple[str, ...] = ()
    curated: bool = False        # named in models/known_organisations.json (alone or on top of a listing)


class Gazetteer:
    """Known organisations by id, by match key and by exact surface form."""

    def __init__(self, organisations: Iterable[KnownOrganisation], common_words: Iterable[str] = ()) -> None:
        self._by_id: dict[str, KnownOrganisation] = {}
        self._by_key: dict[str, str] = {}
        owners: dict[str, set[str]] = {}
        curated: set[str] = set()
        for org in organisations:
            self._by_id[org.id] = org
            for surface in surface_forms(org):
                owners.setdefault(surface, set()).add(org.id)
            if org.curated:
                curated.update((org.name, *org.aliases))
        # Names a person wrote into the curated lists are meant as written; the short forms
        # derived from listed companies' names ("Box" of Box Inc) are not vouched for.
        self.curated_surfaces = frozenset(curated)
        # A surface form two organisations claim ("LSE", "ESA") links neither: no guessing.
        self._surfaces = {s: next(iter(ids)) for s, ids in owners.items() if len(ids) == 1}
        for surface, org_id in self._surfaces.items():
            self._by_key.setdefault(name_key(surface), org_id)
        self.common_words = frozenset(common_words)
        self._shared: frozenset[str] | None = None

    def shared_first_words(self) -> frozenset[str]:
        """First words that lead the names of two organisations or more ("Deutsche" of Deutsche
        Bank and Deutsche Telekom): alone they name none of them."""
        if self._shared is None:
            owners: dict[str, set[str]] = {}
            for surface, org_id in self._surfaces.items():
                if " " in surface:
                    owners.setdefault(surface.split()[0], set()).add(org_id)
            self._shared = frozenset(w for w, ids in owners.items() if len(ids) >= 2 and w not in self._surfaces)
        return self._shared

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[KnownOrganisation]:
        return iter(self._by_id.values())

    def by_id(self, org_id: str) -> KnownOrganisation | None:
        """The organisation with this gazetteer id."""
        return self._by_id.get(org_id)

    def lookup(self, name: str) -> KnownOrganisation | None:
        """The organisation a name denotes: its exact surface form, else its match key."""
        org_id = self._surfaces.get(name) or self._by_key.get(name_key(name))
        return self._by_id.get(org_id) if org_id else None

    def surfaces(self) -> dict[str, str]:
        """{surface form as written: organisation id}, for the phrase matcher."""
        return dict(self._surfaces)

    def is_common_word(self, surface: str) -> bool:
        """A one-word name that is also an ordinary word ("Next", "Shell"): it needs context."""
        return surface in self.common_words or (" " not in surface and surface.capitalize() in self.common_words)


def surface_forms(org: KnownOrganisation) -> list[str]:
    """The ways news writes an organisation's name: its name and aliases, without legal
    suffixes ("Deutsche Bank AG" -> "Deutsche Bank") and generic tails ("Vodafone Group")."""
    forms: list[str] = []
    for written in (org.name, *org.aliases):
        base = _CLASS_SUFFIX.sub("", " ".join(written.split())).strip(" ,")
        forms.append(base)
        short = canonical_name(base)
        if short:
            forms.append(short)
        words = short.split()
        while len(words) > 1 and words[-1].lower().strip(".,") in _GENERIC_TAIL:
            words.pop()
            forms.append(" ".join(words))
        if short.startswith("The "):
            forms.append(short[4:])
        if any(ch in "äöüÄÖÜß" for ch in base):
            forms.append(canonical_name(base.translate(_UMLAUTS)))  # "Deutsche Börse" as English news writes it: "Deutsche Boerse"
    letters = (lambda s: sum(ch.isalpha() for ch in s))
    return [f for f in dict.fromkeys(forms) if letters(f) >= _MIN_ALIAS_LETTERS]


def country_code(text: str | None) -> str | None:
    """ISO alpha-2 code of a free-text place ("Montabaur , Germany", "Omaha, Nebraska , U.S.")."""
    if not text:
        return None
    parts = [re.sub(r"\(.*?\)", "", p).strip(" .").strip() for p in text.split(",")]
    for part in reversed([p for p in parts if p]):
        fixed = _COUNTRY_FIXES.get(part.lower())
        if fixed:
            return fixed
        try:
            return pycountry.countries.lookup(part).alpha_2
        except LookupError:
            pass
        try:  # a US state name ("Chesterfield, Missouri") or another subdivision
            hits = pycountry.subdivisions.lookup(part)
            return hits.country_code
        except LookupError:
            continue
    return None


def _listed(stock: dict[str, Any]) -> KnownOrganisation:
    metadata = stock.get("metadata") or {}
    isins = stock.get("isins") or []
    isin = isins[0] if isins else None
    symbol = stock.get("symbol") or None
    country = country_code(metadata.get("headquarters")) or country_code(stock.get("country"))
    if country is None and isin and isin[:2].isalpha():
        country = isin[:2].upper()
    name = " ".join(stock["name"].split())
    return KnownOrganisation(
        id=f"ptk:{isin or symbol or name_key(name)}", name=_display_name(name), kind="company", country=country,
        industries=tuple(stock.get("industries") or ()), ticker=symbol, isin=isin,
        wikipedia_url=metadata.get("wikipedia_url") or None, aliases=(name,) if _display_name(name) != name else (),
    )


def _display_name(name: str) -> str:
    """A listed company's name as news writes it: no legal suffix, no share class."""
    return canonical_name(_CLASS_SUFFIX.sub("", name)) or name


def _slug(name: str) -> str:
    return name_key(name).replace(" ", "-") or re.sub(r"\W+", "-", name.lower()).strip("-")


def build_gazetteer(stocks: Iterable[dict[str, Any]], curated: dict[str, Any]) -> Gazetteer:
    """A gazetteer from pytickersymbols' stock records and the curated lists. A curated company
    whose match key is a listed company's adds its aliases (and sector) to that company."""
    orgs: dict[str, KnownOrganisation] = {}
    by_key: dict[str, str] = {}
    for stock in stocks:
        org = _listed(stock)
        if org.id in orgs:  # a company in several indices
            continue
        orgs[org.id] = org
        for surface in surface_forms(org):
            by_key.setdefault(name_key(surface), org.id)
    for kind in _CURATED_KINDS:
        for name, country, aliases, sector in curated.get(kind, []):
            listed_id = next((by_key[k] for k in (name_key(n) for n in (name, *aliases)) if k in by_key), None) \
                if kind == "company" else None
            if listed_id is not None:
                known = orgs[listed_id]
                orgs[listed_id] = known.model_copy(update={
                    "name": name, "aliases": _merge_aliases(name, known, aliases),
                    "sector": sector or known.sector, "country": known.country or country, "curated": True})
                continue
            org_id = f"list:{_slug(name)}"
            orgs.setdefault(org_id, KnownOrganisation(id=org_id, name=name, kind=kind, country=country,
                                                      sector=sector, aliases=tuple(aliases), curated=True))
    return Gazetteer(orgs.values(), curated.get("common_words", {}).get("names", ()))


def _merge_aliases(name: str, known: KnownOrganisation, aliases: Iterable[str]) -> tuple[str, ...]:
    return tuple(a for a in dict.fromkeys((known.name, *known.aliases, *aliases)) if a != name)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use: nothing is read at import time)."""
    from pytickersymbols import PyTickerSymbols

    return build_gazetteer(PyTickerSymbols().get_all_stocks(), load_json("known_organisations.json"))
