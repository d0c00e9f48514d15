"""Cross-article resolution: each document's organisations mapped to stable warehouse entities."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from dossier.extract.aliases import FUZZY_THRESHOLD, name_key
from dossier.ids import make_id
from dossier.records import Organisation


def organisation_id(name: str) -> str:
    """Stable id of an organisation first seen under `name`."""
    return make_id("organisation", name_key(name))


def location_id(name: str, country: str | None) -> str:
    """Stable id of a place."""
    return make_id("location", country or "", name_key(name) or name.lower())


class EntityResolver:
    """Maps organisations to entities through every alias key known so far, learning as it goes.

    `index` is {alias key: (entity id, entity name)}, as stored in the warehouse.
    """

    def __init__(self, index: dict[str, tuple[str, str]]) -> None:
        self.index = dict(index)

    def resolve(self, org: Organisation) -> tuple[str, str]:
        """(entity id, entity name) of an organisation; a new entity when no alias matches."""
        keys = [k for k in dict.fromkeys([name_key(org.name), *(name_key(a) for a in org.aliases)]) if k]
        found = next((self.index[k] for k in keys if k in self.index), None)
        if found is None and keys and len(keys[0]) >= 8:
            # Spelling variants across articles ("Hon Hai Precision Industries"): fuzzy on long keys only.
            match = process.extractOne(keys[0], [k for k in self.index if len(k) >= 8], scorer=fuzz.ratio,
                                       score_cutoff=FUZZY_THRESHOLD)
            if match is not None:
                found = self.index[match[0]]
        if found is None:
            found = (organisation_id(org.name), org.name)
        for key in keys:
            self.index.setdefault(key, found)
        return found
