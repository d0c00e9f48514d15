"""Profile cards as Markdown, JSON and HTML (`dossier export`), each from the one card view of
dossier.profiles.card; article-derived text is escaped in every format."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape

from dossier.ids import canonical_json
from dossier.profiles.card import ArticleDates, Card, as_profile, build_card, status_of
from dossier.records.profiles import Profile, Revision


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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: object) -> str:
    """Markdown-escaped text (a pipe, bracket or asterisk in an article never breaks the card)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def facts(profile: Profile | Mapping[str, object], dates: ArticleDates | None = None) -> list[tuple[str, str]]:
    """The card's fact lines (the terminal card's table): at a glance, why it matters, confidence."""
    card = build_card(profile, dates)
    return [*card.at_a_glance, *card.why_it_matters, ("Confidence", card.confidence.headline)]


def sections(profile: Profile | Mapping[str, object], dates: ArticleDates | None = None,
             ) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The card's sections after its facts: (title, [(text, link or None)])."""
    card = build_card(profile, dates)
    out: list[tuple[str, list[tuple[str, str | None]]]] = [
        ("Confidence bands", [(f"{b.grade} {b.range} {b.label}" + (" ← this card" if b.current else ""), None)
                              for b in card.confidence.bands]),
        ("Key points", [(text, None) for text in card.key_points]),
        ("What happened", [(f"{w.text} — {w.citation.words}", w.citation.url) for w in card.what_happened]),
    ]
    out += [(f"What to watch: {bucket.title.lower()}",
             [(f"{e.label}: {e.sentence}", e.citation.url) for e in bucket.entries]) for bucket in card.what_to_watch]
    return out + _closing_sections(card)


def _closing_sections(card: Card) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Relationships onwards: the sections every text format shows alike."""
    out: list[tuple[str, list[tuple[str, str | None]]]] = [
        ("Relationships", [(text, None) for text in card.relationships]),
        ("Places", [(text, None) for text in card.places]),
        ("Confidence breakdown", [(text, None) for text in card.breakdown])]
    if card.contradictions:
        out.append(("Contradictions", [(text, None) for text in card.contradictions]))
    if card.type_evidence:
        out.append(("Type evidence", [(text, None) for text in card.type_evidence]))
    evidence: list[tuple[str, str | None]] = [(e.text, e.citation.url) for e in card.evidence]
    if card.evidence_left_out:
        evidence.append((f"… {card.evidence_left_out} more", None))  # the heading counts every item
    out.append((f"Evidence ({card.evidence_total})", evidence))
    return out


def _md_list(items: Sequence[tuple[str, str | None]]) -> list[str]:
    return [f"- {md(text)}" + (f" <{link}>" if link else "") for text, link in items] or ["- none found"]


def _md_watch(card: Card) -> list[str]:
    as_of = f" (as of {card.as_of.isoformat()})" if card.as_of else ""
    lines = ["", f"## What to watch{as_of}"]
    for bucket in card.what_to_watch:
        lines += ["", f"### {bucket.title}", ""]
        lines += _md_list([(f"{e.label}: {e.sentence}", e.citation.url) for e in bucket.entries])
    return lines


def _md_section(title: str, items: Sequence[tuple[str, str | None]]) -> list[str]:
    return ["", f"## {title}", "", *_md_list(items)]


def render_markdown(profile: Profile | Mapping[str, object], dates: ArticleDates | None = None) -> str:
    """The card as Markdown; `dates` (publication dates by article URL) date its citations."""
    card = build_card(profile, dates)
    lines = [f"# {md(card.name)}", "", f"Confidence **{card.confidence.headline}**", "",
             "| grade | score | label | |", "|---|---|---|---|"]
    lines += [f"| {b.grade} | {b.range} | {b.label} | {'← this card' if b.current else ''} |" for b in card.confidence.bands]
    lines += ["", "## At a glance", "", "| field | value |", "|---|---|"]
    lines += [f"| {name} | {md(value)} |" for name, value in card.at_a_glance]
    lines += _md_section("Key points", [(text, None) for text in card.key_points])
    lines += _md_section("What happened", [(f"{w.text} — {w.citation.words}", w.citation.url) for w in card.what_happened])
    lines += _md_section("Why it matters", [(f"{name}: {value}", None) for name, value in card.why_it_matters])
    lines += _md_watch(card)
    for title, items in _closing_sections(card):
        lines += _md_section(title, items)
    return "\n".join(lines) + "\n"


def render_json(profile: Profile | Mapping[str, object], dates: ArticleDates | None = None) -> str:
    """The card as JSON (every stored field)."""
    return canonical_json(profile_view(as_profile(profile))) + "\n"


def environment() -> Environment:
    """The cards' templates (autoescaped): the `_card.html` partial the desk includes too."""
    return Environment(loader=PackageLoader("dossier.profiles", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def card_css() -> str:
    """The card's style sheet: served by the desk, inlined into exported pages (no network)."""
    return files("dossier.profiles").joinpath("static", "card.css").read_text(encoding="utf-8")


def render_card_page(card: Card, index: str | None = None) -> str:
    """One card as a standalone page (style inlined), linking back to the index when there is one."""
    return environment().get_template("card_page.html").render(card=card, css=card_css(), standalone=True, index=index)


def render_html(profile: Profile | Mapping[str, object], dates: ArticleDates | None = None) -> str:
    """The card as a standalone HTML page (all text auto-escaped, links http(s) only)."""
    return render_card_page(build_card(profile, dates))


RENDERERS = {"md": render_markdown, "json": render_json, "html": render_html}
