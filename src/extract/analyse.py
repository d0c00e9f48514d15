"""One entry point for extraction: texts in, `Analysis` records out."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from dossier.errors import RunFailed
from dossier.extract.claim_detector import ClaimDetector, load_detector
from dossier.extract.claims import Countries, TriggerMatcher, build_matcher, extract_claims
from dossier.extract.gazetteer import load_gazetteer
from dossier.extract.nlp import check_model, load_pipeline
from dossier.extract.organisations import build_locations, build_organisations
from dossier.extract.places import Resolution
from dossier.extract.ties import KIND_RANK, find_ties
from dossier.records import Analysis, EntitySpan, Location, Organisation, PlaceTie

# Longest piece of text parsed as one document. spaCy refuses texts over its max_length
# (1,000,000 characters, E088), and parsing time and memory grow with a document's length:
# a 999,000-character page took 527 s and 2.9 GB in one worker. Longer texts are analysed
# in sentence-aligned windows of at most this many characters, offsets mapped back.
WINDOW_CHARS = 100_000
SPACY_MAX_LENGTH = 1_000_000
# Where a window may end, best first: a paragraph break, a sentence end, any white space.
_PARAGRAPH = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
_SPACE = re.compile(r"\s+")


def organisation_countries(organisations: Iterable[Organisation], ties: Iterable[PlaceTie],
                           place_spans: dict[tuple[int, int], Resolution | None]) -> Countries:
    """Where each organisation is based, by its headquarters ties ("the German carmaker X",
    "X, based in Y") and the reference data's headquarters country, and the country of every
    place token: what a description like "the German firm" is matched against."""
    based: dict[str, set[str]] = {}
    for tie in ties:
        if tie.kind == "headquarters" and tie.country:
            based.setdefault(tie.organisation, set()).add(tie.country)
    known = load_gazetteer()
    for org in organisations:
        link = known.by_id(org.known_id) if org.known_id else None
        if link is not None and link.country:
            based.setdefault(org.name, set()).add(link.country)
    places = {i: res.country for (start, end), res in place_spans.items() if res is not None and res.country
              for i in range(start, end)}
    return Countries({name: frozenset(c) for name, c in based.items()}, places)


class WorkerLost(RunFailed, RuntimeError):
    """An analysis worker process died (killed, out of memory) before returning its batch."""


class Analyser:
    """The pipeline and claim matcher (loaded on first use); one per process from `load_analyser`.

    With `n_process` > 1, batches go to a pool of worker processes started on first use and
    kept until `close` or `release_workers` (the flow releases them once a run's analysis is
    done): each worker loads the model itself, parses its batch and runs the evidence rules
    there, and sends back only the small `Analysis` records. spaCy's own `n_process` forks
    fresh workers on every call and ships whole parsed documents back to be analysed here,
    one core's work on top of the two parsing.

    The learned claim detector (docs/claims.md) revises the rules' claims: `fold` k loads the
    detector trained without real-news fold k (for cross-validation), None the shipped one;
    `use_detector=False` gives the rules alone.
    """

    def __init__(self, nlp: Language | None = None, model: str | None = None, window_chars: int = WINDOW_CHARS, *,
                 fold: int | None = None, use_detector: bool = True) -> None:
        if nlp is None and model is None:
            raise ValueError("an Analyser needs a loaded pipeline or a model name")
        self.model = model
        self.window_chars = max(1_000, min(window_chars, SPACY_MAX_LENGTH))
        self.fold = fold
        self.use_detector = use_detector
        self._nlp = nlp
        self._detector: ClaimDetector | None = None
        self._matcher: TriggerMatcher | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._pool_size = 0
        self._pool_lock = threading.Lock()
        self._nlp_lock = threading.Lock()

    @property
    def nlp(self) -> Language:
        """The pipeline, loaded on first use: a process whose batches all go to the worker
        processes never loads it (≈ 60 MiB and a second of start-up saved there)."""
        if self._nlp is None:
            with self._nlp_lock:
                if self._nlp is None:
                    self._nlp = load_pipeline(self.model)
        return self._nlp

    @property
    def matcher(self) -> TriggerMatcher:
        if self._matcher is None:
            self._matcher = build_matcher(self.nlp)
        return self._matcher

    @property
    def detector(self) -> ClaimDetector | None:
        """The learned claim detector of this analyser's fold (None when switched off)."""
        if self.use_detector and self._detector is None:
            self._detector = load_detector(self.fold)
        return self._detector

    def analyse_doc(self, doc: Doc) -> Analysis:
        """Organisations, places and claims of one parsed document."""
        organisations, span_names = build_organisations(doc)
        locations, place_spans = build_locations(doc)
        ties = find_ties(doc, span_names, place_spans)
        claims = extract_claims(doc, self.matcher, span_names, organisation_countries(organisations, ties, place_spans))
        detector = self.detector
        if detector is not None:
            claims = detector.revise(doc, claims, span_names)
        return Analysis(
            entities=tuple(
                EntitySpan(text=e.text, label=e.label_, start=e.start_char, end=e.end_char) for e in doc.ents
            ),
            organisations=tuple(organisations),
            locations=tuple(locations),
            claims=tuple(claims),
            ties=tuple(ties),
        )

    def analyse(
        self, texts: Iterable[str], batch_size: int = 32, n_process: int = 1, batch_chars: int | None = None
    ) -> Iterator[Analysis]:
        """Analyse texts in order, at most `batch_size` texts (32 measured fastest here) and
        `batch_chars` characters per batch. `n_process` > 1 spreads the batches over that many
        worker processes. A document's analysis does not depend on its batch (checked on 90 real
        articles and in the tests), so the results are identical however the texts are cut."""
        # A text longer than a window is analysed window by window; its windows are consecutive
        # pieces here, and their analyses are put back together, offsets mapped, in `merge_windows`.
        pieces: list[str] = []
        owners: list[tuple[int, int]] = []  # (text index, offset of the piece in its text)
        for index, text in enumerate(texts):
            for offset, piece in cut_windows(text, self.window_chars):
                pieces.append(piece)
                owners.append((index, offset))
        current: list[tuple[int, Analysis]] = []
        for n, analysis in enumerate(self._analyse_pieces(pieces, batch_size, n_process, batch_chars)):
            index, offset = owners[n]
            current.append((offset, analysis))
            if n + 1 == len(owners) or owners[n + 1][0] != index:  # the text's last window
                yield current[0][1] if len(current) == 1 else merge_windows(current)
                current = []

    def _analyse_pieces(
        self, texts: list[str], batch_size: int, n_process: int, batch_chars: int | None
    ) -> Iterator[Analysis]:
        # Never more than a window's worth of text in one batch: spaCy parses a batch together,
        # so the windows of one long text batched at once would cost what the whole text did.
        chars = min(batch_chars, self.window_chars) if batch_chars else self.window_chars
        batches = cut_batches(texts, batch_size, chars)
        if n_process > 1 and self.model is not None and (len(batches) > 1 or self._pool is not None):
            # A worker starts in seconds: a single batch is not worth starting the pool for.
            for analyses in self._map(batches, n_process):
                yield from analyses
            return
        nlp, _, _ = self.nlp, self.matcher, self.detector  # loaded before the lock, which loading takes too
        with self._nlp_lock:  # threads never run the one loaded pipeline at the same time
            analyses = [self.analyse_doc(doc) for batch in batches for doc in nlp.pipe(batch, batch_size=len(batch))]
        yield from analyses

    def _map(self, batches: list[list[str]], n_process: int) -> Iterator[list[Analysis]]:
        pool = self._worker_pool(n_process)
        try:
            settings = [(self.model, self.fold, self.use_detector)] * len(batches)
            yield from pool.map(_analyse_batch, settings, batches)
        except BrokenProcessPool as exc:
            self.close()  # the next call starts a fresh pool
            raise WorkerLost(f"an analysis worker died: {exc}") from exc

    def _worker_pool(self, size: int) -> ProcessPoolExecutor:
        with self._pool_lock:  # analysis tasks call in from several threads
            if self._pool is None or self._pool_size != size:
                if self._pool is not None:
                    self._pool.shutdown(wait=True)
                # spawn, not fork: the ingesting process runs threads (Prefect, HTTP), and a
                # fork taken while another thread holds a lock can deadlock the child.
                self._pool = ProcessPoolExecutor(
                    max_workers=size, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_load_worker, initargs=((self.model, self.fold, self.use_detector),),
                )
                self._pool_size = size
                _POOLED.add(self)
            return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        with self._pool_lock:
            pool, self._pool, self._pool_size = self._pool, None, 0
            _POOLED.discard(self)
        if pool is None:
            return
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:  # a worker that has not taken its stop signal in time is ended
            if not worker_ended(worker, STOP_GRACE_SECONDS):
                worker.terminate()
                if not worker_ended(worker, STOP_GRACE_SECONDS):
                    worker.kill()  # SIGTERM blocked or ignored (a mask inherited from the run's parent)
                    worker_ended(worker, STOP_GRACE_SECONDS)


def worker_ended(worker: multiprocessing.process.BaseProcess, timeout: float) -> bool:
    """Whether `worker` has ended, waiting up to `timeout` seconds. Read from the process's sentinel,
    not from its exit status: where the parent of the run ignores SIGCHLD (some CI runners and
    container inits do), the kernel reaps ended children at once, no exit status is ever collected
    and `is_alive()` stays true for a process that is long gone."""
    return bool(multiprocessing.connection.wait([worker.sentinel], timeout))


STOP_GRACE_SECONDS = 10.0  # how long a stopping worker may take to finish before it is ended
_POOLED: weakref.WeakSet[Analyser] = weakref.WeakSet()  # analysers with worker processes running


def release_workers() -> None:
    """Stop every analyser's worker processes in this process (they start again when next needed)."""
    for analyser in list(_POOLED):
        analyser.close()


def cut_windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, str]]:
    """`text` as (offset, piece) windows of at most `size` characters, cut at a paragraph break,
    else a sentence end, else white space, in the last fifth of each window (a hard cut only
    when a fifth of a window holds no space at all). A text within `size` is one window."""
    windows: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        floor = limit - size // 5
        cut = None
        for pattern in (_PARAGRAPH, _SENTENCE_END, _SPACE):
            ends = [m.end() for m in pattern.finditer(text, floor, limit) if m.end() <= limit]
            if ends:
                cut = ends[-1]
                break
        cut = cut if cut is not None and cut > start else limit
        windows.append((start, text[start:cut]))
        start = cut
    windows.append((start, text[start:]))
    return windows


def merge_windows(parts: list[tuple[int, Analysis]]) -> Analysis:
    """One text's analysis from its windows' (offset, analysis): offsets moved to the whole
    text; an organisation or place found in several windows is one, with all its mentions; a
    tie keeps its strongest kind, as within one window."""
    entities, claims = [], []
    organisations: dict[str, Organisation] = {}
    locations: dict[tuple[str, str | None], Location] = {}
    ties: dict[tuple[str, str, str | None], PlaceTie] = {}
    for offset, part in parts:
        entities += [_moved(e, offset) for e in part.entities]
        claims += [_moved(c, offset) for c in part.claims]
        for org in part.organisations:
            org = org.model_copy(update={"mentions": tuple(_moved(m, offset) for m in org.mentions)})
            kept = organisations.get(org.name)
            organisations[org.name] = org if kept is None else kept.model_copy(update={
                "aliases": tuple(dict.fromkeys(kept.aliases + org.aliases)),
                "alias_sources": tuple(dict.fromkeys(kept.alias_sources + org.alias_sources)),
                "mentions": kept.mentions + org.mentions,
            })
        for loc in part.locations:
            loc = loc.model_copy(update={"mentions": tuple(_moved(m, offset) for m in loc.mentions)})
            kept = locations.get((loc.name, loc.country))
            locations[(loc.name, loc.country)] = loc if kept is None else kept.model_copy(
                update={"mentions": kept.mentions + loc.mentions})
        for tie in part.ties:
            tie = _moved(tie, offset)
            key = (tie.organisation, tie.place, tie.country)
            if key not in ties or KIND_RANK[tie.kind] > KIND_RANK[ties[key].kind]:
                ties[key] = tie
    return Analysis(entities=tuple(entities), organisations=tuple(organisations.values()),
                    locations=tuple(locations.values()), claims=tuple(claims),
                    ties=tuple(sorted(ties.values(), key=lambda t: (t.start, t.organisation, t.place))))


def _moved(record, offset: int):  # noqa: ANN001, ANN202 - any record with character offsets
    """`record` with its character offsets moved by `offset`."""
    fields = ("start", "end", "sentence_start", "sentence_end")
    return record.model_copy(update={f: getattr(record, f) + offset for f in fields if hasattr(record, f)})


def cut_batches(texts: list[str], size: int, chars: int | None = None) -> list[list[str]]:
    """Consecutive texts in batches of at most `size` texts and `chars` characters (a longer
    text alone). Parsing memory grows with a batch's length: 32 of the longest real articles
    (63,000 words) took a process to 1.3 GB, so a length cap bounds each worker's peak."""
    batches: list[list[str]] = []
    current: list[str] = []
    length = 0
    for text in texts:
        if current and (len(current) >= size or (chars is not None and length + len(text) > chars)):
            batches.append(current)
            current, length = [], 0
        current.append(text)
        length += len(text)
    if current:
        batches.append(current)
    return batches


def _load_worker(setting: tuple[str, int | None, bool]) -> None:
    """Load the model as a worker starts. A failure is not raised here (that would break the
    pool with no reason given): `_analyse_batch` loads again and raises the real error."""
    try:
        model, fold, use_detector = setting
        analyser = load_analyser(model, fold=fold, use_detector=use_detector)
        _ = analyser.matcher, analyser.detector
    except Exception:  # noqa: BLE001 - raised again, with its message, by the first batch
        pass


def _analyse_batch(setting: tuple[str, int | None, bool], texts: list[str]) -> list[Analysis]:
    """One batch, in a worker process: parse and analyse with the worker's own analyser."""
    model, fold, use_detector = setting
    analyser = load_analyser(model, fold=fold, use_detector=use_detector)
    return [analyser.analyse_doc(doc) for doc in analyser.nlp.pipe(texts, batch_size=len(texts))]


@lru_cache(maxsize=8)
def load_analyser(model: str, *, fold: int | None = None, use_detector: bool = True) -> Analyser:
    """The process-wide analyser for a model name (and claim-detector fold). The model is
    loaded once, when first needed; a model that is not installed is refused here
    (ModelNotInstalled). `fold` k: the claim detector trained without real-news fold k, so
    that fold can be scored by a model that never saw it; None: the shipped detector."""
    check_model(model)
    return Analyser(model=model, fold=fold, use_detector=use_detector)
