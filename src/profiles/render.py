"""Profile cards as Markdown, JSON and HTML (`dossier export`); article-derived text is escaped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment, select_autoescape

from dossier.ids import canonical_json
from dossier.records.profiles import EvidenceItem, Profile, Revision

MAX_EVIDENCE = 12
MAX_TYPE_EVIDENCE = 4


def _claims_read(item: EvidenceItem) -> str:
    """The claims read from one evidence sentence ("supply, affirmed, planned; partnership, ...");
    items stored before sentences were grouped carry one claim at the top level."""
    claims = item.claims or (item,)
    return "; ".join(f"{c.type}, {c.polarity}, {c.modality}" for c in claims)


def as_profile(value: Profile | Mapping[str, object]) -> Profile:
    """The record itself, or a record read from a profile row (notebooks and tests hand rows)."""
    if isinstance(value, Profile):
        return value
    return (Revision if "revision" in value else Profile).from_row(value)


def status_of(profile: Profile) -> tuple[str, int]:
    """(status, revision number): a freshly assembled profile is what would be draft revision 1."""
    return (profile.status, profile.revision) if isinstance(profile, Revision) else ("draft", 1)


def profile_view(value: Profile | Mapping[str, object]) -> dict[str, object]:
    """A profile (stored or freshly assembled) as plain data, its JSON fields nested: what
    `profiles show --json`, the JSON card and the web page show."""
    profile = as_profile(value)
    status, revision = status_of(profile)
    view: dict[str, object] = {"entity_id": profile.entity_id, "revision": revision, "status": status}
    # A fresh draft shows the fields it was given (no review columns before a review touched it).
    names = type(profile).model_fields if isinstance(profile, Revision) else profile.model_fields_set
    view.update({name: profile.plain(name) for name in type(profile).model_fields if name in names and name not in view})
    return view


def _date(value: object) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else (str(value)[:10] if value else "unknown")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: object) -> str:
    """Markdown-escaped text (a pipe, bracket or asterisk in an article never breaks the card)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _type_line(p: Profile, reasons: dict[str, Any]) -> str:
    """The type with what decided it: reference data, or the cues found in the news."""
    cues = reasons.get("classification_cues") or []
    if not cues:
        return str(p.type)
    decided = reasons.get("classification_decided_by")
    if decided == "reference":
        return f"{p.type} (reference data: {cues[0]})"
    return f"{p.type} ({'too weak to decide: ' if decided == 'nothing' else ''}cues: {', '.join(cues[:6])})"


def identifiers(p: Profile) -> str | None:
    """Ticker, ISIN and Wikipedia page of an organisation reference data knows, or None."""
    parts = [f"{label} {value}" for label, value in (("ticker", p.ticker), ("ISIN", p.isin), ("Wikipedia", p.wikipedia_url))
             if value]
    return " · ".join(parts) or None


def facts(profile: Profile | Mapping[str, object]) -> list[tuple[str, str]]:
    """The card's fact lines, in the reference card's order (identifiers when known)."""
    p = as_profile(profile)
    reasons: dict[str, Any] = p.score_components
    base_reason = reasons.get("base_reason")
    known = identifiers(p)
    status, revision = status_of(p)
    return [
        ("Aliases", ", ".join(p.aliases) or "none found"),
        *([("Identifiers", known)] if known else []),
        ("Type", _type_line(p, reasons)),
        ("Category", f"{p.category}"),
        ("Base / region", f"{p.base} / {p.region}" + (f" ({base_reason})" if base_reason else "")),
        ("Primary domain / topic", f"{p.primary_domain} / {p.topic}"),
        ("Impact", f"{p.impact} — {reasons.get('impact_reason', '')}"),
        ("Operational criticality", f"{p.operational_criticality} — {reasons.get('criticality_reason', '')}"),
        ("Time horizon", f"{p.time_horizon} — {reasons.get('time_horizon_reason', '')}"),
        ("Confidence", f"{p.confidence:.2f} · grade {p.grade} · {p.grade_label}"),
        ("Sources", f"{p.sources_phrase} ({p.independent_source_count} independent of {p.source_count} articles)"),
        ("First / last seen", f"{_date(p.first_seen)} / {_date(p.last_seen)}"),
        ("Status", f"{status} (revision {revision})"),
    ]


def sections(profile: Profile | Mapping[str, object]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The card's sections: (title, [(text, link or None)])."""
    p = as_profile(profile)
    reasons: dict[str, Any] = p.score_components
    features = reasons.get("features", {})
    contradicted = reasons.get("contradictions") or []
    out = [
        ("Key points", [(f"{k.text} ({k.polarity}, {k.modality}, {k.independent_sources} independent source(s))", None)
                        for k in p.key_points]),
        ("What happened", [(f"{w.sentence} — {w.publisher}", w.url) for w in p.what_happened]),
        ("What to watch", [(f"{w.text} ({w.modality}{', ' + w.when if w.when else ''}): "
                            f"{w.evidence.sentence}", w.evidence.url) for w in p.what_to_watch]),
        ("Relationships", [(f"{r.organisation}: {r.type} ({r.direction}, {r.polarity}, {r.modality})", None)
                           for r in p.relationships]),
        ("Places", [(f"{pl.name} ({pl.country or '?'}, {pl.continent or '?'}) — {pl.tie}, {pl.articles} article(s)", None)
                    for pl in p.places]),
        ("Confidence breakdown", [(f"{name}: {f['value']:.2f} × weight {f['weight']}", None) for name, f in features.items()]),
    ]
    if contradicted:
        out[-1][1].append((f"contradiction penalty −{reasons.get('contradiction_penalty', 0)}", None))
    if contradicted:
        out.append(("Contradictions", [(" / ".join(str(part) for part in key if part), None) for key in contradicted]))
    classification = reasons.get("classification_evidence") or []
    if classification and reasons.get("classification_decided_by") != "nothing":
        out.append(("Type evidence", [(f"{c['cue']} ({c['from']}): {c['text']}", None) for c in classification[:MAX_TYPE_EVIDENCE]]))
    evidence = [(f"[{_claims_read(e)}] {e.sentence}" + (f" ({e.copies} copies)" if e.copies > 1 else ""), e.url)
                for e in p.evidence[:MAX_EVIDENCE]]
    if len(p.evidence) > MAX_EVIDENCE:
        # The heading counts every item: say how many the card leaves out.
        evidence.append((f"… {len(p.evidence) - MAX_EVIDENCE} more", None))
    out.append((f"Evidence ({len(p.evidence)})", evidence))
    return out


def render_markdown(profile: Profile | Mapping[str, object]) -> str:
    """The card as Markdown."""
    p = as_profile(profile)
    lines = [f"# {md(p.name)}", "", "| field | value |", "|---|---|"]
    lines += [f"| {name} | {md(value)} |" for name, value in facts(p)]
    for title, items in sections(p):
        lines += ["", f"## {title}", ""]
        lines += [f"- {md(text)}" + (f" <{link}>" if link else "") for text, link in items] or ["- none found"]
    return "\n".join(lines) + "\n"


def render_json(profile: Profile | Mapping[str, object]) -> str:
    """The card as JSON (every stored field)."""
    p = as_profile(profile)
    return canonical_json(profile_view(p)) + "\n"


_HTML = Environment(autoescape=select_autoescape(default=True, default_for_string=True)).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ p.name }} — dossier profile</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem;vertical-align:top}</style>
</head><body>
<h1>{{ p.name }}</h1>
<table>{% for name, value in facts %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}</table>
{% for title, items in sections %}<h2>{{ title }}</h2>
<ul>{% for text, link in items %}<li>{{ text }}{% if link %} <a href="{{ link }}" rel="nofollow noopener">source</a>{% endif %}</li>{% else %}<li>none found</li>{% endfor %}</ul>
{% endfor %}</body></html>
""")


def render_html(profile: Profile | Mapping[str, object]) -> str:
    """The card as a standalone HTML page (all text auto-escaped)."""
    p = as_profile(profile)
    safe = [(t, [(text, link if link and link.startswith(("http://", "https://")) else None) for text, link in items])
            for t, items in sections(p)]
    return _HTML.render(p=p, facts=facts(p), sections=safe)


RENDERERS = {"md": render_markdown, "json": render_json, "html": render_html}
