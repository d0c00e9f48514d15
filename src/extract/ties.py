"""Ties between organisations and places, with their kind: headquarters, site, market, other.

Read from the sentence that names both:
- headquarters: "Halifax-based Cabot Trail", "Cabot Trail, based in Halifax", "headquartered in",
  "Hengtai Lithium Chemicals of Yichun", "its headquarters in Cologne", and national adjectives
  before a descriptor ("the German carmaker Auric", "Utrecht Tools, a Dutch supplier");
- site: the place is where a plant, mine, data centre or other facility is ("a plant in Ohio");
- market: the place is a market entered, left or sold into ("pulled out of Chile", "the
  Japanese market", "customers in Kenya");
- other: any other place named in the same sentence.
An organisation keeps the strongest kind per place and article (headquarters > site > market
> other).
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from dossier.assets import load_json
from dossier.extract.entities import entity_cues
from dossier.extract.places import Resolution, load_gazetteer
from dossier.records import PlaceTie

KIND_RANK = {"headquarters": 3, "site": 2, "market": 1, "other": 0}
_HQ_WORDS = {"headquarters", "headquartered", "hq", "based"}
_MARKET_VERBS = {"enter", "exit", "leave", "quit", "withdraw", "pull", "expand", "launch", "sell", "export", "return", "retreat"}
_NEAR = 6


@lru_cache(maxsize=1)
def _facility_words() -> frozenset[str]:
    for trigger in load_json("claim_rules.json")["triggers"]:
        if trigger["id"] == "facility-verb":
            return frozenset(trigger["object_head"])
    return frozenset()


# Words that may stand between a name and its seat: "X, based in P", "X, which is headquartered
# in P", "X, with headquarters in P", "X of P". A verb or another noun in between ("X said users
# based in P") means the seat is someone else's.
_SEAT_LINK = {",", "based", "headquartered", "headquarters", "hq", "in", "at", "which", "is", "was", "has", "had",
              "its", "with", "now", "also", "and"}
_SEAT_ARTICLES = {",", "a", "an", "the"}
_DESCRIPTOR_RUN = 4


def _hyphen_based(doc: Doc, org: Span, place: Span) -> bool:
    """"Halifax-based Cabot Trail", "the Perth-based miner Kestrel" (descriptor words between),
    "Kestrel, a Perth-based miner": the organisation right around "P-based", nothing else."""
    after = place.end
    if not (after + 1 < len(doc) and doc[after].text == "-" and doc[after + 1].lower_ in ("based", "headquartered")):
        return False
    words = doc[after + 2 : org.start] if org.start >= after + 2 else None
    if words is not None and len(words) <= _DESCRIPTOR_RUN and all(
            (t.is_lower and t.is_alpha and t.pos_ in ("NOUN", "ADJ")) or t.text == "," for t in words):
        return True
    before = doc[org.end : place.start] if org.end <= place.start else None
    return before is not None and 0 < len(before) <= 3 and all(t.lower_ in _SEAT_ARTICLES for t in before)


def _seat_of(org: Span, word: Token) -> bool:
    """Whether `word` ("based", "headquarters") speaks of this organisation's seat: it modifies
    the name ("X, based in P"), the name is its subject or owner ("X's headquarters", "X is
    headquartered in P"), or the name is the subject of the verb that holds it ("X moved its
    headquarters to P")."""
    inside = range(org.start, org.end)
    if word.head.i in inside:
        return True
    if any(c.i in inside for c in word.children if c.dep_ in ("nsubj", "nsubjpass", "poss")):
        return True
    return any(c.i in inside for c in word.head.children if c.dep_ in ("nsubj", "nsubjpass"))


def tie_kind(doc: Doc, org: Span, place: Span, sentence: Span | None = None) -> str:
    """The kind of tie between an organisation mention and a place mention in one sentence
    (`sentence`, found from `org` when not given)."""
    if _hyphen_based(doc, org, place):
        return "headquarters"
    between = doc[org.end : place.start] if org.end <= place.start else None
    if between is not None and len(between) <= _NEAR:
        words = {t.lower_ for t in between}
        if (words & _HQ_WORDS and words <= _SEAT_LINK) or (len(between) == 1 and between[0].lower_ == "of"):
            return "headquarters"  # "X, based in P", "X, headquartered in P", "X of P"
    anchor = place.root
    while anchor.dep_ == "conj" and anchor.head.i != anchor.i:  # "in Wisconsin and Texas"
        anchor = anchor.head
    head = anchor.head
    # The root is its own head: a preposition parsed as the root ends the climb (it looped forever).
    while (head.dep_ == "prep" or head.pos_ == "ADP") and head.head.i != head.i:
        head = head.head
    lemma = head.lemma_.lower()
    head_office = lemma == "office" and any(c.lower_ == "head" for c in head.children)
    if (lemma == "headquarters" or head_office or head.lower_ in ("headquartered", "based")) and _seat_of(org, head):
        return "headquarters"  # not "manufacturing base": a base of operations is not a seat
    if lemma in _facility_words():
        return "site"
    if lemma in ("market", "customer", "client", "consumer", "buyer") or lemma in _MARKET_VERBS:
        return "market"
    nxt = doc[place.end] if place.end < len(doc) else None
    if nxt is not None and nxt.lower_ in ("market", "markets"):
        return "market"
    sentence_lemmas = {t.lemma_.lower() for t in (sentence if sentence is not None else org.sent)}
    if sentence_lemmas & _facility_words() and anchor.head.lower_ in ("in", "at", "near", "outside"):
        return "site"
    return "other"


def find_ties(doc: Doc, span_names: dict[tuple[int, int], str], places: dict[tuple[int, int], Resolution | None]) -> list[PlaceTie]:
    """Ties of every organisation to every place named in the same sentence, strongest kind kept.

    Places are grouped by sentence once, so each organisation meets only its own sentence's
    places: asking `.sent` of every organisation × place pair (a walk to the sentence start
    each time) made a long article's analysis grow roughly with the square of its length."""
    sentences = list(doc.sents) if len(doc) else []
    starts = [sent.start for sent in sentences]

    def sentence_of(span: Span) -> Span:
        return sentences[bisect_right(starts, span.start) - 1]

    places_in: dict[int, list[tuple[Span, Resolution | None]]] = {}
    for (s, e), res in places.items():
        place = doc[s:e]
        places_in.setdefault(sentence_of(place).start, []).append((place, res))
    best: dict[tuple[str, str, str | None], PlaceTie] = {}

    def keep(tie: PlaceTie) -> None:
        key = (tie.organisation, tie.place, tie.country)
        kept = best.get(key)
        if kept is None or KIND_RANK[tie.kind] > KIND_RANK[kept.kind]:
            best[key] = tie

    for (s, e), name in span_names.items():
        org = doc[s:e]
        sent = sentence_of(org)
        for place, res in places_in.get(sent.start, ()):
            keep(PlaceTie(organisation=name, place=res.name if res else place.text, country=res.country if res else None,
                          kind=tie_kind(doc, org, place, sent), start=sent.start_char, end=sent.end_char))
        for country in _national_adjective(doc, org):
            name_of = load_gazetteer().country_name(country) or country
            keep(PlaceTie(organisation=name, place=name_of, country=country, kind="headquarters",
                          start=sent.start_char, end=sent.end_char))
    return sorted(best.values(), key=lambda t: (t.start, t.organisation, t.place))


def _national_adjective(doc: Doc, org: Span) -> list[str]:
    """"the German carmaker Auric", "Utrecht Tools, a Dutch supplier": the adjective's country."""
    demonyms = load_json("demonyms.json")["demonyms"]
    descriptors = entity_cues()["org_descriptors"]
    found = []
    # Before the name: "<demonym> [words] <descriptor> <name>"
    window = doc[max(0, org.start - 4) : org.start]
    if window and window[-1].lower_ in descriptors:
        found += [demonyms[t.text] for t in window if demonyms.get(t.text)]
    # After the name: ", a/the <demonym> ... <descriptor>"
    after = doc[org.end : min(len(doc), org.end + 6)]
    if len(after) >= 3 and after[0].text == "," and after[1].lower_ in ("a", "an", "the"):
        words = list(after[2:])
        if any(t.lower_ in descriptors for t in words):
            found += [demonyms[t.text] for t in words if demonyms.get(t.text)]
    return found
