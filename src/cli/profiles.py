"""`dossier profiles list|show`: organisation profiles in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dossier.cli.access import connect
from dossier.cli.cards import render_card
from dossier.cli.choices import check_choice
from dossier.cli.options import JsonDocument, JsonLines
from dossier.cli.output import print_json, print_json_lines, show
from dossier.errors import Refused

cli = typer.Typer(name="profiles", help="Read organisation profiles.", no_args_is_help=True)


@cli.command("list")
def profiles_list(
    status: Annotated[str | None, typer.Option(help="Only profiles with this status (draft, approved).")] = None,
    json_out: JsonLines = False,
) -> None:
    """List current profiles, most confident first."""
    from dossier.store import profiles as profile_store

    check_choice("--status", status, ("draft", "approved"))
    with connect(write=False) as con:
        rows = profile_store.list_profiles(con, status)
    if json_out:
        print_json_lines(rows)
        return
    table = Table("name", "type", "region", "grade", "confidence", "sources", "status")
    for row in rows:
        table.add_row(row["name"], row["type"] or "", row["region"] or "", row["grade"], f"{row['confidence']:.2f}",
                      f"{row['independent_source_count']}/{row['source_count']}", row["status"])
    show(table)


@cli.command("show")
def profiles_show(name: str, json_out: JsonDocument = False) -> None:
    """Render an organisation's profile card (by name or alias)."""
    from dossier.profiles.export import cited_urls
    from dossier.profiles.render import profile_view
    from dossier.store import profiles as profile_store

    with connect(write=False) as con:
        profile = profile_store.find_profile(con, name)
        dates = con.profiles.article_dates(cited_urls([profile])) if profile is not None else {}
    if profile is None:
        raise Refused(f"no profile for {name!r}; `dossier profiles list` shows the names")
    if json_out:
        # Parsed first: dumping the stored JSON strings as they are would nest them as strings.
        print_json(profile_view(profile))
        return
    show(render_card(profile, dates))
