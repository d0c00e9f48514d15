"""One entry point for extraction: texts in, `Analysis` records out."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from dossier.extract.claims import TriggerMatcher, build_matcher, extract_claims
from dossier.extract.nlp import load_pipeline
from dossier.extract.organisations import build_locations, build_organisations
from dossier.extract.ties import find_ties
from dossier.records import Analysis, EntitySpan


class Analyser:
    """The loaded pipeline and claim matcher; build one per process with `load_analyser`."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher: TriggerMatcher = build_matcher(nlp)

    def analyse_doc(self, doc: Doc) -> Analysis:
        """Organisations, places and claims of one parsed document."""
        organisations, span_names = build_organisations(doc)
        locations, place_spans = build_locations(doc)
        return Analysis(
            entities=tuple(
                EntitySpan(text=e.text, label=e.label_, start=e.start_char, end=e.end_char) for e in doc.ents
            ),
            organisations=tuple(organisations),
            locations=tuple(locations),
            claims=tuple(extract_claims(doc, self.matcher, span_names)),
            ties=tuple(find_ties(doc, span_names, place_spans)),
        )

    def analyse(self, texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Analysis]:
        """Analyse texts in order with `nlp.pipe` (batch 32 measured fastest and leanest here);
        `n_process` > 1 parses in that many worker processes, with identical results."""
        if isinstance(texts, Sequence):
            # A worker without a batch of its own only costs a fork (and exits uncleanly).
            n_process = min(n_process, -(-len(texts) // batch_size))
        extra = {"n_process": n_process} if n_process > 1 else {}
        for doc in self.nlp.pipe(texts, batch_size=batch_size, **extra):
            yield self.analyse_doc(doc)


@lru_cache(maxsize=2)
def load_analyser(model: str) -> Analyser:
    """The process-wide analyser for a model name (the model is loaded once)."""
    return Analyser(load_pipeline(model))
