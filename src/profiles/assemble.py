"""Profile drafts from an organisation's evidence: every DESIGN.md field filled or marked unknown."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from cleanco import basename

from dossier.assets import load_json, models_version
from dossier.extract.places import load_gazetteer
from dossier.extract.ties import KIND_RANK
from dossier.profiles.classification import (
    ActingClaim,
    Classification,
    Reference,
    classify_organisation,
    described_sentences,
    is_product_name,
    product_sentences,
)
from dossier.records.profiles import (
    ClaimRead,
    EntityEvidence,
    EvidenceArticle,
    EvidenceClaim,
    EvidenceItem,
    EvidencePlace,
    KeyPoint,
    Place,
    Profile,
    Relationship,
    Source,
    WatchItem,
)
from dossier.scoring.confidence import (
    ClaimEvidence,
    Confidence,
    OrganisationEvidence,
    ScoreInput,
    SourceEvidence,
    independent_source_count,
    score_profile,
)
from dossier.scoring.grades import sources_phrase
from dossier.scoring.impact import ClaimSummary, rate_criticality, rate_impact, rate_time_horizon
from dossier.tracing import Stopwatch

UNKNOWN = "unknown"
KEY_POINTS = 5
# Reference data by an entity's `known_id` (the gazetteer's `by_id`); None when nothing is linked.
ReferenceLookup = Callable[[str], Reference | None]
SUMMARY_SENTENCES = 3


def render_claim(subject: str, ctype: str, obj: str | None, polarity: str) -> str:
    """A key-point sentence for a claim; negated claims are worded as negations."""
    phrases = load_json("taxonomy.json")["claim_phrases"][ctype]
    if obj is None:
        return f"{subject}: {'no ' if polarity == 'negated' else ''}{phrases['label']}"
    return phrases[polarity].format(subject=subject, object=obj)


def _aggregate_claims(claims: Sequence[EvidenceClaim]) -> list[dict[str, Any]]:
    """One entry per (subject, type, object, polarity), with its articles and best evidence."""
    groups: dict[tuple[str, str, str | None, str], dict[str, Any]] = {}
    for c in claims:
        obj = c.object_name or c.object_text
        key = (c.subject_name, c.type, obj, c.polarity)
        group = groups.setdefault(key, {
            "subject": c.subject_name, "subject_id": c.subject_id, "type": c.type, "object": obj,
            "object_id": c.object_id, "polarity": c.polarity, "modalities": Counter(), "claims": [],
        })
        group["modalities"][c.modality] += 1
        group["claims"].append(c)
    out = []
    for group in groups.values():
        members: list[EvidenceClaim] = group.pop("claims")
        sources = [SourceEvidence(m.article_id, m.publisher or "", m.cluster_id, m.reliability, m.published) for m in members]
        best = max(members, key=lambda m: (m.confidence or m.extractor_confidence, -m.evidence_start))
        group["modality"] = group["modalities"].most_common(1)[0][0]
        group["modalities"] = dict(group["modalities"])
        group["independent_sources"] = independent_source_count(sources)
        group["articles"] = len({m.article_id for m in members})
        group["confidence"] = max(m.confidence or m.extractor_confidence for m in members)
        group["evidence"] = Source(sentence=best.evidence, url=best.url, title=best.title, publisher=best.publisher)
        group["text"] = render_claim(group["subject"], group["type"], group["object"], group["polarity"])
        out.append(group)
    out.sort(key=lambda g: (-g["independent_sources"], -g["confidence"], g["text"]))
    return out


def assemble_profile(
    entity_id: str, evidence: EntityEvidence, now: datetime | None = None, stopwatch: Stopwatch | None = None,
    lookup: ReferenceLookup | None = None,
) -> Profile:
    """A draft profile from one organisation's evidence, its content hash set.

    `now`: the reference time for recency (the refresh passes the newest evidence in the
    warehouse; the wall clock otherwise); `stopwatch`, when given, times the scoring apart from
    the rest of the assembly; `lookup` finds the reference record of the entity's `known_id`."""
    now = now or datetime.now(UTC)
    scoring = (lambda: stopwatch.time("scoring")) if stopwatch is not None else nullcontext
    name, known_id = evidence.entity.name, evidence.entity.known_id
    reference = lookup(known_id) if lookup is not None and known_id else None
    aliases = sorted({a.alias for a in evidence.aliases if a.alias != name})
    articles = evidence.articles
    sources = [SourceEvidence(a.article_id, a.publisher or "", a.cluster_id, a.reliability, a.published, a.limited)
               for a in articles]
    aggregated = _aggregate_claims(evidence.claims)
    own_affirmed = [g for g in aggregated if g["subject_id"] == entity_id and g["polarity"] == "affirmed"]
    kind, organisation = _classify([name, *aliases], evidence, own_affirmed, reference)
    with scoring():
        confidence = _confidence(entity_id, evidence, sources, organisation, now)
    summaries = [ClaimSummary(g["type"], g["polarity"], g["modality"], g["independent_sources"]) for g in aggregated if g["subject_id"] == entity_id]
    independent = independent_source_count(sources)
    with scoring():
        ratings = {"impact": rate_impact(summaries, independent), "operational_criticality": rate_criticality(summaries),
                   "time_horizon": rate_time_horizon(summaries)}
    topic = _topic(own_affirmed)
    places = _places(evidence.places)
    base_country, base_reason = decide_base(places, reference.country if reference else None, known_id,
                                            name_country([name, *aliases]))
    gazetteer = load_gazetteer()
    dates = [a.published for a in articles if a.published is not None]
    return Profile(
        entity_id=entity_id, name=name, aliases=tuple(aliases),
        type=kind.type,  # the cues that chose it are in score_components.classification_cues
        category=kind.category,
        region=(gazetteer.continent_of(base_country) if base_country else None) or _main_continent(places),
        base=(gazetteer.country_name(base_country) or base_country) if base_country else UNKNOWN,
        primary_domain=kind.domain, topic=topic[0],
        impact=ratings["impact"][0], operational_criticality=ratings["operational_criticality"][0],
        time_horizon=ratings["time_horizon"][0],
        confidence=confidence.score, grade=confidence.grade, grade_label=confidence.label,
        score_components=_score_components(confidence.detail(), kind, base_reason, topic[1], ratings),
        source_count=len({a.article_id for a in articles}), independent_source_count=independent,
        sources_phrase=sources_phrase(independent),
        key_points=tuple(_key_point(g) for g in _one_direction(aggregated)[:KEY_POINTS]),
        what_happened=tuple(_summary(aggregated, articles)),
        what_to_watch=tuple(_watch_items(aggregated)),
        relationships=tuple(_relationships(entity_id, aggregated)),
        places=tuple(places),
        evidence=tuple(evidence_items(evidence.claims)),
        first_seen=min(dates) if dates else None,
        last_seen=max(dates) if dates else None,
        models_version=models_version(),
    ).with_hash()


def _confidence(
    entity_id: str, evidence: EntityEvidence, sources: list[SourceEvidence], organisation: OrganisationEvidence,
    now: datetime,
) -> Confidence:
    """The profile's confidence from its sources and the claims it makes as the subject."""
    own_claims = [c for c in evidence.claims if c.subject_id == entity_id]
    return score_profile(ScoreInput(
        sources=sources,
        claims=[ClaimEvidence((c.subject_id, c.type, c.object_id or c.object_text), c.polarity, c.modality,
                              c.extractor_confidence, c.article_id, c.cluster_id) for c in own_claims],
        now=now.replace(hour=0, minute=0, second=0, microsecond=0),  # daily resolution keeps re-runs stable
        organisation=organisation,
    ))


def _classify(
    names: list[str], evidence: EntityEvidence, own_affirmed: list[dict[str, Any]], reference: Reference | None,
) -> tuple[Classification, OrganisationEvidence]:
    """The organisation's type (from reference data, or what the news says of it) and the
    signals that it is an organisation at all, for its confidence."""
    contexts = evidence.contexts
    kind = classify_organisation(
        names, contexts,
        [ActingClaim(g["type"], g["object"], g["object_id"] is not None, g["evidence"].sentence) for g in own_affirmed],
        reference)
    organisation = OrganisationEvidence(
        linked=reference is not None, typed=kind.decided_by == "evidence", described=described_sentences(contexts),
        org_name=any(basename(n) != n for n in names), labels=evidence.labels,
        acting_claims=len(own_affirmed), products=product_sentences(contexts),
        product_name=is_product_name(names[:1]))
    return kind, organisation


def _score_components(
    detail: dict[str, Any], kind: Classification, base_reason: str, topic_reason: str,
    ratings: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    """The stored explanation of the profile: the confidence's detail and why each rating is what it is."""
    return {
        **detail,
        "classification_cues": kind.cue_words,
        "classification_decided_by": kind.decided_by,
        "classification_evidence": [c.as_dict() for c in kind.cues],
        "base_reason": base_reason,
        "topic_reason": topic_reason,
        "impact_reason": ratings["impact"][1],
        "criticality_reason": ratings["operational_criticality"][1],
        "time_horizon_reason": ratings["time_horizon"][1],
    }


def _key_point(group: dict[str, Any]) -> KeyPoint:
    return KeyPoint(text=group["text"], type=group["type"], polarity=group["polarity"], modality=group["modality"],
                    independent_sources=group["independent_sources"], evidence=group["evidence"])


def _watch_items(aggregated: list[dict[str, Any]]) -> list[WatchItem]:
    """Affirmed claims that are planned, hedged or pinned to a time ahead."""
    return [
        WatchItem(text=g["text"], modality=g["modality"], polarity=g["polarity"], evidence=g["evidence"],
                  when=dated(g["evidence"].sentence))
        for g in aggregated
        if g["polarity"] == "affirmed" and (g["modality"] in ("planned", "hedged") or dated(g["evidence"].sentence))
    ]


def evidence_items(claims: Sequence[EvidenceClaim]) -> list[EvidenceItem]:
    """The evidence list: each sentence once, in first-seen order, with the claims read from it
    and `copies`, the number of articles that carry the same sentence (syndicated or repeated
    copies); `type`, `polarity`, `modality` and `claim_id` are those of its first claim."""
    items: dict[str, dict[str, Any]] = {}
    for c in claims:
        key = " ".join(c.evidence.split())
        item = items.get(key)
        if item is None:
            item = items[key] = {
                "sentence": c.evidence, "url": c.url, "title": c.title, "publisher": c.publisher,
                "type": c.type, "polarity": c.polarity, "modality": c.modality, "claim_id": c.id,
                "claims": [], "articles": set()}
        read = ClaimRead(type=c.type, polarity=c.polarity, modality=c.modality)
        if read not in item["claims"]:
            item["claims"].append(read)
        item["articles"].add(c.article_id)
    out = []
    for item in items.values():
        articles = item.pop("articles")
        out.append(EvidenceItem(**item, copies=len(articles)))
    return out


def _topic(own_affirmed: list[dict[str, Any]]) -> tuple[str, str]:
    """(topic, reason): the taxonomy topic of the organisation's most frequent affirmed claim
    type as the subject (ties go to the stronger claim, as `aggregated` is ordered)."""
    counts = Counter(g["type"] for g in own_affirmed)
    if not counts:
        return UNKNOWN, "no affirmed claims by the organisation"
    ctype, n = counts.most_common(1)[0]
    return load_json("taxonomy.json")["topics"][ctype], f"{ctype}: {n} of {len(own_affirmed)} affirmed claims"


# Forward-looking times only: "by December", "before 2027", "starting next quarter", "next year".
# A bare "in 2019" may be history ("founded in 2019"), so it does not count.
_DATE = (r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)(?:\s+\d{4})?"
         r"|(?:19|20)\d\d|(?:the\s+)?(?:first|second|third|fourth)\s+(?:quarter|half)(?:\s+of\s+(?:19|20)\d\d)?)")
_WHEN = re.compile(
    rf"\b(?:(?:by|before|until|starting|from)\s+(?:the\s+)?(?:end\s+of\s+)?{_DATE}"
    r"|next\s+(?:year|month|quarter|week|spring|summer|autumn|fall|winter))",
    re.IGNORECASE,
)


def dated(sentence: str) -> str | None:
    """The time a claim is pinned to ("by December", "in 2027", "next year"), if the sentence says."""
    found = _WHEN.search(sentence)
    return found.group(0) if found else None


# Claim types that say the same thing read either way: "A partners with B" is "B partners with A".
SYMMETRIC = {"partnership", "merger"}


def _one_direction(aggregated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The aggregated claims without the mirror image of a symmetric claim already listed
    (the stronger reading, listed first, stays)."""
    kept, seen = [], set()
    for g in aggregated:
        if g["type"] in SYMMETRIC and g["object_id"]:
            pair = (frozenset((g["subject_id"], g["object_id"])), g["type"], g["polarity"])
            if pair in seen:
                continue
            seen.add(pair)
        kept.append(g)
    return kept


def _relationships(entity_id: str, aggregated: list[dict[str, Any]]) -> list[Relationship]:
    """Other organisations tied by claims, one entry per (organisation, type, polarity)."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for g in aggregated:
        if not g["object_id"] or entity_id not in (g["subject_id"], g["object_id"]):
            continue
        outgoing = g["subject_id"] == entity_id
        other = g["object"] if outgoing else g["subject"]
        direction = "outgoing" if outgoing else "incoming"
        entry = merged.get((other, g["type"], g["polarity"]))
        if entry is None:
            merged[(other, g["type"], g["polarity"])] = {
                "organisation": other, "type": g["type"], "direction": direction, "polarity": g["polarity"],
                "modality": g["modality"], "independent_sources": g["independent_sources"],
            }
        else:
            if entry["direction"] != direction:
                entry["direction"] = "both"
            entry["independent_sources"] = max(entry["independent_sources"], g["independent_sources"])
    return [Relationship(**entry) for entry in merged.values()]


def _places(rows: Sequence[EvidencePlace]) -> list[Place]:
    """One entry per place: its strongest tie kind and the articles that tie it."""
    merged: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        entry = merged.setdefault((row.name, row.country), {
            "name": row.name, "country": row.country, "continent": row.continent, "tie": row.kind,
            "articles": 0, "kinds": {}})
        entry["articles"] += row.articles
        entry["kinds"][row.kind] = entry["kinds"].get(row.kind, 0) + row.articles
        if KIND_RANK[row.kind] > KIND_RANK[entry["tie"]]:
            entry["tie"] = row.kind
    ordered = sorted(merged.values(), key=lambda p: (-KIND_RANK[p["tie"]], -p["articles"], p["name"]))
    return [Place(**entry) for entry in ordered]


_OF_PLACE = re.compile(r"\bof\s+((?:[A-Z][\w.'-]*\s?){1,3})$")


def name_country(names: list[str]) -> tuple[str, str] | None:
    """(country, name) a name itself places the organisation in: "<institution> of <country or
    region>" ("Bank of England", "Royal Bank of Scotland") or a national adjective as its first
    word ("British Airways", "American Express"); cities do not count ("Bank of Chicago" may be
    anywhere's bank of Chicago, and is rare), nor continents ("European Union")."""
    demonyms = load_json("demonyms.json")["demonyms"]
    gazetteer = load_gazetteer()
    for name in names:
        first = name.split()[0] if name.split() else ""
        if len(name.split()) > 1 and demonyms.get(first):
            return demonyms[first], name
        found = _OF_PLACE.search(name)
        if found:
            place = found.group(1).strip()
            resolved = gazetteer.resolve_all([place]).get(place)
            if resolved is not None and resolved.country and resolved.kind in ("country", "subdivision"):
                return resolved.country, name
    return None


def decide_base(
    places: Sequence[Place], reference_country: str | None = None, known_id: str | None = None,
    named: tuple[str, str] | None = None,
) -> tuple[str | None, str]:
    """(ISO country code or None, why) of where the organisation is based: the reference
    record's headquarters first; then what its own name says (`named`, from `name_country`);
    then the country most of its headquarters-kind ties name ("X-based", "headquartered in",
    "the German carmaker X"), counted in articles, when no other country has as many. Sites,
    markets and passing mentions of a place never decide: a US company's Dutch office is not
    its base."""
    if reference_country:
        return reference_country, f"reference: {known_id or 'linked record'}"
    if named is not None:
        return named[0], f"its name: {named[1]}"
    by_country: Counter[str] = Counter()
    for p in places:
        if p.country and p.kinds.get("headquarters"):
            by_country[p.country] += p.kinds["headquarters"]
    if not by_country:
        return None, "no headquarters tie"
    ranked = by_country.most_common()
    said = ", ".join(f"{c} in {n}" for c, n in ranked)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, f"headquarters ties disagree: {said}"
    return ranked[0][0], f"headquarters ties: {said} article(s)"


def _main_continent(places: Sequence[Place]) -> str:
    continents: Counter[str] = Counter()
    for p in places:
        if p.continent:
            continents[p.continent] += p.articles
    return continents.most_common(1)[0][0] if continents else UNKNOWN


def _summary(aggregated: list[dict[str, Any]], articles: Sequence[EvidenceArticle]) -> list[Source]:
    """Extractive "what happened": the evidence of the strongest claims, one per article, cited."""
    chosen: list[Source] = []
    seen_urls, seen_sentences = set(), set()
    for g in aggregated:
        ev: Source = g["evidence"]
        if ev.url in seen_urls or ev.sentence in seen_sentences:
            continue
        seen_urls.add(ev.url)
        seen_sentences.add(ev.sentence)
        chosen.append(ev)
        if len(chosen) == SUMMARY_SENTENCES:
            break
    if not chosen and articles:
        first = articles[0]
        chosen.append(Source(sentence=first.title or "", url=first.url, title=first.title, publisher=first.publisher))
    return chosen
