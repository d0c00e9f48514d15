"""Claims from the dependency parse: (subject organisation, type, object, polarity, modality, evidence).

Triggers are spaCy Matcher patterns kept as data in models/claim_rules.json; this module
finds each trigger's subject and object in the parse and reads polarity and modality from
the cue lists of the same file. Negation is checked with care: a negated purchase
commitment extracted as affirmed is the worst error this system can make.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from dossier.assets import load_json
from dossier.extract.aliases import name_key
from dossier.extract.gazetteer import load_gazetteer
from dossier.extract.places import demonym_countries
from dossier.records import Claim

_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
# Dependencies along which a trigger inherits the subject of the clause above it.
_CLIMB_DEPS = {
    "xcomp", "ccomp", "conj", "dobj", "pobj", "prep", "attr", "appos", "compound", "acomp",
    "advcl", "amod", "nmod", "oprd", "dative", "npadvmod", "acl", "pcomp", "relcl",
}
_MAX_CLIMB = 6
_PLURAL_PRONOUNS = frozenset({"they", "their", "them"})
_LINKING_PREPOSITIONS = ("with", "to", "for", "from", "between")
# Prepositions whose object names the claim's object ("an investigation into X", "a stake in X").
_OBJECT_PREPOSITIONS = _LINKING_PREPOSITIONS + ("into", "against", "of", "in", "on", "over", "by")
_LINEAR_WINDOW = 8
# Phrases of means, time or concession: "pull out of Georgia by selling X" does not negate the sale.
_DETACHING_PREPOSITIONS = ("by", "after", "before", "while", "despite", "since", "through", "via")


@dataclass(frozen=True)
class Rule:
    """One trigger and its constraints (documented in models/claim_rules.json)."""

    id: str
    type: str
    anchor: int
    object: str  # organisation | not_organisation | any
    object_not: frozenset[str]
    object_head: frozenset[str] = frozenset()
    object_head_any: frozenset[str] = frozenset()
    object_head_of_anchor: frozenset[str] = frozenset()
    requires_verb: frozenset[str] = frozenset()
    subject_only: frozenset[str] = frozenset()
    subject_from: str | None = None
    subject_in_phrase: bool = False
    subject_kind: str | None = None
    not_compound: bool = False
    qualify: tuple[frozenset[str], ...] | None = None  # nouns, modifiers, prepositions, verbs
    modality_floor: str | None = None  # an affirmed claim reads at least this ("a bid" is a plan)
    not_purpose: frozenset[str] = frozenset()  # "a deal to buy planes" is no partnership
    minority_as: str | None = None  # "buy 15% of X" is this type (an investment), not the rule's
    together: bool = False  # a claim only among two or more organisations acting together
    minority_prepositions: frozenset[str] = frozenset()  # "bought into X": a share of X (minority_as)
    not_particles: frozenset[str] = frozenset()  # "rule out" is no ruling
    not_counted: bool = False  # "sold 80,000 phones": goods counted are sales, not a launch
    object_owner_acts: bool = False  # "the launch of its new range": the range's owner launches it
    parties_of: bool = False  # "the merger of Gazprom and Rosneft": the coordinated names after "of"
    object_from_subject: bool = False  # with subject_from: "Rosneft received $6bn from CNPC": Rosneft the object
    members_act: bool = False  # "would-be suitors include X and Y": the organisations the trigger noun lists act
    members_object: bool = False  # "its customers include X and Y": each organisation listed is an object
    object_head_direct: bool = False  # object_head only on the direct object ("planning HDTV services", not "plans to move programmes")
    denial: bool = False  # the trigger denies what it governs: the claim is negated ("denied that it conspired")
    object_head_clause: frozenset[str] = frozenset()  # one of these anywhere below the trigger, its complement clause included
    object_not_modifier: frozenset[str] = frozenset()  # a direct object so qualified is another claim ("a legal campaign")
    floor_not_with: frozenset[str] = frozenset()  # modifiers of the trigger that cancel modality_floor ("the winning bidder")
    object_modifiers: tuple[tuple[str, frozenset[str]], ...] = ()  # (head, modifiers it needs): ("rate", interest, ...)
    not_descriptive: bool = False  # a present-tense relative clause describes its noun: "X, which sells net services"


@dataclass(frozen=True)
class ClaimRules:
    rules: dict[str, Rule]
    patterns: dict[str, list[list[dict[str, Any]]]]
    negation: dict[str, Any]
    modality: dict[str, Any]
    pronouns: frozenset[str]
    regulator_words: frozenset[str]
    commercial_types: frozenset[str]
    regulator_phrases: tuple[str, ...] = ()
    regulator_descriptors: frozenset[str] = frozenset()
    weak_regulator_words: frozenset[str] = frozenset()
    news_names: frozenset[str] = frozenset()
    news_words: frozenset[str] = frozenset()
    not_regulator_words: frozenset[str] = frozenset()
    court_words: frozenset[str] = frozenset()

    def is_news_organisation(self, name: str) -> bool:
        """True for a news agency, paper or broadcaster: the source of a report, not its actor."""
        key = name_key(name)
        return key in self.news_names or bool(set(key.split()) & self.news_words)

    def is_regulator(self, name: str, described_as: Token | None = None) -> bool:
        """True when an organisation's name marks it as a regulator or public authority, or the
        text describes it so ("Chile's competition watchdog, the Fiscalía Nacional Económica").
        Words companies share ("Department", "Office", "Board") count only in a public body's
        form: "Department of Justice", "Federal Reserve", not "Debenhams Department Stores"."""
        words = name_key(name).split()
        if set(words) & (self.not_regulator_words | self.court_words):
            return False  # "Trades Union Congress" is a union, whatever else its name holds
        if self.bars_commerce(name):
            return True
        if any(w in self.weak_regulator_words and (i == len(words) - 1 or words[i + 1] == "of")
               for i, w in enumerate(words)):
            return True
        # "Deutsche Boerse's supervisory board approved ...": a company's own board is no regulator.
        return described_as is not None and described_as.lemma_.lower() in self.regulator_descriptors \
            and not any(c.dep_ == "poss" for c in described_as.children)

    def is_court(self, name: str) -> bool:
        """True for a court or tribunal ("Court of Appeals", "High Court")."""
        known = load_gazetteer().lookup(name)
        return (known is not None and known.kind == "court") or bool(set(name_key(name).split()) & self.court_words)

    def bars_commerce(self, name: str) -> bool:
        """True when the name alone says the organisation is an authority, which never buys,
        supplies or launches: only the unambiguous words and phrases of the rules file."""
        known = load_gazetteer().lookup(name)
        if known is not None and known.kind in _AUTHORITY_KINDS:
            return True  # "the Federal Aviation Administration": reference data says it is one
        key = name_key(name)
        words = set(key.split())
        if words & self.not_regulator_words:
            return False
        return bool(words & (self.regulator_words | self.court_words)) or any(p in key for p in self.regulator_phrases)


# Kinds of the reference data that are authorities: they never buy, supply or launch. (A central
# bank is left to its name words, as before: "Federal Reserve" reports and moves markets.)
_AUTHORITY_KINDS = frozenset({"regulator", "court"})


@lru_cache(maxsize=1)
def load_claim_rules() -> ClaimRules:
    """Parse models/claim_rules.json."""
    data = load_json("claim_rules.json")
    rules, patterns = {}, {}
    for entry in data["triggers"]:
        rules[entry["id"]] = Rule(
            id=entry["id"], type=entry["type"], anchor=entry.get("anchor", 0),
            object=entry.get("object", "any"), object_not=frozenset(entry.get("object_not", ())),
            object_head=frozenset(entry.get("object_head", ())),
            object_head_any=frozenset(entry.get("object_head_any", ())),
            object_head_of_anchor=frozenset(entry.get("object_head_of_anchor", ())),
            requires_verb=frozenset(entry.get("requires_verb", ())),
            subject_only=frozenset(entry.get("subject_only", ())),
            subject_from=entry.get("subject_from"), subject_in_phrase=entry.get("subject_in_phrase", False),
            subject_kind=entry.get("subject_kind"), not_compound=entry.get("not_compound", False),
            qualify=(tuple(frozenset(entry["qualify"][k]) for k in ("nouns", "modifiers", "prepositions", "verbs"))  # type: ignore[arg-type]
                     if "qualify" in entry else None),
            modality_floor=entry.get("modality_floor"),
            not_purpose=frozenset(entry.get("not_purpose", ())),
            minority_as=entry.get("minority_as"),
            together=entry.get("together", False),
            minority_prepositions=frozenset(entry.get("minority_prepositions", ())),
            not_particles=frozenset(entry.get("not_particles", ())),
            not_counted=entry.get("not_counted", False),
            object_owner_acts=entry.get("object_owner_acts", False),
            parties_of=entry.get("parties_of", False),
            object_from_subject=entry.get("object_from_subject", False),
            members_act=entry.get("members_act", False),
            members_object=entry.get("members_object", False),
            object_head_direct=entry.get("object_head_direct", False),
            denial=entry.get("denial", False),
            object_head_clause=frozenset(entry.get("object_head_clause", ())),
            object_not_modifier=frozenset(entry.get("object_not_modifier", ())),
            floor_not_with=frozenset(entry.get("floor_not_with", ())),
            object_modifiers=tuple((head, frozenset(words)) for head, words in entry.get("object_modifiers", {}).items()),
            not_descriptive=entry.get("not_descriptive", False),
        )
        for pattern in (entry["pattern"], *_hyphenated_patterns(entry["pattern"])):
            patterns.setdefault(entry["id"], []).append(pattern)
            inflected = _inflected_pattern(pattern, data["irregular_verbs"])
            if inflected is not None:
                patterns[entry["id"]].append(inflected)
    regulators, news = data["regulators"], data.get("news_organisations", {})
    return ClaimRules(rules, patterns, data["negation"], data["modality"], frozenset(data["pronouns"]),
                      frozenset(regulators["name_words"]), frozenset(regulators["commercial_types"]),
                      tuple(regulators.get("name_phrases", ())), frozenset(regulators.get("descriptors", ())),
                      frozenset(regulators.get("weak_name_words", ())), frozenset(name_key(n) for n in news.get("names", ())), frozenset(news.get("name_words", ())),
                      frozenset(regulators.get("not_name_words", ())), frozenset(regulators.get("court_words", ())))


def inflections(lemma: str, irregular: dict[str, list[str]]) -> set[str]:
    """Regular and listed irregular forms of a verb ("fine" -> fines, fined, fining)."""
    forms = {lemma, *irregular.get(lemma, ())}
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms |= {lemma + "s", lemma + "es", stem + "ed", stem + "ing"}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) >= 3 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # "plan" -> planned
    return forms


def _hyphenated_patterns(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The tokenizer splits "tie-up" into "tie", "-", "up": one pattern per hyphenated word of a
    LOWER or LEMMA list, matching its parts as three tokens (the last carries the other
    constraints: "co-invested" is co, -, a form of invest). The head of such a word is its last
    part, which `extract_claims` takes as the anchor."""
    out = []
    for k, token in enumerate(pattern):
        for key in ("LOWER", "LEMMA"):
            spec = token.get(key)
            words = spec.get("IN", ()) if isinstance(spec, dict) else ((spec,) if isinstance(spec, str) else ())
            for word in (w for w in words if "-" in w.strip("-")):
                first, last = word.split("-", 1)
                rest = {n: v for n, v in token.items() if n != key}
                parts = [{"LOWER": first}, {"ORTH": "-"}, {**rest, key: last}]
                out.append([*pattern[:k], *parts, *pattern[k + 1:]])
    return out


def _inflected_pattern(pattern: list[dict[str, Any]], irregular: dict[str, list[str]]) -> list[dict[str, Any]] | None:
    """The pattern with its LEMMA lists matched on word forms instead (None if it has none)."""
    changed, out = False, []
    for token in pattern:
        lemmas = token.get("LEMMA", {}).get("IN") if isinstance(token.get("LEMMA"), dict) else None
        if lemmas:
            spec = {k: v for k, v in token.items() if k != "LEMMA"}
            spec["LOWER"] = {"IN": sorted(set().union(*(inflections(l, irregular) for l in lemmas)))}
            out.append(spec)
            changed = True
        else:
            out.append(token)
    return out if changed else None


class TriggerMatcher:
    """The trigger patterns, each rule run only on the sentences that hold one of its words.

    spaCy's Matcher tests every pattern's `IN` lists in Python at every token: on long pages
    that was most of the rules' time (73 % measured on 180 real articles). Each pattern has a
    token that must match a listed word (checked when the rules load), so a rule runs on a
    sentence only if the sentence holds one of those words. Triggers never span sentences,
    so the matches are the whole-document matches, returned in document order.
    """

    def __init__(self, nlp: Language, patterns: dict[str, list[list[dict[str, Any]]]]) -> None:
        self.matchers: list[Matcher] = []
        self.by_lower: dict[str, set[int]] = {}
        self.by_lemma: dict[str, set[int]] = {}
        for number, (rule_id, pats) in enumerate(patterns.items()):
            matcher = Matcher(nlp.vocab)
            matcher.add(rule_id, pats)
            self.matchers.append(matcher)
            for pattern in pats:
                words = _required_words(pattern)
                if words is None:
                    raise ValueError(f"claim rule {rule_id!r}: a pattern needs one token that must match listed words")
                for word in words[0]:
                    self.by_lower.setdefault(word, set()).add(number)
                for word in words[1]:
                    self.by_lemma.setdefault(word, set()).add(number)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) of every trigger in the document, start and end as token indices."""
        found: list[tuple[int, int, int, int]] = []
        by_lower, by_lemma = self.by_lower, self.by_lemma
        for sent in doc.sents:
            numbers: set[int] = set()
            for token in sent:
                numbers.update(by_lower.get(token.lower_, ()), by_lemma.get(token.lemma_, ()))
            for number in numbers:
                found.extend((start + sent.start, end + sent.start, number, key)
                             for key, start, end in self.matchers[number](sent))
        found.sort()
        return [(key, start, end) for start, end, _, key in found]


def _required_words(pattern: list[dict[str, Any]]) -> tuple[set[str], set[str]] | None:
    """(lower forms, lemmas) of which a pattern's first required, word-listing token must show one."""
    for token in pattern:
        if token.get("OP", "1") not in ("1", "+"):
            continue
        lowers, lemmas = _listed(token.get("LOWER")), _listed(token.get("LEMMA"))
        if lowers is not None and lemmas is None:
            return lowers, set()
        if lemmas is not None and lowers is None:
            return set(), lemmas
        if lowers is not None and lemmas is not None:  # both must hold: either list is a safe filter
            return lowers, set()
    return None


def _listed(spec: Any) -> set[str] | None:
    if isinstance(spec, str):
        return {spec}
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return set(spec["IN"])
    return None


def build_matcher(nlp: Language) -> TriggerMatcher:
    """The trigger matcher holding every pattern of models/claim_rules.json, keyed by rule id."""
    return TriggerMatcher(nlp, load_claim_rules().patterns)


# --- the parse walk ---------------------------------------------------------------------

def clause_chain(anchor: Token) -> list[Token]:
    """The anchor and its governors up to (and including) the first one with a subject."""
    chain = [anchor]
    token = anchor
    for _ in range(_MAX_CLIMB):
        if any(c.dep_ in _SUBJECT_DEPS or c.dep_ == "agent" for c in token.children):
            break
        if _relative(token) or token.head.i == token.i or token.dep_ not in _CLIMB_DEPS:
            break
        token = token.head
        chain.append(token)
    return chain


def _relative(token: Token) -> bool:
    """A relative clause describes its head. The small parser also labels infinitives after a
    noun relcl ("in talks to buy X"); those carry the clause's subject and are not relative.
    It sometimes hangs a relative clause set off by dashes on the verb before it ("could
    challenge Disney - which in 2004 reported revenues of $30bn -" as a complement of
    "challenge"): a clause whose subject is "which" or "who" is relative all the same."""
    if token.dep_ == "relcl":
        return not any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)
    return token.dep_ in ("ccomp", "advcl") and _relative_pronoun_subject(token) is not None


def _relative_pronoun_subject(token: Token) -> Token | None:
    """The clause's "which" / "who" subject, else None."""
    for c in token.children:
        if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("which", "who") and c.i > token.sent.start:
            return c
    return None


_RELATIVE_PRONOUNS = frozenset({"which", "that", "who", "whom", "whose", "what"})


def _antecedent(relative: Token) -> Token:
    """The noun a relative clause describes. Attached to the last of coordinated names, a plural
    verb ("X and Y, who **have** been working on ...") describes them all: the first conjunct
    then stands for the group; a singular one ("X and Y, which **makes** chips") only the last."""
    head = relative.head
    if relative.dep_ != "relcl" and (pronoun := _relative_pronoun_subject(relative)) is not None:
        # A misparsed relative clause: the noun right before its pronoun (past the dash or comma).
        before = pronoun.i - 1
        while before > pronoun.sent.start and pronoun.doc[before].is_punct:
            before -= 1
        head = pronoun.doc[before]
    plural = any(t.tag_ == "VBP" or t.lower_ in ("were",) for t in (relative, *relative.children)
                 if t.dep_ in ("aux", "auxpass", "relcl") or t is relative)
    while plural and head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    return head


def _with_conjuncts(token: Token) -> list[Token]:
    return [token, *[c for c in token.conjuncts if c.i > token.i]]


def _phrase_object(preposition: Token) -> Token | None:
    """The first object of a prepositional or agent phrase ("by X" -> X)."""
    return next((c for c in preposition.children if c.dep_ == "pobj"), None)


_SPEAKING = frozenset({"say", "report", "announce", "add", "tell", "state", "reveal", "disclose", "confirm"})
# Name words of the bodies that publish others' figures: "retail sales rose 0.6%, the Office for
# National Statistics said", "the Commerce Department added", the BRC (British Retail Consortium).
_FIGURE_BODIES = frozenset({"statistics", "association", "department", "office", "bureau", "consortium", "federation",
                            "council", "ministry", "agency", "institute", "commission", "authority", "board",
                            "administration"})


def _reports_others_figures(name: str, rules: ClaimRules) -> bool:
    """A speaker whose unowned figures are not its own results: a news organisation, an
    authority, or a statistics office or trade body (`_FIGURE_BODIES`)."""
    return rules.is_news_organisation(name) or rules.bars_commerce(name) \
        or bool(set(name_key(name).split()) & _FIGURE_BODIES)


def _noun_dependents(noun: Token) -> list[Token]:
    """A noun's dependents, and the prepositional phrases the parser hangs on an adjective after
    it ("an offer worth $2.3bn **from** Halden": "from" under "worth")."""
    return [*noun.children, *(p for c in noun.children if c.dep_ == "amod" and c.i > noun.i
                               for p in c.children if p.dep_ == "prep")]


def find_subjects(chain: list[Token]) -> tuple[list[Token], str]:
    """Subject tokens of the clause holding a trigger, and how they were found."""
    anchor, top = chain[0], chain[-1]
    if anchor.pos_ in ("NOUN", "PROPN"):
        # "a purchase commitment from OpenAI", "a partnership between X and Y", "OpenAI's option"
        # The one after "by" acts: "a round led by X" (a participle on the noun), "A legal
        # complaint was filed by groups including X" (the noun the passive's subject), "P&O
        # Princess's takeover by Carnival" (beside a possessor, which is then the target).
        possessed = any(c.dep_ == "poss" for c in anchor.children)
        agents = [*(a for c in anchor.children if c.dep_ == "acl" for a in c.children if a.dep_ == "agent"),
                  *(a for a in anchor.head.children if anchor.dep_ == "nsubjpass" and a.dep_ == "agent"),
                  *(c for c in anchor.children if possessed and c.dep_ == "prep" and c.lower_ == "by")]
        for agent in agents:
            if (obj := _phrase_object(agent)) is not None:
                return _with_conjuncts(obj), "agent"
        for child in _noun_dependents(anchor):
            if child.dep_ == "poss":
                return _with_conjuncts(child), "possessive"
            if child.dep_ == "prep" and child.lower_ in ("from", "by", "between", "among", "at") \
                    and (obj := _phrase_object(child)) is not None:
                return _with_conjuncts(obj), "prepositional"
        if anchor.dep_ in ("nsubj", "nsubjpass") and anchor.head.dep_ == "ccomp" \
                and anchor.head.head.lemma_.lower() in _SPEAKING \
                and not any(c.dep_ == "prep" and c.lower_ == "of" for c in anchor.children) \
                and not any(c.ent_type_ in ("NORP", "GPE") for c in anchor.children):
            # "Unilever said annual pre-tax profit fell 36%": a figure with no owner named is the
            # speaker's own (a news organisation or an authority saying it is left out by the
            # caller; not "loss of possessions will be covered", nor "Chinese wine sales").
            speakers = [c for c in anchor.head.head.children if c.dep_ == "nsubj"]
            if speakers:
                return _with_conjuncts(speakers[0]), "speaker"
        if anchor.dep_ == "compound" and anchor.head.pos_ == "NOUN":
            # "rejected a takeover offer from Foster's Group": the offer's maker takes over.
            for child in _noun_dependents(anchor.head):
                if child.dep_ == "prep" and child.lower_ in ("from", "by") and (obj := _phrase_object(child)) is not None:
                    return _with_conjuncts(obj), "prepositional"
    for lower, noun in zip(chain, chain[1:]):
        # "GM's decision to buy 20% of Fiat's auto division", "Kestrel's plan to buy X was
        # dropped": the infinitive on a possessed noun is the possessor's act.
        if lower.dep_ == "acl" and noun.pos_ == "NOUN" and any(c.dep_ == "aux" and c.lower_ == "to" for c in lower.children):
            owners = [c for c in noun.children if c.dep_ == "poss"]
            if owners and (owners[0].pos_ == "PROPN" or owners[0].lower_ in ("its", "their")):
                return _with_conjuncts(owners[0]), "possessive"
            # "A decision by Hardie to move its headquarters": the noun's "by" phrase decides.
            by = [g for c in noun.children if c.dep_ == "prep" and c.lower_ == "by" for g in c.children if g.dep_ == "pobj"]
            if by and not owners:
                return _with_conjuncts(by[0]), "prepositional"
            if owners:
                # "the German stock market operator's plans to buy the LSE": the description acts,
                # not the sentence's subject; only a description that says where it is based
                # names someone ("the market operator's promise" alone would be a guess).
                return owners[:1], "described"
            break
    controller = _object_controller(chain)
    if controller is not None:
        if _asked_for(chain[1]):
            # "Menatep has asked Rosneft to repay a loan", "asked the court to order X": only
            # asked for; the asker's request is the event (real-news gold), not the act asked.
            return [], "none"
        return _with_conjuncts(controller), "subject"
    if _demanded(chain):
        return [], "none"
    agent = [c for c in top.children if c.dep_ == "agent"]
    if agent and (obj := _phrase_object(agent[0])) is not None:
        return _with_conjuncts(obj), "agent"
    subjects = [c for c in top.children if c.dep_ in ("nsubj", "csubj")]
    if _relative(top) and not [s for s in subjects if s.lower_ not in _RELATIVE_PRONOUNS]:
        # "X, which owns 20% of Y": the antecedent acts; "Nissan, in which Renault owns a 44%
        # stake": the relative clause has its own subject, and it acts.
        return _with_conjuncts(_antecedent(top)), "relative"
    if len(subjects) > 1 and subjects[0].pos_ == "NOUN" and subjects[1].left_edge.i == subjects[0].i + 1:
        # "Danish brewer Carlsberg suffered ...": the parser made the description a subject of its
        # own; the name after it is the one that acts.
        subjects = subjects[1:]
    if subjects:
        if top.dep_ == "xcomp" and any(c.dep_ == "aux" and c.lower_ == "to" for c in top.children) \
                and _asked_for(top.head):
            return [], "none"  # "asking the court to order X to fund ...", X parsed the infinitive's subject
        return _with_conjuncts(subjects[0]), "subject"
    if len(chain) > 1 and chain[-2].dep_ == "acl" and chain[-2].tag_ == "VBG":
        # "The computer company, working with United Devices, ...": a present participle on a
        # noun has that noun as its actor.
        return _with_conjuncts(top), "relative"
    # "X is expected / set / understood to buy Y": the raised subject of the passive is the actor.
    if len(chain) > 1 and chain[-2].dep_ == "xcomp":
        subjects = [c for c in top.children if c.dep_ == "nsubjpass"]
        if subjects:
            return _with_conjuncts(subjects[0]), "subject"
    return [], "none"


def _group_in_focus(group_start: int, start: int, previous_start: dict[int, int], group: list[str],
                    sentence_subject: dict[int, str], described_group: set[int]) -> bool:
    """Whether the group is still in focus: the sentence before describes it ("The companies
    expect it to close"), or every sentence since the group's has one of the group as subject
    ("Halden Systems moved its offices") or describes it; another subject ("Prosecutors wanted
    ...") ends it."""
    before = previous_start.get(start)
    if before in described_group:
        return True  # "The companies expect it to close. They said ..."
    while before is not None and before > group_start:
        if sentence_subject.get(before) not in group and before not in described_group:
            return False
        before = previous_start.get(before)
    return before == group_start


def _plural_subject_above(pronoun: Token, token_names: dict[int, str]) -> bool:
    """Whether a governing clause has a plural subject that names no organisation, which "they"
    then refers to ("All companies said they were investing ...")."""
    token = pronoun.head
    while token.head.i != token.i:
        token = token.head
        for child in token.children:
            if child.dep_ in _SUBJECT_DEPS and child.tag_ in ("NNS", "NNPS") and child.i not in token_names:
                return True
    return False


def _object_controller(chain: list[Token]) -> Token | None:
    """The object that acts in the clause below its verb (object control): "forced Halden
    Group **to sell** its unit", "asked X to supply", "accused X **of trying** to close its
    office" — X sells, supplies, tries; the subject of the governing verb only made or asked
    it. After a verb of making or asking (`_OBJECT_CONTROL`) any object, else only a name or
    "it" / "them"; "promised shareholders to ..." is the promiser's own act. The nearest such
    verb decides: in "asked the court to order Delta Crest to fund a survey" Delta Crest funds."""
    for k in range(1, len(chain)):
        controller = _controls_below(chain[: k + 1])
        if controller is not None:
            return controller
    return None


def _controls_below(chain: list[Token]) -> Token | None:
    """The object of chain[-1] that acts in the clause chain[-2] opens, else None."""
    top = chain[-1]
    if len(chain) < 2 or top.pos_ not in ("VERB", "AUX") or top.lemma_.lower() in _SUBJECT_CONTROL:
        return None
    below = chain[-2]
    # "accused officials **of trying** to close its office", "blamed X **for** cutting jobs": what
    # the accused did, whoever the office belongs to.
    accusing = top.lemma_.lower() in _ACCUSING
    via_gerund = below.dep_ == "prep" and (below.lower_ in ("of", "from", "into") or accusing and below.lower_ == "for") \
        and len(chain) > 2 and chain[-3].dep_ == "pcomp"
    if below.dep_ != "xcomp" and not via_gerund:
        return None
    if not (accusing and via_gerund) and any(c.dep_ == "poss" for t in chain[:-1] for c in t.children):
        return None  # "asked the authorities to approve **its** plan to buy X": the plan is its own
    # A verb of making or asking someone act ("urged governments to create jobs"): whoever its
    # object is acts, an organisation or not; elsewhere only a name or "it" / "them" (the small
    # parser also reads a purpose as an infinitive complement: "used the money to buy").
    controls = top.lemma_.lower() in _OBJECT_CONTROL or (accusing and via_gerund)
    for child in top.children:
        if child.dep_ == "dobj" and (controls or child.pos_ == "PROPN" or child.lower_ in ("it", "them")):
            return child
        if controls and child.dep_ == "prep" and child.lower_ == "on":  # "called on X to sell"
            for pobj in (c for c in child.children if c.dep_ == "pobj"):
                return pobj
    return None


_SUBJECT_CONTROL = frozenset({"promise", "vow", "pledge"})


def _asked_for(verb: Token) -> bool:
    """The verb, or the verb whose infinitive complement it is, asks someone to act ("asked X
    to repay", "asking the court to order X to fund"): what is asked for is not done."""
    for _ in range(3):
        if verb.lemma_.lower() in _REQUESTING and verb.pos_ == "VERB":
            return True
        if verb.dep_ != "xcomp" or verb.head.i == verb.i:
            return False
        verb = verb.head
    return False


# Verbs of asking someone to act: the act is asked for, not done ("persuaded", "forced" and
# "encouraged" bring it about: "encouraged the FCC to impose tougher rules" is the FCC's act).
_REQUESTING = frozenset({"ask", "urge", "call", "press", "lobby", "invite", "advise", "request", "tell", "push"})
_ACCUSING = frozenset({"accuse", "suspect", "blame", "charge", "criticise", "criticize", "condemn", "fine", "sue"})
_OBJECT_CONTROL = frozenset({
    "urge", "ask", "force", "press", "pressure", "persuade", "encourage", "tell", "order", "require",
    "compel", "oblige", "invite", "call", "push", "prompt", "lobby", "convince", "instruct", "advise",
})


def _demanded(chain: list[Token]) -> bool:
    """Whether the subject's verb only asks for the claim's event ("called for action to
    create jobs", "urged a merger"): what is demanded is not the demander's act."""
    top = chain[-1]
    for lower, above in zip(chain, chain[1:]):
        # "The club has also faced calls to appoint executives": others ask for it (the parser
        # hangs the infinitive on the noun, or on the verb whose object the noun is).
        asked_by = above if lower.dep_ in ("acl", "relcl") else (
            lower.doc[lower.left_edge.i - 1] if lower.dep_ == "advcl" and lower.left_edge.i > 0 else None)
        if asked_by is not None and asked_by.lemma_.lower() in _DEMAND_NOUNS and asked_by.pos_ == "NOUN":
            return True
    if len(chain) < 2 or top.pos_ not in ("VERB", "AUX"):
        return False
    lemma = top.lemma_.lower()
    return lemma in ("urge", "demand") or (
        lemma in ("call", "press", "push", "lobby", "appeal") and any(
            c.dep_ == "prep" and c.lower_ == "for" for c in top.children))


_DEMAND_NOUNS = frozenset({"call", "demand", "pressure", "plea", "request", "appeal"})


def _of_objects(token: Token) -> Iterator[Token]:
    """The objects of the token's "of" phrases ("the launch **of** its range" -> range)."""
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            yield from (c for c in prep.children if c.dep_ == "pobj")


def _owner_of_object(anchor: Token) -> Token | None:
    """The possessor in a noun trigger's "of" phrase: "its" in "the launch **of its** range"."""
    return next((c for pobj in _of_objects(anchor) for c in pobj.children if c.dep_ == "poss"), None)


def _coordinated_after_of(anchor: Token, token_names: dict[int, str]) -> list[Token]:
    """The organisations named in a noun trigger's "of" phrase when it names two or more: "the
    merger **of** Gazprom and Rosneft" (one name after "of" is the object: "the merger of its
    units with X"). The whole phrase is read: the parser may hang one name under the other."""
    for pobj in _of_objects(anchor):
        named: dict[str, Token] = {}
        for token in pobj.subtree:
            if token.i in token_names:
                named.setdefault(token_names[token.i], token)
        if len(named) > 1:
            return list(named.values())
    return []


def _org_at(token: Token, span_names: dict[int, str]) -> str | None:
    """Organisation named by the token, or by the name its phrase contains."""
    if token.i in span_names:
        return span_names[token.i]
    # "the company, Foxconn,": an organisation in apposition names the phrase itself, and wins
    # over its owner ("United's budget airline, Kingfisher Airlines, is to buy ..." is
    # Kingfisher's purchase); "Foxconn's unit": else the owner; a compound ("the OpenAI work")
    # only describes the phrase, except after a descriptor ("the cell maker Dongling").
    named = [t for t in token.children if t.i in span_names]
    for t in named:
        if t.dep_ == "appos" and _set_off(t, token):
            return span_names[t.i]
    for t in named:
        if t.dep_ == "poss" and token.lemma_.lower() in _OUTSIDERS:
            return None  # "Enron's shareholders are seeking damages": they act, not Enron
        if t.dep_ == "poss" or (t.dep_ == "compound" and token.lower_ in _descriptors()):
            return span_names[t.i]
    # "Baikal Finance Group, the little-known firm which bought ...": the description in
    # apposition is the organisation it describes.
    if token.dep_ == "appos" and token.head.i in span_names and token.lower_ in _descriptors():
        return span_names[token.head.i]
    return None


def _set_off(appos: Token, head: Token) -> bool:
    """Whether an apposition is one: right after its head ("the company Foxconn") or set off by
    punctuation ("its largest shareholder, Fjord Capital"). A name the parser hangs on a noun
    across a phrase ("A shareholder in US phone firm MCI") names the phrase's last noun."""
    before = appos.left_edge.i - 1
    return before == head.i or before >= 0 and appos.doc[before].is_punct


# Those an organisation has, who act on their own account: its owners, lenders, customers, rivals.
_OUTSIDERS = frozenset({"shareholder", "investor", "creditor", "bondholder", "customer", "client", "rival", "critic",
                        "user", "subscriber", "competitor"})


def _outsider(token: Token) -> bool:
    """A subject that is one of an organisation's outsiders ("A shareholder in MCI has taken
    legal action", "Enron's creditors"): they act on their own account, not the organisation's."""
    return token.pos_ == "NOUN" and token.lemma_.lower() in _OUTSIDERS


@lru_cache(maxsize=1)
def _descriptors() -> frozenset[str]:
    """Nouns that describe an organisation ("the cell maker Dongling"): models/entity_cues.json."""
    return frozenset(load_json("entity_cues.json")["org_descriptors"])


def _named_members(kind: Token, token_names: dict[int, str]) -> list[str]:
    """The organisations a plural noun subject names as its members: "companies **such as** X
    and Y are gearing up", "operators **like** X", "other firms that have taken legal action
    **include** X, Y and Z", "the firms accused **were** X and Y". Each member is a subject of
    what the sentence says of the kind (both gold sets annotate each)."""
    if kind.pos_ != "NOUN" or (kind.tag_ != "NNS" and not (kind.dep_ == "nsubj" and kind.head.lemma_ == "be")):
        return []  # a plural kind, or a singular one a copula names ("the only significant bidder is Gazprom")
    heads = []
    for prep in kind.children:
        if prep.dep_ == "prep" and (prep.lower_ in ("like", "including") or (prep.lower_ == "as" and (
                any(c.lower_ == "such" for c in prep.children) or kind.doc[prep.i - 1].lower_ == "such"))):
            heads.extend(c for c in prep.children if c.dep_ == "pobj")
    verb = kind.head
    if not heads and kind.dep_ == "nsubj" and verb.lemma_.lower() in ("include", "be"):
        heads.extend(c for c in verb.children if c.dep_ in ("dobj", "attr"))
    return list(dict.fromkeys(n for h in heads for t in _with_conjuncts(h) if (n := _org_at(t, token_names))))


def _holder_of(noun: Token, token_names: dict[int, str], members: set[str]) -> str | None:
    """The organisation a listing noun belongs to: its possessor ("X's investors, including Y")
    or the subject that has it ("X has some foreign investors, including Y")."""
    holders = [c for c in noun.children if c.dep_ == "poss"]
    if not holders and noun.dep_ == "dobj" and noun.head.lemma_.lower() == "have":
        holders = [c for c in noun.head.children if c.dep_ == "nsubj"]
    return next((n for h in holders if (n := _org_at(h, token_names)) and n not in members), None)


def _org_in_phrase(token: Token, span_names: dict[int, str]) -> str | None:
    """The first organisation named inside a phrase ("The chairman of Kaufwerk, Dieter Brandl")."""
    for t in token.subtree:
        if t.i in span_names:
            return span_names[t.i]
    return None


def _org_in_role(anchor: Token, span_names: dict[int, str]) -> str | None:
    """The organisation of the post a leadership verb names: "succeed X **at the head of
    Renault**", "appointed **as chief executive of Halden**" (its phrases and object, not its subject)."""
    for child in anchor.children:
        if child.dep_ in ("prep", "dobj", "attr", "oprd"):
            name = _org_in_phrase(child, span_names)
            if name:
                return name
    return None


def _org_in_apposition(anchor: Token, span_names: dict[int, str]) -> tuple[str, Token] | None:
    """The organisation in apposition to the trigger ("its largest shareholder, Fjord Capital"),
    or the one the trigger's phrase stands in apposition to ("Harbour Group, the (parent company
    | owner) of Skyward")."""
    for child in anchor.children:
        if child.dep_ == "appos" and _set_off(child, anchor):
            name = _org_at(child, span_names) or _org_in_phrase(child, span_names)
            if name:
                return name, child
    phrase = anchor.head if anchor.dep_ == "compound" else anchor
    if phrase.dep_ == "appos":
        # "the Menatep group, the parent company of Yukos": the head's phrase names it.
        name = span_names.get(phrase.head.i) or _org_at(phrase.head, span_names)
        if name:
            return name, phrase.head
    return _apposition_by_position(phrase, span_names)


_FORMER = frozenset({"former", "ex", "previous", "erstwhile"})


def _apposition_by_position(phrase: Token, span_names: dict[int, str]) -> tuple[str, Token] | None:
    """The organisation right before a comma that opens the trigger's phrase, when the small
    parser misses the apposition ("headed the Menatep group, the parent company of Yukos"
    parsed as two objects)."""
    left = phrase.left_edge
    if left.i < 2 or left.nbor(-1).text != "," or left.lower_ not in ("the", "a", "an", "its"):
        return None
    before = left.nbor(-2)
    name = span_names.get(before.i) or _org_at(before, span_names)
    return (name, before) if name else None


def _unit_relation(anchor: Token, span_names: dict[int, str]) -> tuple[str, str] | None:
    """(owner, unit) when the trigger ("unit", "subsidiary") relates two named organisations:
    the owner after "of", as possessor or as modifier ("Yukos unit Yuganskneftegas"); the unit
    in apposition ("Chrysler, the US unit of X", "its subsidiary, Fuso"), named by the phrase
    the trigger modifies, or the subject the trigger describes ("Corvel is a subsidiary of X")."""
    if any(c.lower_ in _FORMER for c in anchor.children):
        return None  # "Gazpromneft, a former unit of Gazprom": owned no longer
    owner = None
    for child in anchor.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in (c for c in child.children if c.dep_ == "pobj"):
                owner = owner or _org_at(pobj, span_names) or _org_in_phrase(pobj, span_names)
        elif child.dep_ in ("poss", "compound") and owner is None:
            owner = _org_at(child, span_names)
    if owner is None:
        return None
    candidates = [c for c in anchor.children if c.dep_ == "appos"]
    if anchor.dep_ == "appos" or (anchor.dep_ == "compound" and anchor.head.i in span_names):
        candidates.append(anchor.head)
    if anchor.dep_ == "attr":
        candidates.extend(c for c in anchor.head.children if c.dep_ in ("nsubj", "nsubjpass"))
    for token in candidates:
        unit = _org_at(token, span_names) or span_names.get(token.i)
        if unit and unit != owner:
            return owner, unit
    by_position = _apposition_by_position(anchor, span_names)
    if by_position is not None and by_position[0] != owner:
        return owner, by_position[0]
    return None


def _says_what_kind(anchor: Token, how: str) -> bool:
    """Whether organisations named together with an agreement are partners in it: named after
    "between" ("a co-operation deal between X and Y"), or the agreement says what it is for ("X
    and Y signed a technology-sharing agreement"); "X and Y held settlement talks but did not
    reach an agreement" settles a dispute."""
    if how == "prepositional":
        return True
    return any(c.dep_ in ("compound", "amod", "nmod") and c.lemma_.lower() not in _DISPUTE_WORDS
               for c in anchor.children)


_DISPUTE_WORDS = frozenset({"settlement", "legal", "plea", "court"})


def _org_after_preposition(anchor: Token, preposition: str, span_names: dict[int, str]) -> tuple[str, Token] | None:
    """The organisation in a `preposition` phrase of the trigger ("sell X to Y" -> Y). An "of"
    phrase counts only when it names the organisation itself ("part of FleetBoston", not "part
    of a strategy to modernise the carriers under Air China")."""
    strict = preposition == "of"
    for child in anchor.children:
        if child.dep_ in ("prep", "dative") and child.lower_ == preposition:
            for pobj in (c for c in child.children if c.dep_ == "pobj"):
                name = _org_at(pobj, span_names) or (None if strict else _org_in_phrase(pobj, span_names))
                if name:
                    return name, pobj
    if strict:
        return None
    stop = min(anchor.sent.end, anchor.i + 1 + 3 * _LINEAR_WINDOW)
    for token in anchor.doc[anchor.i + 1 : stop]:
        if token.lower_ == preposition and anchor.doc[token.i - 1].lower_ != "according":
            # ("... were sold, according to analysts Gartner": the source, no buyer.)
            for t in anchor.doc[token.i + 1 : min(stop, token.i + 8)]:
                if t.i in span_names:
                    return span_names[t.i], t
    return None


def _phrase(token: Token, limit: int = 12) -> str:
    """A short text for a noun phrase headed by `token` (its subtree, clipped)."""
    words = [t for t in token.subtree if not t.is_punct or t.text in ",-"]
    text = " ".join(t.text for t in words[:limit]).replace(" ,", ",").strip(" ,")
    return text + (" …" if len(words) > limit else "")


def _clause_subject(token: Token, token_names: dict[int, str], before: int | None = None) -> str | None:
    """The organisation that is the (active) subject of the clause headed by `token` (named
    before position `before`, when given). A thing an organisation has ("TCI's opposition would
    not change its bid") is not the organisation: "its" then refers elsewhere."""
    for child in token.children:
        if child.dep_ == "nsubj" and (before is None or child.i < before):
            if child.i not in token_names and child.lemma_.lower() not in _descriptors() \
                    and any(c.dep_ == "poss" for c in child.children):
                return None
            return _org_at(child, token_names)
    return None


def _anaphoric(token: Token, pronouns: frozenset[str] | set[str]) -> bool:
    """Whether a subject word refers back to an organisation named before: "it", "they", "the
    company", "the firm". An indefinite description introduces someone new ("investment by **a**
    Chinese car maker", "another group"), so it refers back to no one."""
    word = token.lower_
    if word in pronouns and not any(c.dep_ == "det" and c.lower_ in _INDEFINITE for c in token.children):
        return True
    return word in _descriptors() and any(c.lower_ in ("the", "its") for c in token.children)


def _definite(token: Token) -> bool:
    """"the administrator": a noun with the definite article."""
    return token.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ == "the" for c in token.children)


_INDEFINITE = frozenset({"a", "an", "another", "one", "some", "any", "each", "every", "either", "neither", "no",
                         "many", "several", "other", "such"})


def _governing_subject(token: Token, token_names: dict[int, str], before: int | None = None) -> str | None:
    """The organisation that is subject of a clause governing `token`, in the same sentence.
    With `before` (a pronoun's position), only one named before it: "its bid ..., Reuters says"
    does not make the reporter the bidder, an antecedent comes first."""
    while token.head.i != token.i:
        if token.dep_ == "relcl":  # "the Bureau, which said it would ...": the antecedent
            name = _org_at(token.head, token_names)
            if name:
                return name
        token = token.head
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubjpass") and (before is None or child.i < before):
                name = _org_at(child, token_names)
                if name:
                    return name
    return None


def find_object(anchor: Token, subjects: set[str], span_names: dict[int, str]) -> tuple[str | None, bool, Token | None]:
    """(object text, object is an organisation, object head token) for a trigger."""
    candidates: list[Token] = []
    for child in anchor.children:
        if child.dep_ in ("dobj", "dative", "attr", "oprd", "nsubjpass"):
            candidates.append(child)
        elif child.dep_ == "prep" and child.lower_ in _OBJECT_PREPOSITIONS:
            candidates.extend(c for c in child.children if c.dep_ == "pobj")
        elif child.dep_ == "xcomp":
            candidates.extend(c for c in child.children if c.dep_ == "dobj")
    # Organisations first (relationships matter most), then any phrase.
    for cand in candidates:
        for token in _with_conjuncts(cand):
            name = _org_at(token, span_names)
            if name and name not in subjects:
                return name, True, token
        for token in cand.subtree:
            name = span_names.get(token.i)
            if name and name not in subjects:
                return name, True, token
    # The small parser misreads "supply robots to Marrowgate" ("to" as an infinitive marker):
    # an organisation right after a linking preposition later in the sentence is the object.
    # Only close by, within the same clause: "..., drawing on input from OpenAI" is not the recipient.
    stop = min(anchor.sent.end - 1, anchor.i + 1 + _LINEAR_WINDOW)
    for token in anchor.doc[anchor.i + 1 : stop]:
        if token.is_punct:
            break
        if token.lower_ in _LINKING_PREPOSITIONS and token.nbor(-1).lower_ != "according":
            name = span_names.get(token.i + 1)
            if name and name not in subjects:
                return name, True, token.nbor()
    for cand in candidates:
        if cand.ent_type_ in _WHEN_ENTITIES:  # "on Tuesday", "in recent months": when, not what
            continue
        if cand.pos_ in ("NOUN", "PROPN", "NUM") and _org_at(cand, span_names) not in subjects:
            return _phrase(cand), False, cand
    return None, False, None


_WHEN_ENTITIES = frozenset({"DATE", "TIME"})


def _object_lemmas(anchor: Token) -> set[str]:
    """Lemmas of the trigger's objects: direct objects, passive subjects, prepositional objects."""
    lemmas = set()
    for child in anchor.children:
        if child.dep_ in ("dobj", "nsubjpass", "attr", "dative", "oprd"):
            for t in _with_conjuncts(child):
                lemmas.add(t.lemma_.lower())
                if _forms(t) & _TRANSFER_NOUNS:
                    continue  # "completed the sale / spin-off of its unit": the unit changes hands
                # "all 23 of its stores", "a 27% rise in first-half profit": the noun the phrase is about
                for prep in (c for c in t.children if c.dep_ == "prep" and c.lower_ in ("of", "in")):
                    lemmas.update(g.lemma_.lower() for g in prep.children if g.dep_ == "pobj")
        elif child.dep_ in ("prep", "prt", "xcomp"):
            if child.dep_ == "xcomp" and child.lemma_.lower() in _TRANSFER_VERBS:
                continue  # "might consider selling its Clearstream unit": a sale, not a facility
            for grandchild in child.children:
                if grandchild.dep_ in ("pobj", "dobj"):
                    lemmas.update(t.lemma_.lower() for t in _with_conjuncts(grandchild))
                elif grandchild.dep_ == "prep" and child.dep_ in ("prep", "prt"):
                    # "pulled out of the Chilean market": the parser hangs "of" on "out".
                    lemmas.update(t.lemma_.lower() for g in grandchild.children if g.dep_ == "pobj"
                                  for t in _with_conjuncts(g))
    return lemmas


_TRANSFER_NOUNS = frozenset({"sale", "spin-off", "sell-off", "disposal", "divestment", "divestiture", "purchase",
                             "acquisition", "takeover", "buyout", "buy-out"})
_TRANSFER_VERBS = frozenset({"sell", "buy", "acquire", "purchase", "divest", "offload", "dispose"})
# Prepositions whose object is where a market entry or exit goes ("into China", "out of Russia").
_PLACE_PREPOSITIONS = frozenset({"into", "from", "of", "in", "to", "out"})


def _place_object(anchor: Token) -> bool:
    """A place is what the trigger enters or leaves: its direct object or the object of
    "into / from / out of / in / to", not a place named elsewhere ("at a show in Birmingham")."""
    places = ("GPE", "LOC")
    for child in anchor.children:
        if child.dep_ == "dobj" and any(t.ent_type_ in places for t in _with_conjuncts(child)):
            return True
        if child.dep_ in ("prep", "prt") and child.lower_ in _PLACE_PREPOSITIONS:
            preps = [child, *(c for c in child.children if c.dep_ == "prep" and c.lower_ in _PLACE_PREPOSITIONS)]
            for prep in preps:
                for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                    if any(t.ent_type_ in places for t in _with_conjuncts(pobj)):
                        return True
    return False


def _subtree_has(anchor: Token, wanted: frozenset[str]) -> bool:
    """Whether the trigger's own clause holds one of `wanted`: another clause below it is not
    what it takes ("JPMorgan quit last year **when** Mr Glazer voted against the appointment of
    three directors to the board" names no post JPMorgan left)."""
    stack = [anchor]
    while stack:
        token = stack.pop()
        if token.lemma_.lower() in wanted or token.lower_ in wanted:
            return True
        if "$PLACE" in wanted and token.ent_type_ in ("GPE", "LOC"):
            return True
        stack.extend(c for c in token.children if not _other_clause(c))
    return False


def _other_clause(token: Token) -> bool:
    """A clause of its own below its head: adverbial, relative, complement, or a conjoined verb."""
    return token.dep_ in ("advcl", "relcl", "ccomp", "parataxis") or (
        token.dep_ == "conj" and token.pos_ in ("VERB", "AUX"))


def rule_applies(rule: Rule, anchor: Token) -> bool:
    """The constraints of a rule that depend only on the parse around its anchor."""
    if rule.object_head and not (_object_lemmas(anchor) & rule.object_head) \
            and not ("$PLACE" in rule.object_head and _place_object(anchor)):
        return False
    if rule.object_head_direct and not any(c.dep_ == "dobj" and c.lemma_.lower() in rule.object_head for c in anchor.children):
        return False
    if rule.object_head_any and not _subtree_has(anchor, rule.object_head_any):
        return False
    if rule.object_head_clause and not any(t.lemma_.lower() in rule.object_head_clause or t.lower_ in rule.object_head_clause
                                           for t in anchor.subtree):
        return False
    if rule.object_head_of_anchor and anchor.head.lower_ not in rule.object_head_of_anchor and not any(
        c.lower_ in rule.object_head_of_anchor for c in anchor.children
    ):
        return False
    if hypothetical_restatement(anchor):
        return False
    if rule.not_descriptive and _describes_its_noun(anchor):
        return False
    governor = anchor.head
    if governor.lower_ == "of" and (governor.head.lower_ == "one" or governor.head.lemma_.lower() in _QUANTITY_NOUNS):
        governor = governor.head.head  # "is one of 13 partners", "launched a second round of legal action": the verb
    if rule.requires_verb and governor.lemma_.lower() not in rule.requires_verb and not (
            rule.type == "legal_action" and any(c.dep_ == "acl" and c.lemma_.lower() in rule.requires_verb
                                                for c in anchor.children)):
        # A lawsuit's verb may also follow as a participle: "a case **brought** by the FTC".
        # (For other nouns the participle reading lost precision on held-out folds.)
        return False
    return True


_CONDITIONAL_MODALS = frozenset({"would", "could", "might"})


def _describes_its_noun(anchor: Token) -> bool:
    """A verb in the simple present of a relative clause says what its noun habitually does
    ("BT Retail, which sells net services under its own name, had a good quarter"): a
    description, no event. ("X, which has offered similar services", "which will sell" report.)"""
    return anchor.dep_ == "relcl" and anchor.tag_ in ("VBZ", "VBP") and not any(
        c.dep_ in ("aux", "auxpass") for c in anchor.children)


def hypothetical_restatement(anchor: Token) -> bool:
    """The event is the subject of a conditional: "A merger between X and Y would be the fifth
    deal", "Buying X would give Y ...". What such a deal would bring is weighed, not reported
    (the real-news guidelines: a hypothetical restatement is no claim)."""
    head = anchor.head
    return anchor.dep_ in ("nsubj", "csubj") and head != anchor and any(
        c.dep_ == "aux" and c.lower_ in _CONDITIONAL_MODALS for c in head.children)


def _controlling_stake(anchor: Token) -> bool:
    """A stake said to give control ("a majority stake", "a controlling interest"), or more than
    half of a company bought ("bought 60% of X", "took a 75% stake"): buying it is buying
    control of the company, an acquisition in the gold guidelines, not an investment. Holding
    it stays an investment there ("owns 55% of Changyu", "owns a 56% stake in Ferrari")."""
    bought = anchor.lemma_.lower() not in _HOLDING_VERBS and not (
        anchor.dep_ == "dobj" and anchor.head.lemma_.lower() in _HOLDING_VERBS)
    if bought and (_share_bought(anchor) or 0.0) > 50:
        return True
    stakes = [anchor, *(c for c in anchor.children if c.dep_ == "dobj")]
    return any(t.lemma_.lower() in ("stake", "holding", "interest", "shareholding")
               and any(m.dep_ in ("amod", "compound") and (m.lower_ in ("majority", "controlling")
                                                            or bought and (_percentage(m) or 0.0) > 50) for m in t.children)
               for t in stakes)


_HOLDING_VERBS = frozenset({"own", "hold", "control", "have", "retain", "keep"})


def _percentage(token: Token, units: tuple[str, ...] = ("%", "percent")) -> float | None:
    """The number of a "%" / "percent" token ("60" of "a 60% stake"), else None."""
    if token.lower_ not in units:
        return None
    for number in (c for c in token.children if c.dep_ == "nummod"):
        try:
            return float(number.text.replace(",", ""))
        except ValueError:
            return None
    return None


# Bought in numbers, these are businesses or assets ("bought two cosmetics brands, X and Y"), not goods.
_BUSINESSES_BOUGHT = frozenset({"brand", "business", "company", "firm", "store", "shop", "hotel", "chain", "title",
                                "newspaper", "magazine", "channel", "station", "plant", "factory", "mine", "bank",
                                "asset", "division", "operation", "subsidiary"})
_MAKING_VERBS = frozenset({"produce", "manufacture", "build", "assemble", "make"})
_QUANTITY_NOUNS = frozenset({"series", "set", "range", "number", "couple", "pair", "batch", "string", "raft", "host", "wave",
                             "round", "lot", "handful", "dozen"})


def _wrong_kind_of_argument(rule: Rule, anchor: Token) -> bool:
    """A claim type needs its argument of the right kind (docs/claims.md, "Type discipline").

    The direct object's head decides, even when an organisation is named inside it:
    "producing a rival to Boeing's airliner" is no supply to Boeing, "announced a deal with
    HCL" no product launch. "announce" with no object ("announced that it would ...") launches
    nothing; a noun trigger used as a modifier ("launch costs") states no event.
    """
    direct = [c for c in anchor.children if c.dep_ in ("dobj", "nsubjpass")]
    # "delivering £234m of cuts", "a 26% rise in profits": an amount is of the noun it measures.
    # "launching a series of adverts": a quantity noun is of the noun it counts.
    measured = [g for c in direct if c.like_num or c.ent_type_ in _AMOUNTS or any(n.dep_ == "nummod" for n in c.children)
                or c.lemma_.lower() in _QUANTITY_NOUNS
                for prep in c.children if prep.dep_ == "prep" and prep.lower_ == "of"
                for g in prep.children if g.dep_ == "pobj"]
    # "owns the Amstel and Murphy's stout **brands**": the last of coordinated objects names their kind.
    kinds = [d.conjuncts[-1] for d in direct if d.conjuncts and d.conjuncts[-1].tag_ == "NNS"]
    if any(_forms(c) & rule.object_not for c in [*direct, *measured, *kinds]):
        return True
    needs = dict(rule.object_modifiers)
    if any(c.lemma_.lower() in needs and not any(
            m.dep_ in ("amod", "compound", "nmod") and m.lower_ in needs[c.lemma_.lower()] for m in c.children)
           for c in direct):
        return True  # "wanted to increase Iraq's telephone penetration rate": a target, no interest rate set
    if any(m.dep_ in ("amod", "compound") and m.lower_ in rule.object_not_modifier for c in direct for m in c.children):
        return True  # "launched a legal campaign": a lawsuit's campaign is legal action, no other event
    if anchor.lower_ in ("offer", "offers") and anchor.dep_ == "pobj" and anchor.head.lower_ == "on":
        return True  # "both services on offer from Telewest": for sale, no bid
    if rule.type == "financial_result" and any(c.lower_ in _FALSE_FIGURES for d in direct for t in _with_conjuncts(d)
                                               for c in t.children if c.dep_ == "amod"):
        return True  # "illegally booked expenses and inflated profits": a fraud, not a result
    if rule.type == "investment" and any(g.lemma_.lower() in _MARKET_NOUNS for g in measured):
        return True  # "will control 16% of Russia's oil output": a share of a market, not of a company
    if rule.type == "other" and any(c.lemma_.lower() == "unit" and any(n.dep_ == "nummod" or n.like_num for n in c.children)
                                    for c in direct):
        return True  # "has sold 800,000 units": units sold are sales, not a disposed business unit
    if rule.type == "workforce" and anchor.lemma_.lower() == "employ" and anchor.tag_ in ("VBZ", "VBP") \
            and not any(c.dep_ in ("aux", "auxpass") for c in anchor.children):
        return True  # "the firm employs 7,600 workers": a headcount, not hiring
    if anchor.lower_ in ("approach", "approaches") and anchor.dep_ == "pobj" and anchor.head.lower_ == "in":
        return True  # "similar in its approach to an attack": a manner, no takeover approach
    if anchor.lower_ in ("debut", "debuts") and any(c.dep_ == "compound" and c.lower_ in ("market", "stock", "trading")
                                                    for c in anchor.children):
        return True  # "its stock market debut": a listing (`other`), no product
    if rule.type == "facility" and anchor.lemma_.lower() == "launch" and any(c.lemma_.lower() in ("site", "website")
                                                                         for c in direct):
        return True  # "launched the site in November": a website, not a plant
    if rule.type == "supply" and anchor.lemma_.lower() in _MAKING_VERBS \
            and any(c.dep_ == "poss" and c.lower_ in ("its", "their")
                    for d in direct for made in (d, *_of_objects(d)) for c in made.children) \
            and not any(c.dep_ == "prep" and c.lower_ in ("for", "to")
                        for t in (anchor, *(t for d in direct for t in d.subtree)) for c in t.children):
        # "Atari, which produced its own range of home computers", "intends to produce all of its
        # content in HD": made, supplied to no one
        return True
    if rule.type == "financial_result" and any(c.lower_ == "sale" for c in direct):
        return True  # "announced the planned sale" of a division: a disposal, not its sales
    if rule.not_counted and any(c.like_num or any(n.dep_ == "nummod" or n.like_num for n in c.children) for c in direct):
        return True  # "sold more than 80,000 hybrids", "sold more than 100 of the models": units sold, not a launch
    if rule.not_particles and any(c.dep_ == "prt" and c.lower_ in rule.not_particles for c in anchor.children):
        return True  # "did not rule out raising rates": a negation cue, not a ruling
    if rule.not_purpose and any(
            c.dep_ in ("acl", "relcl") and c.lemma_.lower() in rule.not_purpose
            and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children) for c in anchor.children):
        return True  # "signed a deal to acquire 36 planes from X": a purchase, not a partnership
    if rule.type == "purchase_commitment" and anchor.dep_ in ("acl", "relcl") and anchor.head.lemma_.lower() in ("option", "right"):
        return True  # "will have the option to acquire 10 more aircraft": an option, not a commitment
    if rule.type == "product_launch" and anchor.pos_ in ("VERB", "AUX") and not direct and not (
            rule.object_head and _object_lemmas(anchor) & rule.object_head):
        # "announced that it would ...", "the service launched in May": no product of theirs named
        # ("working on a new version" names the product the rule asks for after its preposition).
        return True
    if rule.qualify is not None and anchor.lower_ in rule.qualify[0]:
        nouns, modifiers, prepositions, verbs = rule.qualify
        qualified = any(c.lower_ in modifiers for c in anchor.children if c.dep_ in ("amod", "compound", "nmod")) \
            or any(c.dep_ == "prep" and c.lower_ in prepositions for t in (anchor, anchor.head) for c in t.children) \
            or anchor.head.lemma_.lower() in verbs \
            or any(c.dep_ == "det" and c.lower_ == "the" for c in anchor.children) \
            and not any(c.dep_ == "amod" for c in anchor.children)  # "took the action": one named before
        # ("take the necessary action to turn itself around": a kind of action, no case named)
        if not qualified:
            return True  # "decided to take no action", "did not need to take such action"
    return rule.not_compound and anchor.dep_ == "compound"


_AMOUNTS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY"})
_FALSE_FIGURES = frozenset({"inflated", "overstated", "false", "fake", "fictitious", "bogus", "fraudulent"})
_MARKET_NOUNS = frozenset({"output", "market", "production", "sale", "sales", "supply", "capacity", "reserve",
                           "reserves", "traffic", "demand", "export", "exports", "import", "imports", "revenue",
                           "revenues", "spending", "consumption"})


def _forms(token: Token) -> set[str]:
    """The token's lemma and lower form, and for the head of a hyphenated word the whole word
    ("offs" in "lay-offs")."""
    forms = {token.lemma_.lower(), token.lower_}
    if token.i >= 2 and token.doc[token.i - 1].tag_ == "HYPH":
        forms.add(token.doc[token.i - 2 : token.i + 1].text.lower().replace(" ", ""))
    return forms


def _direct_object_org(anchor: Token, span_names: dict[int, str], subjects: set[str]) -> str | None:
    """The organisation that is the trigger's direct object (or, in the passive, its subject)."""
    for child in anchor.children:
        if child.dep_ == "ccomp" and child.pos_ in ("NOUN", "PROPN"):
            # A misparse of a descriptive object: "owns the derivatives market Eurex" read with
            # "market" as a clause and Eurex as its object.
            for token in (g for c in child.children if c.dep_ in ("dobj", "appos") for g in _with_conjuncts(c)):
                name = _org_at(token, span_names)
                if name and name not in subjects:
                    return name
        if child.dep_ in ("dobj", "nsubjpass"):
            for token in _with_conjuncts(child):
                if token.i not in span_names and _a_thing_of_theirs(token, span_names):
                    continue  # "bought Toyota's hybrid technology": a thing of Toyota's, not Toyota
                name = _org_at(token, span_names) or _named_in_apposition(token, span_names)
                if name and name not in subjects:
                    return name
            if _share_bought(anchor) is not None:
                # "bought 100% of Baikal": the share is of the organisation named after "of".
                for pobj in _of_objects(child):
                    name = _org_at(pobj, span_names) or _named_in_apposition(pobj, span_names)
                    if name and name not in subjects:
                        return name
    # "Harbour Bank, bought by Crestwave last year", "Baikal, which was snapped up by Rosneft":
    # a passive participle or relative clause on an organisation has that organisation as object.
    passive = any(c.dep_ == "agent" for c in anchor.children)
    relative_subject = any(c.dep_ == "nsubjpass" and c.lower_ in _RELATIVE_PRONOUNS for c in anchor.children)
    if passive and (anchor.dep_ == "acl" or (anchor.dep_ == "relcl" and relative_subject)):
        name = _org_at(anchor.head, span_names)
        if name and name not in subjects:
            return name
    return None


def _a_thing_of_theirs(token: Token, span_names: dict[int, str]) -> bool:
    """A possessed noun that is neither a business nor a share of one ("Toyota's hybrid
    technology", "Sony's games"): what is bought is the thing, not the organisation."""
    owned_by_org = any(c.dep_ == "poss" and c.i in span_names for c in token.children)
    return owned_by_org and not any(c.dep_ == "appos" and c.i in span_names for c in token.children) \
        and token.lemma_.lower() not in _BUSINESS_NOUNS | _descriptors() | _OWNED_PARTS


# What a company owns of itself: buying it is buying (into) the company.
_OWNED_PARTS = frozenset({"stake", "share", "holding", "interest", "asset", "operation", "subsidiary", "equity",
                          "group", "company", "firm", "parent", "majority", "minority", "control", "%", "percent"})


def _owned_is_named(anchor: Token) -> bool:
    """Whether what a passive trigger is about has a name ("NTV television, which is controlled
    by Gazprom": NTV, though not recognised as an organisation) or is a business described as
    one ("the unit owned by X"), rather than a thing ("net addresses owned by X")."""
    owned = [c for c in anchor.children if c.dep_ == "nsubjpass" and c.lower_ not in _RELATIVE_PRONOUNS]
    if not owned and anchor.dep_ == "conj":  # "Quetzal was founded in 2016 and is backed by X"
        owned = [c for c in anchor.head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if anchor.dep_ in ("acl", "relcl"):
        owned.append(anchor.head)
    return any(t.pos_ == "PROPN" or t.lemma_.lower() in _descriptors() or t.lemma_.lower() in _BUSINESS_NOUNS
               for o in owned for t in o.subtree if t.i < anchor.i)


_BUSINESS_NOUNS = frozenset({"unit", "division", "subsidiary", "business", "arm", "operation", "channel", "station",
                             "newspaper", "paper", "team", "club", "brand", "chain", "network", "airline", "bank"})


def _names_a_customer(anchor: Token, sent: Span, token_names: dict[int, str], subjects: list[str]) -> bool:
    """Whether a supply verb has someone to supply: another organisation named in the sentence,
    or a name after "to" / "for" ("satellites built **for Quetzal**"), which the recogniser may
    have missed. Supply in both gold sets is nearly always to a named customer."""
    if any(n not in subjects for i, n in token_names.items() if sent.start <= i < sent.end):
        return True
    if any(c.dep_ == "prep" and c.lower_ in ("to", "for") and any(
            g.dep_ == "pobj" and g.pos_ == "PROPN" for g in c.children) for c in anchor.children):
        return True
    # "Under the partnership, Foxconn will produce server racks", "formed a partnership to build
    # ...": a deal in the sentence has a customer, named in the sentences around it.
    return any(t.lemma_.lower() in _DEAL_NOUNS for t in sent)


_DEAL_NOUNS = frozenset({"deal", "contract", "agreement", "partnership", "arrangement", "order", "accord", "pact"})


def _share_bought(anchor: Token) -> float | None:
    """The percentage a trigger's direct object names ("buy **15%** of X"), else None."""
    return next((share for child in anchor.children if child.dep_ == "dobj"
                 if (share := _percentage(child, ("%", "percent", "per"))) is not None), None)


def _minority_stake(anchor: Token) -> bool:
    """A purchase **of a stake** ("Bertelsmann's purchase of a stake in AOL Europe"): a share of a
    company, not control of it, unless the stake is said to be a majority or controlling one."""
    if anchor.pos_ not in ("NOUN", "PROPN"):
        return False
    for stake in (c for c in _of_objects(anchor) if c.lemma_.lower() in _STAKE_NOUNS):
        if not {t.lower_ for t in stake.children} & {"majority", "controlling", "outright"}:
            return True
    return False


_STAKE_NOUNS = frozenset({"stake", "holding", "share", "shareholding", "interest"})


def _buys_an_organisation(match: Span, span_names: dict[int, str]) -> bool:
    """True when the direct object of the match's last verb ("buy X") is an organisation.
    Goods counted are goods, whoever makes them ("ordered 30 Airbus A320 planes")."""
    verb = match[-1]
    return any(c.dep_ == "dobj" and (_org_at(c, span_names) or (
        _named_in_apposition(c, span_names) and not any(n.dep_ == "nummod" for n in c.children)))
               for c in verb.children)


def _named_in_apposition(token: Token, span_names: dict[int, str]) -> str | None:
    """"its former parent and phone pioneer AT&T": an organisation the phrase itself names, by
    apposition, conjunction or compound, not one it only mentions ("Airbus's planes")."""
    for t in token.subtree:
        if t.i in span_names and t.i != token.i:
            node = t
            while node.i != token.i and node.dep_ in ("appos", "conj", "compound", "cc") and node.head.i != node.i:
                node = node.head
            if node.i == token.i:
                return span_names[t.i]
    return None


def _reduced_relative(token: Token) -> bool:
    """A participle describing the noun before it ("Nintendo's DS, **released** this month";
    "the company originally **tipped** to buy X"): a relative clause without its pronoun, which
    the verb governing the noun does not govern either."""
    return token.dep_ == "acl" and token.tag_ in ("VBN", "VBG") and token.i > token.head.i and not any(
        c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "mark") for c in token.children)


def governors(anchor: Token) -> list[Token]:
    """Tokens governing the trigger, up to the root: a conjunct is a sibling, not governed, and
    a means or time phrase ("by selling", "after buying") does not carry its governor's sense."""
    out = []
    token = anchor
    # A relative clause or apposition describes its head; the main verb above does not govern it.
    while token.head.i != token.i and token.dep_ not in ("conj", "appos") and not _relative(token) \
            and not _reduced_relative(token):
        if token.dep_ == "pobj" and token.head.lower_ in _DETACHING_PREPOSITIONS:
            break
        if token.dep_ == "pcomp" and token.head.lower_ in _DETACHING_PREPOSITIONS:
            break
        token = token.head
        out.append(token)
    return out


def _negated_here(token: Token) -> bool:
    """The token itself carries a negation word ("did not buy", "never opened")."""
    return any(c.dep_ == "neg" for c in token.children)


def _purpose_in_focus(token: Token, cues: dict[str, Any]) -> bool:
    """"did not buy X just to get a foothold": the negation is about the purpose, not the purchase."""
    focus = set(cues.get("purpose_focus", ()))
    for child in token.children:
        if child.dep_ in ("advcl", "xcomp") and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
            if any(c.lower_ in focus for c in child.children) or any(
                    t.lower_ in focus for t in token.doc[max(child.left_edge.i - 2, 0): child.left_edge.i]):
                return True
    return False


def _governing_path(anchor: Token, cues: dict[str, Any]) -> list[tuple[Token, Token]]:
    """(governor, the child it was reached from) up the parse, as far as a negating governor
    can reach: not through a sibling clause, a means or time phrase, or a topic phrase
    ("rejected calls for a tax on its profits", "declined to be drawn on reports that ...")."""
    detaching = set(_DETACHING_PREPOSITIONS) | set(cues.get("detaching_prepositions", ()))
    out = []
    token = anchor
    while token.head.i != token.i and token.dep_ not in ("conj", "appos") and not _relative(token):
        if token.dep_ in ("pobj", "pcomp") and token.head.lower_ in detaching:
            break
        out.append((token.head, token))
        token = token.head
    return out


def is_negated(chain: list[Token], match: Span, cues: dict[str, Any], subjects: Iterable[str] = (),
               token_names: dict[int, str] | None = None) -> bool:
    """True when a negation governs the claim's own predicate (docs/claims.md, "Polarity").

    A negated word within the trigger's clause negates the claim ("did not buy", "no binding
    commitment", "Neither X nor Y offers"), unless the negation is about something else: a
    verb of speech or opposition above the trigger ("declined to comment on the merger talks",
    "would not oppose the purchase"), a purpose in focus ("did not buy X just to ..."), or
    litotes ("no stranger to legal action"). A verb of refusal, denial or failure above the
    trigger negates it when the trigger is its object or complement ("denied a report that it
    would sell", "failed to win a contract", "called off the merger"), not its subject
    ("profits drop"), and not when that verb is itself negated ("did not rule out a sale").
    A rejection (`negation.rejections`) by another organisation than the claim's subject
    leaves the claim standing: in "the LSE rejected Deutsche Boerse's offer", Deutsche Boerse
    still bid (the gold guidelines; the subjects and the document's names tell who rejects).
    """
    dependents = set(cues["dependents"])
    barriers = set(cues.get("scope_barriers", ()))
    litotes = set(cues.get("litotes", ()))
    anchor = chain[0]
    for token in [*match, *chain]:
        own = token in match or token.i == anchor.i
        if not own and token.lemma_.lower() in barriers:
            break  # negation above a verb of speech or opposition is about that verb
        if not own and any(c.dep_ == "advcl" and c in chain for c in token.children):
            # "the rush never materialised, leaving its sales 5% higher": an adverbial clause
            # is a circumstance or consequence of the negated verb, not what is negated.
            break
        for child in token.children:
            if child.dep_ == "neg" or (child.dep_ in ("det", "advmod", "preconj") and child.lower_ in dependents):
                if child.lower_ == "no" and token.lower_ in litotes:
                    continue
                if child.dep_ == "neg" and _purpose_in_focus(token, cues):
                    continue
                return True
            # "Neither Vodafone nor T-Mobile offers ...", "No bank was willing to ...": a negated subject.
            if child.dep_ in ("nsubj", "nsubjpass") and any(
                    g.dep_ in ("preconj", "det") and g.lower_ in ("neither", "no") for g in child.children):
                return True
        if token.dep_ == "pobj" and token.head.lower_ in cues["prepositions"]:
            return True
        if _alternative_refused(token):
            return True
        # "negotiated an end to its alliance", "the collapse of merger talks": a noun of ending
        # whose phrase holds the trigger ends it (nouns, unlike "a big drop in profits", that
        # name the end of the claim itself).
        if token.dep_ == "pobj" and token.head.lower_ in ("to", "of") \
                and token.head.head.lemma_.lower() in cues.get("ending_nouns", ()):
            return True
    if any(t.lower_ in cues["determiners"] and t.head in match and t.head.lower_ not in litotes
           for t in match.doc[max(match.start - 3, 0): match.start]):
        return True
    particles = cues["governor_particles"]
    for token, via in _governing_path(anchor, cues):
        lemma = token.lemma_.lower()
        # Verbs only: "a big drop in profits" reports a fall, it does not drop the profits.
        negating = token.pos_ in ("VERB", "AUX") and (lemma in cues["governors"] or (
            lemma in particles and any(c.lower_ == particles[lemma] for c in token.children)))
        if negating:
            # "profits drop": the trigger is what drops, not what is dropped;
            # "did not rule out a sale": two negations affirm.
            # "withdrew its offer, enabling X to merge": an adverbial clause is not what is withdrawn.
            if lemma in cues.get("rejections", ()) and _rejected_by_another(token, via, set(subjects), token_names or {}):
                return False
            if via.dep_ == "advcl" and _infinitive_of_the_object(via, token):
                return not _negated_here(token)
            return via.dep_ not in ("nsubj", "csubj", "advcl") and not _negated_here(token)
        if lemma in barriers and token.i != anchor.i:
            return False  # "declined to comment on talks": the refusal is about the comment
    return False


def _not_ruled_out(anchor: Token) -> bool:
    """"did not rule out raising rates": a possibility left open (the guidelines: "ruled out"
    only sets polarity; not ruling something out leaves it possible)."""
    return any(g.lemma_.lower() == "rule" and any(c.dep_ == "prt" and c.lower_ == "out" for c in g.children)
               and _negated_here(g) for g in governors(anchor))


def _infinitive_of_the_object(clause: Token, verb: Token) -> bool:
    """"pulled out of talks to buy a stake": the parser may hang the infinitive on the verb,
    but it says what the talks (the noun just before it, the verb's prepositional object) were
    about, so it is what the verb refuses."""
    before = clause.doc[clause.left_edge.i - 1] if clause.left_edge.i > 0 else None
    return (any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children) and before is not None
            and before.pos_ == "NOUN" and before.dep_ == "pobj" and verb in before.ancestors)


def _alternative_refused(token: Token) -> bool:
    """"buy back its shares **rather than** buy the LSE", "build a plant **instead of** buying
    X": the alternative set aside is said not to happen."""
    doc = token.doc
    if token.dep_ == "conj":
        return any(c.dep_ == "cc" and c.lower_ == "than" and 0 < c.i < token.i
                   and any(g.lower_ == "rather" for g in (*c.children, doc[c.i - 1])) for c in token.head.children)
    if token.dep_ in ("pcomp", "pobj") and token.head.lower_ == "of":
        of = token.head
        return any(c.lower_ == "instead" for c in of.children) or (of.i > 0 and doc[of.i - 1].lower_ == "instead")
    return False


def _rejected_by_another(verb: Token, via: Token, subjects: set[str], token_names: dict[int, str]) -> bool:
    """Whether the one who rejects is not the claim's subject: the claim's subject is named in
    what is rejected ("it had rejected an earlier offer from Ararat Telecom": one does not
    reject one's own offer), or the verb's subject (or the agent of its passive) is another
    organisation ("the LSE rejected Deutsche Boerse's offer")."""
    if any(token_names.get(t.i) in subjects for t in via.subtree):
        return True
    actors = [c for c in verb.children if c.dep_ == "nsubj"]
    actors += [p for a in verb.children if a.dep_ == "agent" for p in a.children if p.dep_ == "pobj"]
    names = {_org_at(a, token_names) or _org_in_phrase(a, token_names) for a in actors} - {None}
    return bool(names) and not names & subjects


def is_unsaid(anchor: Token, cues: dict[str, Any]) -> bool:
    """"declined to comment on merger talks", "did not say whether it would buy X": a refusal
    to speak states no claim at all, neither affirmed nor negated (gold guidelines)."""
    speech = set(cues.get("withheld_speech", ()))
    token = anchor
    while token.head.i != token.i and token.dep_ not in ("conj", "appos") and not _relative(token):
        token = token.head
        if token.lemma_.lower() in speech and (
                _negated_here(token) or token.head.lemma_.lower() in cues["governors"]
                # "was unavailable for comment on the job cuts", "had no comment on the talks"
                or token.head.lower_ == "for" and token.head.head.lower_ == "unavailable"
                or any(c.dep_ == "det" and c.lower_ == "no" for c in token.children)):
            return True
    return False


def _clause_words(chain: list[Token]) -> list[str]:
    """The words attached to the trigger's clause (its chain and their direct dependents), in order."""
    tokens = {t.i: t for t in chain}
    for t in chain:
        for c in t.children:
            tokens.setdefault(c.i, c)
            if c.dep_ in ("prep", "advmod", "npadvmod"):
                for g in c.children:
                    tokens.setdefault(g.i, g)
    return ["because" if _causal_due(tokens[i]) else tokens[i].lower_ for i in sorted(tokens)]


def _causal_due(token: Token) -> bool:
    """"due to" a cause ("a 3% fall in profits due to waning demand"), not "due to" happen
    ("is due to open a plant"): the cause's "to" has a noun, the schedule's an infinitive."""
    return token.lower_ == "due" and any(
        c.lower_ == "to" and any(g.dep_ == "pobj" for g in c.children) for c in token.children)


def read_modality(chain: list[Token], cues: dict[str, Any]) -> str:
    """hedged > planned > reported > asserted, from the cues that govern the trigger's clause."""
    chain = _own_tense(chain)
    chain = chain[: next((k + 1 for k, t in enumerate(chain) if _reduced_relative(t)), len(chain))]
    aux = {c.lower_ for t in chain for c in t.children if c.dep_ in ("aux", "auxpass")}
    above = governors(chain[0])
    # "set up a fund", "set aside money", "new rules set compensation at ..." plan nothing ("is
    # set to" does; "gearing up to" does too); "sought bankruptcy protection" is a filing.
    cue_tokens = [t for t in [*chain, *above]
                  if not (t.lemma_.lower() == "set" and not any(c.dep_ == "xcomp" for c in t.children))
                  and not (t.lemma_.lower() == "seek" and any(c.dep_ == "dobj" and c.lower_ == "protection"
                                                               for c in t.children))
                  and not _causal_due(t)]
    lemmas = {t.lemma_.lower() for t in cue_tokens}
    # The small model's lemmatizer errs on cue verbs too ("is hoping to expand" -> "hop"):
    # a listed governor counts by its inflected forms as well.
    lemmas |= {lemma for t in cue_tokens for lemma in _cue_forms(cues).get(t.lower_, ())}
    words = _clause_words(chain)

    def has_phrase(phrases: list[list[str]]) -> bool:
        return any(words[i : i + len(p)] == p for p in phrases for i in range(len(words)))

    hedge_aux = {c.lower_ for t in above for c in t.children if c.dep_ in ("aux", "auxpass")}
    if chain[0].lemma_.lower() in cues["planned_governors"] and chain[0] in cue_tokens:
        lemmas.add(chain[0].lemma_.lower())  # the trigger itself is a plan ("planning a factory")
    # "the possible takeover of the LSE": the noun itself is qualified as uncertain; so is what
    # a copula says its subject is ("X is the most likely bidder").
    nouns = [chain[0], *(c for c in chain[0].children if c.dep_ == "attr" and chain[0].lemma_ == "be")]
    hedged_adjective = any(c.dep_ == "amod" and c.lower_ in _HEDGED_ADJECTIVES for n in nouns for c in n.children)
    if (aux | hedge_aux) & set(cues["hedged_aux"]) or set(words) & set(cues["hedged_words"]) \
            or lemmas & set(cues["hedged_governors"]) or _hearsay_or_condition(chain, above, cues) or hedged_adjective:
        return "hedged"
    # "its planned takeover of X": the noun itself is qualified as a plan.
    planned_adjective = any(c.dep_ == "amod" and c.lemma_.lower() in cues["planned_governors"] for c in chain[0].children)
    # "Kirin is launching its own drink in April": a launch in the present progressive is arranged;
    # "Wanadoo has announced it is launching ..." reports the announcement (real-news gold).
    announced = _announced_clause(chain[0], above)
    scheduled = chain[0].tag_ == "VBG" and chain[0].lemma_.lower() in cues["scheduled_verbs"] and not announced \
        and any(c.dep_ == "aux" and c.lemma_ == "be" and c.tag_ in ("VBZ", "VBP") for c in chain[0].children)
    if (aux | hedge_aux) & set(cues["planned_aux"]) or lemmas & set(cues["planned_governors"]) \
            or has_phrase(cues["planned_phrases"]) or planned_adjective or _purpose_of_deal(chain, cues) or scheduled \
            or _subject_of_talks(chain):
        return "planned"
    reporting = set(cues["reported_verbs"])
    if any(t.lemma_.lower() in reporting for t in above) or _reported_aside(chain, above, reporting) \
            or has_phrase(cues["reported_phrases"]) or _said_around_relative(above or chain, reporting) or announced:
        return "reported"
    return "asserted"


def _announced_clause(anchor: Token, above: list[Token]) -> bool:
    """The trigger's clause is what an organisation announced or revealed ("Oracle has announced
    it is cutting 5,000 jobs", "announced it was installing wi-fi"): reported in the real-news
    gold, unless a plan is said in it ("announced it would introduce" stays planned). The
    announcement's own object ("announced a record profit") is no clause and stays asserted."""
    return any(upper.lemma_.lower() in ("announce", "reveal") and lower.dep_ == "ccomp"
               for lower, upper in zip([anchor, *above], above))


_MODALITY_STRENGTH = {"asserted": 0, "reported": 1, "planned": 2, "hedged": 3}
_HEDGED_ADJECTIVES = frozenset({"possible", "potential", "mooted", "rumoured", "rumored", "speculated", "likely",
                                "probable"})


def _cue_forms(cues: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """{inflected form: the modality governors it is a form of} ("hoping" -> hope)."""
    return _cue_forms_of(frozenset(cues["hedged_governors"]) | frozenset(cues["planned_governors"]))


@lru_cache(maxsize=4)
def _cue_forms_of(governors: frozenset[str]) -> dict[str, tuple[str, ...]]:
    irregular = load_json("claim_rules.json")["irregular_verbs"]
    out: dict[str, set[str]] = {}
    for lemma in governors:
        for form in inflections(lemma, irregular):
            out.setdefault(form, set()).add(lemma)
    return {form: tuple(sorted(lemmas)) for form, lemmas in out.items()}


def _own_tense(chain: list[Token]) -> list[Token]:
    """The chain up to a finite conjoined verb, which carries its own tense and auxiliaries: in
    "is to buy ten jets and has the option to buy twenty more" the option is held now, not planned."""
    for k, token in enumerate(chain[:-1]):
        if token.dep_ == "conj" and token.tag_ in ("VBZ", "VBD", "VBP"):
            return chain[: k + 1]
    return chain


def _said_around_relative(tokens: list[Token], reporting: set[str]) -> bool:
    """A relative clause inside a reported one is reported too ("the Kremlin said the $6bn which
    VEB lent Rosneft came from Chinese banks"), although its head's verb does not govern it."""
    top = tokens[-1]
    if not _relative(top):
        return False
    start = top.left_edge.i
    if start > 0 and top.doc[start - 1].text in ("-", "–", "—", "("):
        return False  # "challenge Disney - which in 2004 reported revenues of $30bn -": the writer's aside
    token = top.head
    while token.head.i != token.i:
        if token.head.lemma_.lower() in reporting:
            # "Ford, which posted a drop in sales, said ...": a clause about the speaker is not
            # part of what is said; only one inside the reported clause is.
            return token.dep_ not in ("nsubj", "nsubjpass")
        token = token.head
    return False


def _hearsay_or_condition(chain: list[Token], above: list[Token], cues: dict[str, Any]) -> bool:
    """"X is understood / thought / said to be in talks", or a claim inside a condition
    ("if regulators approve, X would buy Y"): the writer does not vouch for it."""
    hearsay = set(cues.get("hedged_passive_governors", ()))
    conditions = set(cues.get("conditional_marks", ()))
    for token in [*chain, *above]:
        if token.lemma_.lower() in hearsay and (any(c.dep_ == "auxpass" for c in token.children)
                                                 or _passive_participle(token)) \
                and any(c.dep_ in ("xcomp", "ccomp") for c in token.children):
            return True
        for clause in (token, *(c for c in token.children if c.dep_ == "advcl")):
            if clause.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in conditions for c in clause.children):
                return True
    return False


_TALKS = frozenset({"talk", "talks", "negotiation", "negotiations"})


def _subject_of_talks(chain: list[Token]) -> bool:
    """"in tough talks with unions about trimming jobs", "negotiations over a sale of X": what
    the talks are about is planned, as "in talks to" is."""
    return any(token.pos_ == "NOUN" and token.lower_ in _TALKS and any(
        below.dep_ == "prep" and below.lower_ in ("about", "over", "on") for below in chain[:k])
        for k, token in enumerate(chain))


def _passive_participle(token: Token) -> bool:
    """A participle describing a noun, "the company originally **tipped** to buy X", which the
    small parser reads as a reduced relative or, with the noun as its subject, a relative clause
    in the past tense; no auxiliary and no object either way."""
    if token.tag_ == "VBN" and _reduced_relative(token):
        return True
    return token.dep_ == "relcl" and token.tag_ in ("VBN", "VBD") and not any(
        c.dep_ in ("dobj", "aux", "auxpass", "mark") or c.lower_ in _RELATIVE_PRONOUNS for c in token.children)


def _purpose_of_deal(chain: list[Token], cues: dict[str, Any]) -> bool:
    """"signed a deal to supply gas", "a bid to buy X": the infinitive names what the deal is to bring."""
    nouns = set(cues.get("purpose_nouns", ()))
    for token in chain:
        if token.dep_ in ("acl", "relcl") and token.head.lemma_.lower() in nouns and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
            return True
    return False


def find_attribution(chain: list[Token], token_names: dict[int, str], subjects: list[str],
                     cues: dict[str, Any]) -> tuple[str | None, Token | None]:
    """(who the claim is attributed to, the token naming them): the speaker of a reporting verb
    governing the claim or appended to it ("X said", "..., X told reporters"), or the one named
    after "according to". A pronoun or "the company" as speaker is the claim's own subject."""
    reporting = set(cues["reported_verbs"])
    above = governors(chain[0])
    speakers: list[Token] = []
    for token in [*chain, *above]:
        if token.lemma_.lower() in reporting and token is not chain[0]:
            # "X opened a plant and said it would ...": a conjoined verb shares its head's subject.
            speaker_of = token.head if token.dep_ == "conj" and not any(
                c.dep_ in _SUBJECT_DEPS for c in token.children) else token
            speakers.extend(c for c in speaker_of.children if c.dep_ in ("nsubj", "nsubjpass"))
        for child in token.children:
            if _is_aside(child) and child.lemma_.lower() in reporting and child.i > chain[0].i:
                speakers.extend(c for c in child.children if c.dep_ == "nsubj")
            if child.lower_ == "according":
                speakers.extend(p for to in child.children for p in to.children if p.dep_ == "pobj")
            if child.dep_ == "prep" and any(g.lower_ == "according" for g in child.children):
                speakers.extend(p for p in child.children if p.dep_ == "pobj")
    for speaker in speakers:
        name = _org_at(speaker, token_names)
        if name:
            return name, speaker
        if speaker.lower_ in load_claim_rules().pronouns or speaker.lower_ in _descriptors():
            return (subjects[0] if subjects else None), speaker
        person = next((e for e in speaker.doc.ents if e.label_ == "PERSON" and e.start <= speaker.i < e.end), None)
        if person is not None:
            return person.text, speaker
        if speaker.pos_ in ("NOUN", "PROPN"):
            return _phrase(speaker, 8), speaker
    return None, None


def _is_aside(clause: Token) -> bool:
    """A clause appended to another as an aside (", the company said"), which the small parser
    labels parataxis, ccomp or, after a comma with no conjunction, conj. Not advcl: ", claiming
    that ..." gives a reason, it does not attribute the claim; nor "... and said": a new statement."""
    if clause.dep_ in ("parataxis", "ccomp"):
        return True
    return clause.dep_ == "conj" and clause.left_edge.i > 0 and clause.doc[clause.left_edge.i - 1].text == "," \
        and not any(c.dep_ == "cc" for c in clause.head.children if c.i < clause.i)


def _reported_aside(chain: list[Token], above: list[Token], reporting: set[str]) -> bool:
    """"..., the company said." attached under the claim's own clause (not as a conjunct)."""
    for token in [*chain, *above]:
        for child in token.children:
            # Not advcl: ", claiming that ..." gives a reason, it does not attribute the claim.
            if _is_aside(child) and child.lemma_.lower() in reporting and child.i > chain[0].i:
                return True
            if child.lower_ == "according" or any(g.lower_ == "according" for g in child.children if child.dep_ == "prep"):
                return True
    return False


# --- extraction -------------------------------------------------------------------------

def extract_claims(
    doc: Doc, matcher: TriggerMatcher, span_names: dict[tuple[int, int], str],
    countries: Countries | None = None,
) -> list[Claim]:
    """Every claim of the document, one per (subject, type, object). `countries` (where each
    organisation is based, what country each place token names) lets a description ("the German
    firm") find the organisation it describes."""
    rules = load_claim_rules()
    token_names = {i: name for (start, end), name in span_names.items() for i in range(start, end)}
    countries = countries or Countries({}, {})
    found: dict[tuple[str, str, str | None], Claim] = {}
    # The subject of the last claim found in an earlier sentence (matches come in document
    # order; a claim of the same sentence is no antecedent: in "it was to sell its unit to Y",
    # Y's purchase does not make Y the seller).
    last_subject: tuple[int, str] | None = None
    discourse = Discourse.read(doc, token_names, countries, rules)
    for match_id, start, end in matcher(doc):
        rule = rules.rules[doc.vocab.strings[match_id]]
        match = doc[start:end]
        anchor = match[min(rule.anchor, len(match) - 1)]
        if anchor.i + 2 < match.end and doc[anchor.i + 1].tag_ == "HYPH":
            anchor = doc[anchor.i + 2]  # "tie-up": the hyphenated word's head is its last part
        sent = anchor.sent
        if anchor.i in token_names:
            continue  # a word of an organisation's name ("Shareholders United", "Merger Partners") is no event
        if not rule_applies(rule, anchor):
            continue
        chain = clause_chain(anchor)
        subject_tokens, how = find_subjects(chain)
        if not subject_tokens and rule.object_owner_acts:
            owner = _owner_of_object(anchor)
            if owner is not None:
                subject_tokens, how = _with_conjuncts(owner), "possessive"
        if not subject_tokens and rule.parties_of:
            parties = _coordinated_after_of(anchor, token_names)
            if parties:
                subject_tokens, how = parties, "prepositional"
        if rule.subject_only and how not in rule.subject_only:
            continue
        subjects = list(dict.fromkeys(n for n in (_org_at(t, token_names) for t in subject_tokens) if n
                                      and not (how == "speaker" and _reports_others_figures(n, rules))))
        owned: str | None = None
        recipient: str | None = None
        if rule.subject_from == "owner":
            # "Chrysler, the US unit of DaimlerChrysler": the owner invests in the unit named.
            relation = _unit_relation(anchor, token_names)
            if relation is None:
                continue
            subjects, how = [relation[0]], "prepositional"
            owned = relation[1]
        elif rule.subject_from:
            if rule.subject_from == "appos" and any(c.lower_ in _FORMER for c in anchor.children):
                continue  # "Yukos, Yugansk's former owner": owns it no longer
            # "sell X to Y": Y is the one acting (the buyer); the seller's subject is not.
            found_from = (_org_in_apposition(anchor, token_names) if rule.subject_from == "appos"
                          else _org_after_preposition(anchor, rule.subject_from, token_names))
            if found_from is None:
                continue
            if rule.object_from_subject and len(subjects) == 1:
                recipient = subjects[0]  # "Rosneft received $6bn from CNPC": CNPC invests in Rosneft
            elif rule.object_from_subject and subject_tokens and not subjects \
                    and not _anaphoric(subject_tokens[0], rules.pronouns):
                continue  # "Blu-ray has won backing from studios such as X": a format backed, no one invested in
            # "from Brixa Bank and Corvane Capital": each organisation coordinated there.
            subjects, how = list(dict.fromkeys([found_from[0], *(n for t in found_from[1].conjuncts
                                                                 if (n := _org_at(t, token_names)))])), "prepositional"
        elif not subjects and rule.subject_in_phrase and subject_tokens and rule.type == "leadership_change" \
                and (role := _org_in_role(anchor, token_names)):
            # "Nissan chairman Carlos Ghosn is to succeed Mr Schweitzer at the head of Renault":
            # the post's organisation changes leader, not the one the person is described by.
            subjects, how = [role], "phrase"
        elif not subjects and rule.subject_in_phrase and subject_tokens and not _outsider(subject_tokens[0]):
            name = _org_in_phrase(subject_tokens[0], token_names)
            if name:
                subjects, how = [name], "phrase"
        certainty = {"subject": 0.85, "agent": 0.85, "possessive": 0.8, "prepositional": 0.8, "relative": 0.75,
                     "phrase": 0.7}.get(how, 0.6)
        if not subjects and rule.subject_in_phrase and not (
                subject_tokens and (subject_tokens[0].ent_type_ in ("GPE", "LOC", "NORP") or _outsider(subject_tokens[0]))):
            # "X has been appointed managing director of Crestwave Bank": the role names the
            # organisation. ("Ukraine ousted its leader and wants closer EU links": a country acts.)
            name = _org_in_phrase(anchor, token_names)
            if name:
                subjects, how = [name], "phrase"
        if not subjects and subject_tokens and how == "subject" and chain[-1].dep_ == "ccomp" \
                and any(c.dep_ == "aux" and c.lower_ == "to" for c in chain[-1].children):
            continue  # "X wants it to buy Y rather than ...": a wish about someone else's act, no claim
        if how == "described":
            described = countries.described_by(subject_tokens[0]) if subject_tokens else frozenset()
            found_described = countries.antecedent(subject_tokens[0], described, token_names, rules) if described else None
            subjects, certainty = ([found_described], 0.6) if found_described else ([], certainty)
        elif not subjects and subject_tokens and (_anaphoric(subject_tokens[0], rules.pronouns) or (
                _definite(subject_tokens[0]) and discourse.named_kind(subject_tokens[0]) is not None)):
            # "The CMA said it would ...", "It will build ...", "They said ...": `Discourse.resolve`.
            # "Kestrel called off its merger with Halden": the possessor is the clause's own subject.
            resolved = discourse.resolve(subject_tokens[0], chain[-1], how, last_subject)
            if resolved:
                subjects, certainty = resolved, 0.6
        if not subjects and subject_tokens and how in ("subject", "relative", "agent"):
            subjects = _named_members(subject_tokens[0], token_names)
        if rule.members_act and (members := _named_members(anchor, token_names)):
            subjects, how = members, "members"  # the members listed act, not the clause's subject
        if not subjects or (rule.together and len(subjects) < 2):
            continue
        attributed, _ = find_attribution(chain, token_names, subjects, rules.modality)
        if any(rules.is_news_organisation(s) for s in subjects):
            # "<paper> reported a takeover of X": the subject came from the reporting verb, so the
            # news organisation is the claim's source, not its subject. ("<paper> said it would cut
            # jobs" is about the paper itself: there the claim's clause has its own subject.)
            reporting_top = len(chain) > 1 and chain[-1].lemma_.lower() in rules.modality["reported_verbs"]
            subjects = [s for s in subjects if not (rules.is_news_organisation(s) and reporting_top)]
            if not subjects:
                continue
        obj, obj_is_org, obj_token = find_object(anchor, set(subjects), token_names)
        if recipient is not None and recipient not in subjects:
            obj, obj_is_org, obj_token = recipient, True, None
        elif owned is not None:
            obj, obj_is_org, obj_token = owned, True, None
        elif how == "members" and (holder := _holder_of(anchor, token_names, set(subjects))):
            obj, obj_is_org, obj_token = holder, True, None  # "United Bank has foreign investors, including X"
        elif how == "agent" and anchor.pos_ == "NOUN" and (
                possessor := next((n for c in anchor.children if c.dep_ == "poss"
                                   if (n := _org_at(c, token_names)) and n not in subjects), None)):
            obj, obj_is_org, obj_token = possessor, True, None  # "P&O Princess's takeover by Carnival"
        elif obj is None and anchor.dep_ == "compound":
            # "the parent company of Skyward": the phrase the trigger qualifies holds the object.
            obj, obj_is_org, obj_token = find_object(anchor.head, set(subjects), token_names)
        if rule.object == "organisation" and not obj_is_org and not (
                rule.type == "partnership" and len(subjects) > 1 and _says_what_kind(anchor, how)) and not (
                rule.type == "merger" and len(subjects) > 1 and anchor.pos_ in ("VERB", "AUX")):
            continue  # "X and Y will combine": organisations named together are each other's object
        if rule.object == "not_organisation" and _buys_an_organisation(match, token_names):
            continue  # "agreed to buy Halden Systems" is an acquisition, not a purchase commitment
        if rule.object == "direct_organisation":
            direct = _direct_object_org(anchor, token_names, set(subjects))
            if direct is None:
                continue  # "buy frames from Heller" is not buying Heller
            obj, obj_is_org, obj_token = direct, True, None
        if rule.object == "named":
            direct = _direct_object_org(anchor, token_names, set(subjects))
            if direct is not None:
                obj, obj_is_org, obj_token = direct, True, None
            elif not _owned_is_named(anchor):
                continue  # "net addresses owned by a ministry": no organisation owned
        if rule.subject_kind == "regulator":
            described = subject_tokens[0] if subject_tokens else None
            subjects = [s for s in subjects if rules.is_regulator(s, described)]
            if not subjects:
                # "won approval for the product from the FDA": the regulator named after from/by.
                for preposition in ("from", "by"):
                    found_by = _org_after_preposition(anchor, preposition, token_names)
                    if found_by and rules.is_regulator(found_by[0]):
                        subjects, certainty = [found_by[0]], 0.7
                        break
        elif rule.subject_kind == "court":
            subjects = [s for s in subjects if rules.is_court(s)]
        elif rule.type in rules.commercial_types:
            subjects = [s for s in subjects if not rules.bars_commerce(s)]
        if not subjects:
            continue
        if obj_token is not None and obj_token.lemma_.lower() in rule.object_not:
            continue
        if _wrong_kind_of_argument(rule, anchor):
            continue
        if rule.type == "financial_result" and _observers_forecast(anchor):
            continue  # "Analysts predict the firm is likely to report a drop": their forecast, not a result
        if rule.type == "supply" and obj is None and anchor.pos_ == "VERB":
            continue  # "Foxconn builds" without a thing built is no supply claim
        if rule.id == "supply-verb" and not obj_is_org and not _names_a_customer(anchor, sent, token_names, subjects):
            continue  # "Sony and Honda have built robots": making things supplies no one named
        if is_unsaid(anchor, rules.negation):
            continue
        polarity = "negated" if is_negated(chain, match, rules.negation, subjects, token_names) else "affirmed"
        if rule.denial:
            # "denied that they conspired": what is denied did not happen, in the speaker's words;
            # "did not deny that ..." leaves it standing.
            polarity = "affirmed" if polarity == "negated" else "negated"
        modality = read_modality(chain, rules.modality)
        if len(chain) == 1 and anchor.pos_ == "NOUN" and anchor.dep_ in ("nsubj", "nsubjpass"):
            # "The merger of X and Y is to go ahead", "the deal is expected to close": an event
            # noun as subject takes the modality of what its clause says of it.
            verb = next((c for c in anchor.head.children if c.dep_ == "xcomp"), anchor.head)
            said = read_modality(clause_chain(verb), rules.modality)
            if _MODALITY_STRENGTH[said] > _MODALITY_STRENGTH[modality]:
                modality = said
        if _not_ruled_out(anchor) and _MODALITY_STRENGTH["hedged"] > _MODALITY_STRENGTH[modality]:
            modality = "hedged"  # "did not rule out raising rates": it may
        if owned is not None and anchor.dep_ != "attr":
            # "a bid for Yukos unit Yuganskneftegas": the phrase describes who owns the unit;
            # the plan around it is about the bid, not the ownership.
            polarity, modality = "affirmed", "asserted"
        if rule.modality_floor and (polarity == "affirmed" or rule.denial) \
                and not any(c.lower_ in rule.floor_not_with for c in anchor.children) \
                and _MODALITY_STRENGTH[modality] < _MODALITY_STRENGTH[rule.modality_floor]:
            modality = rule.modality_floor
        evidence = sent.text.strip()
        offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        co_subjects = subjects if len(subjects) > 1 else []
        claim_type = rule.type
        if claim_type == "acquisition" and any(
                c.dep_ == "dobj" and c.lemma_.lower() not in {"%", "percent", "share", "stake"} | _BUSINESSES_BOUGHT
                and any(t.i in token_names for t in c.subtree)
                and any(n.dep_ == "nummod" and n.like_num for n in c.children)
                for c in anchor.children):
            claim_type = "purchase_commitment"  # "will buy 15 new ATR 72-500": goods named after their maker
        if claim_type == "purchase_commitment" and any(c.dep_ == "dobj" and c.lemma_.lower() in _STAKE_NOUNS
                                                       for c in match[-1].children):
            claim_type = "investment"  # "agreed to buy Alfa-Eco's stake in Sun Interbrew": a share of a company
        if claim_type == "investment" and _controlling_stake(anchor):
            claim_type = "acquisition"  # "bought a majority stake in X": control of X is bought
        if claim_type == "market_entry_exit" and anchor.lemma_.lower() == "launch" and subject_tokens \
                and subject_tokens[0].pos_ == "NOUN" and subject_tokens[0].i not in token_names \
                and subject_tokens[0].lemma_.lower() not in _descriptors() | _BUSINESS_NOUNS | set(rules.pronouns):
            claim_type = "product_launch"  # "Nintendo's new console will launch in Europe": the product launches
        if rule.minority_as is not None and ((_share_bought(anchor) or 100.0) < 50 or _minority_stake(anchor) or any(
                c.dep_ in ("prep", "prt") and c.lower_ in rule.minority_prepositions for c in anchor.children)):
            claim_type = rule.minority_as  # "looking to buy 15% of X" is an investment in X
        targets = [(obj, obj_is_org)]
        if rule.members_object:
            # "Its customers include Boots, Burberry and Mothercare": one claim per member named.
            members = [m for m in _named_members(anchor, token_names) if m not in subjects]
            if not members:
                continue
            targets = [(m, True) for m in members]
        for subject, (target, target_is_org) in ((s, t) for s in subjects for t in targets):
            others = [s for s in co_subjects if s != subject]
            if claim_type in ("partnership", "merger") and others and not target_is_org:
                # "OpenAI and Foxconn formed a partnership": each is the other's partner.
                target, target_is_org = others[0], True
            claim = Claim(
                subject=subject, type=claim_type, object=target, object_is_organisation=target_is_org,
                polarity=polarity, modality=modality, evidence=evidence,
                start=offset, end=offset + len(evidence),
                confidence=round(min(0.95, certainty + (0.05 if target_is_org else 0.0)), 3), rule=rule.id,
                attributed_to=attributed,
            )
            key = (subject, claim_type, target)
            kept = found.get(key)
            # One claim per (subject, type, object): a negation anywhere wins, then certainty.
            if kept is None or (claim.polarity, claim.confidence) > (kept.polarity, kept.confidence):
                found[key] = claim
        last_subject = (sent.start, subjects[0])
    return sorted(_other_only_when_untyped(_one_per_described_event(found.values())), key=lambda c: (c.start, c.subject, c.type))


@dataclass(frozen=True)
class Countries:
    """Where the document's organisations are based (headquarters ties, reference data) and the
    country each place token names, for descriptions that say a nationality: "**The German firm**
    wanted to buy Fiat outright" is the German organisation named last, not whichever
    organisation was the previous sentence's subject."""

    organisations: dict[str, frozenset[str]]  # name -> countries
    places: dict[int, str]  # token index -> country

    def based(self, name: str) -> frozenset[str]:
        return self.organisations.get(name, frozenset())

    def described_by(self, token: Token) -> frozenset[str]:
        """Countries a definite description names: "the German lender", "the US firm", "the
        Russian oil giant", "the London exchange". None for a pronoun or a bare "the company"."""
        if token.lower_ not in _descriptors() or not any(c.lower_ == "the" for c in token.children):
            return frozenset()
        words = [t for c in token.children if c.dep_ in ("amod", "compound", "nmod") for t in c.subtree]
        found = set(demonym_countries(t.text for t in words))
        found.update(self.places[t.i] for t in words if t.i in self.places)
        return frozenset(found)

    def antecedent(self, token: Token, described: frozenset[str], token_names: dict[int, str],
                   rules: ClaimRules) -> str | None:
        """The organisation named last before the description that is based where it says."""
        seen: list[str] = []
        for i in sorted((i for i in token_names if i < token.i), reverse=True):
            name = token_names[i]
            if name not in seen and not rules.is_news_organisation(name):
                seen.append(name)
        return next((n for n in seen if self.based(n) & described), None)


@dataclass
class Discourse:
    """Who is in focus where in one document, read once, for the organisation a pronoun or a
    description stands for: the rules resolve a trigger's anaphoric subject with it. (The claim
    detector's candidates still take the previous sentence's subject: resolving them here was
    measured and scored lower, docs/claims.md "Stop 22".)"""

    token_names: dict[int, str]
    countries: Countries
    rules: ClaimRules
    sentence_subject: dict[int, str] = field(default_factory=dict)  # sentence start -> its organisation subject
    sentence_group: dict[int, list[str]] = field(default_factory=dict)  # coordinated organisation subjects
    described_group: set[int] = field(default_factory=set)  # sentences whose subject is "the companies"
    place_subject: set[int] = field(default_factory=set)  # sentences whose subject is a country or place
    # Per sentence: the organisations it names (news organisations left out) and how often each
    # was named up to there, for "it" after a sentence that names organisations but not as subject.
    sentence_orgs: dict[int, list[str]] = field(default_factory=dict)
    named_so_far: dict[int, dict[str, int]] = field(default_factory=dict)
    previous_start: dict[int, int] = field(default_factory=dict)
    # Sentence start -> the organisation it is about: its organisation subject, or for a subject
    # "The firm" / "It" the last organisation subject before ("The firm, listed on the LSE,
    # said ... It said ..." stays with the firm, not the exchange named in passing).
    focus: dict[int, str] = field(default_factory=dict)
    kind_words: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # `_kind_words`
    introduced: set[str] = field(default_factory=set)  # nouns names were introduced with ("administrator")

    @classmethod
    def read(cls, doc: Doc, token_names: dict[int, str], countries: Countries, rules: ClaimRules) -> Discourse:
        found = cls(token_names, countries, rules)
        found.kind_words, found.introduced = _kind_words(doc, token_names, rules)
        running: dict[str, int] = {}
        last_start: int | None = None
        latest_focus: str | None = None
        # Each mention under its sentence once (a run of tokens of one name is one mention; not
        # a scan of every name per sentence: long pages).
        names_by_sentence: dict[int, list[str]] = {}
        for i in sorted(token_names):
            name = token_names[i]
            if token_names.get(i - 1) != name and not rules.is_news_organisation(name):
                names_by_sentence.setdefault(doc[i].sent.start, []).append(name)
        for sent in doc.sents:
            if last_start is not None:
                found.previous_start[sent.start] = last_start
            last_start = sent.start
            names_here = names_by_sentence.get(sent.start, [])
            for name in names_here:
                running[name] = running.get(name, 0) + 1
            found.sentence_orgs[sent.start] = list(dict.fromkeys(names_here))
            found.named_so_far[sent.start] = dict(running)
            # The organisation in focus: a news agency reporting the story is never an antecedent.
            subj_here = [t for t in sent if t.dep_ in _SUBJECT_DEPS and t.i in token_names
                         and not rules.is_news_organisation(token_names[t.i])]
            first_subject = next((t for t in sent if t.dep_ in _SUBJECT_DEPS), None)
            if first_subject is not None and first_subject.tag_ == "NNS" and first_subject.lemma_.lower() in _descriptors():
                found.described_group.add(sent.start)
            if first_subject is not None and first_subject.ent_type_ in ("GPE", "LOC") and first_subject.i not in token_names:
                found.place_subject.add(sent.start)
            if not subj_here and first_subject is not None and first_subject.i not in token_names \
                    and first_subject.lower_ not in _PLURAL_PRONOUNS and _anaphoric(first_subject, rules.pronouns) \
                    and latest_focus is not None:
                found.focus[sent.start] = latest_focus
            if not subj_here and first_subject is not None:
                # "A spokeswoman for Hanover Re estimated ...": the organisation its voice speaks for.
                voice = _voice_of(first_subject, token_names)
                if voice is not None and not rules.is_news_organisation(token_names[voice.i]):
                    subj_here = [voice]
            if not subj_here and first_subject is not None and _definite(first_subject) \
                    and (kind := found.named_kind(first_subject)) is not None:
                # "The administrator told reporters ... It said ...": the organisation it describes.
                found.sentence_subject[sent.start] = found.focus[sent.start] = latest_focus = kind
            if subj_here:
                found.sentence_subject[sent.start] = found.focus[sent.start] = latest_focus = token_names[subj_here[0].i]
                # "X and Y agreed to merge. They said ...": only coordinated organisations are a "they".
                group = list(dict.fromkeys(token_names[t.i] for t in _with_conjuncts(subj_here[0]) if t.i in token_names))
                if len(group) > 1:
                    found.sentence_group[sent.start] = group
        return found

    def resolve(self, pronoun: Token, clause: Token, how: str,
                last_subject: tuple[int, str] | None = None) -> list[str]:
        """The organisations an anaphoric subject ("it", "its", "they", "the company", "the German
        firm") stands for, [] when none is in focus. `clause` is the top of the clause that holds
        it; `how` "possessive" when it is a possessor; `last_subject` the (sentence start,
        subject) of the last claim found before, a last resort."""
        start = pronoun.sent.start
        token_names, rules, countries = self.token_names, self.rules, self.countries
        if pronoun.lower_ in _PLURAL_PRONOUNS:
            # "they" is the latest group of organisations named together as a subject, not any
            # single one (BBC style calls a company "it"; "they" is mostly people or governments).
            # Only while the group stays in focus: "Prosecutors wanted the firms to pay.
            # They brought the case ..." is the prosecutors.
            latest = max((k for k in self.sentence_group if k < start), default=None)
            if latest is not None and _group_in_focus(latest, start, self.previous_start, self.sentence_group[latest],
                                                      self.sentence_subject, self.described_group) \
                    and not _plural_subject_above(pronoun, token_names):
                return list(self.sentence_group[latest])
            return []
        kind = self.named_kind(pronoun)
        if kind is not None:
            return [kind]
        # "The CMA said it would ...": an organisation subject of a governing clause in the same
        # sentence; else ("It will build ...") the one in focus in the sentence before.
        described = countries.described_by(pronoun)
        fallback = countries.antecedent(pronoun, described, token_names, rules) if described else None
        fallback = fallback or \
            (_clause_subject(clause, token_names, before=pronoun.i) if how == "possessive" else None) \
            or _governing_subject(clause, token_names, before=pronoun.i)
        if fallback is None:
            fallback = _named_before(pronoun, token_names, rules, possessive=how == "possessive")
        if fallback is None and pronoun.lower_ in ("it", "its") and self.previous_start.get(start) in self.place_subject:
            return []  # "Iran - Opec's second-biggest producer - ... Under the agreement, it will supply India": the country
        if fallback is None and pronoun.lower_ in ("it", "its"):
            fallback = _in_focus(start, self.previous_start, self.focus, self.sentence_orgs, self.named_so_far)
        if fallback is None:
            previous = [s for s in self.sentence_subject.items() if s[0] < start]
            fallback = previous[-1][1] if previous else (
                last_subject[1] if last_subject is not None and last_subject[0] < start else None)
        if fallback and described and countries.based(fallback) and not countries.based(fallback) & described:
            return []  # "The German firm" is not the US company named last
        return [fallback] if fallback else []

    def named_kind(self, noun: Token) -> str | None:
        """The organisation named before a description whose name, or the noun it was introduced
        with, says the kind the description names: "The new airline would break even" after
        "Kingfisher Airlines", "the bank" after "Crestwave Bank", "The administrator said" after
        "administrators David Rubin & Partners". Only the specific kinds: "the company", "the
        group" and the other words of `pronouns` follow the focus instead."""
        word = noun.lower_
        if word in self.rules.pronouns or noun.tag_ != "NN" or word not in _descriptors() and word not in self.introduced \
                or any(c.lower_ == "central" for c in noun.children) or self.countries.described_by(noun):
            return None  # "the Nigerian central bank" is none of the banks named before it
        # Of several ("the bank" after Limpopo Mutual Bank and Marula Capital Bank), the one named
        # most so far, else first: the story's own, not one named in passing.
        kinds = list(dict.fromkeys(name for i, name in self.kind_words.get(word, ()) if i < noun.i))
        named = self.named_so_far.get(noun.sent.start, {})
        return max(kinds, key=lambda name: named.get(name, 0), default=None)


def _kind_words(doc: Doc, token_names: dict[int, str],
                rules: ClaimRules) -> tuple[dict[str, list[tuple[int, str]]], set[str]]:
    """({kind word: [(position, organisation), ...] in document order}, the introducing nouns):
    the words of each name ("airline" of "Kingfisher Airlines") and the lower-case noun it was
    introduced with ("administrator" of "administrators David Rubin & Partners"), singular.
    News organisations are left out."""
    found: dict[str, list[tuple[int, str]]] = {}
    introduced: set[str] = set()
    for i in sorted(token_names):
        name = token_names[i]
        if rules.is_news_organisation(name):
            continue
        words = [doc[i].lower_]
        if i > 0 and token_names.get(i - 1) != name and doc[i - 1].is_lower and doc[i - 1].pos_ == "NOUN":
            words.append(doc[i - 1].lower_)
            introduced |= {doc[i - 1].lower_.removesuffix("s"), doc[i - 1].lower_}
        for w in words:
            for kind in {w, w.removesuffix("es"), w.removesuffix("s")}:
                found.setdefault(kind, []).append((i, name))
    return found, introduced


_VOICES = frozenset({"spokesperson", "spokesman", "spokeswoman", "spokesmen", "spokeswomen"})


def _voice_of(subject: Token, token_names: dict[int, str]) -> Token | None:
    """The organisation token a spokesperson subject speaks for ("a spokeswoman for X", "X's
    spokesman", "a X spokesman"), else None."""
    if subject.lemma_.lower() not in _VOICES and subject.lower_ not in _VOICES:
        return None
    for child in subject.children:
        if child.dep_ in ("poss", "compound") and child.i in token_names:
            return child
        if child.dep_ == "prep" and child.lower_ in ("for", "of", "at"):
            return next((g for g in child.children if g.dep_ == "pobj" and g.i in token_names), None)
    return None


def _named_before(pronoun: Token, token_names: dict[int, str], rules: ClaimRules, *,
                  possessive: bool = False) -> str | None:
    """The one organisation named earlier in the pronoun's own sentence, outside the clause
    that holds the pronoun: "investors in Worldcom lost millions when **the company** filed for
    bankruptcy" is Worldcom, not the subject of the sentence before. None when two are named
    there (which one is meant is a guess) or the pronoun's clause is the main one ("Shares in X
    fell. **It** said ..." reads the sentence before). A possessive binds to the one named before
    it with no other subject between ("put pressure on X to look at sweetening **its** offer" is
    X's offer; "ahead of talks with X, the bourse said it may make **its** offer" is not X's)."""
    clause = pronoun.head
    if clause.dep_ not in _SUBORDINATE_DEPS and not possessive:
        return None
    if possessive:
        last_subject = max((t.i for t in pronoun.sent if t.i < pronoun.i and t.dep_ in _SUBJECT_DEPS), default=-1)
        candidates = [t for t in pronoun.sent if last_subject <= t.i < pronoun.i]
    else:
        candidates = [t for t in pronoun.sent if t.i < pronoun.i and t not in clause.subtree]
    names = {token_names[t.i] for t in candidates if t.i in token_names
             and not rules.is_news_organisation(token_names[t.i]) and not _modifier_name(t, token_names)}
    return names.pop() if len(names) == 1 else None


def _modifier_name(token: Token, token_names: dict[int, str]) -> bool:
    """A name used to qualify a noun ("**Douglas** County commissioners approved it after the
    company agreed ..."), or the employer of an outside observer ("analysts at **Fjordline
    Securities** said the combined company might ..."): not the organisation in focus."""
    if token.dep_ in ("compound", "amod") and token.head.i not in token_names:
        return True
    node = token
    while node.dep_ in ("compound", "flat", "conj", "appos") and node.head.i != node.i:
        node = node.head
    return node.dep_ == "pobj" and node.head.head.lemma_.lower() in _OBSERVERS


def _observers_forecast(anchor: Token) -> bool:
    """Whether the trigger is what outside observers forecast: "**Analysts predict** the firm is
    likely to report ...", "**according to analysts' forecasts**, X will report ...". The
    company's own forecast ("X forecast sales growth of 5%") is a claim about its results."""
    for verb in [anchor, *anchor.ancestors]:
        for child in verb.children:
            if child.dep_ == "nsubj" and child.lemma_.lower() in _OBSERVERS and verb is not anchor:
                return True
            if child.dep_ == "prep" and child.lower_ == "according":
                for phrase in child.subtree:
                    if phrase.lemma_.lower() in _OBSERVERS:
                        return True
    return False


# People who comment on an organisation from outside it; their employer is not the subject.
_OBSERVERS = frozenset({"analyst", "economist", "strategist", "broker", "lawyer", "expert", "researcher", "dealer",
                        "trader", "observer", "commentator", "consultant", "adviser", "advisor"})


# Clauses below another: "lost millions **when** the company filed", "shares rose **after** it said".
_SUBORDINATE_DEPS = frozenset({"advcl", "relcl", "ccomp", "conj", "acl"})


def _in_focus(start: int, previous_start: dict[int, int], sentence_subject: dict[int, str],
              sentence_orgs: dict[int, list[str]], named_so_far: dict[int, dict[str, int]]) -> str | None:
    """The antecedent of "it" from the sentence just before: its organisation subject; else, when
    it names organisations in other roles ("Analysts have seen SSL as a target. It sold off
    ..."), the one named most often so far (the story's subject wins over a passing mention).
    None when that sentence names no organisation. Not for descriptions ("the German firm"):
    their nationality or kind says more than salience, and the rules cannot check it."""
    before = previous_start.get(start)
    if before is None:
        return None
    if before in sentence_subject:
        return sentence_subject[before]
    named = sentence_orgs.get(before, [])
    if not named:
        return None
    counts = named_so_far[before]
    return max(named, key=lambda n: (counts.get(n, 0), -named.index(n)))


def _other_only_when_untyped(claims: list[Claim]) -> list[Claim]:
    """`other` is the catch-all: when a typed claim of the same subject reads the same event
    (same sentence, same object: "called on the US court to overturn its decision" is legal
    action), the `other` reading of it goes."""
    typed = {(c.subject, c.start, c.object) for c in claims if c.type != "other" and c.object is not None}
    return [c for c in claims if c.type != "other" or (c.subject, c.start, c.object) not in typed]


def _one_per_described_event(claims: Iterable[Claim]) -> list[Claim]:
    """Within one sentence, claims of one subject and type whose objects are descriptions rather
    than organisations ("reviewed the takeover ... would not challenge the deal") describe one
    event: keep one, a negation first, then the more certain reading."""
    kept: dict[tuple[Any, ...], Claim] = {}
    for claim in claims:
        key: tuple[Any, ...] = ((claim.subject, claim.type, claim.start) if not claim.object_is_organisation
                                else (claim.subject, claim.type, claim.object))
        other = kept.get(key)
        if other is None or (claim.polarity, claim.confidence) > (other.polarity, other.confidence):
            kept[key] = claim
    return list(kept.values())
