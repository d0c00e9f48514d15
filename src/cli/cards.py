"""The profile card in the terminal: the same facts and sections as the exported cards."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dossier.profiles.card import ArticleDates
from dossier.profiles.render import facts, profile_view, sections


def render_card(profile: dict[str, Any], dates: ArticleDates | None = None) -> Panel:
    """A rich renderable of one profile row (Text objects: article text is never read as markup);
    `dates`, the cited articles' publication dates by URL, date its citations."""
    p = profile_view(profile)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in facts(p, dates):
        grid.add_row(name, Text(str(value)))
    parts: list[Any] = [grid]
    for title, items in sections(p, dates):
        parts += [Text(""), Text(title, style="bold underline")]
        for text, link in items or [("none found", None)]:
            parts.append(Text("• ") + Text(text) + (Text(f" — {link}", style="dim") if link else Text("")))
    return Panel(Group(*parts), title=Text(p["name"], style="bold"), subtitle=f"dossier profile · {p['status']}")
