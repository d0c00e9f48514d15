"""Cross-article resolution: each document's organisations mapped to stable warehouse entities.

Reviewer judgements apply here on every run: a merged entity's names resolve to the entity it
was merged into, and an alias split off an entity never resolves to it again (its mentions
form an organisation of their own).
"""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import fuzz, process

from dossier.extract.aliases import FUZZY_THRESHOLD, is_acronym_of, is_short_form_of, name_key, same_name
from dossier.extract.entities import demonym_words, entity_cues, not_organisations
from dossier.extract.gazetteer import load_gazetteer as load_known
from dossier.extract.organisations import known_organisation
from dossier.extract.places import load_gazetteer as load_places
from dossier.ids import organisation_id
from dossier.records import Organisation


class EntityResolver:
    """Maps organisations to entities through every alias key known so far, learning as it goes.

    `index` is {alias key: (entity id, entity name)}, as stored in the warehouse; `merges`
    maps a merged entity id to the one it was merged into; `splits` maps an entity id to the
    alias keys that must not resolve to it.
    """

    def __init__(self, index: dict[str, tuple[str, str]], merges: Mapping[str, str] | None = None,
                 splits: Mapping[str, frozenset[str]] | None = None, names: Mapping[str, str] | None = None) -> None:
        self.merges = dict(merges or {})
        self.splits = dict(splits or {})
        self.names = dict(names or {})
        self.index = {key: self._kept(entity) for key, entity in index.items()}

    def _kept(self, entity: tuple[str, str]) -> tuple[str, str]:
        entity_id, name = entity
        seen = set()
        while entity_id in self.merges and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self.merges[entity_id]
            name = self.names.get(entity_id, name)
        return entity_id, name

    def resolve(self, org: Organisation) -> list[tuple[str, str, Organisation]]:
        """(entity id, entity name, the part of `org` it covers): usually one part; two when a
        split judgement carves an alias's mentions out of the organisation. Generic one-word
        short forms ("Deutsche" of "Deutsche Boerse") name it in this text only: its mentions
        stay, the alias is neither kept nor used to resolve other texts."""
        org = without_text_aliases(org)
        entity = self._spelled_out(self._lookup(org), org)
        split_keys = self.splits.get(entity[0], frozenset())
        names = [org.name, *org.aliases]
        carved = [n for n in names if name_key(n) in split_keys]
        if not carved:
            self._learn(org, entity)
            return [(entity[0], entity[1], org)]
        keep = tuple(n for n in org.aliases if n not in carved)
        rest = org.model_copy(update={
            "aliases": keep, "alias_sources": tuple(s for s in org.alias_sources if s[0] in keep),
            "mentions": tuple(m for m in org.mentions if name_key(m.text) not in split_keys)})
        part = Organisation(name=carved[0], aliases=tuple(carved[1:]),
                            mentions=tuple(m for m in org.mentions if name_key(m.text) in split_keys))
        parts = []
        if org.name not in carved:
            self._learn(rest, entity)
            parts.append((entity[0], entity[1], rest))
        other = self._lookup(part, exclude=entity[0])
        self._learn(part, other)
        parts.append((other[0], other[1], part))
        return parts

    def _spelled_out(self, entity: tuple[str, str], org: Organisation) -> tuple[str, str]:
        """An entity named so far by an acronym ("MDA") that this text spells out ("Mobile Data
        Association (MDA)") is named by the full form from now on (a linked name stays)."""
        entity_id, name = entity
        if org.known_id is not None or not is_acronym_of(name, org.name) or known_organisation(name) is not None:
            return entity
        for key, (found_id, _) in self.index.items():
            if found_id == entity_id:
                self.index[key] = (entity_id, org.name)
        return entity_id, org.name

    def _lookup(self, org: Organisation, exclude: str | None = None) -> tuple[str, str]:
        keys = [k for k in dict.fromkeys([name_key(org.name), *(name_key(a) for a in org.aliases)]) if k]
        # Aliases made of the name itself: its acronym, its leading words or one of its words.
        own_words = set(name_key(org.name).split())
        partial = {name_key(a) for a in org.aliases if is_acronym_of(a, org.name) or is_short_form_of(a, org.name)
                   or (name_key(a) and set(name_key(a).split()) <= own_words)}
        for key in keys:
            found = self.index.get(key)
            if found and found[0] != exclude and key not in self.splits.get(found[0], ()) \
                    and not (key in partial and _other_full_name(org.name, found[1], keys)):
                return found
        if keys and len(keys[0]) >= 8:
            # Spelling variants across articles ("Hon Hai Precision Industries"): fuzzy on long keys only.
            candidates = [k for k, v in self.index.items() if len(k) >= 8 and v[0] != exclude]
            match = process.extractOne(keys[0], candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
            if match is not None:
                return self.index[match[0]]
        return self._kept((organisation_id(org.name), org.name))

    def _learn(self, org: Organisation, entity: tuple[str, str]) -> None:
        for key in (name_key(n) for n in (org.name, *org.aliases)):
            if key and key not in self.splits.get(entity[0], ()):
                self.index.setdefault(key, entity)


def _other_full_name(name: str, entity_name: str, keys: list[str]) -> bool:
    """Two different full names sharing an alias made of their own words: an acronym ("World
    Tourism Organisation" and "World Trade Organization", both "WTO") or one word ("United" of
    "Manchester United" and of "United Airlines") never makes them one organisation."""
    return " " in entity_name and not same_name(name, entity_name) and name_key(entity_name) not in keys


# How an alias was learned when it may hold for the one text only: a leading word ("Deutsche"
# of "Deutsche Boerse") or a generic head ("the Commission").
_TEXT_LEARNED = frozenset({"short_form", "head"})


def is_generic_word(word: str) -> bool:
    """A word that names no organisation by itself: a generic head or name start ("Bank",
    "United", "World"), a national adjective ("Deutsche" leads several listed names, "British"),
    or a place ("Texas" of "Texas Instruments")."""
    return (word.lower() in not_organisations() or word in entity_cues()["generic_name_starts"]
            or word in demonym_words() or word in load_known().shared_first_words()
            or bool(load_places().candidates(word)))


def without_text_aliases(org: Organisation) -> Organisation:
    """`org` without the one-word aliases learned as short forms or heads that are generic words."""
    how = dict(org.alias_sources)
    local = {a for a in org.aliases if " " not in a and how.get(a) in _TEXT_LEARNED and is_generic_word(a)}
    if not local:
        return org
    return org.model_copy(update={"aliases": tuple(a for a in org.aliases if a not in local),
                                  "alias_sources": tuple(p for p in org.alias_sources if p[0] not in local)})
