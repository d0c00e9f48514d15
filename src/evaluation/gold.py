"""Scoring extraction against the project's own annotated articles (tests/eval/gold).

Organisations match when their names or aliases share a match key (or fuzzy-match as the
resolver would); each gold organisation matches at most one prediction. Claims are scored
on (subject, type); polarity and modality on matched claims: same subject, type and evidence
sentence. Odd ids form the
development split used for error analysis; even ids are held out and reported apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from dossier.evaluation.error_classes import classify_organisation_error, count_classes
from dossier.evaluation.scoring import PRF, Confusion
from dossier.extract.aliases import same_name
from dossier.extract.places import normalise_place
from dossier.ids import name_key
from dossier.records import Analysis, ClaimType, Modality, Polarity

CLAIM_TYPES: tuple[str, ...] = get_args(ClaimType)
POLARITIES: tuple[str, ...] = get_args(Polarity)
MODALITIES: tuple[str, ...] = get_args(Modality)


@dataclass(frozen=True)
class GoldArticle:
    id: str
    text: str
    organisations: tuple[dict[str, Any], ...]
    places: tuple[dict[str, Any], ...]
    claims: tuple[dict[str, Any], ...]
    notes: str = ""  # the annotator's borderline decisions (real-news gold), read by error analysis

    @property
    def split(self) -> str:
        """dev (odd numeric ids, and every id of a development-only set such as "d001") or test."""
        return "dev" if not self.id.isdigit() or int(self.id) % 2 else "test"


def load_gold(folder: Path) -> list[GoldArticle]:
    """Every annotated article in `folder`, in id order."""
    articles = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        articles.append(GoldArticle(data["id"], data["text"], tuple(data["organisations"]), tuple(data["places"]),
                                    tuple(data["claims"]), notes=data.get("notes") or ""))
    return articles


def corpus_hash(folder: Path) -> str:
    """sha256 over the gold files' names and bytes: the eval gate's guard against silent edits."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _names(name: str, aliases: Iterable[str]) -> list[str]:
    return [name, *aliases]


def _org_matches(pred_names: list[str], gold_names: list[str]) -> bool:
    pred_keys = {name_key(n) for n in pred_names}
    if pred_keys & {name_key(n) for n in gold_names}:
        return True
    return same_name(pred_names[0], gold_names[0])


def match_organisations(predicted: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[int, int]:
    """{gold index: predicted index}, greedy one-to-one, canonical names first."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for strict in (True, False):
        for g, gorg in enumerate(gold):
            if g in pairs:
                continue
            for p, porg in enumerate(predicted):
                if p in used:
                    continue
                ok = (name_key(porg["name"]) == name_key(gorg["name"])) if strict else _org_matches(
                    _names(porg["name"], porg["aliases"]), _names(gorg["name"], gorg["aliases"]))
                if ok:
                    pairs[g] = p
                    used.add(p)
                    break
    return pairs


@dataclass
class GoldScores:
    organisations: PRF = field(default_factory=PRF)
    claims: PRF = field(default_factory=PRF)
    alias_correct: int = 0
    alias_total: int = 0
    place_correct: int = 0
    place_total: int = 0
    polarity_correct: int = 0
    modality_correct: int = 0
    matched_claims: int = 0
    # Per claim type on (subject, type), and gold × predicted polarity and modality of matched claims.
    claim_types: dict[str, PRF] = field(default_factory=lambda: {t: PRF() for t in CLAIM_TYPES})
    polarity: Confusion = field(default_factory=lambda: Confusion(POLARITIES))
    modality: Confusion = field(default_factory=lambda: Confusion(MODALITIES))
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 4) if b else 0.0

        return {
            "organisation": self.organisations.as_dict(),
            "alias_cluster_accuracy": ratio(self.alias_correct, self.alias_total), "alias_clusters": self.alias_total,
            "place_country_accuracy": ratio(self.place_correct, self.place_total), "places": self.place_total,
            "claim": self.claims.as_dict(),
            "polarity_accuracy": ratio(self.polarity_correct, self.matched_claims),
            "modality_accuracy": ratio(self.modality_correct, self.matched_claims),
            "matched_claims": self.matched_claims,
            "claim_types": {t: prf.as_dict() for t, prf in self.claim_types.items() if prf.predicted or prf.gold},
            "polarity_confusion": self.polarity.as_dict(),
            "modality_confusion": self.modality.as_dict(),
            # The worst error: a claim that happened, stored as not having happened (and vice versa).
            "affirmed_read_as_negated": round(self.polarity.rate("affirmed", "negated"), 4),
            "negated_read_as_affirmed": round(self.polarity.rate("negated", "affirmed"), 4),
            "organisation_error_classes": count_classes(self.errors),
        }


def _same_sentence(predicted: str, gold: str) -> bool:
    """Evidence sentences agree (the pipeline may split a sentence where the annotator did not)."""
    a, b = " ".join(predicted.split()), " ".join(gold.split())
    return a == b or (min(len(a), len(b)) > 30 and (a in b or b in a))


def _same_object(predicted: str | None, gold: str | None) -> bool:
    if predicted is None or gold is None:
        return predicted is gold
    return name_key(predicted) == name_key(gold) or gold.lower() in predicted.lower() or predicted.lower() in gold.lower()


def score_article(article: GoldArticle, analysis: Analysis, scores: GoldScores) -> None:
    """Add one article's comparison to `scores` (and its errors, for error analysis)."""
    predicted = [{"name": o.name, "aliases": list(o.aliases)} for o in analysis.organisations]
    gold = list(article.organisations)
    pairs = match_organisations(predicted, gold)
    scores.organisations.true_positives += len(pairs)
    scores.organisations.predicted += len(predicted)
    scores.organisations.gold += len(gold)
    matched_pred = set(pairs.values())
    gold_names = [n for o in gold for n in _names(o["name"], o["aliases"])]
    pred_names = [n for o in predicted for n in _names(o["name"], o["aliases"])]
    place_names = [p["name"] for p in article.places]
    for p, porg in enumerate(predicted):
        if p not in matched_pred:
            kind = classify_organisation_error(porg["name"], text=article.text, notes=article.notes,
                                               counterparts=gold_names, places=place_names)
            scores.errors.append({"id": article.id, "kind": "org_fp", "name": porg["name"], "class": kind})
    for g, gorg in enumerate(gold):
        if g not in pairs:
            # What the model read the missed name as (PERSON, GPE, …), if it saw it at all.
            surfaces = set(_names(gorg["name"], gorg["aliases"]))
            labels = sorted({e.label for e in analysis.entities if e.text in surfaces})
            kind = classify_organisation_error(gorg["name"], text=article.text, counterparts=pred_names,
                                               places=place_names, model_labels=labels)
            scores.errors.append({"id": article.id, "kind": "org_fn", "name": gorg["name"], "class": kind,
                                  "model_labels": labels})

    # Alias clusters: every gold organisation named more than one way must come out as one
    # cluster holding all its names and no other organisation's.
    other_keys = {g: {name_key(n) for o in gold if o is not gorg for n in _names(o["name"], o["aliases"])}
                  for g, gorg in enumerate(gold)}
    for g, gorg in enumerate(gold):
        if not gorg["aliases"]:
            continue
        scores.alias_total += 1
        gold_keys = {name_key(n) for n in _names(gorg["name"], gorg["aliases"])}
        if g in pairs:
            porg = predicted[pairs[g]]
            pred_keys = {name_key(n) for n in _names(porg["name"], porg["aliases"])}
            if gold_keys <= pred_keys and not (pred_keys & other_keys[g]):
                scores.alias_correct += 1
                continue
        scores.errors.append({"id": article.id, "kind": "alias", "name": gorg["name"], "gold": sorted(gold_keys)})

    # Places: each gold place with a country must be found (by name or a mention's text) with that country.
    # Two places may share a name (Cambridge GB and US): a name maps to every country found for it.
    found: dict[str, set[str | None]] = {}
    for loc in analysis.locations:
        for surface in {loc.name, *(m.text for m in loc.mentions)}:
            found.setdefault(normalise_place(surface), set()).add(loc.country)
    for place in article.places:
        if place["country"] is None:
            continue
        scores.place_total += 1
        got = found.get(normalise_place(place["name"]), set())
        if place["country"] in got:
            scores.place_correct += 1
        else:
            scores.errors.append({"id": article.id, "kind": "place", "name": place["name"], "gold": place["country"], "got": sorted(got, key=str)})

    # Claims on (subject, type), subjects mapped onto gold organisation names.
    to_gold = {predicted[p]["name"]: gold[g]["name"] for g, p in pairs.items()}
    pred_claims: dict[tuple[str, str], list[Any]] = {}
    for claim in analysis.claims:
        pred_claims.setdefault((to_gold.get(claim.subject, claim.subject), claim.type), []).append(claim)
    gold_claims: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for claim in article.claims:
        gold_claims.setdefault((claim["subject"], claim["type"]), []).append(claim)
    scores.claims.add(set(pred_claims), set(gold_claims))
    for claim_type in {t for _, t in pred_claims} | {t for _, t in gold_claims}:
        scores.claim_types.setdefault(claim_type, PRF()).add(
            {k for k in pred_claims if k[1] == claim_type}, {k for k in gold_claims if k[1] == claim_type})
    for key in set(pred_claims) - set(gold_claims):
        scores.errors.append({"id": article.id, "kind": "claim_fp", "claim": list(key), "evidence": pred_claims[key][0].evidence})
    for key in set(gold_claims) - set(pred_claims):
        scores.errors.append({"id": article.id, "kind": "claim_fn", "claim": list(key), "evidence": gold_claims[key][0]["evidence"]})
    for key in set(pred_claims) & set(gold_claims):
        for gclaim in gold_claims[key]:
            # The predicted claim from the same sentence, else the first one.
            # A matched claim states the same thing: same subject, type and evidence sentence
            # (preferring the same object). A prediction from another sentence is another claim.
            same_sentence = [c for c in pred_claims[key] if _same_sentence(c.evidence, gclaim["evidence"])]
            if not same_sentence:
                continue
            pclaim = next((c for c in same_sentence if _same_object(c.object, gclaim["object"])), same_sentence[0])
            scores.matched_claims += 1
            scores.polarity_correct += pclaim.polarity == gclaim["polarity"]
            scores.modality_correct += pclaim.modality == gclaim["modality"]
            scores.polarity.add(gclaim["polarity"], pclaim.polarity)
            scores.modality.add(gclaim["modality"], pclaim.modality)
            if pclaim.polarity != gclaim["polarity"] or pclaim.modality != gclaim["modality"]:
                scores.errors.append({"id": article.id, "kind": "claim_attr", "claim": list(key),
                                      "gold": [gclaim["polarity"], gclaim["modality"]],
                                      "got": [pclaim.polarity, pclaim.modality], "evidence": gclaim["evidence"]})


def claim_outcomes(article: GoldArticle, analysis: Analysis) -> list[tuple[float, bool]]:
    """(stored claim confidence, correct?) for each predicted claim: correct when its subject
    (mapped onto the gold organisations), type and polarity are annotated. Polarity counts
    because a negated claim read as affirmed is the worst error a claim can carry: a
    confident claim that says the opposite of its evidence must count as wrong."""
    from dossier.scoring.confidence import score_claim

    predicted = [{"name": o.name, "aliases": list(o.aliases)} for o in analysis.organisations]
    pairs = match_organisations(predicted, list(article.organisations))
    to_gold = {predicted[p]["name"]: article.organisations[g]["name"] for g, p in pairs.items()}
    gold_keys = {(c["subject"], c["type"], c["polarity"]) for c in article.claims}
    return [
        (score_claim(c.confidence, None, c.modality)[0], (to_gold.get(c.subject, c.subject), c.type, c.polarity) in gold_keys)
        for c in analysis.claims
    ]
