"""Organisations and places of one document: mentions grouped, aliases learned, places resolved."""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc, Span

from dossier.extract.aliases import (
    AliasGraph,
    canonical_name,
    is_acronym_of,
    is_short_form_of,
    name_key,
    same_name,
)
from dossier.extract.entities import ORG, PLACE_LABELS, entity_cues, head_word_index, not_organisations
from dossier.extract.gazetteer import KnownOrganisation
from dossier.extract.gazetteer import load_gazetteer as load_known
from dossier.extract.places import Resolution, demonym_countries, load_gazetteer
from dossier.records import Location, Mention, Organisation

# Words that introduce another name of an organisation named just before them.
_ALIAS_CUES = (
    ("formerly", "known", "as"), ("formally", "known", "as"), ("officially", "known", "as"),
    ("previously", "known", "as"), ("also", "known", "as"), ("better", "known", "as"), ("known", "as"),
    ("formerly", "called"), ("now", "called"), ("also", "called"), ("officially",), ("formerly",), ("formally",),
    ("aka",), ("trading", "as"), ("doing", "business", "as"), ("operating", "as"),
    ("previous", "name"), ("former", "name"), ("renamed",), ("now", "known", "as"),
)
# How far back (tokens) a cue looks for the organisation it renames.
_ANTECEDENT_WINDOW = 12


def to_mention(span: Span) -> Mention:
    """A Mention record of a spaCy span, with its sentence bounds."""
    sent = span.sent
    return Mention(
        text=span.text, start=span.start_char, end=span.end_char, label=span.label_,
        sentence_start=sent.start_char, sentence_end=sent.end_char,
    )


_CUE_FIRST_WORDS = frozenset(cue[0] for cue in _ALIAS_CUES)


def _cue_at(doc: Doc, index: int) -> int | None:
    """If an alias cue starts at token `index`, return the index just after it."""
    if doc[index].lower_ not in _CUE_FIRST_WORDS:  # called at every token: the cheap test first
        return None
    words = [t.lower_ for t in doc[index : index + 3]]
    for cue in _ALIAS_CUES:
        if tuple(words[: len(cue)]) == cue:
            return index + len(cue)
    return None


def learn_aliases(doc: Doc, spans: list[Span]) -> AliasGraph:
    """Link the names of `spans` that the text says are one organisation."""
    graph = AliasGraph()
    by_start = {s.start: s for s in spans}
    for span in spans:
        graph.add(span.text)
    for span in spans:
        # "Foxconn (Hon Hai Technology Group)": a name in brackets right after another.
        nxt = span.end
        if nxt < len(doc) and doc[nxt].text == "(":
            other = by_start.get(nxt + 1)
            if other is not None and other.end < len(doc) and doc[other.end].text == ")":
                graph.link(span.text, other.text, "parenthetical")
    for token in doc:
        # "Foxconn, the Taiwanese maker formally known as Hon Hai ...", "Nordhavn (formerly Baltic Wind)"
        after = _cue_at(doc, token.i)
        if after is None or (token.i > 0 and _cue_at(doc, token.i - 1) is not None):
            continue
        alias = by_start.get(after)
        if alias is None:
            continue
        before = [s for s in spans if s.end <= token.i and s.sent == alias.sent and token.i - s.end <= _ANTECEDENT_WINDOW]
        if before:
            graph.link(before[-1].text, alias.text, "pattern")
    names = list(dict.fromkeys(s.text for s in spans))
    # A one-word known name that leads a longer name of this text ("Sumitomo" beside "Sumitomo
    # Mitsui Financial") is that name's short form here, not the company it names elsewhere;
    # unless the longer name is a unit of it ("Barclays" beside "Barclays Capital": the parent).
    known = {n: org.id for n in names if (org := known_organisation(n)) is not None
             and not (" " not in n and any(is_short_form_of(n, other) and not _unit_of_known(n, other)
                                           for other in names if other != n))}
    by_known: dict[str, str] = {}
    for name in names:
        if name in known:
            # Two names of one known organisation ("Fed", "Federal Reserve") are one organisation.
            first = by_known.setdefault(known[name], name)
            if first != name:
                graph.link(first, name, "reference")
    generic = entity_cues()["generic_name_starts"]
    for name in names:
        # "the Commission" after "European Commission": a generic head word names the one
        # organisation of the text it ends or leads (find_head_anaphors kept only those).
        if " " not in name and name.lower() in not_organisations():
            holders = {long for long in names if long != name and _heads(name, long)}
            if len({name_key(h) for h in holders}) == 1:
                graph.link(sorted(holders, key=len)[-1], name, "head")
    for name in names:
        # "Reynolds" beside "RJ Reynolds Tobacco": a one-word name inside one longer name of the
        # text, and no other, is that organisation named by its distinctive word (a generic word
        # is none: "World" is not "BBC World Service").
        if " " in name or name in known or not name[:1].isupper() or name.lower() in not_organisations() \
                or any(other != name and graph.find(other) == graph.find(name) for other in names):
            continue
        holders = {name_key(long) for long in names if long != name and name in long.split()[1:]}
        if len(holders) == 1 and not any(name in long.split()[:1] for long in names if long != name):
            graph.link(next(long for long in names if name_key(long) in holders), name, "short_form")
        elif name in generic:
            # "United" beside "Manchester United" (named 5 times) and "Shareholders United" (once):
            # a generic word alone names the one organisation holding it that the text names most.
            counts = Counter(name_key(s.text) for s in spans if s.text != name and name in s.text.split())
            ranked = counts.most_common(2)
            if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
                graph.link(next(long for long in names if name_key(long) == ranked[0][0]), name, "short_form")
    for short in names:
        # A short form joins one longer name only, the first named: linking it to each longer
        # name it starts would merge them all on one shared word ("Kisaragi Motor" and the
        # "Kisaragi Tora" car). A generic word ("United") joins none here (only the most named, above).
        longer = [long for long in names if long != short and is_short_form_of(short, long)
                  and not _regional_unit(short, long) and not _unit_of_known(short, long)
                  and not _group_beside_unit(short, long)]
        for long in names:
            if short == long or (short in known and long in known and known[short] != known[long]):
                continue  # two known organisations are never one
            if is_acronym_of(short, long):
                graph.link(long, short, "acronym")
            elif long in longer:
                if short not in generic and name_key(long) == name_key(longer[0]):
                    graph.link(long, short, "short_form")
            elif same_name(short, long) and len(short) <= len(long):
                graph.link(long, short, "variant")
    return graph


def _heads(word: str, name: str) -> bool:
    """`word` is the head noun of `name` ("Commission" of "European Commission", "Bank" of "Bank
    of England"), not a modifier ("World" of "BBC World Service")."""
    words = name.split()
    return len(words) > 1 and words[head_word_index(words)] == word


def _regional_unit(short: str, long: str) -> bool:
    """"AOL Europe" of "AOL", "GM Europe": a unit named for a region or country (or a large
    city) is not the parent's short form; "Cabot Trail Bank" is still "Cabot Trail"."""
    rest = long[len(short):].strip() if long.startswith(short) else ""
    if not rest or rest.lower() in entity_cues()["institution_heads"]:
        return False
    return any(c.kind != "city" or c.population >= 100_000 for c in load_gazetteer().candidates(rest)) \
        and rest not in entity_cues()["org_head_words"]


def _unit_of_known(short: str, long: str) -> bool:
    """"BT Wholesale", "EMI Music", "BBC Radio 4" beside a known "BT", "EMI", "BBC": a known
    organisation's name followed by a business-unit word names a unit, its own organisation,
    unless reference data gives the longer name as the organisation's own."""
    rest = long[len(short):].split() if long.startswith(short + " ") else []
    if not rest or rest[0] not in entity_cues()["unit_words"]:
        return False
    parent, whole = known_organisation(short), known_organisation(long)
    return parent is not None and (whole is None or whole.id != parent.id)


def _group_beside_unit(short: str, long: str) -> bool:
    """"LG Group" beside "LG Card": a name whose match key drops its last word ("Group",
    "Holdings") leads the other's key but not its words; the group and a company of it are two
    organisations ("Hon Hai" of "Hon Hai Precision" still leads it word for word)."""
    words = short.split()
    return len(words) > len(name_key(short).split()) and long.split()[: len(words)] != words


def known_organisation(name: str) -> KnownOrganisation | None:
    """The known organisation a name (or its form without a possessive) denotes."""
    return load_known().lookup(name) or load_known().lookup(canonical_name(name))


def build_organisations(doc: Doc) -> tuple[list[Organisation], dict[tuple[int, int], str]]:
    """Organisations of a document, and a map from each ORG span's (start, end) token offsets to its name."""
    spans = [e for e in doc.ents if e.label_ == ORG]
    graph = learn_aliases(doc, spans)
    orgs: list[Organisation] = []
    span_names: dict[tuple[int, int], str] = {}
    first_seen = {}
    for span in spans:
        first_seen.setdefault(span.text, span.start)
    counts = Counter(canonical_name(s.text) for s in spans)
    for members in graph.groups().values():
        ordered = sorted(members, key=first_seen.__getitem__)
        member_set = set(members)
        group_spans = [s for s in spans if s.text in member_set]
        # A one-word name that leads a longer one of the group is its short form here ("Kingfisher"
        # beside "Kingfisher Airlines"): the longer name says which known organisation is meant.
        short_forms_last = sorted(ordered, key=lambda m: " " not in m and any(is_short_form_of(m, o) for o in ordered if o != m))
        link = next((org for m in short_forms_last if (org := known_organisation(m)) is not None
                     and not _other_expansion_of(m, org, ordered)), None)
        if link is not None and _of_another_country(group_spans, link):
            link = None
        name = link.name if link is not None else preferred_name(ordered, graph.learned, counts)
        if not name:
            continue
        aliases = tuple(dict.fromkeys(canonical_name(m) if m.endswith(("'s", "’s")) else m for m in ordered))
        aliases = tuple(a for a in aliases if a != name)
        sources = tuple((a, graph.learned.get(a, "variant")) for a in aliases)
        for s in group_spans:
            span_names[(s.start, s.end)] = name
        orgs.append(Organisation(
            name=name, aliases=aliases, alias_sources=sources,
            mentions=tuple(to_mention(s) for s in group_spans), known_id=link.id if link else None,
        ))
    orgs.sort(key=lambda o: o.mentions[0].start)
    return orgs, span_names


def _of_another_country(spans: list[Span], org: KnownOrganisation) -> bool:
    """"Brazil's Congress" is not the US Congress the reference data knows: a name the text
    gives to a country other than the known organisation's links nothing."""
    if not org.country:
        return False
    for span in spans:
        doc = span.doc
        if span.start >= 2 and doc[span.start - 1].lower_ in ("'s", "’s") and doc[span.start - 2].ent_type_ in PLACE_LABELS:
            owner = next(e for e in doc.ents if e.start <= span.start - 2 < e.end)
            countries = {c.country for c in load_gazetteer().candidates(owner.text) if c.kind == "country"}
            if countries and org.country not in countries:
                return True
    return False


def _other_expansion_of(member: str, org: KnownOrganisation, members: list[str]) -> bool:
    """"World Tourism Organisation (WTO)": a listed acronym ("WTO", the World Trade Organization)
    that the text spells out as another full name links nothing."""
    return any(other != member and is_acronym_of(member, other) and not same_name(other, org.name)
               and known_organisation(other) is None for other in members)


def preferred_name(ordered: list[str], learned: dict[str, str], counts: Counter[str]) -> str:
    """The display name of an organisation no reference data knows: its most frequent full
    form (not an acronym, short form or other learned alias), first seen on a tie, without a
    possessive or legal suffix, and never a form with a model number ("Airbus A300s")."""
    full = [m for m in ordered if m not in learned] or ordered
    plain = [m for m in full if not _product_suffixed(m)] or [m.rsplit(" ", 1)[0] for m in full]
    best = max(plain, key=lambda m: (counts[canonical_name(m)], -plain.index(m)))
    return canonical_name(best)


def _product_suffixed(name: str) -> bool:
    words = name.split()
    return len(words) > 1 and any(ch.isdigit() for ch in words[-1]) and any(ch.isalpha() for ch in words[-1])


def build_locations(doc: Doc) -> tuple[list[Location], dict[tuple[int, int], Resolution | None]]:
    """Places of a document, resolved to country and continent where the gazetteer knows them.

    A mention qualified by the next one ("Cambridge, Massachusetts") is resolved inside it;
    the others are resolved together, with demonyms ("Norwegian") as extra country context.
    Also returns each place span's (start, end) token offsets with its resolution."""
    gazetteer = load_gazetteer()
    spans = [e for e in doc.ents if e.label_ in PLACE_LABELS]
    context = demonym_countries(e.text for e in doc.ents if e.label_ == "NORP")
    resolved = gazetteer.resolve_all((s.text for s in spans), context)
    by_start = {s.start: s for s in spans}
    grouped: dict[tuple[str, str | None], tuple[list[Span], Resolution | None]] = {}
    by_span: dict[tuple[int, int], Resolution | None] = {}
    for span in spans:
        place = resolved.get(span.text)
        qualifier = by_start.get(span.end + 1) if span.end < len(doc) and doc[span.end].text == "," else None
        if qualifier is not None:
            place = gazetteer.resolve_qualified(span.text, qualifier.text) or place
        key = (place.name, place.country) if place else (span.text, None)
        grouped.setdefault(key, ([], place))[0].append(span)
        by_span[(span.start, span.end)] = place
    locations = []
    for (name, country), (members, place) in grouped.items():
        locations.append(Location(
            name=name, country=country, continent=place.continent if place else None,
            mentions=tuple(to_mention(s) for s in members),
        ))
    locations.sort(key=lambda loc: loc.mentions[0].start)
    return locations, by_span
