"""The profile card in the terminal, with the fields of DESIGN.md in the reference card's order."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

MAX_EVIDENCE = 8


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _date(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else (str(value) if value else "unknown")


def render_card(profile: dict[str, Any]) -> Panel:
    """A rich renderable of one profile row (all article-derived text escaped)."""
    p = {k: _loads(v) if k in {"score_components", "key_points", "what_happened", "what_to_watch",
                               "relationships", "places", "evidence"} else v for k, v in profile.items()}
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    rows = [
        ("Aliases", ", ".join(p["aliases"] or []) or "none found"),
        ("Type", p["type"]), ("Category", p["category"]),
        ("Base / region", f"{p['base']} / {p['region']}"),
        ("Domain / topic", f"{p['primary_domain']} / {p['topic']}"),
        ("Impact", f"{p['impact']} — {p['score_components'].get('impact_reason', '')}"),
        ("Operational criticality", f"{p['operational_criticality']} — {p['score_components'].get('criticality_reason', '')}"),
        ("Time horizon", f"{p['time_horizon']} — {p['score_components'].get('time_horizon_reason', '')}"),
        ("Confidence", f"{p['confidence']:.2f} · grade {p['grade']} · {p['grade_label']}"),
        ("Sources", f"{p['sources_phrase']} ({p['independent_source_count']} independent of {p['source_count']} articles)"),
        ("First / last seen", f"{_date(p['first_seen'])} / {_date(p['last_seen'])}"),
        ("Status", f"{p['status']} (revision {p['revision']})"),
    ]
    for name, value in rows:
        facts.add_row(name, escape(str(value)))
    parts: list[Any] = [facts]

    def section(title: str, lines: list[str]) -> None:
        parts.append(Text(""))
        parts.append(Text(title, style="bold underline"))
        for line in lines or ["none found"]:
            parts.append(Text("• ") + Text(line))

    section("Key points", [
        f"{k['text']} [{k['polarity']}, {k['modality']}, {k['independent_sources']} source(s)]" for k in p["key_points"]
    ])
    section("What happened", [f"{w['sentence']} [{w['publisher']}: {w['url']}]" for w in p["what_happened"]])
    section("What to watch", [f"{w['text']} ({w['modality']}) — {w['evidence']['sentence']}" for w in p["what_to_watch"]])
    section("Relationships", [
        f"{r['organisation']}: {r['type']} ({r['direction']}, {r['polarity']}, {r['modality']})" for r in p["relationships"]
    ])
    section("Places", [f"{pl['name']} ({pl['country'] or '?'}, {pl['continent'] or '?'}) — {pl['tie']}, {pl['articles']} article(s)"
                       for pl in p["places"]])
    features = p["score_components"].get("features", {})
    section("Confidence breakdown", [
        f"{name}: {f['value']:.2f} × {f['weight']}" for name, f in features.items()
    ] + ([f"contradiction penalty −{p['score_components']['contradiction_penalty']}"]
         if p["score_components"].get("contradictions") else []))
    contradicted = p["score_components"].get("contradictions") or []
    if contradicted:
        section("Contradictions (affirmed by one source, negated by another)", [
            " / ".join(str(part) for part in key if part) for key in contradicted])
    evidence = p["evidence"]
    section(f"Evidence ({len(evidence)})", [
        f"[{e['type']}, {e['polarity']}, {e['modality']}] {e['sentence']} — {e['url']}" for e in evidence[:MAX_EVIDENCE]
    ])
    return Panel(Group(*parts), title=Text(p["name"], style="bold"), subtitle=f"dossier profile · {p['status']}")
