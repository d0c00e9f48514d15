"""Error classes of organisation false positives and false negatives, for error analysis.

A wrong or missed organisation is put in the first class whose test fires, in this order
(each test is a simple documented heuristic over the name, the article text, the
annotator's notes and the names on the other side; nothing here is learned, and the
grouping only says where to look, never what is right). A missed organisation is first
classed by what the model labelled its name, when that explains the miss (PERSON → person;
GPE, LOC, FAC, NORP → place; PRODUCT, WORK_OF_ART → product/brand; EVENT → event; CARDINAL,
MONEY, … → figure); its notes are not read (they explain why it *is* an organisation).

1. **figure** — a number or an amount ("331bn", "$5m", "25%").
2. **index** — a stock index ("FTSE 100", "Dow Jones", "Nikkei", "… index").
3. **event** — an event or trade show ("World Cup", "CeBIT", "Consumer Electronics Show").
4. **person** — a title stands before the name or its last word in the text ("Mr Ebbers",
   "Sir Howard Stringer"), the last word of a two- or three-word name alone says something
   ("… Ebbers said"), or the notes call it a person.
5. **place** — the annotator marked it a place in this article (or, tested after 9, the
   gazetteer knows the name: many place names are also words of firms' names).
6. **product/brand** — the notes call it a brand, product, programme, model, console, …;
   the text puts a product cue next to it ("its Xbox console", "the X handset", "launched
   X"); or a word of it mixes letters and digits ("PS2", "A380") and it is not an acronym.
7. **government body** — a word of government or regulation in the name (Ministry,
   Department, Treasury, Commission, Agency, Parliament, central bank, …).
8. **unit/division** — the text calls it a unit, division, arm or subsidiary, or it is a
   name of the other side plus a place or a unit word ("AOL Europe" beside "AOL").
9. **fragment/partial name** — it shares a word with, or lies inside, a name of the other
   side (the span was cut or run on), or it looks cut from a sentence (lowercase start,
   possessive end, a line break, more than six words).
10. **acronym** — two to six capitals (and digits), not explained above ("DVD", "GSM").
11. **other** — none of the above.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from dossier.extract.places import load_gazetteer, normalise_place

ErrorClass = Literal["figure", "index", "event", "person", "place", "product/brand", "government body",
                     "unit/division", "fragment/partial name", "acronym", "other"]
ERROR_CLASSES: tuple[ErrorClass, ...] = ("figure", "index", "event", "person", "place", "product/brand",
                                         "government body", "unit/division", "fragment/partial name", "acronym",
                                         "other")

_FIGURE = re.compile(r"^[\W\d_]+$|[$£€¥]|\d+(?:[.,]\d+)?\s*(?:bn|m|k|%|per ?cent)\b", re.IGNORECASE)
_INDEX = re.compile(r"\b(?:FTSE|Footsie|Dow(?: Jones)?|Nikkei|DAX|Dax|CAC|S&P|Stoxx|Hang Seng|Kospi|Sensex|Topix|TOPIX)"
                    r"(?:\s*\d+)?\b|\bind(?:ex|ices)\b", re.IGNORECASE)
_EVENT = re.compile(r"\b(?:Cup|Olympics?|Games|Show|Expo|Fair|Festival|Awards?|Summit|Conference|Championships?|"
                    r"Prix|Oscars?|Grammys?|Baftas?|Emmys?|CES|E3|CeBIT|Cebit|Comdex|3GSM|Davos)\b")
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame|Prof|Professor|President|Chancellor|Senator|Judge)\.?"
_PRODUCT_WORDS = (r"console|handset|phone|mobile|player|car|cars|model|models|software|chip|chips|brand|service|"
                  r"browser|format|technology|standard|device|game|games|drug|jet|plane|aircraft|engine|camera|"
                  r"programme|program|show|title|website|site|magazine|network|range|system|consoles|handsets")
_PRODUCT_NOTE = re.compile(r"\b(?:brands?|products?|programmes?|programs?|models?|consoles?|handsets?|devices?|"
                           r"services?|websites?|titles?|games?|drugs?|aircraft|planes?|software|technolog(?:y|ies)|"
                           r"standards?|formats?|shows?)\b", re.IGNORECASE)
_PERSON_NOTE = re.compile(r"\b(?:person|people|individual)\b", re.IGNORECASE)
_EVENT_NOTE = re.compile(r"\b(?:events?|trade shows?|exhibitions?|conferences?)\b", re.IGNORECASE)
_LETTER_DIGIT = re.compile(r"\b(?:[A-Za-z]+\d[\w-]*|\d+[A-Za-z][\w-]*)\b")
_GOVERNMENT = re.compile(
    r"\b(?:Ministry|Minister|Department|Treasury|Government|Parliament|Congress|Senate|Commission|Council|Agency|"
    r"Authority|Bureau|Administration|Customs|Revenue|Federal|Assembly|Cabinet|Kremlin|White House|Downing Street|"
    r"Central Bank|Reserve|Commons|Pentagon|Office|Regulator|Ofcom|Ofgem|Ofwat|Ofsted|FSA|SEC|FTC|FCC|EU|"
    r"European Union|United Nations|UN|WTO|IMF|OECD|Bank of [A-Z]\w+)\b")
_UNIT_WORDS = {"unit", "division", "arm", "subsidiary", "business", "news", "europe", "international", "usa", "uk",
               "america", "asia", "online", "mobile", "capital", "entertainment", "records", "pictures", "studios",
               "services", "networks", "wireless", "interactive", "direct", "bank", "finance", "insurance"}
# The model's labels that explain a missed organisation; ORG (found, then lost or cut) does not.
_LABEL_CLASSES: dict[str, ErrorClass] = {
    "PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "place",
    "PRODUCT": "product/brand", "WORK_OF_ART": "product/brand", "EVENT": "event",
    "CARDINAL": "figure", "MONEY": "figure", "PERCENT": "figure", "QUANTITY": "figure",
}
_ACRONYM = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z0-9&.\-]{2,6}s?$")
_GENERIC = {"the", "of", "and", "group", "company", "companies", "corporation", "international", "holdings",
            "news", "bank", "new", "national", "united", "general", "american", "british", "european", "first"}


def _words(name: str) -> list[str]:
    return re.findall(r"[\w&'-]+", name)


def _near(notes: str, name: str, pattern: re.Pattern[str]) -> bool:
    """The notes speak of `name` in a sentence that also has a word of `pattern`."""
    if not notes or not name:
        return False
    for sentence in re.split(r"(?<=[.;])\s+|\n", notes):
        if name in sentence and pattern.search(sentence.replace(name, " ")):
            return True
    return False


def _is_person(name: str, text: str, notes: str) -> bool:
    words = _words(name)
    if not words:
        return False
    if re.match(_TITLE + r"\s", name):
        return True
    last = re.escape(words[-1])
    if re.search(rf"\b{_TITLE}\s+(?:[A-Z][\w'-]+\s+){{0,2}}{last}\b", text):
        return True
    # A two- or three-word name whose last word alone says or tells something ("… McLean said").
    if 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words):
        first = re.escape(words[0])
        if re.search(rf"(?<!{first} ){last}\s+(?:said|says|added|told|explained|argued)\b|\bsaid {last}\b", text):
            return True
    return _near(notes, name, _PERSON_NOTE)


def _is_product(name: str, text: str, notes: str) -> bool:
    if _near(notes, name, _PRODUCT_NOTE):
        return True
    quoted = re.escape(name)
    cue = (rf"\b(?:its|their|his|the|a|new|launched|launch|launches|launching|version of|release of)\s+{quoted}\s+"
           rf"(?:{_PRODUCT_WORDS})\b|\b{quoted}\s+(?:{_PRODUCT_WORDS})s?\b|\b(?:launched|unveiled|released)\s+(?:the\s+|its\s+)?{quoted}\b")
    if re.search(cue, text):
        return True
    return bool(_LETTER_DIGIT.search(name)) and not _ACRONYM.match(name)


def _split_from(name: str, counterparts: Iterable[str]) -> tuple[str, list[str]] | None:
    """(counterpart, extra words) when one name is the other plus whole words at its end."""
    mine = [w.lower() for w in _words(name)]
    for other in counterparts:
        theirs = [w.lower() for w in _words(other)]
        if not theirs or theirs == mine:
            continue
        short, long = (theirs, mine) if len(theirs) < len(mine) else (mine, theirs)
        if long[: len(short)] == short:
            return other, long[len(short):]
    return None


def _is_unit(name: str, text: str, counterparts: list[str]) -> bool:
    quoted = re.escape(name)
    if re.search(rf"\b{quoted}\s+(?:unit|division|arm|subsidiary)\b|\b(?:unit|division|arm|subsidiary),?\s+{quoted}\b",
                 text, re.IGNORECASE):
        return True
    split = _split_from(name, counterparts)
    if split is None:
        return False
    extra = split[1]
    gazetteer = load_gazetteer()
    return any(w in _UNIT_WORDS for w in extra) or gazetteer.is_place(" ".join(extra))


def _is_fragment(name: str, counterparts: list[str]) -> bool:
    words = _words(name)
    if not words or name[:1].islower() or name.rstrip().endswith(("'s", "’s", "'")) or "\n" in name or len(words) > 6:
        return True
    lowered = name.lower()
    mine = {w.lower() for w in words if len(w) >= 3} - _GENERIC
    for other in counterparts:
        o = other.lower()
        if o and (o in lowered or lowered in o):
            return True
        if mine & ({w.lower() for w in _words(other) if len(w) >= 3} - _GENERIC):
            return True
    return False


def classify_organisation_error(
    name: str, *, text: str, notes: str = "", counterparts: Iterable[str] = (), places: Iterable[str] = (),
    model_labels: Iterable[str] = (),
) -> ErrorClass:
    """The error class of a wrong (false positive) or missed (false negative) organisation.

    `counterparts` are the names and aliases on the other side (the gold organisations for a
    false positive, the predicted ones for a false negative); `places` the article's
    annotated place names; `model_labels` what the statistical model labelled a missed
    name as (a missed organisation read as PERSON is a person error, as GPE a place error:
    the label says why it was missed, so it decides before the name tests). The tests and
    their order are in the module docstring.
    """
    for label in model_labels:
        if label in _LABEL_CLASSES:
            return _LABEL_CLASSES[label]
    others = [c for c in counterparts if c and c != name]
    if _FIGURE.search(name):
        return "figure"
    if _INDEX.search(name):
        return "index"
    if _EVENT.search(name) or _near(notes, name, _EVENT_NOTE):
        return "event"
    if _is_person(name, text, notes):
        return "person"
    if normalise_place(name) in {normalise_place(p) for p in places}:
        return "place"
    if _is_product(name, text, notes):
        return "product/brand"
    if _GOVERNMENT.search(name):
        return "government body"
    if _is_unit(name, text, others):
        return "unit/division"
    if _is_fragment(name, others):
        return "fragment/partial name"
    # After the partial-name test: the gazetteer knows many names that are also firms' words.
    if not _GOVERNMENT.search(name) and load_gazetteer().is_place(name):
        return "place"
    if _ACRONYM.match(name):
        return "acronym"
    return "other"


def count_classes(errors: Iterable[dict]) -> dict[str, dict[str, int]]:
    """{error kind (org_fp, org_fn): {class: count}}, classes in their documented order."""
    counts: dict[str, dict[str, int]] = {}
    for error in errors:
        if "class" in error:
            kind = counts.setdefault(error["kind"], {c: 0 for c in ERROR_CLASSES})
            kind[error["class"]] += 1
    return {kind: {c: n for c, n in classes.items() if n} for kind, classes in counts.items()}
