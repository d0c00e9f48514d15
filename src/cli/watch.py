"""`dossier watch add|list|remove`: the watchlists each run's alerts are raised against."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dossier.cli.access import connect
from dossier.cli.options import JsonLines
from dossier.cli.output import print_json_lines, say, show_table
from dossier.errors import Refused

cli = typer.Typer(name="watch", help="Watch organisations, claim types, domains, regions and grades for alerts.",
                  no_args_is_help=True)

KIND_HELP = ("organisation (a name, alias or id), claim-type (e.g. acquisition), domain (a taxonomy domain), "
             "region (a continent) or grade (an organisation, or none for every one).")


@cli.command("add")
def watch_add(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    value: Annotated[str | None, typer.Argument(help="What to watch (optional for grade).")] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", envvar="DOSSIER_REVIEWER", help="Who asks.")] = None,
) -> None:
    """Add a watch: later runs raise an alert for each change it matches."""
    from dossier.alerts.watches import make_watch
    from dossier.review.desk import resolve_entity

    kind = kind.replace("-", "_")
    with connect(write=True) as session:
        label = None
        if kind in ("organisation", "grade") and value:
            entity = resolve_entity(session, value)  # by name, alias or id, as `dossier review` does
            value, label = entity["id"], entity["name"]
        watch = make_watch(kind, value, label, created_by=reviewer)
        added = session.alerts.add_watch(watch)
    say(f"{'watching' if added else 'already watching'} {watch.kind.replace('_', ' ')} {watch.label} ({watch.id})")


@cli.command("list")
def watch_list(
    all_: Annotated[bool, typer.Option("--all", help="Removed watches too.")] = False,
    json_out: JsonLines = False,
) -> None:
    """The watches, oldest first; a watch on an organisation merged into another says which one it
    follows now."""
    from dossier.alerts.rules import follow_merges

    with connect(write=False) as session:
        watches = session.alerts.list_watches(include_removed=all_)
        followed = follow_merges(watches, session.judgements.load().merges)
        follows = {w.id: (f.value, session.judgements.organisation_name(f.value) or f.value)
                   for w, f in zip(watches, followed, strict=True) if f.value != w.value}
    if json_out:
        print_json_lines({**w.model_dump(mode="json"), "follows": follows[w.id][0] if w.id in follows else None,
                          "follows_name": follows[w.id][1] if w.id in follows else None} for w in watches)
        return
    table = Table("id", "kind", "watching", "since", "by", *(["removed"] if all_ else []))
    for w in watches:
        watching = Text(w.label)
        if w.id in follows:
            watching.append(f" (merged: now {follows[w.id][1]})", style="dim")
        table.add_row(w.id, w.kind.replace("_", " "), watching, str(w.created_at)[:10], w.created_by or "",
                      *([str(w.removed_at or "")[:10]] if all_ else []))
    show_table(table, watches, "No watches; `dossier watch add organisation NAME` adds one.")


@cli.command("remove")
def watch_remove(watch_id: Annotated[str, typer.Argument(help="The watch's id (or a unique prefix of it).")]) -> None:
    """Remove a watch (its alerts stay)."""
    with connect(write=True) as session:
        removed = session.alerts.remove_watch(watch_id, datetime.now(UTC))
    if removed is None:
        raise Refused(f"no single active watch matches {watch_id!r}; `dossier watch list` shows the ids")
    say(f"no longer watching {removed.kind.replace('_', ' ')} {removed.label}")
