"""A folder of exported cards: one file per organisation, an `index.html` beside HTML cards, and
a manifest of what the export wrote, so that the next export into the same folder removes the
cards of organisations that are gone (rejected, merged) and never a file it did not write."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dossier.profiles.card import ArticleDates, Card, build_card
from dossier.profiles.render import RENDERERS, card_css, environment, render_card_page
from dossier.records.profiles import Profile
from dossier.scoring.grades import GRADES

MANIFEST = ".dossier-export.manifest"  # JSON; named so no card glob (*.json) picks it up
INDEX = "index.html"
# A name an export writes: a slug and a card format's extension, or the index; nothing else is
# ever removed, whatever a manifest says.
_OWN_FILE = re.compile(r"[a-z0-9][a-z0-9-]*\.(md|json|html)")


@dataclass(frozen=True)
class IndexRow:
    """One card in the index: what it is listed and sorted by."""

    name: str
    file: str
    grade: str
    percent: int
    domain: str
    region: str
    type: str

    @property
    def grade_order(self) -> int:
        """Best grade first, then the higher confidence within it."""
        rank = GRADES.index(self.grade) if self.grade in GRADES else len(GRADES)
        return rank * 1000 + (100 - self.percent)

    @classmethod
    def of(cls, card: Card, file: str) -> IndexRow:
        return cls(card.name, file, card.confidence.grade, card.confidence.percent, card.primary_domain,
                   card.region, card.type)


def cited_urls(profiles: Iterable[Profile]) -> set[str]:
    """Every article URL the cards of these profiles cite (to look their dates up once)."""
    urls: set[str | None] = set()
    for p in profiles:
        urls.update(w.url for w in p.what_happened)
        urls.update(w.evidence.url for w in p.what_to_watch)
        urls.update(e.url for e in p.evidence)
    return {url for url in urls if url}


def slugs(profiles: Sequence[Profile]) -> list[str]:
    """A file name stem per profile, from its name (the entity id when the name has no letters or
    digits; a second organisation of the same name gets its id's start appended)."""
    used: set[str] = set()
    out = []
    for p in profiles:
        slug = re.sub(r"[^a-z0-9]+", "-", p.name.lower()).strip("-") or p.entity_id
        if slug in used:
            slug = f"{slug}-{p.entity_id[:6]}"
        used.add(slug)
        out.append(slug)
    return out


def card_files(profiles: Sequence[Profile], format: str, dates: ArticleDates, status: str | None = None,
               ) -> dict[str, str]:
    """{file name: text} of the export: each card, and for HTML the index, sorted by grade."""
    files: dict[str, str] = {}
    rows = []
    for profile, slug in zip(profiles, slugs(profiles)):
        name = f"{slug}.{format}"
        if format == "html":
            card = build_card(profile, dates)
            files[name] = render_card_page(card, index=INDEX)
            rows.append(IndexRow.of(card, name))
        else:
            files[name] = RENDERERS[format](profile, dates)
    if format == "html":
        files[INDEX] = render_index(rows, status)
    return files


def render_index(rows: Sequence[IndexRow], status: str | None = None) -> str:
    """The index page: every card, best grade first; buttons re-sort by grade, domain or region."""
    ordered = sorted(rows, key=lambda r: (r.grade_order, r.name.lower(), r.file))
    return environment().get_template("card_index.html").render(rows=ordered, css=card_css(), status=status)


def read_manifest(text: str | None) -> dict[str, list[str]]:
    """{format: [file names]} a previous export wrote; an unreadable manifest lists nothing."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(data, Mapping):
        return {}
    return {str(k): [str(n) for n in v] for k, v in data.items() if isinstance(v, list)}


def stale_files(previous: Mapping[str, list[str]], format: str, written: Iterable[str]) -> list[str]:
    """Files the previous export of this format wrote that this one did not: cards of
    organisations no longer exported. Only plain names an export could have written."""
    now = set(written)
    return sorted(name for name in previous.get(format, []) if name not in now and _OWN_FILE.fullmatch(name))


def manifest_text(previous: Mapping[str, list[str]], format: str, written: Iterable[str]) -> str:
    """The manifest after this export: this format's files replaced, other formats' kept."""
    return json.dumps({**previous, format: sorted(written)}, indent=1, sort_keys=True) + "\n"
