"""An organisation's type, category and domain from the taxonomy in models/taxonomy.json.

Cues count only where the evidence speaks about the organisation itself: its own names
(weight 3), its affirmed claims as the acting party (weight 2: supplying racks makes a
manufacturer, investing makes an investor, taking regulatory action makes a regulator), and
descriptions of it (weight 1): an appositive ("Foxconn, the Taiwanese electronics maker"),
a relative clause ("Hon Hai, which assembles ..."), a copula ("Foxconn is best known as the
main assembler of ...") or a descriptor right before the name ("the chipmaker Sable").
Words that merely share a sentence with the name do not count: a buyer named beside its
supplier ("OpenAI and Foxconn will build racks") is not a manufacturer. Every cue that chose
the type is returned with the text it came from.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from dossier.models import load_json

UNKNOWN = "unknown"
NAME_WEIGHT = 3
CLAIM_WEIGHT = 2
DESCRIPTION_WEIGHT = 1
DESCRIPTION_WORDS = 15  # a description longer than this has run into the rest of the sentence

# What may open a description right after the name: an appositive or relative clause after a
# comma or bracket, or a copula ("is", "was best known as").
_APPOSITIVE = re.compile(r"^\s*[,(]\s*(?=(?:a|an|the|its|one|which|whose|that|best|formerly|now)\b)", re.IGNORECASE)
_COPULA = re.compile(
    r"^\s*(?:is|was|has\s+been|had\s+been|remains|became)\s+(?:(?:best|widely|also|now|still)\s+)?(?:known\s+as\s+)?"
    r"(?=(?:a|an|the|one)\b)", re.IGNORECASE)
# "the Taiwanese manufacturer Foxconn": up to four words after an article, the last lower case.
_PREMODIFIER = re.compile(r"\b(?:the|a|an)\s+((?:[\w'-]+\s+){0,3}[a-z][\w-]*)\s+$")
_FUNCTION_WORDS = {"of", "at", "in", "for", "with", "by", "from", "on", "to", "and", "or", "as", "than", "said", "says"}
_CLAUSE_END = re.compile(r"[,;:.()\[\]—–]|\s-\s")


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
    before = _PREMODIFIER.search(sentence[:start])
    if before and not _FUNCTION_WORDS.intersection(before.group(1).lower().split()):
        phrases.append(before.group(1))
    return [p for p in phrases if p]


_POSSESSIVE = re.compile(r"^(?:'s|’s|'|’)")
_COORDINATED_AFTER = re.compile(r"^\s+(?:and|&)\s+(?:the\s+)?[A-Z]")
_COORDINATED_BEFORE = re.compile(r"[A-Z][\w.&'’-]*\)?\s+(?:and|&)\s+$")


def acts_in(sentence: str, contexts: Iterable[dict[str, Any]]) -> bool:
    """Whether the organisation stands alone as a possible actor in `sentence`: named there at
    least once not as a possessive ("Tidewater's board has approved"), not coordinated with
    another name ("OpenAI and Foxconn will build": which of them builds?) and not as a
    bracketed second name. A sentence it is not named in gives it the benefit of the doubt."""
    # Mention sentences keep their trailing line break; claim evidence does not.
    here = [c for c in contexts if c["sentence"].strip() == sentence.strip()]
    for c in here:
        before, after = c["sentence"][: c["start"]], c["sentence"][c["end"]:]
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


def _has(cue: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(cue)}\b", text) is not None


def type_cues(
    entry: dict[str, Any], names: list[str], claims: list[dict[str, Any]], descriptions: list[tuple[str, str]]
) -> list[dict[str, str]]:
    """The cues of one taxonomy type found in an organisation's evidence, each as {cue, from,
    text}: `from` is name, claim or description; `text` is where it was found."""
    found: list[dict[str, str]] = []
    for cue in entry.get("name_cues", []):
        name = next((n for n in names if _has(cue, n)), None)
        if name is not None:
            found.append({"cue": cue, "from": "name", "text": name})
    for claim in claims:
        words = entry.get("claim_cues", {}).get(claim["type"])
        if words is None:
            continue
        said = claim_subject_matter(claim["object"], claim["object_is_organisation"], claim["sentence"]).lower()
        word = next((w for w in words if _has(w, said)), None)
        if not words or word is not None:
            found.append({"cue": f"{claim['type']} claim" + (f" ({word})" if word else ""), "from": "claim",
                          "text": claim["sentence"]})
    for cue in dict.fromkeys(entry["cues"]):
        hit = next((sentence for phrase, sentence in descriptions if _has(cue, phrase)), None)
        if hit is not None:
            found.append({"cue": cue, "from": "description", "text": hit})
    return found


WEIGHTS = {"name": NAME_WEIGHT, "claim": CLAIM_WEIGHT, "description": DESCRIPTION_WEIGHT}


def classify_organisation(
    names: Iterable[str], contexts: Iterable[dict[str, Any]], claims: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """Type, category and domain of an organisation, with the cues that chose them.

    `names`: its canonical name and aliases; `contexts`: its mentions as {sentence, start,
    end} (offsets within the sentence); `claims`: its affirmed claims as the subject, as
    {type, object, object_is_organisation, sentence}. Returns {type, category, domain, cues,
    evidence}; unknown when nothing speaks of it. Ties go to the type listed first."""
    lowered = [n.lower() for n in names]
    contexts = list(contexts)
    descriptions = sorted({(p.lower(), c["sentence"]) for c in contexts
                           for p in describing_phrases(c["sentence"], c["start"], c["end"])})
    # A claim cue needs the organisation as the actor: the extractor gives a claim to each of
    # two coordinated subjects and to the owner of a possessive, which says nothing of its type.
    acting = [c for c in claims if acts_in(c["sentence"], contexts)]
    best: tuple[int, dict[str, Any], list[dict[str, str]]] | None = None
    for entry in load_json("taxonomy.json")["types"]:
        found = type_cues(entry, lowered, acting, descriptions)
        score = sum(WEIGHTS[f["from"]] for f in found)
        if score and (best is None or score > best[0]):
            best = (score, entry, found)
    if best is None:
        return {"type": UNKNOWN, "category": UNKNOWN, "domain": UNKNOWN, "cues": [], "evidence": []}
    _, entry, found = best
    return {"type": entry["type"], "category": entry["category"], "domain": entry["domain"],
            "cues": list(dict.fromkeys(f["cue"] for f in found)), "evidence": found}
