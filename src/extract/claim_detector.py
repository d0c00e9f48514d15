"""The learned claim detector: which claim types an organisation has in a sentence, beside the rules.

A small spaCy pipeline (a blank English tokenizer and a bag-of-words `textcat_multilabel`)
scores every (candidate organisation, sentence) pair of a parsed document for each claim
type. The candidates are the organisations named in the sentence and the antecedent of a
subject "it" / "the company". The pair is read as the sentence with the candidate masked
`_subj_`, other organisations `_org_`, numbers `_num_`, plus pseudo-words for where the
candidate stands in the parse (`pair_words`), so the model learns how an organisation's
events are told, not which companies had them. The rules keep the claims it agrees with;
the detector then

- **vetoes** an affirmed rule claim whose (subject, type) scores very low in every sentence
  of the article (a trigger that over-fires: "announced a record profit" as a product launch), and
- **proposes** a claim for an (organisation, type) whose best pair scores at or above the
  cut-off when the rules found no claim of that (subject, type) in the article. Object,
  polarity and modality of a proposed claim come from the parse and the cue lists, exactly
  as for a rule claim (`dossier.extract.claims`), read at the candidate's own event
  (`candidate_event`: its verb, the noun it owns, the word its "with" phrase hangs from);
  when that reading is in doubt nothing is proposed. Only subject and type are learned.

The shipped model (trained on every annotated article) and the five fold models (each
trained without one fold of the real-news evaluation) live under models/claim_detector/,
with the thresholds chosen by cross-validation in `detector.json`. `make train` rebuilds
them (dossier.training.claim_detector).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from dossier.errors import UsageError
from dossier.extract.claims import (
    _descriptors,
    _org_at,
    clause_chain,
    find_object,
    is_negated,
    is_unsaid,
    load_claim_rules,
    read_modality,
)
from dossier.extract.gazetteer import load_gazetteer
from dossier.records import Claim

DETECTOR_FOLDER = "claim_detector"
META_FILE = "detector.json"
# Stands in for every organisation name, in training and at run time alike.
ORG_MASK = "_org_"
NUMBER_MASK = "_num_"
PROPOSED_RULE = "detector"
_SUBJECT_DEPS = ("nsubj", "nsubjpass")


class DetectorMissing(UsageError, RuntimeError):
    """The claim detector's files are not where the models package says they are."""


@dataclass(frozen=True)
class DetectorThresholds:
    """Probability cut-offs, chosen by cross-validation over the real-news folds."""

    propose: float  # an (organisation, type) whose best pair scores at least this is proposed
    veto: float  # an affirmed rule claim whose (subject, type) scores below this everywhere is dropped
    propose_types: frozenset[str]  # types the detector may propose (chosen on held-out folds)
    # Propose for an organisation wherever it stands (a partner in "with X", a possessor, ...),
    # not only as its clause's subject: its event is read at the word that governs it.
    any_position: bool = False


@dataclass(frozen=True)
class Pair:
    """One (candidate organisation, sentence) pair and the words the model reads for it."""

    candidate: Candidate
    sent: Span
    words: tuple[str, ...]


def document_pairs(sents: list[Span], token_names: dict[int, str]) -> list[Pair]:
    """Every (candidate, sentence) pair of a document, in document order."""
    rules = load_claim_rules()
    pairs = []
    previous: str | None = None
    for index, sent in enumerate(sents):
        for candidate in sentence_candidates(sent, index, token_names, previous):
            words = pair_words(sent, candidate, token_names, previous)
            pairs.append(Pair(candidate, sent, tuple(words)))
        named = _named_subject(sent, token_names)
        # A news organisation that reports is never the antecedent of "it" / "the company"
        # (the rules' reading, docs/claims.md item 9).
        if named is not None and not rules.is_news_organisation(named):
            previous = named
    return pairs


class ClaimDetector:
    """A trained pair classifier and its thresholds."""

    def __init__(self, nlp: Language, thresholds: DetectorThresholds) -> None:
        self.nlp = nlp
        self.thresholds = thresholds
        self.labels: tuple[str, ...] = tuple(nlp.get_pipe("textcat_multilabel").labels)

    def score_words(self, words: Iterable[Iterable[str]]) -> list[dict[str, float]]:
        """{claim type: probability} for each pair's words, in order."""
        docs = [Doc(self.nlp.vocab, words=list(w)) for w in words]
        return [dict(d.cats) for d in self.nlp.get_pipe("textcat_multilabel").pipe(docs, batch_size=256)]

    def revise(self, doc: Doc, claims: list[Claim], span_names: dict[tuple[int, int], str]) -> list[Claim]:
        """The rule claims minus the vetoed ones, plus the proposed ones, in document order."""
        token_names = {i: name for (start, end), name in span_names.items() for i in range(start, end)}
        pairs = document_pairs(list(doc.sents), token_names)
        return apply_detector(pairs, claims, token_names, self.score_words(p.words for p in pairs), self.thresholds)


def apply_detector(pairs: list[Pair], claims: list[Claim], token_names: dict[int, str],
                   scores: list[dict[str, float]], thresholds: DetectorThresholds) -> list[Claim]:
    """Veto and propose with given pair scores (one {type: probability} per pair).

    The gold standard and the reviewer both read an article's claims as (subject, type): a
    pair's score counts for its organisation in the whole article, at its best sentence.
    """
    best: dict[tuple[str, str], tuple[float, Pair]] = {}
    for pair, pair_scores in zip(pairs, scores):
        for claim_type, probability in pair_scores.items():
            key = (pair.candidate.name, claim_type)
            if key not in best or probability > best[key][0]:
                best[key] = (probability, pair)
    kept = []
    for claim in claims:
        found = best.get((claim.subject, claim.type))
        # A negated claim is kept whatever the score: the rules' negation reading is the
        # signal a reviewer must see ("no binding purchase commitment").
        if found is not None and found[0] < thresholds.veto and claim.polarity == "affirmed":
            continue
        kept.append(claim)
    ruled = {(c.subject, c.type) for c in claims}
    proposed = []
    for (name, claim_type), (probability, pair) in best.items():
        if (claim_type not in thresholds.propose_types or probability < thresholds.propose
                or (name, claim_type) in ruled or _object_of_rule(name, claim_type, pair.sent, claims)
                or _read_otherwise(name, claim_type, pair.sent, claims)):
            continue
        if not _fits_type(name, claim_type):
            continue
        head = _head_mention(pair.sent, pair.candidate.mentions)
        if _an_example(head) or (pair.candidate.resolved and _it_means_a_thing(head, token_names)):
            continue
        # `other` is what an organisation does: only as its clause's subject (or through its
        # spokesman), never as a possessor or a phrase ("representatives **of** BASF").
        if (not thresholds.any_position or claim_type == "other") and not _subject_position(head):
            continue
        claim = propose_claim(pair.sent, head, name, claim_type, probability, token_names)
        if claim is not None:
            proposed.append(claim)
    return sorted([*kept, *proposed], key=lambda c: (c.start, c.subject, c.type))


def _it_means_a_thing(pronoun: Token, token_names: dict[int, str]) -> bool:
    """"It" after a sentence whose subject is a thing ("A new trojan has been found. **It** may
    try to steal passwords"): the thing is the nearer antecedent, not the organisation last
    named as a subject further back."""
    if pronoun.lower_ not in ("it", "its") or pronoun.sent.start == 0:
        return False
    before = pronoun.doc[pronoun.sent.start - 1].sent
    subjects = [t for t in before.root.children if t.dep_ in ("nsubj", "nsubjpass")]
    return any(t.pos_ == "NOUN" and t.tag_ == "NN" and t.i not in token_names
               and t.lemma_.lower() not in _descriptors() for t in subjects)


def _an_example(head: Token) -> bool:
    """An organisation named as an example of a kind ("pledges of support from companies **such
    as** Nokia, Intel and Alcatel", "operators **like** TIM", "would-be suitors **include**
    Kimberly-Clark", "the likes of Intel") stands for the kind: what the sentence says of the
    kind is no event of its."""
    token = head
    while token.head.i != token.i and (token.dep_ in ("conj", "appos") or (
            token.dep_ in ("compound", "poss", "nmod") and token.head.pos_ == "PROPN")):
        token = token.head  # "such as Google, Copernic and Apple", "such as Barclay's Capital"
    if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.lower_ == "likes":
        return True
    if token.dep_ == "pobj" and token.head.lower_ in ("as", "like"):
        marker = token.head
        return marker.lower_ == "like" or any(c.lower_ == "such" for c in marker.children) or (
            marker.i > 0 and marker.doc[marker.i - 1].lower_ == "such")
    return token.dep_ in ("dobj", "attr") and token.head.lemma_.lower() == "include"


def _fits_type(name: str, claim_type: str) -> bool:
    """The rules' type discipline on subjects: a company the reference data knows takes no
    regulatory action ("Microsoft is investigating a trojan"), and a regulator buys, supplies,
    launches or partners with no one (`regulators` in the rules file). A public body the
    name words miss ("Transport Canada") may still act as one: the words are not all of them."""
    if claim_type == "regulatory_action":
        known = load_gazetteer().lookup(name)
        return known is None or known.kind != "company"
    rules = load_claim_rules()
    return claim_type not in rules.commercial_types or not rules.bars_commerce(name)


def _object_of_rule(name: str, claim_type: str, sent: Span, claims: list[Claim]) -> bool:
    """A rule already read the organisation as the other party of this type of claim in this
    sentence ("Quayside will supply 400 robots **to Marrowgate**": Marrowgate is supplied, it
    supplies nothing), so the same type is not proposed with it as subject there."""
    if claim_type in _SYMMETRIC_TYPES:
        return False  # a partner or a merging party is the other's partner too
    return any(c.object == name and c.object_is_organisation and c.type == claim_type
               and sent.start_char <= c.start < sent.end_char for c in claims)


_SYMMETRIC_TYPES = frozenset({"partnership", "merger"})


def _read_otherwise(name: str, claim_type: str, sent: Span, claims: list[Claim]) -> bool:
    """A rule of this type matched the organisation in this sentence and the rules gave the
    claim another type ("took a 75% stake", a majority bought, is an acquisition, not the
    investment its trigger names): they weighed what the detector's words cannot, so it does
    not propose the type they set aside."""
    rules = load_claim_rules().rules
    return any(c.subject == name and c.type != claim_type and c.rule in rules and rules[c.rule].type == claim_type
               and sent.start_char <= c.start < sent.end_char for c in claims)


def _subject_position(head: Token) -> bool:
    """The candidate is its clause's subject, or a speaker's organisation ("X's chief executive said")."""
    event = candidate_event(head)
    return event is not None and event.as_subject


def _named_subject(sent: Span, token_names: dict[int, str]) -> str | None:
    for token in _subject_tokens(sent):
        name = _org_at(token, token_names)
        if name:
            return name
    return None


def _subject_tokens(sent: Span) -> list[Token]:
    """Subject tokens of the sentence, the main clause's first."""
    found = [t for t in sent if t.dep_ in _SUBJECT_DEPS]
    return sorted(found, key=lambda t: (t.head != sent.root, t.i))


_PLURAL_PRONOUNS = frozenset({"they", "them", "we"})


def event_anchor(verb: Token, reporting: frozenset[str]) -> Token:
    """Where a proposed claim's event sits below its subject's verb: through reporting verbs to
    the clause they report ("said it would not close ..." -> close), then the verb's direct
    object ("called off its takeover" -> takeover), so that negations and modal cues above
    the event govern it as they govern a rule trigger."""
    anchor = verb
    for _ in range(4):
        # "X is to buy ...": the event is the infinitive, which the copula's "is to" plans.
        copula = anchor.lemma_.lower() == "be"
        if anchor.lemma_.lower() not in reporting and not copula:
            break
        reported = [c for c in anchor.children if c.dep_ in (("xcomp",) if copula else ("ccomp", "xcomp"))
                    and c.pos_ in ("VERB", "AUX")]
        if not reported:
            break
        anchor = reported[0]
    objects = [c for c in anchor.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")]
    return objects[0] if objects else anchor


def _negates_itself(token: Token, cues: dict) -> bool:
    """The event word is itself a refusal ("pulled out of the venture", "cancelled the order"),
    or its object or passive subject is denied ("had no plans to", "no jobs would be lost")."""
    lemma = token.lemma_.lower()
    particle = cues["governor_particles"].get(lemma)
    if lemma in cues["governors"] or (particle is not None and any(c.lower_ == particle for c in token.children)):
        return True
    return any(g.dep_ == "det" and g.lower_ in cues["determiners"]
               for c in token.children if c.dep_ in ("dobj", "nsubjpass") for g in c.children)


_MODALITY_ORDER = ("hedged", "planned", "reported", "asserted")


def _strongest_modality(event_verb: Token, chain: list[Token], cues: dict) -> str:
    """The event's modality, or a conjoined or complement verb's when stronger: the detector does
    not know which of "has never operated there **and would not enter** the state" or "remained
    interested **and may bid**" holds its event, and the qualified one is what a reader is
    told (own gold set: both read `reported` where the annotators read planned / hedged)."""
    readings = [read_modality(chain, cues)]
    for conj in event_verb.children:
        # "X and Y announced a version of Z **would be released**": what is announced is planned.
        # ("asks if X could ..." asks a question: not what it announces.)
        if (conj.dep_ == "conj" or (conj.dep_ == "ccomp" and not any(c.dep_ == "mark" and c.lower_ in ("if", "whether")
                                                                    for c in conj.children))) \
                and conj.pos_ in ("VERB", "AUX"):
            readings.append(read_modality(clause_chain(conj), cues))
    return min(readings, key=_MODALITY_ORDER.index)


_TIME_MARKS = frozenset({"when", "as", "after", "before", "since", "while", "until", "once"})
_PLAN_NOUNS = frozenset({"plan", "plans", "aim", "goal", "idea", "intention", "ambition", "target", "hope", "vision"})


def _scene_for_a_plan(verb: Token) -> bool:
    """Whether the event is a time clause setting the scene for a plan ("When Foxconn arrives in
    Wisconsin, **the plan is** a vast factory and 13,000 jobs"): what follows is planned (and
    when the plan is past, "the plan was", in doubt)."""
    main = verb.head
    return verb.dep_ == "advcl" and any(c.dep_ in ("advmod", "mark") and c.lower_ in _TIME_MARKS for c in verb.children) \
        and main.lemma_.lower() == "be" and any(c.dep_ == "nsubj" and c.lower_ in _PLAN_NOUNS for c in main.children)


# How far up the parse a candidate's event is looked for (mention -> preposition -> noun -> verb).
_MAX_EVENT_CLIMB = 6


@dataclass(frozen=True)
class CandidateEvent:
    """Where a candidate's event is read: the word that governs its mention, and whether the
    candidate is that verb's subject (then its event lies below the verb, through reporting
    verbs to what it says) or an argument of the event (a partner, a possessor, an agent)."""

    word: Token
    as_subject: bool


def _names_the_phrase(token: Token) -> bool:
    """A word whose phrase the organisation's name itself names: the rest of a longer name
    ("Kauri Dairy Co-operative"), or a descriptor ("SunTel, Kenya's third-largest mobile
    operator", "the cell maker X")."""
    return token.pos_ == "PROPN" or token.lemma_.lower() in _descriptors()


def candidate_event(head: Token) -> CandidateEvent | None:
    """The event an organisation takes part in, read from where its mention stands: the verb
    of a subject (through conjuncts, appositions and the rest of its own name: "Y and X
    agreed", "its partner, X, pulled out"); the verb a speaker for it governs ("X chief
    executive Y said", "X's spokesman said": X speaks); the noun of a possessor or modifier
    ("X's takeover of Y", "the X deal"); the word a "with X" / "to X" / "by X" phrase attaches
    to ("a partnership with X", "sold to X", "bought by X"). None when the mention is an
    addressee or a source ("told X", "according to X"): no event of its own is there."""
    reporting = frozenset(load_claim_rules().modality["reported_verbs"])
    token = head
    for _ in range(_MAX_EVENT_CLIMB):
        if token.head.i == token.i:
            return None  # the name is the sentence's root ("Foxconn: an option, not an order"): no event
        if token.dep_ in ("conj", "appos") or (
                token.dep_ in ("compound", "amod", "nmod") and _names_the_phrase(token.head)):
            token = token.head
            continue
        break
    dep = token.dep_
    if dep in _SUBJECT_DEPS:
        return CandidateEvent(token.head, as_subject=True)
    if dep in ("dobj", "dative") and token.head.lemma_.lower() in reporting:
        return None  # "told X that ...": the addressee
    if dep == "agent" or (dep == "pobj" and token.head.dep_ == "agent"):
        return CandidateEvent(token.head.head if dep == "pobj" else token.head, as_subject=False)
    if dep == "pobj":
        preposition = token.head
        if preposition.lower_ == "to" and preposition.head.lower_ == "according":
            return None
        speaks = _speaker_verb(preposition.head, reporting) if preposition.lower_ in ("of", "at", "for") else None
        if speaks is not None:
            return CandidateEvent(speaks, as_subject=True)  # "said Mr X, chief executive of Y"
        above = preposition.head
        # "pulled out of talks with X": the phrase attaches to the noun or verb above it.
        while above.pos_ == "ADP" and above.head.i != above.i:
            above = above.head
        if above.lemma_.lower() in reporting or above.i == preposition.i:
            return None  # "told X", "said to X": the addressee
        return CandidateEvent(above, as_subject=False)
    if dep in ("poss", "compound", "nmod", "amod"):
        noun = token.head
        speaks = _speaker_verb(noun, reporting)  # "X chief executive Mireille Tremblay said"
        if speaks is not None:
            return CandidateEvent(speaks, as_subject=True)
        return CandidateEvent(noun, as_subject=False)
    return CandidateEvent(token.head, as_subject=False)


def _refusal_in_doubt(anchor: Token, cues: dict) -> bool:
    """A verb of refusal or stopping whose object names no event ("may scrap 20 older ships",
    "banned imports", "rejected the allegation"): the verb may be the event itself (a
    disposal, a ban) or negate one the detector cannot see. Either reading is a guess."""
    verb = anchor.head if anchor.dep_ == "dobj" else anchor
    if anchor is verb:
        # "pulled out of the Chilean market" leaves a market (an exit, affirmed), "pulled out of
        # talks" refuses an event: the phrase's noun says which.
        particle = cues["governor_particles"].get(verb.lemma_.lower())
        if particle is None or not any(c.lower_ == particle for c in verb.children):
            return False
        nouns = [g for c in verb.children if c.dep_ in ("prep", "prt")
                 for p in (c, *(x for x in c.children if x.dep_ == "prep")) for g in p.children if g.dep_ == "pobj"]
        return any(_left_place(n) for n in nouns)
    if verb.lemma_.lower() not in cues["governors"]:
        return False
    return not _is_trigger_word(anchor)


_OTHER_ACTORS = frozenset({"he", "she", "those", "people", "customer", "user", "consumer", "analyst", "investor",
                           "shareholder", "viewer", "subscriber", "government", "minister", "official"})


def _reports_another_actor(verb: Token, anchor: Token, subject: str, token_names: dict[int, str]) -> bool:
    """What the organisation says has an actor of its own ("Orange told the BBC that **those**
    with its phones could use the service", "X said **Y** would buy Z"): the speaker is not the
    actor. A pronoun or "the company" as the reported subject is the speaker's own voice."""
    token = anchor
    while token.i != verb.i and token.head.i != token.i:
        if token.pos_ in ("VERB", "AUX"):
            for child in token.children:
                # A passive's subject is what is acted on ("X said Y had been granted a licence":
                # X may be the one who granted it); only an active subject is another actor.
                if child.dep_ != "nsubj":
                    continue
                name = token_names.get(child.i)
                if name is not None:
                    return name != subject
                return child.ent_type_ == "PERSON" or child.lemma_.lower() in _OTHER_ACTORS \
                    or child.lower_ in _OTHER_ACTORS
        token = token.head
    return False


def _left_place(token: Token) -> bool:
    """A market, sector or place: what a market exit leaves (the `market-exit` rule's objects)."""
    rule = load_claim_rules().rules.get("market-exit")
    heads = rule.object_head if rule is not None else frozenset()
    return token.lemma_.lower() in heads or token.ent_type_ in ("GPE", "LOC")


def _is_trigger_word(token: Token) -> bool:
    return token.lemma_.lower() in _trigger_types() or token.lower_ in _trigger_types()


def _negation_in_reach(event: Token, cues: dict) -> bool:
    """An explicit negation near the event that the scope reading did not give it: on a word
    governing the event ("the deal did not go ahead": the noun is the subject of the negated
    verb), or in a clause conjoined with one of those ("held settlement talks but did not
    reach an agreement", "signed an agreement to sell a stake to X but said there was no
    binding commitment"): the detector does not know which clause holds its claim."""
    dependents = set(cues["dependents"])

    def negated(token: Token) -> bool:
        return any(c.dep_ == "neg" or (c.dep_ in ("det", "advmod", "preconj") and c.lower_ in dependents)
                   for c in token.children) or (token.dep_ == "pobj" and token.head.lower_ in cues["prepositions"])

    path = [event]
    token = event
    while token.head.i != token.i:
        token = token.head
        path.append(token)
    for token in path:
        if negated(token):
            return True
        for clause in token.children:
            if clause.dep_ == "conj" and clause.pos_ in ("VERB", "AUX") and any(negated(t) for t in clause.subtree):
                return True
    return False


def _negation_in(sent: Span, cues: dict) -> bool:
    """Any negation or refusal of something in the sentence ("shares in X fell on a report that
    the firm had failed to win a contract"; not "profits at X dropped"): for an organisation
    that is not its clause's subject, the event the detector scored may be the one negated,
    wherever it stands."""
    dependents = set(cues["dependents"])
    particles = cues["governor_particles"]
    for token in sent:
        lemma = token.lemma_.lower()
        if token.dep_ == "neg" or (token.dep_ in ("det", "advmod", "preconj") and token.lower_ in dependents):
            return True
        # A refusal of something ("failed to win", "dropped its bid"), not "profits dropped".
        if token.pos_ == "VERB" and (
                (lemma in cues["governors"] and any(c.dep_ in ("dobj", "xcomp", "ccomp") for c in token.children))
                or (lemma in particles and any(c.lower_ == particles[lemma] for c in token.children))):
            return True
        if token.lower_ in cues["prepositions"] and token.dep_ == "prep":
            return True
    return False


def _a_standing_state(verb: Token, claim_type: str, negated: bool) -> bool:
    """What an organisation can do, or habitually does not ("can only take a text message",
    "does not link to news sources"), describes it; nothing happened. Nor is an `other` event
    whose object is "this" or "that" one the detector can point to. Read for the catch-all
    `other`, whose proposals have no trigger word to say what the event is, and for negations
    in the present simple, which the rules' event verbs never carry."""
    aux = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    if claim_type == "other" and aux & {"can", "ca"}:
        return True
    if claim_type == "other" and any(c.dep_ == "dobj" and c.lower_ in ("this", "that", "so") for c in verb.children):
        return True  # "Even the IMF admits this": what is admitted is told elsewhere
    return negated and verb.tag_ == "VB" and bool(aux & {"does", "do"})


def propose_claim(sent: Span, head: Token, subject: str, claim_type: str, probability: float,
                  token_names: dict[int, str]) -> Claim | None:
    """A claim of a learned type, read off the parse at the candidate's own event as the rules
    read theirs; None when that reading is in doubt (a negated claim read as affirmed is the
    worst error: in doubt about polarity, nothing is proposed)."""
    rules = load_claim_rules()
    cues = rules.negation
    event = candidate_event(head)
    if event is None:
        return None
    if event.as_subject:
        # Its event is below its verb, through reporting verbs to what it says ("said it
        # would not close ..."), and a verb of refusal is its own ("X pulled out of ...").
        verb = _verb_above(event.word)
        anchor = event_anchor(verb, frozenset(rules.modality["reported_verbs"]))
        if _reports_another_actor(verb, anchor, subject, token_names):
            return None
        object_at = verb
    else:
        # "profits at X dropped" drops nothing of X's: a refusal verb counts only through the
        # scope reading of the event word.
        anchor = object_at = event.word
    event_verb = anchor if anchor.pos_ in ("VERB", "AUX") else _verb_above(anchor)
    chain = clause_chain(anchor)
    match = anchor.doc[anchor.i : anchor.i + 1]
    if is_unsaid(anchor, cues) or _refusal_in_doubt(anchor, cues):
        return None
    negated = is_negated(chain, match, cues, (subject,), token_names) or (event.as_subject and _negates_itself(event_verb, cues))
    if not negated and (_negation_in_reach(anchor, cues) or (not event.as_subject and _negation_in(sent, cues))):
        return None
    if _a_standing_state(event_verb, claim_type, negated):
        return None  # "the cache can only take a text message", "Google does not link to ...": no event
    if _another_course_taken(sent, anchor):
        return None  # "CNPC had been offered 20% of Yugansk, but opted for a supply deal instead": set aside
    preposition = _governing_preposition(head)
    if negated and preposition not in (None, *_PARTY_PREPOSITIONS):
        return None  # "banks were barred from providing financing to Gazprom": the refusal is the banks' act
    if claim_type in _OWNING_TYPES and preposition in _TARGET_PREPOSITIONS:
        return None  # "regaining control of Air Jamaica", "a stake in X", "a bid for X": X is what is owned
    if claim_type in _DEAL_TYPES and event_verb.pos_ in ("VERB", "AUX") and not any(
            c.dep_ in _EVENT_ARGUMENTS for c in event_verb.children):
        return None  # "CENTR, the council of registries, agrees.": a bare verb names no deal, launch or order
    obj, obj_is_org, obj_token = find_object(object_at, {subject}, token_names)
    if obj_token is not None and not obj_is_org and _refused_objects(claim_type) & {obj_token.lemma_.lower(), obj_token.lower_}:
        return None  # type discipline: "launched the promotion", "announced gas finds" launch no product
    evidence = sent.text.strip()
    offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
    modality = _strongest_modality(event_verb, chain, rules.modality)
    if _scene_for_a_plan(event_verb):
        if event_verb.head.tag_ == "VBD":
            return None  # "in 2017, the plan was ... 13,000 jobs": a past plan, whether it came about is not said
        modality = "planned"
    return Claim(
        subject=subject, type=claim_type, object=obj, object_is_organisation=obj_is_org,
        polarity="negated" if negated else "affirmed",
        modality=modality, evidence=evidence,
        start=offset, end=offset + len(evidence),
        # Below the rules' parse-based certainty: the type is a guess from the words alone.
        confidence=round(min(0.7, 0.4 + 0.3 * probability), 3), rule=PROPOSED_RULE,
    )


def _another_course_taken(sent: Span, anchor: Token) -> bool:
    """A clause with a bare "instead" ("but the company opted for a long-term supply deal
    **instead**") sets aside what the sentence said before it: an event outside that clause is
    in doubt (was it taken up?), so nothing is proposed there. "instead of" is the rules'
    reading of an alternative (`is_negated`)."""
    for token in sent:
        if token.lower_ == "instead" and not (token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "of"):
            clause = token.head
            while clause.dep_ not in ("ROOT", "conj", "advcl", "ccomp") and clause.head.i != clause.i:
                clause = clause.head
            if anchor not in clause.subtree:
                return True
    return False


def _governing_preposition(head: Token) -> str | None:
    """The preposition whose object the candidate's mention is ("financing **to** X", "a stake
    **in** X"), through conjuncts, appositions and the rest of its own name; None otherwise."""
    token = head
    for _ in range(_MAX_EVENT_CLIMB):
        if token.head.i != token.i and (token.dep_ in ("conj", "appos") or (
                token.dep_ in ("compound", "amod", "nmod") and _names_the_phrase(token.head))):
            token = token.head
            continue
        break
    return token.head.lower_ if token.dep_ == "pobj" else None


# A party to the event itself: "did not sign a partnership **with** X" is X's unsigned
# partnership too, "was not bought **by** X" X's purchase that did not happen.
_PARTY_PREPOSITIONS = frozenset({"with", "between", "among", "by"})
# What is bought, owned or bid for: "control **of** X", "a stake **in** X", "a bid **for** X".
_TARGET_PREPOSITIONS = frozenset({"of", "in", "for"})
_OWNING_TYPES = frozenset({"acquisition", "investment"})


# Claims of a deal, a thing or a place: each needs something the event is about.
_DEAL_TYPES = frozenset({"acquisition", "merger", "purchase_commitment", "purchase_option", "product_launch", "supply",
                         "partnership", "investment", "facility", "market_entry_exit"})
_EVENT_ARGUMENTS = frozenset({"dobj", "xcomp", "ccomp", "prep", "attr", "acomp", "dative", "prt", "oprd",
                              "nsubjpass", "agent", "advcl", "npadvmod", "pcomp"})


@lru_cache(maxsize=32)
def _refused_objects(claim_type: str) -> frozenset[str]:
    """Object heads the rules of a type refuse (`object_not`: a product launch of "a record
    profit" or "a promotion"): a proposal of that type with such an object is no claim of it."""
    return frozenset(w for rule in load_claim_rules().rules.values() if rule.type == claim_type for w in rule.object_not)


def detector_path(fold: int | None = None) -> Path:
    """Where the shipped detector (fold None) or fold k's detector lives in the models package."""
    base = resources.files("dossier.assets").joinpath(DETECTOR_FOLDER)
    target = base if fold is None else base.joinpath("folds", str(fold))
    return Path(str(target))


def read_thresholds(folder: Path) -> DetectorThresholds:
    """The thresholds saved beside the shipped model."""
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    return DetectorThresholds(propose=float(meta["propose"]), veto=float(meta["veto"]),
                              propose_types=frozenset(meta["propose_types"]),
                              any_position=bool(meta.get("any_position", False)))


@lru_cache(maxsize=6)
def load_detector(fold: int | None = None) -> ClaimDetector:
    """The detector for a fold (None: the shipped one, trained on everything), loaded once per process.

    Every fold model uses the thresholds of the shipped model's `detector.json`: they were
    chosen on held-out folds scored by exactly these fold models.
    """
    folder = detector_path(fold)
    if not (folder / "config.cfg").is_file():
        raise DetectorMissing(f"no claim detector at {folder}; run `make train`")
    nlp = spacy.load(folder)
    return ClaimDetector(nlp, read_thresholds(detector_path(None)))


# ---------------------------------------------------------------------------------------------
# The pair detector: (candidate organisation, sentence) pairs.

SUBJECT_MASK = "_subj_"
_DEFINITE_HEADS = frozenset({"company", "firm", "group", "bank", "business", "carrier", "maker", "retailer",
                             "giant", "airline", "operator", "insurer", "chain", "brewer", "lender"})


@dataclass(frozen=True)
class Candidate:
    """An organisation that may be the subject of a claim in one sentence: named there
    (`mentions`: token indices of its names), or the antecedent of a company pronoun or
    definite description ("it", "the firm") standing as a subject (`mentions`: that word)."""

    name: str
    sentence: int  # index of the sentence in the document
    mentions: tuple[int, ...]
    resolved: bool = False


def sentence_candidates(sent: Span, index: int, token_names: dict[int, str], previous: str | None) -> list[Candidate]:
    """Every organisation named in the sentence, plus the antecedent of a subject pronoun or
    "the company" when that organisation is not named in the sentence itself."""
    mentions: dict[str, list[int]] = {}
    for token in sent:
        name = token_names.get(token.i)
        if name is not None:
            mentions.setdefault(name, []).append(token.i)
    found = [Candidate(name, index, tuple(ids)) for name, ids in mentions.items()]
    if previous is not None and previous not in mentions:
        rules = load_claim_rules()
        for token in sent:
            if token.dep_ not in _SUBJECT_DEPS + ("poss",):
                continue
            if token.lower_ in _PLURAL_PRONOUNS:
                continue
            if token.lower_ in ("it", "its") or (
                    token.lemma_.lower() in _DEFINITE_HEADS | set(rules.pronouns) - {"they"}
                    and any(c.lower_ in ("the", "its") for c in token.children)):
                found.append(Candidate(previous, index, (token.i,), resolved=True))
                break
    return found


def _verb_above(token: Token) -> Token:
    """The first verb at or above the token (the sentence root if none)."""
    current = token
    for _ in range(8):
        if current.pos_ in ("VERB", "AUX"):
            return current
        if current.head == current:
            break
        current = current.head
    return current


def _head_mention(sent: Span, mentions: tuple[int, ...]) -> Token:
    """The syntactic head among the candidate's mention tokens: the one whose head is outside
    them, the earliest subject first."""
    doc = sent.doc
    ids = set(mentions)
    heads = [doc[i] for i in mentions if doc[i].head.i not in ids or doc[i].head.i == i]
    heads.sort(key=lambda t: (t.dep_ not in _SUBJECT_DEPS, t.i))
    return heads[0] if heads else doc[mentions[0]]


def pair_words(sent: Span, candidate: Candidate, token_names: dict[int, str], previous: str | None) -> list[str]:
    """The pair as the pair detector reads it: the sentence's lemmas with the candidate's names
    as `_subj_`, other organisations as `_org_`, numbers as `_num_`, then pseudo-words for
    how the candidate stands in the parse (its dependency, its verb, a preposition governing
    it), whether the candidate was resolved from a pronoun or was the previous sentence's
    subject, and its own event (`event_words`). Two more were tried and left out by held-out F1: the sentence's place in the
    article and how often the article names the candidate."""
    own = set(candidate.mentions)
    words: list[str] = []
    last_name: object = None
    for token in sent:
        if token.i in own:
            if last_name is not SUBJECT_MASK:
                words.append(SUBJECT_MASK)
            last_name = SUBJECT_MASK
            continue
        name = token_names.get(token.i)
        if name is not None:
            if last_name != name:
                words.append(ORG_MASK)
            last_name = name
            continue
        last_name = None
        if not token.is_space:
            words.append(NUMBER_MASK if token.like_num else token.lemma_.lower())
    head = _head_mention(sent, candidate.mentions)
    dep = head.dep_
    features = [f"dep_{dep}"]
    if dep == "pobj":
        features.append(f"prep_{head.head.lower_}")
        features.append(f"prepof_{head.head.head.lemma_.lower()}")
    if dep in ("poss", "compound", "appos"):
        features.append(f"of_{head.head.lemma_.lower()}")
        features.append(f"ofdep_{head.head.dep_}")
    verb = _verb_above(head)
    features.append(f"verb_{verb.lemma_.lower()}")
    features.append(f"root_{sent.root.lemma_.lower()}")
    if verb == sent.root:
        features.append("main_clause")
    if candidate.resolved:
        features.append("resolved")
    if previous is not None and previous == candidate.name:
        features.append("previous_subject")
    features.extend(event_words(head))
    return (words or [SUBJECT_MASK]) + features


# Roles that speak for their organisation ("a spokeswoman for X said", "X's chief executive
# said"): what they say is the organisation's. Not analysts, economists or lawyers of others.
_COMPANY_VOICES = frozenset({
    "chief", "executive", "ceo", "cfo", "coo", "cto", "chairman", "chairwoman", "chair", "president",
    "founder", "co-founder", "director", "spokesperson", "spokesman", "spokeswoman", "head", "boss",
    "officer", "owner", "representative",
})


def _speaker_verb(role: Token, reporting: frozenset[str]) -> Token | None:
    """The reporting verb whose subject is this role or the person it names ("X's chief executive
    said", "said Mr Y, chief executive of X", "a spokeswoman for X said"), else None."""
    if role.lemma_.lower() not in _COMPANY_VOICES:
        return None
    speaker = role
    while speaker.dep_ in ("compound", "appos") and speaker.head.pos_ == "PROPN":
        speaker = speaker.head
    if speaker.dep_ in _SUBJECT_DEPS and speaker.head.lemma_.lower() in reporting:
        return speaker.head
    return None


@lru_cache(maxsize=1)
def _trigger_types() -> dict[str, frozenset[str]]:
    """{word: claim types whose trigger patterns list it} (models/claim_rules.json)."""
    rules = load_claim_rules()
    found: dict[str, set[str]] = {}
    for rule_id, patterns in rules.patterns.items():
        claim_type = rules.rules[rule_id].type
        for pattern in patterns:
            for spec in pattern:
                for key in ("LEMMA", "LOWER"):
                    value = spec.get(key)
                    listed = [value] if isinstance(value, str) else list(value.get("IN", ())) if isinstance(value, dict) else []
                    for word in listed:
                        found.setdefault(word, set()).add(claim_type)
    return {w: frozenset(t) for w, t in found.items()}


def _types_of(token: Token) -> frozenset[str]:
    table = _trigger_types()
    return table.get(token.lemma_.lower(), frozenset()) | table.get(token.lower_, frozenset())


def event_words(head: Token) -> list[str]:
    """Pseudo-words for the candidate's own event (`candidate_event`): its lemma (`ev_`, and for
    a subject the event below its verb: "said it would buy" -> `ev_buy`), and the claim types
    whose trigger words stand at or next to it (`evtrig_`: "X's **takeover** of Y", "a deal
    **with** X to **supply** ..."), so that the model reads the candidate's event apart from the
    rest of the sentence. Held-out folds chose these two: the trigger types of the whole
    sentence, and the lemmas next to the event, lowered held-out F1."""
    event = candidate_event(head)
    if event is None:
        return ["ev_none"]
    out = []
    words = [event.word]
    if event.as_subject:
        out.append("ev_subject")
        words.append(event_anchor(_verb_above(event.word), frozenset(load_claim_rules().modality["reported_verbs"])))
    near = list(words)
    for word in words:
        near.extend(c for c in word.children if c.dep_ in _NEAR_DEPS)
        near.extend(g for c in word.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj")
    out.extend(f"ev_{w.lemma_.lower()}" for w in words)
    out.extend(sorted({f"evtrig_{t}" for w in near for t in _types_of(w)}))
    return out


_NEAR_DEPS = frozenset({"dobj", "xcomp", "ccomp", "attr", "nsubjpass", "conj", "acl"})
