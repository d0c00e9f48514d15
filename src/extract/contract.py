"""The `dossier extract --json` output: a public, stable contract (docs/extract-json.md).

Built field by field from `Analysis`, so internal fields never leak into it by accident.
"""

from __future__ import annotations

from typing import Any

from dossier.records import Analysis, Span

# The version docs/extract-json.md states in its title (a test holds the two together). It is the
# document's, not a field of the output: fields are only ever added within a version, so a
# consumer ignores the ones it does not know; a rename or removal needs a new version here and there.
CONTRACT_VERSION = 1


def _span(span: Span) -> dict[str, Any]:
    return {"text": span.text, "start": span.start, "end": span.end}


def analysis_to_json(doc: str, analysis: Analysis) -> dict[str, Any]:
    """One output object for one input document."""
    return {
        "doc": doc,
        "entities": [{"text": e.text, "label": e.label, "start": e.start, "end": e.end} for e in analysis.entities],
        "organisations": [
            {"name": o.name, "aliases": list(o.aliases), "mentions": [_span(m) for m in o.mentions]}
            for o in analysis.organisations
        ],
        "locations": [
            {"name": loc.name, "country": loc.country, "continent": loc.continent,
             "mentions": [_span(m) for m in loc.mentions]}
            for loc in analysis.locations
        ],
        "claims": [
            {"subject": c.subject, "type": c.type, "object": c.object, "polarity": c.polarity,
             "modality": c.modality, "evidence": c.evidence, "start": c.start, "end": c.end,
             "attributed_to": c.attributed_to}
            for c in analysis.claims
        ],
    }


def error_to_json(doc: str, error: str) -> dict[str, Any]:
    """The output object for an input that could not be analysed."""
    return {"doc": doc, "error": error}
