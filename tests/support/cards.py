"""Profile rows for card tests: a plain one whose sections are all filled, and hostile text for
names, sentences and links (markup, Markdown, template syntax, a javascript: link)."""

from __future__ import annotations

from datetime import UTC, datetime

# Text an article or a feed could carry that must stay text in every card format.
HOSTILE_NAME = "<script>alert('name')</script> | *Acme* {{ 7*7 }} [x](javascript:alert(1))"
HOSTILE_SENTENCE = "Acme said <img src=x onerror=alert(2)> it will build racks by December & more </li></ul>"
HOSTILE_URL = "javascript:alert(3)"

PUBLISHED = {
    "https://one.example/a1": datetime(2025, 11, 10, tzinfo=UTC),
    "https://two.example/a2": datetime(2025, 11, 12, tzinfo=UTC),
    "https://three.example/a3": datetime(2025, 11, 14, tzinfo=UTC),
}


def source(sentence: str, url: str, publisher: str) -> dict[str, object]:
    return {"sentence": sentence, "url": url, "title": "t", "publisher": publisher}


def watch(text: str, modality: str, when: str | None, sentence: str, url: str = "https://one.example/a1") -> dict[str, object]:
    return {"text": text, "modality": modality, "polarity": "affirmed", "when": when,
            "evidence": source(sentence, url, url.split("/")[2] if "//" in url else "unknown.example")}


def card_row(name: str = "Acme Robotics", sentence: str = "Acme will build racks by December.",
             url: str = "https://one.example/a1", confidence: float = 0.72, **fields: object) -> dict[str, object]:
    """A stored profile row with every card section filled (grade from the confidence)."""
    from dossier.scoring.grades import grade_for

    grade, label = grade_for(confidence)
    row: dict[str, object] = {
        "entity_id": "e-acme", "revision": 2, "status": "draft", "name": name, "aliases": ["Acme"],
        "type": "Robot maker", "category": "company", "region": "Europe", "base": "Germany",
        "primary_domain": "Robotics", "topic": "Manufacturing", "impact": "medium",
        "operational_criticality": "high", "time_horizon": "6–24 months",
        "confidence": confidence, "grade": grade, "grade_label": label,
        "score_components": {"features": {"stories": {"value": 0.5, "weight": 0.2}},
                             "impact_reason": "affirmed supply", "criticality_reason": "supplies hardware",
                             "time_horizon_reason": "2 of 3 claims are plans"},
        "source_count": 3, "independent_source_count": 2, "sources_phrase": "two public sources",
        "key_points": [{"text": "Acme supplies racks", "type": "supply", "polarity": "affirmed", "modality": "planned",
                        "independent_sources": 2, "evidence": source(sentence, url, "one.example")}],
        "what_happened": [source(sentence, url, "one.example")],
        "what_to_watch": [watch("Acme supplies racks", "planned", "by December", sentence, url),
                          watch("Acme opens a plant", "planned", None, "Acme plans a plant.", "https://two.example/a2"),
                          watch("Acme may list", "hedged", "by the end of 2026", "Acme could list by the end of 2026.",
                                "https://three.example/a3")],
        "relationships": [{"organisation": "Borealis Cloud", "type": "supply", "direction": "outgoing",
                           "polarity": "affirmed", "modality": "planned", "independent_sources": 2}],
        "places": [{"name": "Bavaria", "country": "DE", "continent": "Europe", "tie": "site", "articles": 2}],
        "evidence": [{"sentence": sentence, "url": url, "publisher": "one.example", "type": "supply",
                      "polarity": "affirmed", "modality": "planned", "copies": 3,
                      "claims": [{"type": "supply", "polarity": "affirmed", "modality": "planned"}]}],
        "first_seen": datetime(2025, 11, 10, tzinfo=UTC), "last_seen": datetime(2025, 11, 14, tzinfo=UTC),
    }
    row.update(fields)
    return row
