"""The values each editable profile field may take: the ones assembly itself gives, so a
reviewer's edit reads like a computed value and the queue's filters, exports and cards keep
working on it. Fields without a vocabulary stay free text, bounded in length."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dossier.assets import load_json
from dossier.extract.places import CONTINENTS, load_gazetteer
from dossier.scoring.impact import CRITICALITY_LEVELS, IMPACT_LEVELS, TIME_HORIZONS

UNKNOWN = "unknown"  # what assembly writes when nothing says; a reviewer may set it too
FREE_TEXT_MAX = 200  # characters of a free-text field (an organisation's name)
LISTED_INLINE = 12  # longer vocabularies are named by the command that lists them


@dataclass(frozen=True)
class Vocabulary:
    """The allowed values of one field, and what one of them is called in a message."""

    field: str
    noun: str
    values: tuple[str, ...]

    def match(self, value: str) -> str | None:
        """The allowed value `value` names, ignoring case, spacing and the kind of dash."""
        return {fold(v): v for v in self.values}.get(fold(value))

    def allowed(self) -> str:
        """The allowed values for a message, or how to list them when they are many."""
        if len(self.values) <= LISTED_INLINE:
            return "allowed: " + ", ".join(self.values)
        return f"{len(self.values)} allowed; `dossier review values {self.field}` lists them"


def fold(value: str) -> str:
    """A value as it is compared: case-folded, dashes alike, runs of spaces made one."""
    return " ".join(value.replace("–", "-").replace("—", "-").split()).casefold()


@cache
def _taxonomy_values() -> dict[str, tuple[str, ...]]:
    taxonomy = load_json("taxonomy.json")
    types = taxonomy["types"]
    return {
        "type": tuple(dict.fromkeys(t["type"] for t in types)),
        "category": tuple(sorted({t["category"] for t in types})),
        "primary_domain": tuple(sorted({t["domain"] for t in types})),
        "topic": tuple(sorted(set(taxonomy["topics"].values()))),
    }


def vocabulary(field: str) -> Vocabulary | None:
    """The allowed values of `field`, None for a free-text field. The countries come from the
    offline place gazetteer (built on first use, about a second)."""
    if field in _taxonomy_values():
        nouns = {"type": "type", "category": "category", "primary_domain": "domain", "topic": "topic"}
        return Vocabulary(field, nouns[field], (*_taxonomy_values()[field], UNKNOWN))
    if field == "region":
        return Vocabulary(field, "region (continent)", (*CONTINENTS.values(), UNKNOWN))
    if field == "base":
        return Vocabulary(field, "country", (*load_gazetteer().country_names(), UNKNOWN))
    levels = {"impact": ("impact level", IMPACT_LEVELS), "operational_criticality": ("criticality level", CRITICALITY_LEVELS),
              "time_horizon": ("time horizon", TIME_HORIZONS)}
    if field in levels:
        noun, values = levels[field]
        return Vocabulary(field, noun, values)
    return None


def country_of(value: str) -> str | None:
    """The display name of the country `value` names in any of its spellings ("USA")."""
    names = {c.name for c in load_gazetteer().candidates(value) if c.kind == "country"}
    return names.pop() if len(names) == 1 else None
