"""Entity corrections on top of the statistical NER.

The small English model tags many companies as GPE ("Foxconn", "OpenAI"). The
`dossier_entity_fixer` component cleans spans and makes labels consistent across a
document: a name seen as ORG, listed as a known organisation, or tagged as a place the
gazetteer does not know, is ORG in every mention; names known as ORG are also found where
the model missed them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from dossier.extract.aliases import is_acronym_of, is_short_form_of, name_key
from dossier.extract.places import load_gazetteer
from dossier.models import load_json, load_jsonl

ORG = "ORG"
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels the small model gives organisations by mistake, which the fixer may turn into ORG.
_FLIPPABLE = {"GPE", "LOC", "NORP", "PERSON", "FAC", "PRODUCT", "WORK_OF_ART"}
_STRIP_LEADING = {"the"}
_STRIP_TRAILING = {"'s", "’s", "'", "’", ",", ".", ";", ":", "-", "—", "–", "(", ")", '"', "“", "”"}


@lru_cache(maxsize=1)
def known_organisation_keys() -> frozenset[str]:
    """Match keys of the organisations listed in models/org_patterns.jsonl."""
    return frozenset(
        name_key(p["pattern"]) for p in load_jsonl("org_patterns.jsonl") if isinstance(p["pattern"], str)
    )


@lru_cache(maxsize=1)
def not_organisations() -> frozenset[str]:
    """Words the model tags ORG that never name one here (models/entity_stoplist.json)."""
    return frozenset(load_json("entity_stoplist.json")["not_organisations"])


def clean_span(span: Span) -> Span | None:
    """Drop a leading "the" and trailing possessives/punctuation from an entity span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in _STRIP_LEADING and span.label_ == ORG or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].text in _STRIP_TRAILING or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    return Span(doc, start, end, label=span.label_, kb_id=span.kb_id_)


def _looks_like_name(span: Span) -> bool:
    return all(t.pos_ == "PROPN" or t.is_title or t.is_upper for t in span if not t.is_punct)


def _looks_like_place(span: Span) -> bool:
    """Unknown names shaped like places ("Douglas County", "Northern Virginia", "Eastern Creek")."""
    words = set(load_json("place_aliases.json")["place_words"])
    return any(t.text in words for t in span)


def decide_label(span: Span, votes: Counter[str], known: frozenset[str], is_place: bool) -> str:
    """The label a span should carry, given how all same-named spans in the document were tagged."""
    label = span.label_
    key = name_key(span.text)
    org_votes = votes[ORG]
    place_votes = sum(votes[lbl] for lbl in PLACE_LABELS)
    if label in _FLIPPABLE:
        if key in known and not is_place:
            return ORG
        others = max((n for lbl, n in votes.items() if lbl != ORG), default=0)
        if org_votes and org_votes >= others and (not is_place or org_votes >= place_votes):
            return ORG
        if label in ("GPE", "LOC") and not is_place and _looks_like_name(span) and not _looks_like_place(span):
            return ORG
    elif label == ORG and is_place and key not in known and (place_votes > org_votes or not place_votes):
        # A bare place name tagged ORG ("Phoenix", "Abu Dhabi") is the place, unless listed as an organisation.
        return "GPE"
    return label


def fix_entities(doc: Doc) -> Doc:
    """Clean entity spans, vote labels per name across the document, fill missed ORG mentions."""
    gazetteer = load_gazetteer()
    known = known_organisation_keys()
    spans = [s for s in (clean_span(e) for e in doc.ents) if s is not None]
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for span in spans:
        votes[name_key(span.text)][span.label_] += 1
    fixed: list[Span] = []
    for span in spans:
        label = decide_label(span, votes[name_key(span.text)], known, gazetteer.is_place(span.text))
        fixed.append(span if label == span.label_ else Span(doc, span.start, span.end, label=label))
    # Short forms and acronyms of organisations named in full elsewhere ("Kestrel", "FTC").
    org_names = [s.text for s in fixed if s.label_ == ORG]
    for i, span in enumerate(fixed):
        if span.label_ in _FLIPPABLE and not gazetteer.is_place(span.text) and any(
            is_short_form_of(span.text, name) or is_acronym_of(span.text, name) for name in org_names
        ):
            fixed[i] = Span(doc, span.start, span.end, label=ORG)
    # Mentions the model missed: the same surface text as an ORG found elsewhere in the doc.
    org_spans = {s.text: s for s in fixed if s.label_ == ORG}
    if org_spans:
        matcher = PhraseMatcher(doc.vocab)
        matcher.add(ORG, [Doc(doc.vocab, words=[t.text for t in s]) for s in org_spans.values()])
        taken = {i for s in fixed for i in range(s.start, s.end)}
        for _, start, end in matcher(doc):
            if not taken.intersection(range(start, end)):
                fixed.append(Span(doc, start, end, label=ORG))
    stoplist = not_organisations()
    doc.ents = filter_spans([s for s in fixed if not (s.label_ == ORG and _is_stopword(s, stoplist))])
    return doc


def _is_stopword(span: Span, stoplist: frozenset[str]) -> bool:
    """Listed non-organisations, and lone generic words ("Commission", "Inference")."""
    return span.text in stoplist or (len(span) == 1 and span[0].lower_ in stoplist)


@Language.component("dossier_paragraphs", assigns=["token.is_sent_start"])
def paragraph_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and paragraphs never run into each other."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


@Language.component(
    "dossier_entity_fixer",
    assigns=["doc.ents"],
    requires=["doc.ents", "token.pos"],
)
def entity_fixer(doc: Doc) -> Doc:
    """spaCy component wrapper of `fix_entities`."""
    return fix_entities(doc)
