"""The analyst's card, built once: the desk's profile page, the Markdown and HTML cards and the
export's index all read this one view, so no section is worded two ways.

A card needs the profile and, to cite articles by date, the publication dates of the articles
it cites (by URL; a stored profile keeps URLs, not dates). What to watch is split into now /
next quarter / next year by `watch_bucket` (the rule is in docs/profiles.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dossier.records.profiles import ClaimRead, EvidenceItem, Profile, Revision
from dossier.scoring.grades import GRADE_TABLE

MAX_EVIDENCE = 12
MAX_TYPE_EVIDENCE = 4
# Days from the card's as-of date to a watch item's date: up to NOW_DAYS is "now", up to
# QUARTER_DAYS "next quarter", anything later "next year".
NOW_DAYS = 31
QUARTER_DAYS = 92
BUCKETS = (("now", "Now"), ("quarter", "Next quarter"), ("year", "Next year"))

# Publication dates of cited articles, by article URL.
ArticleDates = Mapping[str, datetime | date | None]


@dataclass(frozen=True)
class Band:
    """One row of the grade table, in percent, and whether this card's score falls in it."""

    grade: str
    label: str
    low: int
    high: int
    current: bool

    @property
    def range(self) -> str:
        return f"{self.low}–{self.high} %"


@dataclass(frozen=True)
class ConfidenceView:
    """The score as a percentage with its grade, label and the whole band table."""

    percent: int
    grade: str
    label: str
    bands: tuple[Band, ...]

    @property
    def headline(self) -> str:
        return f"{self.percent} % · grade {self.grade} · {self.label}"


@dataclass(frozen=True)
class Citation:
    """Where a sentence was read: publisher, publication date and an http(s) link (or none)."""

    publisher: str | None
    published: date | None
    url: str | None

    @property
    def words(self) -> str:
        return f"{self.publisher or 'unknown publisher'}, {self.published.isoformat() if self.published else 'date unknown'}"


@dataclass(frozen=True)
class CitedText:
    """A line of the card and the article it cites."""

    text: str
    citation: Citation


@dataclass(frozen=True)
class WatchEntry:
    """Something to watch: the claim in words, its modality, the time it names and when that falls."""

    text: str
    modality: str
    when: str | None
    due: date | None
    sentence: str
    citation: Citation

    @property
    def label(self) -> str:
        due = f", due {self.due.isoformat()}" if self.due else ""
        return f"{self.text} ({self.modality}{', ' + self.when if self.when else ''}{due})"


@dataclass(frozen=True)
class WatchBucket:
    """One horizon of what to watch (now, next quarter, next year) and its entries."""

    key: str
    title: str
    entries: tuple[WatchEntry, ...]


@dataclass(frozen=True)
class EvidenceLine:
    """One evidence sentence, shown once, with the claims read from it and its copies counted."""

    sentence: str
    claims: str
    copies: int
    citation: Citation

    @property
    def text(self) -> str:
        return f"[{self.claims}] {self.sentence}" + (f" ({self.copies} copies)" if self.copies > 1 else "")


@dataclass(frozen=True)
class Card:
    """Everything the analyst's card shows, in the order it shows it."""

    entity_id: str
    name: str
    status: str
    revision: int
    type: str
    primary_domain: str
    region: str
    confidence: ConfidenceView
    at_a_glance: tuple[tuple[str, str], ...]
    key_points: tuple[str, ...]
    what_happened: tuple[CitedText, ...]
    why_it_matters: tuple[tuple[str, str], ...]
    as_of: date | None
    what_to_watch: tuple[WatchBucket, ...]
    relationships: tuple[str, ...]
    places: tuple[str, ...]
    breakdown: tuple[str, ...]
    contradictions: tuple[str, ...]
    type_evidence: tuple[str, ...]
    evidence: tuple[EvidenceLine, ...]
    evidence_total: int

    @property
    def evidence_left_out(self) -> int:
        return self.evidence_total - len(self.evidence)


def as_profile(value: Profile | Mapping[str, object]) -> Profile:
    """The record itself, or a record read from a profile row (notebooks and tests hand rows)."""
    if isinstance(value, Profile):
        return value
    return (Revision if "revision" in value else Profile).from_row(value)


def status_of(profile: Profile) -> tuple[str, int]:
    """(status, revision number): a freshly assembled profile is what would be draft revision 1."""
    return (profile.status, profile.revision) if isinstance(profile, Revision) else ("draft", 1)


def day(value: object) -> date | None:
    """The calendar day of a datetime or date (None stays None)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def confidence_view(score: float) -> ConfidenceView:
    """The score in percent (banded at two decimals, as grades are) and the grade table with
    this score's band marked."""
    percent = round(round(score, 2) * 100)
    bands, high, marked = [], 100, False
    for floor, grade, label in GRADE_TABLE:
        low = round(floor * 100)
        current = not marked and percent >= low
        marked = marked or current
        bands.append(Band(grade, label, low, high, current))
        high = low - 1
    here = next(b for b in bands if b.current)
    return ConfidenceView(percent, here.grade, here.label, tuple(bands))


def http_link(url: str | None) -> str | None:
    """The URL when it is an http(s) link a reader may follow; anything else is not linked."""
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def cite(url: str | None, publisher: str | None, dates: ArticleDates) -> Citation:
    """The citation of a sentence read at `url`: its publisher, the article's date if known, the link."""
    return Citation(publisher, day(dates.get(url)) if url else None, http_link(url))


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3}
# Seasons as the northern hemisphere counts them: (first month, months long).
_SEASONS = {"spring": (3, 3), "summer": (6, 3), "autumn": (9, 3), "fall": (9, 3), "winter": (12, 3)}


def _add_months(year: int, month: int, months: int) -> date:
    """The first day of the month `months` after (year, month)."""
    index = year * 12 + month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _next_period(unit: str, reference: date) -> tuple[date, date] | None:
    """The period "next week / month / quarter / year / <season>" names, from `reference`."""
    if unit == "week":
        return reference + timedelta(days=7), reference + timedelta(days=13)
    if unit in _SEASONS:
        first, length = _SEASONS[unit]
        start = date(reference.year + (first <= reference.month), first, 1)
        return start, _add_months(start.year, start.month, length) - timedelta(days=1)
    spans = {"month": (1, 1), "quarter": (3 - (reference.month - 1) % 3, 3), "year": (13 - reference.month, 12)}
    if unit not in spans:
        return None
    ahead, span = spans[unit]
    start = _add_months(reference.year, reference.month, ahead)
    return start, _add_months(start.year, start.month, span) - timedelta(days=1)


def _period(phrase: str, reference: date) -> tuple[date, date] | None:
    """(first day, last day) of the period a time phrase names, read from `reference` (the day
    its article was published): "March" is the next March on or after it, "next quarter" the
    calendar quarter after its own."""
    words = phrase.lower().split()
    year = next((int(w) for w in words if re.fullmatch(r"(19|20)\d\d", w)), None)
    if "next" in words and words.index("next") + 1 < len(words):
        return _next_period(words[words.index("next") + 1], reference)
    month = next((_MONTHS.index(w) + 1 for w in words if w in _MONTHS), None)
    part = next((w for w in words if w in _ORDINALS), None)
    if month is not None:
        start = date(year or reference.year + (month < reference.month), month, 1)
        return start, _add_months(start.year, month, 1) - timedelta(days=1)
    if part is not None:
        length = 3 if "quarter" in words else 6
        if _ORDINALS[part] * length >= 12:  # "the third half"
            return None
        start = date(year or reference.year, 1 + _ORDINALS[part] * length, 1)
        if year is None and _add_months(start.year, start.month, length) <= reference:
            start = date(start.year + 1, start.month, 1)
        return start, _add_months(start.year, start.month, length) - timedelta(days=1)
    if year is not None:
        return date(year, 1, 1), date(year, 12, 31)
    return None


def due_date(phrase: str | None, reference: date | None) -> date | None:
    """The day a time phrase points to: the end of its period for a deadline ("by", "until",
    "the end of"), its start otherwise ("before", "starting", "from", "next")."""
    if not phrase or reference is None:
        return None
    period = _period(phrase, reference)
    if period is None:
        return None
    lowered = phrase.lower()
    deadline = re.match(r"(by|until)\b", lowered) is not None or "end of" in lowered
    return period[1] if deadline else period[0]


def watch_bucket(modality: str, due: date | None, as_of: date | None) -> str:
    """now / quarter / year: a dated item by how far its date lies after the card's as-of date
    (an overdue one is "now"); an undated plan "quarter"; anything else undated (hedged) "year"."""
    if due is not None and as_of is not None:
        ahead = (due - as_of).days
        return "now" if ahead <= NOW_DAYS else "quarter" if ahead <= QUARTER_DAYS else "year"
    return "quarter" if modality == "planned" else "year"


def _what_to_watch(p: Profile, dates: ArticleDates, as_of: date | None) -> tuple[WatchBucket, ...]:
    entries: dict[str, list[WatchEntry]] = {key: [] for key, _ in BUCKETS}
    for w in p.what_to_watch:
        published = day(dates.get(w.evidence.url)) if w.evidence.url else None
        due = due_date(w.when, published or as_of)
        entry = WatchEntry(w.text, w.modality, w.when, due, w.evidence.sentence,
                           cite(w.evidence.url, w.evidence.publisher, dates))
        entries[watch_bucket(w.modality, due, as_of)].append(entry)
    return tuple(WatchBucket(key, title, tuple(entries[key])) for key, title in BUCKETS)


def _claims_read(item: EvidenceItem) -> str:
    """The claims read from one evidence sentence ("supply, affirmed, planned; partnership, ...")."""
    return "; ".join(dict.fromkeys(f"{c.type}, {c.polarity}, {c.modality}" for c in _reads(item)))


def _reads(item: EvidenceItem) -> tuple[ClaimRead, ...]:
    """The claims read from an item; items stored before sentences were grouped carry one claim
    at the top level."""
    return item.claims or (ClaimRead(type=item.type, polarity=item.polarity, modality=item.modality),)


def group_evidence(items: Sequence[EvidenceItem]) -> list[EvidenceItem]:
    """Each evidence sentence once: items repeating a sentence (stored before assembly grouped
    them, or carried by several articles) are merged, their claims joined and copies counted
    as the articles (URLs) that carry it, or the stored count when that is larger."""
    groups: dict[str, list[EvidenceItem]] = {}
    for item in items:
        groups.setdefault(" ".join(item.sentence.split()), []).append(item)
    merged = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1:
            merged.append(first)
            continue
        claims = tuple(dict.fromkeys(c for item in same for c in _reads(item)))
        copies = max(max(item.copies for item in same), len({item.url for item in same}))
        merged.append(first.model_copy(update={"claims": claims, "copies": copies}))
    return merged


def _evidence(p: Profile, dates: ArticleDates) -> tuple[tuple[EvidenceLine, ...], int]:
    items = group_evidence(p.evidence)
    shown = tuple(EvidenceLine(" ".join(e.sentence.split()), _claims_read(e), e.copies, cite(e.url, e.publisher, dates))
                  for e in items[:MAX_EVIDENCE])
    return shown, len(items)


def _type_line(p: Profile, reasons: Mapping[str, Any]) -> str:
    """The type with what decided it: reference data, or the cues found in the news."""
    cues = reasons.get("classification_cues") or []
    if not cues:
        return str(p.type)
    decided = reasons.get("classification_decided_by")
    if decided == "reference":
        return f"{p.type} (reference data: {cues[0]})"
    return f"{p.type} ({'too weak to decide: ' if decided == 'nothing' else ''}cues: {', '.join(cues[:6])})"


def identifiers(p: Profile) -> str | None:
    """Ticker, ISIN and Wikipedia page of an organisation reference data knows, or None."""
    parts = [f"{label} {value}" for label, value in (("ticker", p.ticker), ("ISIN", p.isin), ("Wikipedia", p.wikipedia_url))
             if value]
    return " · ".join(parts) or None


def _date(value: object) -> str:
    found = day(value)
    return found.isoformat() if found else (str(value)[:10] if value else "unknown")


def signal_focus(p: Profile) -> str:
    """What the profile's signals are about: the claim types of its key points, strongest first."""
    types = list(dict.fromkeys(k.type.replace("_", " ") for k in p.key_points))
    return ", ".join(types) if types else "no claims yet: mentions only"


def glance(p: Profile) -> list[tuple[str, str]]:
    """The card's at-a-glance facts (identifiers when known)."""
    reasons: dict[str, Any] = p.score_components
    base_reason = reasons.get("base_reason")
    known = identifiers(p)
    status, revision = status_of(p)
    return [
        ("Aliases", ", ".join(p.aliases) or "none found"),
        *([("Identifiers", known)] if known else []),
        ("Type", _type_line(p, reasons)),
        ("Category", f"{p.category}"),
        ("Base / region", f"{p.base} / {p.region}" + (f" ({base_reason})" if base_reason else "")),
        ("Primary domain / topic", f"{p.primary_domain} / {p.topic}"),
        ("Signal focus", signal_focus(p)),
        ("Sources", f"{p.sources_phrase} ({p.independent_source_count} independent of {p.source_count} articles)"),
        ("First / last seen", f"{_date(p.first_seen)} / {_date(p.last_seen)}"),
        ("Status", f"{status} (revision {revision})"),
    ]


def why_it_matters(p: Profile) -> list[tuple[str, str]]:
    """Impact, operational criticality and time horizon, each with the reason it was rated so."""
    reasons: dict[str, Any] = p.score_components
    rated = (("Impact", p.impact, "impact_reason"), ("Operational criticality", p.operational_criticality,
             "criticality_reason"), ("Time horizon", p.time_horizon, "time_horizon_reason"))
    return [(name, f"{value} — {reasons[key]}" if reasons.get(key) else f"{value}") for name, value, key in rated]


def _explanations(p: Profile) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(confidence breakdown, contradictions, type evidence) as lines."""
    reasons: dict[str, Any] = p.score_components
    breakdown = [f"{name}: {f['value']:.2f} × weight {f['weight']}" for name, f in (reasons.get("features") or {}).items()]
    contradicted = reasons.get("contradictions") or []
    if contradicted:
        breakdown.append(f"contradiction penalty −{reasons.get('contradiction_penalty', 0)}")
    classification = reasons.get("classification_evidence") or []
    typed = (classification[:MAX_TYPE_EVIDENCE] if reasons.get("classification_decided_by") != "nothing" else [])
    return (tuple(breakdown), tuple(" / ".join(str(part) for part in key if part) for key in contradicted),
            tuple(f"{c['cue']} ({c['from']}): {c['text']}" for c in typed))


def build_card(profile: Profile | Mapping[str, object], dates: ArticleDates | None = None) -> Card:
    """The analyst's card of a profile (stored or freshly assembled); `dates` are the publication
    dates of the articles it cites, by URL (without them citations read "date unknown")."""
    p = as_profile(profile)
    dates = dates or {}
    status, revision = status_of(p)
    as_of = day(p.last_seen)
    evidence, total = _evidence(p, dates)
    breakdown, contradictions, type_evidence = _explanations(p)
    return Card(
        entity_id=p.entity_id, name=p.name, status=status, revision=revision, type=str(p.type or "unknown"),
        primary_domain=str(p.primary_domain or "unknown"), region=str(p.region or "unknown"),
        confidence=confidence_view(p.confidence), at_a_glance=tuple(glance(p)),
        key_points=tuple(f"{k.text} ({k.polarity}, {k.modality}, {k.independent_sources} independent source(s))"
                         for k in p.key_points),
        what_happened=tuple(CitedText(" ".join(w.sentence.split()), cite(w.url, w.publisher, dates))
                            for w in p.what_happened),
        why_it_matters=tuple(why_it_matters(p)), as_of=as_of, what_to_watch=_what_to_watch(p, dates, as_of),
        relationships=tuple(f"{r.organisation}: {r.type} ({r.direction}, {r.polarity}, {r.modality})"
                            for r in p.relationships),
        places=tuple(f"{pl.name} ({pl.country or '?'}, {pl.continent or '?'}) — {pl.tie}, {pl.articles} article(s)"
                     for pl in p.places),
        breakdown=breakdown, contradictions=contradictions, type_evidence=type_evidence,
        evidence=evidence, evidence_total=total,
    )
