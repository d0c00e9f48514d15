"""The `analyse` fixture: extraction of one invented text on the real model (parse, then the
evidence rules), for tests of recognition, identity and claim rules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def analyse():
    """`analyse(text)`: the Analysis of `text` parsed as one document (no windows, no workers)."""
    from dossier.extract.analyse import load_analyser
    from dossier.settings import load_settings

    analyser = load_analyser(load_settings().spacy_model)
    return lambda text: analyser.analyse_doc(analyser.nlp(text))
