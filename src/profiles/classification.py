"""An organisation's type, category and domain from the taxonomy in models/taxonomy.json.

The type is decided in this order, and the cue that decided it is returned with the text it
came from:

1. **Reference data** — the organisation's gazetteer record, when it is linked to one: a
   non-company `kind` ("central_bank", "regulator", ...), a curated `sector` naming a taxonomy
   key, or its pytickersymbols `industries` mapped through `taxonomy.json: industries` (their
   weighted vote; when the news decides one of the listed industries, that one).
2. **What the news says of the organisation itself**, summed: a descriptor phrase heading a
   description of it (weight 3: "Russian oil company X", "X, the Japanese carmaker", "X is the
   world's biggest brewer"), a cue word of its own names (3: "... Airways"), its affirmed
   claims as the acting party whose words name what it deals in (2: supplying racks; 1 for a
   claim type alone, such as any investment), and weaker cue words anywhere in a description
   (1 each). A type needs `THRESHOLD` weight: one weak cue ("models", "investors") leaves the
   type `unknown` rather than guessing, and only the longest descriptor in a phrase counts
   ("handset maker" is hardware, not a generic "maker").

Words that merely share a sentence with the name do not count: a buyer named beside its
supplier ("OpenAI and Foxconn will build racks") is not a manufacturer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from dossier.assets import load_json
from dossier.records.profiles import MentionContext

UNKNOWN = "unknown"
HEAD_WEIGHT = 3
NAME_WEIGHT = 3
CLAIM_WEIGHT = 2
CLAIM_TYPE_WEIGHT = 1  # a claim type alone ("investment"), whatever it was about
DESCRIPTION_WEIGHT = 1
THRESHOLD = 3  # one head, one name cue, or several weaker cues together
DESCRIPTION_WORDS = 15  # a description longer than this has run into the rest of the sentence
PREMODIFIER_WORDS = 5


class Reference(Protocol):
    """What classification reads of a gazetteer record (src/extract/gazetteer.py's
    KnownOrganisation has these attributes; any object with them will do)."""

    id: str
    kind: str
    sector: str | None
    industries: Sequence[str]
    country: str | None  # ISO 3166-1 alpha-2 of the headquarters (read by the base country)


@dataclass(frozen=True)
class Cue:
    """One piece of evidence for a type: the cue, where it was found (reference, name, head,
    description, claim) and the text it came from (a sentence, a name, a reference id)."""

    cue: str
    source: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"cue": self.cue, "from": self.source, "text": self.text}


@dataclass(frozen=True)
class ActingClaim:
    """An affirmed claim with the organisation as its subject, as classification reads it."""

    type: str
    object: str | None
    object_is_organisation: bool
    sentence: str


@dataclass(frozen=True)
class Classification:
    """An organisation's type, category and domain, what decided them and every cue for them."""

    type: str = UNKNOWN
    key: str = UNKNOWN
    category: str = UNKNOWN
    domain: str = UNKNOWN
    decided_by: str = "nothing"  # reference | evidence | nothing
    cues: tuple[Cue, ...] = field(default=())

    @property
    def cue_words(self) -> list[str]:
        return list(dict.fromkeys(c.cue for c in self.cues))


# --- taxonomy ------------------------------------------------------------------------------

def taxonomy_types() -> list[dict[str, Any]]:
    """The taxonomy's types, in priority order (ties go to the type listed first)."""
    return load_json("taxonomy.json")["types"]


@cache
def _types_by_key() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in taxonomy_types():
        found[entry["key"]] = entry
        found[entry["type"].lower()] = entry
    return found


@cache
def _types_by_kind() -> dict[str, dict[str, Any]]:
    return {kind: entry for entry in taxonomy_types() for kind in entry.get("kinds", [])}


def industry_type(industry: str) -> tuple[str | None, int]:
    """(taxonomy key, weight) of one pytickersymbols industry string: exact entries first (a
    GICS sector name is broad and weighs 1, a specific industry 2), then the first keyword rule
    whose word it contains; (None, 0) when it says nothing about the type ("Industrials")."""
    table = load_json("taxonomy.json")["industries"]
    exact = table["exact"].get(industry)
    if exact is not None:
        return (exact["key"], exact["weight"]) if exact["key"] else (None, 0)
    lowered = industry.lower()
    for rule in table["rules"]:
        if any(_has(word, lowered) for word in rule["words"]):
            return rule["key"], rule["weight"]
    return None, 0


def industry_votes(industries: Iterable[str]) -> tuple[Counter[str], dict[str, str]]:
    """Weighted votes of pytickersymbols industries for taxonomy keys, and the industry behind each."""
    votes: Counter[str] = Counter()
    said: dict[str, str] = {}
    for industry in industries or ():
        key, weight = industry_type(industry)
        if key is not None:
            votes[key] += weight
            said.setdefault(key, industry)
    return votes, said


def reference_type(reference: Reference) -> tuple[dict[str, Any], Cue] | None:
    """The type reference data gives: a non-company kind, a curated sector, then the
    industries' weighted vote (None when none of them tells)."""
    by_kind = _types_by_kind().get(reference.kind or "")
    if by_kind is not None:
        return by_kind, Cue(f"kind: {reference.kind}", "reference", reference.id)
    by_sector = _types_by_key().get((reference.sector or "").lower())
    if by_sector is not None:
        return by_sector, Cue(f"sector: {reference.sector}", "reference", reference.id)
    votes, said = industry_votes(reference.industries)
    if not votes:
        return None
    order = {e["key"]: i for i, e in enumerate(taxonomy_types())}
    key = max(votes, key=lambda k: (votes[k], -order[k]))
    return _types_by_key()[key], Cue(f"industry: {said[key]}", "reference", reference.id)


# --- descriptions --------------------------------------------------------------------------

# What may open a description right after the name: an appositive or relative clause after a
# comma or bracket, or a copula ("is", "was best known as").
_APPOSITIVE = re.compile(
    r"^\s*[,(]\s*(?=(?:a|an|the|its|one|which|whose|that|best|formerly|now)\b|[A-Z][\w.&-]*['’]s\s)", re.IGNORECASE)
_COPULA = re.compile(
    r"^\s*(?:is|was|has\s+been|had\s+been|remains|became)\s+(?:(?:best|widely|also|now|still)\s+)?(?:known\s+as\s+)?"
    r"(?=(?:a|an|the|one)\b|[A-Z][\w.&-]*['’]s\s)", re.IGNORECASE)
_FUNCTION_WORDS = {"of", "at", "in", "for", "with", "by", "from", "on", "to", "and", "or", "as", "than", "said", "says",
                   "the", "a", "an", "its", "their", "his", "her", "that", "which", "who", "is", "was", "are", "were",
                   "rival", "rivals", "like", "including", "such", "but", "while", "when", "after", "before", "between"}
_CLAUSE_END = re.compile(r"[,;:.()\[\]—–\"“”]|\s-\s")
_WORD = re.compile(r"[\w&'’.-]+$")
# Where the head of an appositive or predicate ends: "the biggest oil firm | in Russia".
_HEAD_END = re.compile(r"\s(?:of|in|for|with|that|which|who|whose|to|from|by|at|on|behind|since|after|and|but|whose|than)\s")


def _premodifier(before: str) -> str | None:
    """Up to `PREMODIFIER_WORDS` words right before the name, back to punctuation or a function
    word, when they end in an organisation descriptor: "Russian oil company", "US software
    giant", "the chipmaker"."""
    words: list[str] = []
    rest = before.rstrip()
    if len(rest) == len(before):  # the name is glued to the word before it
        return None
    while len(words) < PREMODIFIER_WORDS:
        found = _WORD.search(rest)
        if found is None or found.group(0).lower() in _FUNCTION_WORDS:
            break
        words.insert(0, found.group(0))
        rest = rest[: found.start()]
        if not rest or not rest[-1].isspace():
            break
        rest = rest.rstrip()
    if not words or not words[-1][:1].islower() and words[-1].lower() not in _descriptor_words():
        return None
    phrase = " ".join(words)
    if words[-1].lower() not in _descriptor_words() and not _head_matches(phrase.lower(), at_end=True):
        return None
    return phrase


def describing_phrases(sentence: str, start: int, end: int) -> list[str]:
    """The phrases of `sentence` that describe the name at [start, end): its appositive,
    relative clause or copular predicate, and a descriptor right before it."""
    phrases = []
    after = sentence[end:]
    opener = _APPOSITIVE.match(after) or _COPULA.match(after)
    if opener:
        rest = after[opener.end():]
        clause = _CLAUSE_END.split(rest, maxsplit=1)[0]
        phrases.append(" ".join(clause.split()[:DESCRIPTION_WORDS]))
    before = _premodifier(sentence[:start])
    if before:
        phrases.append(before)
    return [p for p in phrases if p]


def head_of(phrase: str) -> str:
    """The part of a description that says what the organisation is: "one of the biggest oil
    firms in Russia" → "the biggest oil firms"; a relative clause ("which makes cars") has none."""
    lowered = phrase.lower()
    if lowered.startswith(("which", "that", "whose", "who", "formerly", "best")):
        return ""
    lowered = re.sub(r"^one\s+of\s+", "", lowered)
    return _HEAD_END.split(f" {lowered} ", maxsplit=1)[0].strip()


@cache
def _descriptor_words() -> frozenset[str]:
    return frozenset(w.lower() for w in load_json("entity_cues.json")["org_descriptors"])


@cache
def _heads() -> list[tuple[str, str, int]]:
    """(head phrase, type key, words), longest first."""
    heads = [(h.lower(), e["key"], len(h.split())) for e in taxonomy_types() for h in e.get("heads", [])]
    return sorted(heads, key=lambda h: -h[2])


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


@cache
def _head_pattern(phrase: str, at_end: bool) -> re.Pattern[str]:
    """A descriptor phrase, singular or plural, as a compiled pattern: compiled once, since
    re's own cache (512 patterns) is far smaller than the taxonomy's phrases × two forms."""
    forms = (phrase, " ".join([*phrase.split()[:-1], _plural(phrase.split()[-1])]))
    return re.compile(rf"\b(?:{'|'.join(re.escape(f) for f in forms)})" + (r"$" if at_end else r"\b"))


def _head_matches(head: str, at_end: bool = False) -> list[tuple[str, str]]:
    """(head phrase, type key) of the longest descriptor phrases in `head` (singular or plural),
    at its end only when `at_end` (a descriptor right before the name ends there)."""
    best: list[tuple[str, str]] = []
    length = 0
    for phrase, key, words in _heads():
        if words < length:
            break
        if _head_pattern(phrase, at_end).search(head):
            best.append((phrase, key))
            length = words
    return best


def described_sentences(contexts: Iterable[MentionContext]) -> int:
    """How many distinct sentences describe the entity as an organisation: a description
    whose head is a taxonomy descriptor or an organisation noun ("the carmaker", "a firm")."""
    found = set()
    for c in contexts:
        for phrase in describing_phrases(c.sentence, c.start, c.end):
            head = head_of(phrase)
            if head and (_head_matches(head.lower()) or _descriptor_words() & set(head.lower().split())):
                found.add(" ".join(c.sentence.split()))
                break
    return len(found)


# --- claims --------------------------------------------------------------------------------

_POSSESSIVE = re.compile(r"^(?:'s|’s|'|’)")
_COORDINATED_AFTER = re.compile(r"^\s+(?:and|&)\s+(?:the\s+)?[A-Z]")
_COORDINATED_BEFORE = re.compile(r"[A-Z][\w.&'’-]*\)?\s+(?:and|&)\s+$")


def acts_in(sentence: str, contexts: Iterable[MentionContext]) -> bool:
    """Whether the organisation stands alone as a possible actor in `sentence`: named there at
    least once not as a possessive ("Tidewater's board has approved"), not coordinated with
    another name ("OpenAI and Foxconn will build": which of them builds?) and not as a
    bracketed second name. A sentence it is not named in gives it the benefit of the doubt."""
    # Mention sentences keep their trailing line break; claim evidence does not.
    here = [c for c in contexts if c.sentence.strip() == sentence.strip()]
    for c in here:
        before, after = c.sentence[: c.start], c.sentence[c.end:]
        if not (_POSSESSIVE.match(after) or _COORDINATED_AFTER.match(after) or _COORDINATED_BEFORE.search(before)
                or before.rstrip().endswith("(")):
            return True
    return not here


def claim_subject_matter(obj: str | None, object_is_organisation: bool, sentence: str) -> str:
    """What a claim is about, for its cue words: the sentence, unless the object is another
    organisation; then only that organisation and what the sentence says of it ("Onyx-2, an
    accelerator chip"), as the rest may be about anything ("chip deals, including with Nvidia")."""
    if not obj or not object_is_organisation:
        return sentence
    at = sentence.find(obj)
    return " ".join([obj, *(describing_phrases(sentence, at, at + len(obj)) if at >= 0 else [])])


@cache
def _cue_pattern(cue: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(cue)}\b")


def _has(cue: str, text: str) -> bool:
    return _cue_pattern(cue).search(text) is not None


# --- the evidence tier ---------------------------------------------------------------------

def _name_matches(names: Sequence[str]) -> list[tuple[str, str, str]]:
    """(cue, type key, name) of the longest name cues in each name: "European Union" is an
    international organisation, not a trade union; "Bank of England" no high-street bank."""
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for name in names:
        hits = [(cue, e["key"]) for e in taxonomy_types() for cue in e.get("name_cues", []) if _has(cue, name)]
        longest = max((len(cue.split()) for cue, _ in hits), default=0)
        for cue, key in hits:
            if len(cue.split()) == longest:
                found.setdefault((cue, key), (cue, key, name))
    return list(found.values())


def product_sentences(contexts: Iterable[MentionContext]) -> int:
    """How many distinct sentences name the entity as a product, not an organisation: the name
    followed by a product noun ("the Xbox console", "the FTSE 100 index") or owned by someone
    ("its Xbox", "Microsoft's Xbox")."""
    nouns = frozenset(load_json("taxonomy.json")["product_nouns"])
    found = set()
    for c in contexts:
        after = c.sentence[c.end:].split(maxsplit=1)
        before = c.sentence[: c.start].rstrip().split()
        follows = after[0].lower().strip(".,;:'’\"") if after and c.sentence[c.end:c.end + 1].isspace() else ""
        owned = bool(before) and (before[-1].lower() in ("its", "their", "his", "her") or before[-1].endswith(("'s", "’s")))
        if follows in nouns or owned:
            found.add(" ".join(c.sentence.split()))
    return len(found)


def is_product_name(names: Iterable[str]) -> bool:
    """Whether the canonical name (the first) ends in a product or event noun: "Consumer
    Electronics Show", "Interactive Media Player", "FTSE 100 Index"."""
    first = next(iter(names), "")
    words = first.lower().split()
    return len(words) > 1 and words[-1] in frozenset(load_json("taxonomy.json")["product_nouns"])


def evidence_cues(
    names: Sequence[str], claims: Sequence[ActingClaim], descriptions: Sequence[tuple[str, str]]
) -> dict[str, list[tuple[Cue, int]]]:
    """{type key: [(cue, weight)]} from names, descriptions (phrase, sentence) and acting claims."""
    found: dict[str, list[tuple[Cue, int]]] = {}
    lowered = [n.lower() for n in names]
    heads_seen: set[tuple[str, str]] = set()
    for phrase, sentence in descriptions:
        for head, key in _head_matches(head_of(phrase)):
            if (key, sentence) not in heads_seen:  # one sentence says it once, however phrased
                heads_seen.add((key, sentence))
                found.setdefault(key, []).append((Cue(head, "head", sentence), HEAD_WEIGHT))
    for cue, key, name in _name_matches(lowered):
        found.setdefault(key, []).append((Cue(cue, "name", name), NAME_WEIGHT))
    for entry in taxonomy_types():
        key = entry["key"]
        for claim in {(c.type, c.sentence): c for c in claims}.values():  # a sentence says it once
            words = entry.get("claim_cues", {}).get(claim.type)
            if words is None:
                continue
            said = claim_subject_matter(claim.object, claim.object_is_organisation, claim.sentence).lower()
            word = next((w for w in words if _has(w, said)), None)
            if not words:
                found.setdefault(key, []).append((Cue(f"{claim.type} claim", "claim", claim.sentence), CLAIM_TYPE_WEIGHT))
            elif word is not None:
                found.setdefault(key, []).append((Cue(f"{claim.type} claim ({word})", "claim", claim.sentence), CLAIM_WEIGHT))
        for cue in dict.fromkeys(entry["cues"]):
            hit = next((sentence for phrase, sentence in descriptions if _has(cue, phrase)), None)
            if hit is not None:
                found.setdefault(key, []).append((Cue(cue, "description", hit), DESCRIPTION_WEIGHT))
    return found


def classify_organisation(
    names: Iterable[str], contexts: Iterable[MentionContext], claims: Iterable[ActingClaim],
    reference: Reference | None = None,
) -> Classification:
    """Type, category and domain of an organisation, with the cues that chose them.

    `names`: its canonical name and aliases; `contexts`: its mentions (offsets within the
    sentence); `claims`: its affirmed claims as the subject; `reference`: its gazetteer record, if
    linked. Unknown when nothing, or only a weak cue, speaks of it. Ties go to the type listed first."""
    decided = reference_type(reference) if reference is not None else None
    if decided is not None and (reference.kind in _types_by_kind() or _types_by_key().get((reference.sector or "").lower())):
        return _classification(decided[0], "reference", [decided[1]])
    contexts = list(contexts)
    descriptions = sorted({(p.lower(), c.sentence) for c in contexts
                           for p in describing_phrases(c.sentence, c.start, c.end)})
    # A claim cue needs the organisation as the actor: the extractor gives a claim to each of
    # two coordinated subjects and to the owner of a possessive, which says nothing of its type.
    acting = [c for c in claims if acts_in(c.sentence, contexts)]
    found = evidence_cues(list(names), acting, descriptions)
    order = {e["key"]: i for i, e in enumerate(taxonomy_types())}
    scores = {key: sum(w for _, w in cues) for key, cues in found.items()}
    key = max(scores, key=lambda k: (scores[k], -order[k])) if scores else None
    if decided is not None:
        # pytickersymbols lists some companies under many industries (a carmaker under retail,
        # food and telecoms too): when the news decides one of them, that one is the type.
        votes, said = industry_votes(reference.industries)
        if key is not None and scores[key] >= THRESHOLD and key in votes and key != decided[0]["key"]:
            return _classification(_types_by_key()[key], "reference",
                                   [Cue(f"industry: {said[key]}", "reference", reference.id), *(c for c, _ in found[key])])
        return _classification(decided[0], "reference", [decided[1]])
    if key is None:
        return Classification()
    if scores[key] < THRESHOLD:
        return Classification(cues=tuple(c for cues in found.values() for c, _ in cues))
    return _classification(_types_by_key()[key], "evidence", [c for c, _ in found[key]])


def _classification(entry: dict[str, Any], decided_by: str, cues: list[Cue]) -> Classification:
    return Classification(type=entry["type"], key=entry["key"], category=entry["category"], domain=entry["domain"],
                          decided_by=decided_by, cues=tuple(cues))
