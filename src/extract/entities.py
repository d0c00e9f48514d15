"""Entity corrections on top of the statistical NER.

The small English model tags many companies as GPE ("Foxconn", "OpenAI"). The
`dossier_entity_fixer` component cleans spans and makes labels consistent across a
document: a name seen as ORG, listed as a known organisation, or tagged as a place the
gazetteer does not know, is ORG in every mention; names known as ORG are also found where
the model missed them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from dossier.assets import load_json, load_jsonl
from dossier.extract.aliases import canonical_name, is_acronym_of, is_short_form_of, name_key
from dossier.extract.gazetteer import Gazetteer as KnownGazetteer
from dossier.extract.gazetteer import load_gazetteer as load_known
from dossier.extract.places import load_gazetteer

ORG = "ORG"
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels the small model gives organisations by mistake, which the fixer may turn into ORG.
_FLIPPABLE = {"GPE", "LOC", "NORP", "PERSON", "FAC", "PRODUCT", "WORK_OF_ART"}
# "the", and the conjunctions spaCy glues to a name that opens a sentence ("Neither Halden Telecom nor ...").
_STRIP_LEADING = {"the", "neither", "either", "both"}
_STRIP_TRAILING = {"'s", "’s", "'", "’", ",", ".", ";", ":", "-", "—", "–", "(", ")", '"', "“", "”"}


@lru_cache(maxsize=1)
def known_organisation_keys() -> frozenset[str]:
    """Match keys of the organisations listed in models/org_patterns.jsonl."""
    return frozenset(
        name_key(p["pattern"]) for p in load_jsonl("org_patterns.jsonl") if isinstance(p["pattern"], str)
    )


@dataclass(frozen=True)
class KnownNames:
    """The known organisations' names as the entity fixer uses them: one phrase matcher over
    every surface form, why a form needs context (see `name_weakness`), and the match keys of
    the forms that need none."""

    matcher: PhraseMatcher
    weakness: dict[str, str]
    strong_keys: frozenset[str]


def build_known_names(nlp: Language) -> KnownNames:
    """Case-sensitive (a lower-case "next" or "shell" is never a candidate), keyed by gazetteer id."""
    known, places = load_known(), load_gazetteer()
    words = english_words(nlp)
    matcher = PhraseMatcher(nlp.vocab)
    by_id: dict[str, list[str]] = defaultdict(list)
    weakness: dict[str, str] = {}
    for surface, org_id in known.surfaces().items():
        by_id[org_id].append(surface)
        why = name_weakness(known, places, words, surface)
        if why is not None:
            weakness[surface] = why
    for org_id, surfaces in by_id.items():
        matcher.add(org_id, list(nlp.tokenizer.pipe(surfaces)))
    strong = frozenset(name_key(s) for s in known.surfaces() if s not in weakness)
    return KnownNames(matcher, weakness, strong)


def english_words(nlp: Language) -> frozenset[str]:
    """The English words the pipeline's lemmatizer lists (WordNet's nouns, verbs, adjectives,
    adverbs): empty for a pipeline without one."""
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return frozenset()
    table = lookups.get_table("lemma_index")
    return frozenset(w for key in table.keys() for w in table[key])


def name_weakness(known: KnownGazetteer, places, words: frozenset[str], surface: str) -> str | None:
    """Why a known organisation's name needs context before it counts, or None when the name
    alone is enough. "region": a country's or region's name ("Georgia"), never taken; "place":
    a city's name ("Toyota", "Santander"), taken unless a place cue says it is the city;
    "word": a name a person listed as also an ordinary word ("Next", "Shell"), taken where
    capitalised mid-sentence; "derived": a one-word short form of a listed company's name
    that is an English word or too short to trust ("City" of City Holding, "Box"), taken
    only with the model's ORG vote or a company cue."""
    kinds = {c.kind for c in places.candidates(surface)}
    if kinds & {"country", "subdivision", "region"}:
        return "region"
    if kinds:
        return "place"
    if " " in surface:
        return None
    if surface in known.curated_surfaces:
        return "word" if known.is_common_word(surface) else None
    lower = surface.lower()
    letters = sum(ch.isalpha() for ch in surface)
    if lower in words or lower.rstrip("s") in words or (letters <= 3 and not (surface.isupper() and letters == 3)):
        return "derived"
    return None


@lru_cache(maxsize=1)
def not_organisations() -> frozenset[str]:
    """Words the model tags ORG that never name one here (models/entity_stoplist.json)."""
    return frozenset(load_json("entity_stoplist.json")["not_organisations"])


def clean_span(span: Span) -> Span | None:
    """Drop a leading "the" and trailing possessives/punctuation from an entity span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in _STRIP_LEADING or doc[start].is_punct):
        start += 1
    # "Hindustan Aeronautics (HAL": an opened bracket the span does not close ends the name
    # (the bracketed acronym is found on its own by find_defined_acronyms).
    opened = next((t.i for t in doc[start:end] if t.text == "("), None)
    if opened is not None and not any(t.text == ")" for t in doc[opened:end]):
        end = opened
    # "the LSE - Europe's biggest equity market": a dash set off by spaces opens an aside, never a name.
    dash = next((t.i for t in doc[start + 1:end] if t.text in ("-", "–", "—") and t.whitespace_ and doc[t.i - 1].whitespace_), None)
    if dash is not None:
        end = dash
    while end > start and (doc[end - 1].text in _STRIP_TRAILING or doc[end - 1].is_space):
        end -= 1
    # "the Tampa Bay Buccaneers American football team": a national adjective that ends an
    # organisation's span before a lower-case noun describes what follows, not the name.
    if span.label_ == ORG and end - start >= 2 and doc[end - 1].text in demonym_words() \
            and end < len(doc) and doc[end].is_lower and doc[end].pos_ == "NOUN":
        end -= 1
    if start >= end:
        return None
    return Span(doc, start, end, label=span.label_, kb_id=span.kb_id_)


@lru_cache(maxsize=1)
def demonym_words() -> frozenset[str]:
    """National adjectives and demonyms (models/demonyms.json): "American", "British"."""
    return frozenset(load_json("demonyms.json")["demonyms"])


def decide_label(span: Span, votes: Counter[str], known: frozenset[str], is_place: bool) -> str:
    """The label a span should carry, given how all same-named spans in the document were tagged."""
    label = span.label_
    key = name_key(span.text)
    org_votes = votes[ORG]
    place_votes = sum(votes[lbl] for lbl in PLACE_LABELS)
    if label in _FLIPPABLE:
        if key in known and not is_place:
            return ORG
        # A strict majority: on a tie the model's label stands (people are not made companies).
        others = max((n for lbl, n in votes.items() if lbl != ORG), default=0)
        if org_votes > others and (not is_place or org_votes > place_votes):
            return ORG
    elif label == ORG and is_place and key not in known and (place_votes >= org_votes or not place_votes):
        # A bare place name tagged ORG ("Phoenix", "Bergen") is the place, unless listed as an
        # organisation or tagged ORG more often than as a place.
        return "GPE"
    return label


_MAX_CAPS_RUN = 4
_APPOSITIVE_WINDOW = 6


@lru_cache(maxsize=1)
def entity_cues() -> dict[str, frozenset[str]]:
    """The cue lists of models/entity_cues.json, as sets."""
    data = load_json("entity_cues.json")
    return {k: frozenset(v) for k, v in data.items() if not k.startswith("_")}


def apply_context_cues(doc: Doc, spans: list[Span]) -> list[Span]:
    """Relabel from the words around a name: a person title before it ("Chief executive Jane
    Roe") makes a PERSON; an organisation descriptor in an appositive after it ("Kestrel
    Compute, the Austin-based designer of ..."), right before it ("the security company
    Kinneret Shield"), or "<place>-based" before it makes an ORG."""
    cues = entity_cues()
    out = []
    for span in spans:
        label = span.label_
        before = doc[span.start - 1] if span.start > 0 else None
        if label in ("ORG", "GPE", "NORP", "PERSON") and before is not None and before.lower_ in cues["person_titles"] \
                and len(span) >= 2:
            label = "PERSON"  # (a PERSON stays one: "prince Al-Walid bin Talal, the firm's ... shareholders")
        elif label in ("ORG", "GPE", "NORP", "PERSON") and _has_person_appositive(doc, span, cues):
            # Before the organisation appositive: "a network analyst at" must not read as "a network".
            label = "PERSON"
        elif label in _FLIPPABLE and _has_org_appositive(doc, span, cues["org_descriptors"]):
            label = ORG
        elif label in _FLIPPABLE and before is not None and before.lower_ in cues["org_descriptors"] \
                and before.pos_ == "NOUN" and before.is_lower:
            label = ORG  # "the investment firm Fjellvik Capital", "the cell maker Dongling"
        elif label in _FLIPPABLE and span.start >= 2 and doc[span.start - 1].lower_ == "based" and doc[span.start - 2].text == "-":
            label = ORG
        out.append(span if label == span.label_ else Span(doc, span.start, span.end, label=label))
    return out


def _has_person_appositive(doc: Doc, span: Span, cues: dict[str, frozenset[str]]) -> bool:
    """A two- or three-word name followed by a person's role: ", a network analyst at ...",
    ", OpenAI's head of ...", ", a data-centre broker at ..." (a role "at" an organisation, or
    a title no organisation is described by). Quoted sources are named this way, and the small
    model often tags them ORG."""
    if not _personal_name(span):
        return False
    if any(t.text in cues["org_head_words"] for t in span):
        return False
    i = span.end
    if i + 2 >= len(doc) or doc[i].text != ",":
        return False
    j = i + 1
    if doc[j].lower_ in ("a", "an", "the"):
        j += 1
    elif j + 1 < len(doc) and doc[j + 1].text in ("'s", "’s"):
        j += 2  # "OpenAI's head of ..."
    else:
        return False
    person_only = cues["person_titles"] - cues["org_descriptors"]
    for token in doc[j : min(len(doc), j + _APPOSITIVE_WINDOW)]:
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if token.pos_ == "NOUN" and (token.lower_ in person_only or (nxt is not None and nxt.lower_ == "at")):
            return True
        if token.is_punct and token.text != "-" or token.pos_ in ("VERB", "ADP"):
            return False
    return False


def _has_org_appositive(doc: Doc, span: Span, descriptors: frozenset[str]) -> bool:
    """", a/an/the <modifiers> <descriptor>" right after the span."""
    i = span.end
    if i + 2 >= len(doc) or doc[i].text != "," or doc[i + 1].lower_ not in ("a", "an", "the", "its"):
        return False
    for token in doc[i + 2 : min(len(doc), i + 2 + _APPOSITIVE_WINDOW)]:
        if token.lower_ in descriptors and token.pos_ == "NOUN" and token.tag_ != "POS" \
                and not (token.i + 1 < len(doc) and doc[token.i + 1].tag_ == "POS"):
            return True  # (a possessor is not the head: "X, the firm's two main shareholders")
        if token.is_punct and token.text != "-" or token.pos_ in ("VERB", "ADP"):
            return False
    return False


_PLACE_FLIPPABLE = {"PERSON", "PRODUCT", "WORK_OF_ART", "NORP", "ORG"}


def recover_places(doc: Doc, spans: list[Span], gazetteer, known: frozenset[str] | None = None) -> list[Span]:
    """Places the model missed or mislabelled, from unambiguous local cues: a known place after
    a locative preposition ("in Yongin") or before "-based" ("Leeds-based"), coordinated with
    a place ("Lisbon with Porto, Faro and Funchal"), or leading a date ("Manchester early next
    year"). Known organisations are never turned into places."""
    cues = entity_cues()
    known = known_organisation_keys() if known is None else known
    out: list[Span] = []
    for span in spans:
        if span.label_ == "DATE" and span[0].is_title and len(span) > 1:
            # "Manchester early next year": a place the date swallowed.
            for end in range(span.end - 1, span.start, -1):
                head = doc[span.start:end]
                if all(t.is_title for t in head) and _is_notable_place(gazetteer, head.text):
                    out.append(Span(doc, span.start, end, label="GPE"))
                    span = Span(doc, end, span.end, label="DATE")
                    break
        if span.label_ in _PLACE_FLIPPABLE and _has_place_cue(doc, span, spans, cues) \
                and gazetteer.is_place(span.text) and name_key(span.text) not in known:
            span = Span(doc, span.start, span.end, label="GPE")
        out.append(span)
    taken = {i for s in out for i in range(s.start, s.end)}
    for token in doc:
        if token.i in taken or not (token.is_title and token.pos_ == "PROPN"):
            continue
        # The longest title-case run from here that is a known place with a cue.
        for end in range(min(len(doc), token.i + 3), token.i, -1):
            run = doc[token.i:end]
            if taken.intersection(range(run.start, run.end)) or not all(t.is_title for t in run):
                continue
            if gazetteer.is_place(run.text) and name_key(run.text) not in known \
                    and _has_place_cue(doc, run, out, cues):
                out.append(Span(doc, run.start, run.end, label="GPE"))
                taken.update(range(run.start, run.end))
                break
    return out


def _has_place_cue(doc: Doc, span: Span, spans: list[Span], cues: dict[str, frozenset[str]]) -> bool:
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.lower_ in cues["locative_prepositions"]:
        return True
    if span.end + 1 < len(doc) and doc[span.end].text == "-" and doc[span.end + 1].lower_ == "based":
        return True
    # In a list with a place: "Munich, Hamburg and Düsseldorf", "Lisbon with Porto".
    places = {s.start for s in spans if s.label_ in PLACE_LABELS} | {s.end - 1 for s in spans if s.label_ in PLACE_LABELS}
    prev, nxt = span.start - 2, span.end + 1
    linked = before is not None and before.lower_ in (",", "and", "or", "with")
    if linked and prev >= 0 and prev in places:
        return True
    after = doc[span.end] if span.end < len(doc) else None
    return after is not None and after.lower_ in (",", "and", "or") and nxt < len(doc) and nxt in places


_CUED_RUN = 4


def find_cued_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """Capitalised names the text introduces as organisations where the model found none or
    another label: after a naming noun ("research firm Jupiter", "UK magazine Mac Format",
    "developer, Rockstar") or after a person's role and "at"/"with" ("an analyst at Gartmore").
    Known places and listed non-organisations are left alone."""
    cues = entity_cues()
    places, stoplist = load_gazetteer(), not_organisations()
    by_start = {s.start: s for s in spans}
    taken = {i for s in spans for i in range(s.start, s.end)}
    out = list(spans)
    for token in doc:
        i = token.i
        if i < 2 or not token.is_title or token.pos_ != "PROPN":
            continue
        before, earlier = doc[i - 1], doc[i - 2]
        cue = (before.is_lower and before.pos_ == "NOUN" and before.lower_ in cues["naming_nouns"]) or (
            before.text == "," and earlier.is_lower and earlier.pos_ == "NOUN" and earlier.lower_ in cues["naming_nouns"]) or (
            before.lower_ in ("at", "with") and earlier.is_lower and earlier.lower_.rstrip("s") in cues["person_titles"])
        if not cue:
            continue
        existing = by_start.get(i)
        if existing is not None:
            # "the head of the company, Yury Boyko, said": after a comma the noun may end a
            # description of the person the model found; only a one-word name is taken.
            apposed_person = before.text == "," and existing.label_ == "PERSON" and _personal_name(existing)
            if existing.label_ in _FLIPPABLE and existing.label_ != "NORP" and not apposed_person \
                    and not _is_notable_place(places, existing.text):
                out = [s for s in out if s is not existing] + [Span(doc, existing.start, existing.end, label=ORG)]
            continue
        if i in taken:
            continue
        end = i
        while end < len(doc) and end - i < _CUED_RUN and end not in taken and doc[end].pos_ == "PROPN" \
                and (doc[end].is_title or doc[end].is_upper):
            end += 1
        run = doc[i:end]
        if end > i and run.text not in stoplist and not _is_notable_place(places, run.text):
            out.append(Span(doc, i, end, label=ORG))
            taken.update(range(i, end))
    return out


def find_company_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """Proper-noun runs ending in a company or institution head word ("Stratacore Technologies",
    "European Union Aviation Safety Agency"): relabel a span the model gave another label, add
    one where it found nothing, or replace shorter spans the run wholly contains."""
    cues = entity_cues()
    heads = cues["org_head_words"] | {w.title() for w in cues["institution_heads"]}
    out = list(spans)
    for token in doc:
        if token.text not in heads or token.i == 0:
            continue
        start = token.i
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_title:
            start -= 1
        start = _joined_start(doc, start, token.i, heads, spans)
        if start == token.i:
            continue
        end = token.i + 1
        overlapping = [s for s in out if s.start < end and s.end > start]
        if any(s.start < start or s.end > end for s in overlapping):
            continue  # the model found a longer name: leave it whole
        exact = [s for s in overlapping if (s.start, s.end) == (start, end)]
        if exact and exact[0].label_ not in _FLIPPABLE and exact[0].label_ != ORG:
            continue
        out = [s for s in out if s not in overlapping]
        out.append(Span(doc, start, end, label=ORG))
    return out


_JOINED_RUN = 2


def _joined_start(doc: Doc, start: int, head: int, heads: frozenset[str] | set[str], spans: list[Span]) -> int:
    """Where a name ending in a head word starts when "and" joins two of its words ("Oil and
    Natural Gas Corporation", "World Travel and Tourism Council", "Ironhorse Oil and Gas"): the
    capitalised words before "and" belong to it unless they end a company name of their own
    ("Altria Group and Lorillard Tobacco"; a head word alone is none: "Oil and Natural Gas Corporation") or are a known organisation ("Sony and Acme Electronics")
    or one the text names elsewhere ("Peregrine and Anvaya Capital" beside "Peregrine Ventures", by
    its name or first word); nor do they when the words after "and" are a name the text gives alone
    ("Kestrel Compute and Halden Systems" beside "Halden Systems moved")."""
    if start < 2 or doc[start - 1].lower_ not in ("and", "&"):
        return start
    left = start - 1
    while left > 0 and start - 1 - left < _JOINED_RUN and doc[left - 1].pos_ == "PROPN" and doc[left - 1].is_title:
        left -= 1
    if left == start - 1 or head - start > _JOINED_RUN or (left > 0 and doc[left - 1].text == ","):
        return start  # a list ("Children, Youth and Media") or two long names side by side
    last = doc[start - 2].text
    left_key = name_key(doc[left:start - 1].text)
    org_keys = {name_key(t) for s in spans if s.label_ == ORG and (s.end <= left or s.start > head)
                for t in (s.text, s[0].text)}
    right_key = name_key(doc[start:head + 1].text)
    # A head word alone before "and" names nothing of its own ("Oil and Natural Gas Corporation").
    if (last in heads and start != head and start - 1 - left > 1) or {left_key, right_key} & (known_organisation_keys() | org_keys):
        return start  # either side a name of its own ("Kestrel Compute and Halden Systems", "Halden Systems moved")
    return left


_PURPOSE_RUN = 10


def join_purpose_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """"Alliance for Digital Inclusion", "US Court of Appeals for the District of Columbia",
    "Centre for Vision, Speech and Signal Processing": an institution's name that runs on over
    "for" and capitalised words (with "of", "the", "and" and commas between them) is one ORG,
    however the model cut it. A span crossing the run's ends leaves it alone."""
    heads = entity_cues()["purpose_heads"]
    out = list(spans)
    for token in doc:
        if token.lower_ != "for" or not token.is_lower or token.i == 0 or token.i + 1 >= len(doc):
            continue
        start = token.i
        while start > 0 and token.i - start < _CUED_RUN and (
                _capitalised(doc[start - 1]) or (doc[start - 1].lower_ == "of" and start > 1 and _capitalised(doc[start - 2]))):
            start -= 1
        while start < token.i and doc[start].lower_ == "of":
            start += 1
        if not any(t.is_title and t.lower_ in heads for t in doc[start:token.i]) or start > 0 and _capitalised(doc[start - 1]):
            continue
        end, i = token.i + 1, token.i + 1
        while i < len(doc) and i - token.i <= _PURPOSE_RUN:
            if doc[i].is_title and doc[i].pos_ in ("PROPN", "NOUN", "ADJ"):
                i += 1
                end = i
            elif i + 1 < len(doc) and (
                    (doc[i].lower_ in ("of", "and", ",") and (doc[i + 1].is_title or doc[i].lower_ == "of" and doc[i + 1].lower_ == "the"))
                    or (doc[i].lower_ == "the" and doc[i - 1].lower_ in ("for", "of") and doc[i + 1].is_title)):
                i += 1  # "for the Study of Children, Youth and Media", never "... and the Federation"
            else:
                break
        if end == token.i + 1:
            continue
        inside = [s for s in out if s.start < end and s.end > start]
        if any(s.start < start or s.end > end for s in inside) or any(s.label_ == "PERSON" for s in inside):
            continue
        out = [s for s in out if s not in inside] + [Span(doc, start, end, label=ORG)]
    return out


def _capitalised(token) -> bool:
    return token.is_alpha and (token.is_title or token.is_upper)


def _split_company_of_place(doc: Doc, span: Span, cues: dict[str, frozenset[str]]) -> list[Span]:
    """"Straits Aviation Holdings of Singapore" is a company and a place: a company name does not
    continue with "of <place>" the way an institution's does ("Bank of Japan")."""
    if span.label_ != ORG or len(span) < 3:
        return [span]
    for i, token in enumerate(span):
        if token.lower_ == "of" and 0 < i < len(span) - 1:
            before, after = doc[span.start : span.start + i], doc[span.start + i + 1 : span.end]
            if before[-1].lower_ not in cues["institution_heads"] and load_gazetteer().is_place(after.text) \
                    and name_key(span.text) not in known_organisation_keys():
                return [Span(doc, before.start, before.end, label=ORG), Span(doc, after.start, after.end, label="GPE")]
            break
    return [span]


def merge_split_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """Join names the model split: "Trilhos" + "do" + "Cerrado", "Financial Consumer Agency of"
    + "Canada", "Bank" + "of" + "Japan"."""
    cues = entity_cues()
    spans = sorted(spans, key=lambda s: s.start)
    taken = {i for s in spans for i in range(s.start, s.end)}
    # A name cut after "of" ("Financial Consumer Agency of" + untagged "Canada") continues over
    # the capitalised words that follow.
    for i, span in enumerate(spans):
        # A name never ends in a national adjective either ("Association of British" + "Insurers").
        if span.label_ == ORG and (span[-1].lower_ == "of" or (len(span) >= 3 and span[-1].text in demonym_words()
                                                              and any(t.lower_ == "of" for t in span))):
            end = span.end
            while end < len(doc) and end - span.end < 3 and doc[end].is_title and end not in taken:
                end += 1
            if end > span.end:
                spans[i] = Span(doc, span.start, end, label=ORG)
    spans = [part for span in spans for part in _split_company_of_place(doc, span, cues)]
    out: list[Span] = []
    for span in spans:
        if out:
            prev = out[-1]
            gap = doc[prev.end : span.start]
            joined = None
            if len(gap) == 1 and gap[0].lower_ in cues["name_particles"] and gap[0].is_lower and ORG in (prev.label_, span.label_):
                joined = Span(doc, prev.start, span.end, label=ORG)
            elif len(gap) == 1 and gap[0].lower_ == "of" and prev.label_ == ORG and prev[-1].lower_ in cues["institution_heads"]:
                joined = Span(doc, prev.start, span.end, label=ORG)
            elif len(gap) == 0 and prev.label_ == ORG and prev[-1].lower_ == "of":
                joined = Span(doc, prev.start, span.end, label=ORG)
            if joined is not None:
                out[-1] = joined
                continue
        out.append(span)
    return out


def find_capitalised_names(doc: Doc, spans: list[Span], gazetteer, known: frozenset[str]) -> list[Span]:
    """Places and known organisations written in capitals (datelines, headlines) that the
    model, trained on mixed case, missed: "BELGRADE", "FOXCONN SIGNS DEAL"."""
    taken = {i for s in spans for i in range(s.start, s.end)}
    found: list[Span] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if i in taken or not (token.is_upper and token.is_alpha and len(token) >= 3):
            i += 1
            continue
        # The longest run of capitalised words from here that names a place or a known organisation.
        match = None
        for end in range(min(len(doc), i + _MAX_CAPS_RUN), i, -1):
            run = doc[i:end]
            if any(t.i in taken or not (t.is_upper and t.is_alpha) for t in run):
                continue
            text = run.text.title()
            if name_key(text) in known:
                match = Span(doc, i, end, label=ORG)
            elif _is_notable_place(gazetteer, text):
                match = Span(doc, i, end, label="GPE")
            if match is not None:
                break
        if match is None:
            i += 1
            continue
        found.append(match)
        i = match.end
    return found


_TABLE_NUMERIC_SHARE = 0.4


_TABLE_MIN_WORDS = 4


def relabel_table_rows(doc: Doc, spans: list[Span]) -> list[Span]:
    """In a results or standings row ("Leeds 2 Chelsea 1", "NEW YORK 74 58 .561") a place
    name followed by a score is a team: in a line of four or more words, mostly numbers, it
    becomes ORG. Datelines ("LONDON 1996-08-30", "LEEDS , England 1996-08-30") are too short
    to count. A name the model ran over the scores ("Stirling 1 Dundee 1") is cut into its
    teams."""
    out = []
    rows: dict[int, Span] = {}
    for span in spans:
        scored = any(t.like_num for t in span)
        # A place or organisation in a row, or a name the model ran into the scores ("Leeds 2 Chelsea" PERSON).
        if (span.label_ in ("GPE", "LOC", ORG) or (scored and any(_capitalised(t) for t in span))) and _in_table_row(span):
            rows.setdefault(span.sent.start, span.sent)
            parts = _split_at_scores(span) if scored else [span]
            for part in parts:
                followed_by_number = part.end < len(doc) and doc[part.end].like_num
                out.append(Span(doc, part.start, part.end, label=ORG) if followed_by_number else part)
            continue
        if scored and _in_table_row(span):
            rows.setdefault(span.sent.start, span.sent)
        out.append(span)
    # The other teams of those rows, where the model found nothing ("Hajduk 4 2 0 2 5 3 6").
    taken = {i for s in out for i in range(s.start, s.end)}
    for row in rows.values():
        i = row.start
        while i < row.end:
            end = i
            while end < row.end and end - i < 3 and end not in taken and _capitalised(doc[end]) and not doc[end].is_stop:
                end += 1
            if end > i and end < len(doc) and doc[end].like_num and (i == row.start or not _capitalised(doc[i - 1])):
                out.append(Span(doc, i, end, label=ORG))
                taken.update(range(i, end))
            i = max(end, i + 1)
    return out


def _in_table_row(span: Span) -> bool:
    """Four or more words (as written: "1996-08-30" is one), two in five of them numbers."""
    words = [w for w in span.sent.text.split() if any(ch.isalnum() for ch in w)]
    numeric = sum(1 for w in words if any(ch.isdigit() for ch in w))
    return len(words) >= _TABLE_MIN_WORDS and numeric / len(words) >= _TABLE_NUMERIC_SHARE


def _split_at_scores(span: Span) -> list[Span]:
    """The runs of words between the numbers of a span ("Stirling 1 Dundee 1" -> Stirling, Dundee)."""
    parts, start = [], None
    for token in span:
        if token.like_num or token.is_punct:
            if start is not None:
                parts.append(Span(span.doc, start, token.i, label=span.label_))
            start = None
        elif start is None:
            start = token.i
    if start is not None:
        parts.append(Span(span.doc, start, span.end, label=span.label_))
    return parts


_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof"})
_NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "bin", "al"})


def _personal_name(span: Span) -> bool:
    """Two or three words shaped like a person's name: each capitalised ("Jane Roe", "Joe
    McLean", "JP McManus"), a lower-case particle allowed inside ("Theo van Gogh")."""
    if not 2 <= len(span) <= 3 or span[0].lower_ in _NAME_PARTICLES or span[-1].lower_ in _NAME_PARTICLES:
        return False
    return all(t.is_alpha and (t.text[0].isupper() or t.lower_ in _NAME_PARTICLES) for t in span)


_PLAIN_COURTESY = frozenset({"mr", "mrs", "ms", "miss"})


def _after_courtesy(span: Span, titles: frozenset[str] = _COURTESY) -> bool:
    """A courtesy title stands right before the span ("Mr", "Dr.")."""
    return span.start > 0 and span.doc[span.start - 1].lower_.rstrip(".") in titles


def relabel_people(doc: Doc, spans: list[Span], known: frozenset[str]) -> list[Span]:
    """ORG spans the document shows to be people become PERSON: the same name tagged PERSON at
    least as often elsewhere, or a two- or three-word name ending in the surname of a person
    named elsewhere ("Renata Holloway" beside "Ms Holloway said"), or that surname alone after a
    courtesy title ("Mr Holloway") or tagged ORG only once. Listed organisations, and
    names an appositive calls an organisation, stay organisations."""
    # "Mr Sears", "Mr Ford": a one-word name after Mr or Ms is a person, even a known firm's name (firms
    # do bear "Dr" or "Lord": "Dr Reddy's", "Dr Pepper").
    spans = [Span(doc, s.start, s.end, label="PERSON") if s.label_ == ORG and len(s) == 1
             and _after_courtesy(s, _PLAIN_COURTESY) else s for s in spans]
    people = [s for s in spans if s.label_ == "PERSON"]
    if not people:
        return spans
    person_count = Counter(s.text for s in people)
    org_count = Counter(s.text for s in spans if s.label_ == ORG)
    # Surnames from names of two words or more ("Jane Roe"), or a lone word the model tags PERSON
    # after a courtesy title ("Ms Holloway") or more than once: a lone word tagged PERSON once
    # ("Lautaro") is too often a company named after someone.
    lone = Counter(p.text for p in people if len(p) == 1)
    surnames = {p[-1].text for p in people if len(p) >= 2} | {w for w, n in lone.items() if n >= 2} | {
        p.text for p in people if len(p) == 1 and p.start > 0 and doc[p.start - 1].lower_.rstrip(".") in _COURTESY}

    # A name the text itself calls an organisation ("Leche Andina, a powdered-milk producer")
    # stays one, however often the model tags it PERSON.
    descriptors = entity_cues()["org_descriptors"]
    vouched = {s.text for s in spans if s.label_ == ORG and _has_org_appositive(doc, s, descriptors)}

    def is_person(span: Span) -> bool:
        if span.label_ != ORG or span.kb_id_ or name_key(span.text) in known or span.text in vouched:
            return False
        if person_count[span.text] >= org_count[span.text]:
            return True
        if len(span) == 1 and span[0].is_title and (_after_courtesy(span) or (span.text in surnames and org_count[span.text] == 1)):
            # "Mr Sukul said", or "Sukul" once beside "Ravi Sukul"; a firm named after its founder is
            # its name again and again ("Hardie" beside "James Hardie").
            return True
        return _personal_name(span) and span[-1].text in surnames

    return [Span(doc, s.start, s.end, label="PERSON") if is_person(s) else s for s in spans]


def find_defined_acronyms(doc: Doc, spans: list[Span]) -> list[Span]:
    """"Malaysian Investment Development Authority (MIDA)": the bracketed acronym is an ORG."""
    taken = {i for s in spans for i in range(s.start, s.end)}
    found = []
    for span in spans:
        i = span.end
        if span.label_ == ORG and i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
            token = doc[i + 1]
            if token.is_upper and token.is_alpha and 2 <= len(token) <= 8 and token.i not in taken:
                found.append(Span(doc, token.i, token.i + 1, label=ORG))
    return found


def short_form_words(doc: Doc, spans: list[Span], gazetteer) -> list[Span]:
    """First words of multi-word organisation names that can stand alone for them: proper
    nouns, not generic ("United"), not places, not demonyms, never written in lower case here."""
    generic = entity_cues()["generic_name_starts"]
    demonyms = load_json("demonyms.json")["demonyms"]
    lowered = {t.lower_ for t in doc if t.is_lower}
    out = []
    for span in spans:
        if span.label_ != ORG or len(span) < 2:
            continue
        first = span[0]
        if (first.is_title and first.is_alpha and len(first) >= 3 and first.text not in generic
                and first.text not in demonyms and first.lower_ not in lowered and not gazetteer.is_place(first.text)):
            out.append(span[0:1])
    return out


def link_known_names(doc: Doc, spans: list[Span], names: KnownNames) -> list[Span]:
    """Known organisations' names become ORG spans whatever the model said, one matcher pass.

    A name that is also an ordinary word ("Next", "Shell") counts where the model tagged it
    ORG, where a company cue describes it, or capitalised mid-sentence; a city's name
    ("Toyota", "Santander") unless a place cue ("in Santander") says it is the city; a
    country's or region's name never. A known name inside a longer
    name the model found (a person "Michael Dell", "Deutsche Bank Research") is left alone."""
    descriptors = entity_cues()["org_descriptors"]
    matches = filter_spans([Span(doc, start, end, label=ORG, kb_id=match_id)
                            for match_id, start, end in names.matcher(doc)])
    if not matches:
        return spans
    by_range = {(sp.start, sp.end): sp for sp in spans}
    person_words = {t.text for sp in spans if sp.label_ == "PERSON" and len(sp) >= 2 for t in sp}
    org_texts = {sp.text for sp in spans if sp.label_ == ORG}
    out = list(spans)
    for match in matches:
        overlapping = [sp for sp in out if sp.start < match.end and sp.end > match.start]
        longer = [sp for sp in overlapping if (sp.start, sp.end) != (match.start, match.end)
                  and sp.start <= match.start and sp.end >= match.end]
        if any(sp.label_ == "PERSON" or (sp.label_ == ORG and _proper_extension(sp, match)) for sp in longer):
            continue
        if any(sp.start < match.start or sp.end > match.end for sp in overlapping if sp not in longer):
            continue  # a crossing span: the model read the words another way
        weakness = names.weakness.get(match.text)
        exact = by_range.get((match.start, match.end))
        model_org = (exact is not None and exact.label_ == ORG) or match.text in org_texts
        cue = _has_org_appositive(doc, match, descriptors) or (
            match.start > 0 and doc[match.start - 1].lower_ in descriptors and doc[match.start - 1].is_lower)
        if weakness in ("word", "derived") and not cue and _glued_to_name(match):
            continue  # "Google News", "Orange Smartphones": a common-word name inside a longer name
        if weakness == "word" and not (model_org or cue or (_mid_sentence(match) and match.text not in person_words)):
            continue
        if weakness == "derived" and not (model_org or cue):
            continue
        if weakness == "region" or (weakness == "place" and not (model_org or cue)
                                    and _has_place_cue(doc, match, spans, entity_cues())):
            continue  # "in Santander" is the city; "Santander said" the bank
        if len(match) == 1 and match.text in person_words and not model_org:
            continue  # "Ford" as the surname of "Bill Ford" named in the same text
        after = doc[match.end] if match.end < len(doc) else None
        if after is not None and _model_code(after.text):
            continue  # "Nokia 6600", "Volvo S40": a model, named after its maker
        out = [sp for sp in out if sp not in overlapping]
        out.append(match)
    return out


_UNIT_RUN = 3


def extend_known_units(doc: Doc, spans: list[Span]) -> list[Span]:
    """"BBC Radio 4", "BBC Radio Five Live", "EMI Music": a known organisation's name followed by a
    unit word (and a number or a name the model tagged as a work naming the unit) is the unit, an
    organisation of its own, not the parent cut short."""
    units = entity_cues()["unit_words"]
    taken = {i for s in spans for i in range(s.start, s.end)}
    by_start = {s.start: s for s in spans}
    absorbed: set[Span] = set()
    out = []
    for span in spans:
        if span.kb_id_ and span.end < len(doc) and doc[span.end].text in units and span.end not in taken:
            end = span.end + 1
        elif span.label_ == ORG and len(span) >= 2 and span[-1].text in units:
            end = span.end  # the model's "BBC Radio" before "Five Live"
        else:
            end = None
        if end is not None:
            # The unit's own name, which the model may have tagged apart ("Five Live" WORK_OF_ART).
            named = by_start.get(end)
            if named is not None and named.label_ in ("WORK_OF_ART", "PRODUCT", "CARDINAL", "ORDINAL") \
                    and len(named) <= _UNIT_RUN and all(t.is_title or t.like_num for t in named):
                absorbed.add(named)
                end = named.end
            # Numbers name units ("Radio 4"); other capitalised words may be a person after the name.
            while end < len(doc) and end - span.end <= _UNIT_RUN and end not in taken and doc[end].like_num \
                    and doc[end].is_alpha == doc[end].is_title and not _year(doc[end].text):
                end += 1
            if end > span.end:
                span = Span(doc, span.start, end, label=ORG)
                taken.update(range(span.start, end))
        out.append(span)
    return [s for s in out if s not in absorbed]


def _year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2100


def _model_code(text: str) -> bool:
    """A product model's code: letters with digits ("S40", "A380") or a bare number of three
    or four digits that is not a year ("6600")."""
    if any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
        return True
    return text.isdigit() and len(text) in (3, 4) and not 1900 <= int(text) <= 2100


def _proper_extension(longer: Span, inner: Span) -> bool:
    """The words a longer span adds to a known name are capitalised: one longer name."""
    extra = [t for t in longer if t.i < inner.start or t.i >= inner.end]
    return all(t.is_title or t.is_upper or t.is_punct or t.lower_ in ("of", "and", "&", "de", "du", "'s", "’s")
               for t in extra)


def _glued_to_name(span: Span) -> bool:
    """A capitalised proper noun runs into the span from either side, in a sentence not
    written in title case ("Google News", "the 10 O'clock News"): the span is part of a longer name."""
    doc, sent = span.doc, span.sent
    if _title_case(sent):
        return False
    neighbours = (doc[span.start - 1] if span.start > sent.start else None, doc[span.end] if span.end < sent.end else None)
    return any(t is not None and t.text[:1].isupper() and t.pos_ == "PROPN" and not t.is_punct for t in neighbours)


def _title_case(sent: Span) -> bool:
    """A headline: three in five of its words or more capitalised."""
    words = [t for t in sent if t.is_alpha]
    return bool(words) and sum(1 for t in words if t.is_title) / len(words) >= 0.6


def _mid_sentence(span: Span) -> bool:
    """Capitalised where a common word would not be: not first in its sentence, in a sentence
    not written in title case (a headline capitalises every word)."""
    sent = span.sent
    if span.start == sent.start or doc_token_is_opening(span):
        return False
    return not _title_case(sent)


def doc_token_is_opening(span: Span) -> bool:
    """The span follows an opening quote or bracket that starts a clause."""
    before = span.doc[span.start - 1]
    return before.text in ('"', "“", "(", "'", "‘", ":")


_NON_ORG_LABEL = {"product": "PRODUCT", "brand": "PRODUCT", "index": "PRODUCT", "figure": "CARDINAL", "person": "PERSON",
                  "role": "NORP", "place": "LOC"}
# Product nouns that also introduce publishers ("the news website Channel Finance Daily").
_PUBLISHER_NOUNS = frozenset({"site", "website", "service", "services"})
_FAMILY_NOUNS = frozenset({"twins", "brothers", "sisters", "family", "dynasty"})
_ROMAN_MODELS = frozenset({"II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"})
_LAUNCH_VERBS = frozenset({"launch", "unveil", "release"})
# Events a body holds: after its bracketed acronym they name the body, not a thing it is.
_HOSTED_EVENTS = frozenset({"summit", "summits", "meeting", "meetings", "conference", "conferences", "talks"})
_OWNER_WINDOW = 2
_LIST_WINDOW = 6
# Nouns that make the names after them companies ("eight-player Mario Kart" is not one).
_COMPANY_NOUNS = frozenset({"unit", "subsidiary", "division", "arm", "carmaker", "automaker", "maker",
                            "manufacturer", "firm", "company", "business"})


def split_lists(doc: Doc, spans: list[Span], known: frozenset[str]) -> list[Span]:
    """"Gazprom, Rosneft", "The Independent and The Times": a list the model read as one name
    is one organisation per item. A comma never sits inside a company's name; "and" splits
    only where an item is a known organisation ("Marks and Spencer" stays whole)."""
    out: list[Span] = []
    for span in spans:
        if span.label_ != ORG or len(span) < 3 or name_key(span.text) in known:
            out.append(span)
            continue
        cuts = [t.i for t in span if t.text == ","]
        if cuts and any(t.lower_ in ("for", "of", "on") for t in doc[span.start:cuts[0]]):
            cuts = []  # "Centre for Vision, Speech and Signal Processing": one institution's name
        for t in span:
            if t.lower_ == "and" and t.i > span.start and (
                    name_key(doc[span.start:t.i].text) in known or name_key(doc[t.i + 1:span.end].text) in known):
                cuts.append(t.i)
        if not cuts:
            out.append(span)
            continue
        start = span.start
        places = load_gazetteer()
        for cut in sorted(cuts) + [span.end]:
            part = clean_span(Span(doc, start, cut, label=ORG)) if cut > start else None
            if part is not None:
                # "Cannes, France": a place and its country are two places, not an organisation.
                label = "GPE" if name_key(part.text) not in known and _is_notable_place(places, part.text) else ORG
                out.append(part if label == ORG else Span(doc, part.start, part.end, label=label))
            start = cut + 1
    return out


def relabel_city_people(doc: Doc, spans: list[Span]) -> list[Span]:
    """A PERSON span that is exactly a notable place's name ("Leeds", "Sao Paulo") is the place,
    unless a title precedes it ("Mr Leeds") or it is part of a person named in the text
    ("Jim Leeds")."""
    places = load_gazetteer()
    titles = entity_cues()["person_titles"]
    person_words = {t.text for s in spans if s.label_ == "PERSON" and len(s) >= 2 for t in s}
    out = []
    for span in spans:
        if span.label_ == "PERSON" and (len(span) > 1 or span.text not in person_words) \
                and not (span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in titles) \
                and any(c.kind == "city" and c.population >= 100_000 for c in places.candidates(span.text)):
            span = Span(doc, span.start, span.end, label="GPE")
        out.append(span)
    return out


def find_non_organisations(doc: Doc, spans: list[Span], known: frozenset[str]) -> dict[str, str]:
    """Names tagged ORG that the text shows are something else, {text: why}: a product, model,
    format or event ("Microsoft's Xbox", "the Xbox console", "launched Xbox", "titles such as
    Fifa", "PS2", "iPod"), a stock index ("the FTSE 100", "the Nasdaq rose"), a figure
    ("331bn"), or a person ("said Jane Roe", "investor Jane Roe", "Jane Roe and John Doe").
    Known organisations and names ending in an organisation head word are never judged here."""
    cues = entity_cues()
    heads = {w.lower() for w in cues["org_head_words"]} | cues["institution_heads"] | cues["org_descriptors"]
    people = [s for s in spans if s.label_ == "PERSON"]
    org_ends = {s.end for s in spans if s.label_ == ORG}
    person_starts = {s.start for s in people}
    org_names = {s.text for s in spans if s.label_ == ORG}
    short_names = {n for n in org_names if any(o != n and (is_short_form_of(n, o) or is_acronym_of(n, o)) for o in org_names)}
    found: dict[str, str] = {}
    # A name the text calls an organisation once ("GM's units Opel and Saab") is one throughout.
    described = {s.text for s in spans if s.label_ == ORG and (_has_org_appositive(doc, s, cues["org_descriptors"])
                                                             or _described_as_organisation(doc, s)
                                                             or _named_by_noun(doc, s, cues["naming_nouns"]))}
    for span in spans:
        if span.label_ != ORG or span.text in found:
            continue
        if span.text not in described and _is_owned_brand(doc, span):
            found[span.text] = "brand"
            continue
        if span.start > 0 and doc[span.start - 1].text in known_brands() and span.text not in described:
            found[span.text] = "brand"  # "the Cadillac BLS": a model of a listed marque, known letters or not
            continue
        # An exchange's name is the index where it moves ("the Nasdaq rose"), known or not.
        after = doc[span.end] if span.end < len(doc) else None
        if span.text in cues["index_names"] or (span.text in cues["index_exchanges"] and after is not None
                                                 and (after.lower_ in cues["market_moves"] or after.like_num)):
            found[span.text] = "index"
            continue
        # "Monetary Affairs Commissioner Joaquin Almunia", "US Treasury Secretary John Snow": a job title.
        if after is not None and after.text in cues["role_titles"] and span.end + 1 in person_starts:
            found[span.text] = "role"
            continue
        if span.kb_id_ or name_key(span.text) in known:
            continue
        why = _non_organisation(doc, span, cues, heads, org_ends, people, short_names)
        if why is not None:
            found[span.text] = why
    # The acronym of a law or product goes with it ("Multi-Fibre Agreement (MFA)").
    for span in spans:
        if span.label_ == ORG and span.text not in found and not span.kb_id_:
            named = next((found[n] for n in found if is_acronym_of(span.text, n)), None)
            if named is not None:
                found[span.text] = named
    return found


@lru_cache(maxsize=1)
def known_brands() -> dict[str, tuple[str, ...]]:
    """{product or brand name: the organisations that own it} (models/brands.json)."""
    return {name: tuple(owners) for name, owners in load_json("brands.json")["brands"]}


def _is_owned_brand(doc: Doc, span: Span) -> bool:
    """A listed product or marque ("Xbox", "Vauxhall", "Opels"), where one of its owners is named
    in the text or it has no owner that could make it a company (the caller leaves out names the
    text calls an organisation: "the carmaker Saab", "Saab, the Swedish carmaker")."""
    brands = known_brands()
    words = span.text.split()
    for tail in (" ".join(words[i:]) for i in range(1, len(words))):
        if tail in brands and (not brands[tail] or any(span.text.startswith(owner + " ") for owner in brands[tail])):
            return True  # "Sony Net Minidisc", "GM Vauxhall": a name ending in a listed product is the product
    name = span.text if span.text in brands else span.text[:-1] if span.text.endswith("s") else None
    if name not in brands:
        # "Grand Theft Auto Vice City", "Xbox Live Arcade": a longer name led by a product no company bears.
        name = next((b for b in brands if not brands[b] and span.text.startswith(b + " ")), None)
        if name is None:
            return False
    owners = brands[name]
    return not owners or any(re.search(rf"\b{re.escape(owner)}\b", doc.text) for owner in owners)


def _named_by_noun(doc: Doc, span: Span, nouns: frozenset[str]) -> bool:
    """A naming noun right before the name: "UK magazine Mac Format", "research firm Jupiter"."""
    before = doc[span.start - 1] if span.start > 0 else None
    return before is not None and before.is_lower and before.lower_ in nouns


def _described_as_organisation(doc: Doc, span: Span) -> bool:
    """A company noun right before the name, or before the list it is in: "the carmaker
    Saab", "GM's European units Opel and Saab"."""
    i = span.start - 1
    while i >= 0 and span.start - i <= _LIST_WINDOW and (doc[i].text in (",", "and", "or") or doc[i].is_title):
        i -= 1
    cue = doc[i] if i >= 0 else None
    return cue is not None and cue.is_lower and cue.pos_ == "NOUN" and (cue.lower_ in _COMPANY_NOUNS or cue.lemma_ in _COMPANY_NOUNS)


def _non_organisation(doc: Doc, span: Span, cues: dict[str, frozenset[str]], heads: set[str],
                      org_ends: set[int], people: list[Span], short_names: set[str]) -> str | None:
    if span[0].text[0].isdigit():
        return "figure" if all(t.like_num or t.text[0].isdigit() for t in span) else "product"
    if any(any(ch.isdigit() for ch in t.text) and any(ch.isalpha() for ch in t.text) for t in span) \
            or (len(span[0].text) > 1 and span[0].text[0].islower() and span[0].text[1].isupper()):
        return "product"  # "PS2", "Half-Life 2", "iPod": model numbers and camel-case product names
    if span[0].text[0].islower():
        return "product"  # "tsunamis", "ex-Columbia": a name starts with a capital
    if len(span) > 1 and _model_code(span[-1].text):
        return "product"  # "Nokia 6600", "Boeing 747": a maker's name and a model number
    if span[-1].text in cues["non_org_heads"] or span[0].text == "Operation":
        return "product"  # events, laws, agreements, projects
    if len(span) > 2 and any(t.text in cues["title_function_words"] for t in span[1:]):
        return "product"  # "Is Online Community A Policy Tool": the title of a report or a work
    if span.text in short_names:
        return None  # "Aquila jets": the maker's name used as a modifier
    # "the Xbox console", "the IPPR's Digital Society initiative": a product noun after the name,
    # or after its bracketed acronym ("its Networked Media (NEM) initiative").
    after_name = span.end + 3 if span.end + 2 < len(doc) and doc[span.end].text == "(" and doc[span.end + 2].text == ")" \
        else span.end
    for token in doc[after_name: min(len(doc), after_name + 1 + _OWNER_WINDOW)]:
        if after_name > span.end and token.lower_ in _HOSTED_EVENTS:
            break  # "the Asia Pacific Economic Co-operation (Apec) summit": the body that holds it
        if token.lower_ in cues["product_nouns"] and token.pos_ == "NOUN":
            return "product"
        if not (token.is_lower and token.pos_ in ("NOUN", "ADJ", "PROPN")) and token.text != "-":
            break
    if span[-1].lower_ in heads:
        return None
    if _is_person_name(doc, span, cues, people):
        return "person"
    before = doc[span.start - 1] if span.start > 0 else None
    # "Microsoft's Xbox", "EA's NBA Live": a name owned by an organisation named just before.
    if before is not None and before.text in ("'s", "’s") and span.start - 1 in org_ends:
        return "product"
    if [t.lower_ for t in doc[span.end: span.end + 4]][-3:] in (["go", "on", "sale"], ["goes", "on", "sale"], ["went", "on", "sale"]):
        return "product"  # "the Kisaragi Tora will go on sale"
    after = doc[span.end] if span.end < len(doc) else None
    owner = after is not None and after.text in ("'s", "’s", "'", "’")  # "launching the Department's plan"
    if after is not None and after.text in _ROMAN_MODELS:
        return "product"  # "the MDA III", "Half-Life II": a model or an edition
    if after is not None and after.is_lower and after.lower_ in _FAMILY_NOUNS:
        return "person"  # "the Barclay twins", "the Walton family"
    if before is not None and before.is_lower and before.pos_ == "NOUN" and before.lower_ in cues["product_nouns"] \
            and before.lower_ not in _PUBLISHER_NOUNS:
        return "product"  # "the BBC programme Go Digital", "the game Halo": a product noun names it
    if after is not None and after.is_lower and after.lower_ in cues["place_nouns"]:
        return "place"  # "the Kestrel field", "the Marsh Green ward": a field or district named for a place
    if before is not None and before.lower_ in ("the", "a", "an", "its", "their") and span.start >= 2 \
            and doc[span.start - 2].lemma_ in _LAUNCH_VERBS and not owner:
        return "product"  # "unveiling the Fusion and Zephyr models", "launched its Halo"
    if before is not None and (before.lower_ in cues["product_verbs"] or before.lemma_ in _LAUNCH_VERBS and not owner):
        descriptor = doc[span.start - 2] if span.start >= 2 else None
        if before.lower_ not in ("called", "dubbed") or descriptor is None \
                or descriptor.lower_ not in cues["org_descriptors"]:
            return "product"
    if _in_apposition_to_products(doc, span, cues["product_lists"]):
        return "product"
    # "titles such as Fifa and John Madden", "brands include Dodge and Jeep".
    for token in reversed(doc[max(span.sent.start, span.start - 8): span.start]):
        if token.lower_ in ("as", "include", "includes", "including"):
            head = doc[token.i - 2] if token.lower_ == "as" and token.i >= 2 else doc[token.i - 1] if token.i >= 1 else None
            if head is not None and head.lower_ in cues["product_lists"]:
                return "product"
            break
        if not (token.is_title or token.is_punct or token.lower_ in ("and", "or", "'s")):
            break
    return None


def _in_apposition_to_products(doc: Doc, span: Span, kinds: frozenset[str]) -> bool:
    """"Microsoft's two previous programs, Passport and Hailstorm": names listed after a comma
    that follows a plural product noun are those products."""
    i = span.start - 1
    while i > span.sent.start and (doc[i].is_title or doc[i].lower_ in ("and", "or")):
        i -= 1  # back over the names listed before this one ("Passport and")
    return i > span.sent.start and doc[i].text == "," and doc[i - 1].is_lower and doc[i - 1].lower_ in kinds \
        and doc[i - 1].pos_ == "NOUN"


def _is_person_name(doc: Doc, span: Span, cues: dict[str, frozenset[str]], people: list[Span]) -> bool:
    """Two to four capitalised words read as a person: after "said"/"says", after a person's
    role ("investor Jane Roe"), before ", former chief executive of", or coordinated with a
    person ("tycoons John Magnier and JP McManus")."""
    words = [t for t in span if t.text != "-"]
    if not 2 <= len(words) <= 4 or not all(t.is_title or t.is_upper for t in words):
        return False
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    quoted = after is None or after.text in (",", ".") or after.is_space
    if before is not None and ((before.lower_ in ("said", "says") and quoted) or
                               (before.lower_ in cues["person_titles"] and before.is_lower)):
        return True  # '..., said Jane Roe, the bank's economist' (not 'said Lone Prairie would')
    if span.end + 2 < len(doc) and doc[span.end].text == "," and doc[span.end + 1].lower_ in ("former", "chief", "managing", "senior", "deputy"):
        return True
    for person in people:
        gap = doc[min(person.end, span.end): max(person.start, span.start)]
        if len(gap) == 1 and gap[0].lower_ in ("and", "or", ","):
            return True
    return False


def _is_notable_place(gazetteer, name: str) -> bool:
    """Countries, first-level regions and cities of 100,000 people or more: capitals words
    that are also common nouns ("MARCH", "READING") are not taken for small towns."""
    return any(c.kind != "city" or c.population >= 100_000 for c in gazetteer.candidates(name))


def _without_legal_form(span: Span) -> Span | None:
    """The leading words of an organisation's name that make its name without the legal form
    ("Tasman Jet" of "Tasman Jet Ltd"), when that is two words or more, else None."""
    bare = canonical_name(span.text)
    if bare == span.text or len(bare.split()) < 2:
        return None
    return next((span[:k] for k in range(2, len(span)) if span[:k].text == bare), None)


def fix_entities(doc: Doc, names: KnownNames | None = None) -> Doc:
    """Clean entity spans, link known organisations, vote labels per name across the document,
    fill missed ORG mentions. `names` is the pipeline's `build_known_names`."""
    gazetteer = load_gazetteer()
    known = known_organisation_keys() | (names.strong_keys if names is not None else frozenset())
    spans = [s for s in (clean_span(e) for e in doc.ents) if s is not None]
    spans = merge_split_names(doc, find_company_names(doc, find_cued_names(doc, apply_context_cues(doc, spans))))
    spans = join_purpose_names(doc, spans)
    if names is not None:
        spans = extend_known_units(doc, link_known_names(doc, spans, names))
    spans = recover_places(doc, spans, gazetteer, known)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for span in spans:
        votes[name_key(span.text)][span.label_] += 1
    fixed: list[Span] = []
    for span in spans:
        if span.kb_id_:  # linked to a known organisation: settled
            fixed.append(span)
            continue
        label = decide_label(span, votes[name_key(span.text)], known, gazetteer.is_place(span.text))
        fixed.append(span if label == span.label_ else Span(doc, span.start, span.end, label=label))
    fixed.extend(find_defined_acronyms(doc, fixed))
    # Short forms and acronyms of organisations named in full elsewhere ("Kestrel", "FTC").
    org_names = [s.text for s in fixed if s.label_ == ORG]
    for i, span in enumerate(fixed):
        if span.label_ in _FLIPPABLE and span.label_ != "NORP" and not gazetteer.is_place(span.text) and any(
            is_short_form_of(span.text, name) or is_acronym_of(span.text, name) for name in org_names
        ):
            fixed[i] = Span(doc, span.start, span.end, label=ORG)
    # Mentions the model missed: the same surface text as an ORG found elsewhere in the doc,
    # and the first word of a longer name used alone ("Kestrel" for Kestrel Compute).
    org_spans = {s.text: s for s in fixed if s.label_ == ORG}
    for span in list(org_spans.values()):
        # "Tasman Jet" for Tasman Jet Ltd: the name without its legal form, two words or more.
        bare = _without_legal_form(span)
        if bare is not None:
            org_spans.setdefault(bare.text, bare)
    for short in short_form_words(doc, fixed, gazetteer):
        org_spans.setdefault(short.text, short)
    if org_spans:
        matcher = PhraseMatcher(doc.vocab)
        matcher.add(ORG, [Doc(doc.vocab, words=[t.text for t in s]) for s in org_spans.values()])
        # Longest matches first, none overlapping ("Tasman Jet" over its short form "Tasman").
        for found in filter_spans([Span(doc, start, end, label=ORG) for _, start, end in matcher(doc)]):
            inside = [s for s in fixed if s.start < found.end and found.start < s.end]
            if not inside:
                fixed.append(found)
            elif all(found.start <= s.start and s.end <= found.end and len(s) < len(found) and not s.kb_id_
                     and s.label_ in _FLIPPABLE - {"NORP"} for s in inside):
                # "Tasman Jet reported a loss" read as the person "Jet": the longer name wins.
                fixed = [s for s in fixed if s not in inside] + [found]
    fixed.extend(find_capitalised_names(doc, fixed, gazetteer, known))
    fixed = relabel_people(doc, relabel_table_rows(doc, split_lists(doc, fixed, known)), known)
    fixed = relabel_city_people(doc, fixed)
    # One judgement per name: a product in one sentence is the product in every other.
    non_orgs = find_non_organisations(doc, fixed, known)
    if non_orgs:
        fixed = [Span(doc, s.start, s.end, label=_NON_ORG_LABEL[non_orgs[s.text]])
                 if s.label_ == ORG and s.text in non_orgs and (not s.kb_id_ or non_orgs[s.text] in ("index", "role", "brand"))
                 else s
                 for s in fixed]
    stoplist = not_organisations()
    kept = [s for s in fixed if not (s.label_ in (ORG, *PLACE_LABELS) and _is_stopword(s, stoplist))]
    doc.ents = filter_spans(kept + find_head_anaphors(doc, kept, stoplist))
    return doc


def find_head_anaphors(doc: Doc, spans: list[Span], stoplist: frozenset[str]) -> list[Span]:
    """"The Commission", "the Bank" after "European Commission", "Bank of England": a
    capitalised generic head word alone names the one organisation of the text it heads
    (never when two organisations share it; never a modifier: "the World" is not "BBC World
    Service"). The word stays out everywhere else."""
    taken = {i for s in spans for i in range(s.start, s.end)}
    heads: dict[str, set[str]] = defaultdict(set)
    for span in spans:
        if span.label_ == ORG and len(span) > 1:
            token = span[head_word_index([t.text for t in span])]
            if token.lower_ in stoplist and token.is_title:
                heads[token.text].add(name_key(span.text))
    found = []
    for token in doc:
        if token.i in taken or not token.is_title or len(heads.get(token.text, ())) != 1:
            continue
        if token.i > 0 and doc[token.i - 1].lower_ == "the":
            found.append(Span(doc, token.i, token.i + 1, label=ORG))
    return found


def head_word_index(words: list[str]) -> int:
    """Where a name's head noun stands: before its first "of" or "for" ("Bank of England",
    "Office for National Statistics"), else last ("European Commission"); "World" in "BBC World
    Service" is a modifier, not the head."""
    inner = next((i for i, w in enumerate(words) if w in ("of", "for") and i > 0), None)
    return inner - 1 if inner is not None else len(words) - 1


def _is_stopword(span: Span, stoplist: frozenset[str]) -> bool:
    """Listed non-organisations, and generic words ("Commission", "High Street") alone."""
    return span.text in stoplist or span.text.lower() in stoplist or (len(span) == 1 and span[0].lower_ in stoplist)


@Language.component("dossier_paragraphs", assigns=["token.is_sent_start"])
def paragraph_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and paragraphs never run into each other."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


class EntityFixer:
    """The `dossier_entity_fixer` component: `fix_entities` with the known-organisation matcher,
    built when the component is created (with the pipeline), never at import."""

    def __init__(self, nlp: Language) -> None:
        self.names = build_known_names(nlp)

    def __call__(self, doc: Doc) -> Doc:
        return fix_entities(doc, self.names)


@Language.factory(
    "dossier_entity_fixer",
    assigns=["doc.ents"],
    requires=["doc.ents", "token.pos"],
)
def make_entity_fixer(nlp: Language, name: str) -> EntityFixer:
    """spaCy factory of the entity fixer."""
    return EntityFixer(nlp)
