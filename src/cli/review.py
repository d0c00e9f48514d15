"""`dossier review …`: the reviewer's desk on the command line. Thin: every action is a
function of dossier.review.desk, every view one of dossier.review.views (as on the web)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from dossier.cli.access import acting_as, connect
from dossier.cli.cards import render_card
from dossier.cli.choices import check_choice
from dossier.cli.options import JsonDocument, JsonLines, Note, Reviewer
from dossier.cli.output import print_json, print_json_lines, say, show, show_table
from dossier.errors import Refused

if TYPE_CHECKING:
    from dossier.records.review import EntityRef
    from dossier.store.session import Session

cli = typer.Typer(name="review", help="Work the review queue: approve, reject, edit, merge, split.", no_args_is_help=True)

VERDICTS = {"accept": "accepted", "reject": "rejected", "accepted": "accepted", "rejected": "rejected"}


def _entity(con: Session, ref: str) -> EntityRef:
    from dossier.review.desk import resolve_entity

    return resolve_entity(con, ref)


@cli.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="draft, approved, rejected, superseded or any.")] = "draft",
    grade: Annotated[str | None, typer.Option(help="Only this grade (A, A/B, B/C, C/D, D).")] = None,
    domain: Annotated[str | None, typer.Option(help="Only this primary domain.")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region (continent).")] = None,
    search: Annotated[str | None, typer.Option(help="Only names or aliases containing this text (any case).")] = None,
    monitoring: Annotated[str, typer.Option(
        help="queue: leave out the drafts under monitoring; only: just those; all: both.")] = "queue",
    sort: Annotated[str, typer.Option(help="priority, name, confidence, grade or last_seen.")] = "priority",
    order: Annotated[str | None, typer.Option(help="asc or desc (default: the sort key's natural order).")] = None,
    page: Annotated[int, typer.Option(min=1, help="This page of --limit rows.")] = 1,
    limit: Annotated[int, typer.Option(min=0, help="Rows per page (0: all).")] = 50,
    json_out: JsonLines = False,
) -> None:
    """The queue, highest impact × uncertainty × recency first (drafts under monitoring left out)."""
    from dossier.records.queue import MONITORING_VIEWS, SORT_KEYS, QueueQuery
    from dossier.review.desk import STATUSES
    from dossier.review.queue import monitoring_rule
    from dossier.review.views import review_queue
    from dossier.scoring.grades import GRADES
    from dossier.settings import load_settings

    check_choice("--status", status, STATUSES)
    check_choice("--grade", grade, GRADES)
    check_choice("--monitoring", monitoring, MONITORING_VIEWS)
    check_choice("--sort", sort, SORT_KEYS)
    check_choice("--order", order, ("asc", "desc"))
    query = QueueQuery(status=status, grade=grade, domain=domain, region=region, search=search,
                       monitoring=monitoring, sort=sort, descending=None if order is None else order == "desc",
                       page=page, per_page=limit)  # type: ignore[arg-type]  # checked just above
    with connect(write=False) as con:
        view = review_queue(con, query, monitoring_rule(load_settings()))
    if json_out:
        print_json_lines(entry.to_json() for entry in view.entries)
        return
    table = Table("priority", "name", "rev", "status", "grade", "conf", "impact", "domain", "region", "last seen", "changes")
    for entry in view.entries:
        row = entry.row
        changes = entry.changes if entry.changes is not None else ("new" if row["approved_revision"] is None else 0)
        table.add_row(f"{row['priority']:.3f}", Text(row["name"]), str(row["revision"]), row["status"], row["grade"],
                      f"{row['confidence']:.2f}", row["impact"] or "", row["primary_domain"] or "", row["region"] or "",
                      str(row["last_seen"] or "")[:10], str(changes))
    show_table(table, view.entries, f"No {status} profiles match.")
    counts = view.page.counts
    say(f"page {page} of {view.page.pages}: {counts.queue} in the queue, {counts.monitoring} under monitoring"
        + (" (--monitoring only lists them)" if monitoring == "queue" and counts.monitoring else ""))


@cli.command("show")
def review_show(
    name: Annotated[str, typer.Argument(help="Organisation name, alias or id.")],
    revision: Annotated[int | None, typer.Option(help="This revision (default: the latest draft, else the approved one).")] = None,
    json_out: JsonDocument = False,
) -> None:
    """A profile for review: its card, the diff against the approved revision, claims with ids."""
    from dossier.profiles.export import cited_urls
    from dossier.review.views import review_profile

    with connect(write=False) as con:
        entity = _entity(con, name)
        view = review_profile(con, entity.id, revision)
        dates = con.profiles.article_dates(cited_urls([view.profile])) if view is not None else {}
    if view is None:
        raise Refused(f"{entity.name} has no revision {revision}")
    if json_out:
        print_json(view.to_json())
        return
    show(render_card(view.profile, dates))
    say("revisions: " + ", ".join(f"{r['revision']} {r['status']}" for r in view.revisions))
    if view.overrides:
        say("reviewer overrides: " + ", ".join(f"{k}={v!r}" for k, v in view.overrides.items()))
    if view.changes:
        say(Text(f"changes against approved revision {view.profile['approved_revision']}:", style="bold"))
        for change in view.changes:
            say("  " + change.description)
    table = Table("claim id", "type", "polarity", "modality", "object", "verdict", "evidence")
    for c in view.claims:
        # The source a claim is attributed to, so a reviewer weighs "X said" apart from the article's own word.
        modality = c.modality + (f", per {c.attributed_to}" if c.attributed_to else "")
        table.add_row(c["id"], c["type"], c["polarity"], Text(modality), Text(c["object"] or ""), c["verdict"] or "open",
                      Text(c["evidence"]))
    show(table)


@cli.command("approve")
def review_approve(name: str, reviewer: Reviewer, note: Note = None) -> None:
    """Approve the latest draft (the approved revision before it becomes superseded)."""
    from dossier.review.desk import approve

    with acting_as(reviewer) as con:
        entity = _entity(con, name)
        done = approve(con, entity.id, reviewer, note)
    say(f"approved {entity.name} revision {done.revision}"
        + (f" (revision {done.superseded} superseded)" if done.superseded else ""))


@cli.command("reject")
def review_reject(name: str, reviewer: Reviewer, note: Annotated[str, typer.Option("--note", help="The reason (required).")]) -> None:
    """Reject the latest draft with a reason; an approved revision stays current."""
    from dossier.review.desk import reject

    with acting_as(reviewer) as con:
        entity = _entity(con, name)
        done = reject(con, entity.id, reviewer, note)
    say(f"rejected {entity.name} revision {done.revision}")


def parse_changes(changes: list[str], clear: list[str]) -> dict[str, Any]:
    """`field=value` pairs and cleared fields as the edit's values (None: drop the override)."""
    values: dict[str, Any] = {}
    for pair in changes:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise Refused(f"{pair!r}: write field=value")
        values[field.strip()] = value.strip()
    values.update({field: None for field in clear})
    return values


@cli.command("edit")
def review_edit(
    name: str,
    changes: Annotated[list[str] | None, typer.Argument(help="field=value pairs, e.g. type='AI hardware manufacturer'.")] = None,
    clear: Annotated[list[str] | None, typer.Option("--clear", help="Drop the override of this field (repeatable).")] = None,
    reviewer: Reviewer = "",
    note: Note = None,
) -> None:
    """Set profile fields by hand; kept as overrides on every later draft."""
    from dossier.review.desk import edit

    if not reviewer:
        raise Refused("--reviewer (or DOSSIER_REVIEWER) is required")
    values = parse_changes(changes or [], clear or [])
    with acting_as(reviewer) as con:
        entity = _entity(con, name)
        done = edit(con, entity.id, values, reviewer, note)
    say(f"edited {entity.name}: " + ", ".join(f"{k}={v!r}" for k, v in done.overrides.items())
        + (f"; draft revision {done.draft_revision}" if done.draft_revision else ""))


@cli.command("merge")
def review_merge(
    keep: Annotated[str, typer.Argument(help="The organisation that stays.")],
    merged: Annotated[str, typer.Argument(help="The organisation merged into it.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Merge one organisation into another (re-applied on every later run)."""
    from dossier.review.desk import merge

    with acting_as(reviewer) as con:
        kept, gone = _entity(con, keep), _entity(con, merged)
        done = merge(con, kept.id, gone.id, reviewer, note)
    say(f"merged {gone.name} into {kept.name}; draft revision {done.draft_revision}")


@cli.command("split")
def review_split(
    name: Annotated[str, typer.Argument(help="The organisation that holds the alias.")],
    alias: Annotated[str, typer.Argument(help="The alias that names another organisation.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Split an alias off an organisation into one of its own (re-applied on every later run)."""
    from dossier.review.desk import split

    with acting_as(reviewer) as con:
        entity = _entity(con, name)
        split(con, entity.id, alias, reviewer, note)
    say(f"split {alias!r} off {entity.name}")


@cli.command("unmerge")
def review_unmerge(
    keep: Annotated[str, typer.Argument(help="The organisation another was merged into.")],
    merged: Annotated[str, typer.Argument(help="The merged organisation (its name or id).")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Undo a merge: the merged organisation gets back its aliases, evidence and revisions."""
    from dossier.review.desk import resolve_merged, unmerge

    with acting_as(reviewer) as con:
        kept = _entity(con, keep)
        gone = resolve_merged(con, kept.id, merged)
        unmerge(con, kept.id, gone.id, reviewer, note)
    say(f"un-merged {gone.name} from {kept.name}")


@cli.command("unsplit")
def review_unsplit(
    name: Annotated[str, typer.Argument(help="The organisation the alias was split off.")],
    alias: Annotated[str, typer.Argument(help="The alias that was split off.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Undo a split: the alias and its mentions return to the organisation."""
    from dossier.review.desk import unsplit

    with acting_as(reviewer) as con:
        entity = _entity(con, name)
        unsplit(con, entity.id, alias, reviewer, note)
    say(f"un-split {alias!r}: it names {entity.name} again")


@cli.command("claim")
def review_claim_command(
    claim_id: Annotated[str, typer.Argument(help="Claim id (see `dossier review show`).")],
    verdict: Annotated[str, typer.Argument(help="accept or reject.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Accept or reject a claim and every copy of it (same subject, type and object, with the same
    sentence or in the same story cluster); kept on later runs until its sentence changes."""
    from dossier.review.desk import review_claim

    if verdict not in VERDICTS:
        raise Refused(f"{verdict!r}: use accept or reject")
    with acting_as(reviewer) as con:
        done = review_claim(con, claim_id, VERDICTS[verdict], reviewer, note)
    say(f"{done.verdict} claim {claim_id} ({done.type}, {done.polarity}){done.other_copies}")


@cli.command("values")
def review_values(
    field: Annotated[str | None, typer.Argument(help="An editable field (default: list the editable fields).")] = None,
) -> None:
    """The values an edit of a field may set (`dossier review edit`), one a line."""
    from dossier.review.revisions import EDITABLE_FIELDS, allowed_values

    if field is None:
        for name in EDITABLE_FIELDS:
            values = allowed_values(name)
            say(f"{name}: " + (f"{len(values)} values" if values is not None else "free text"))
        return
    values = allowed_values(field)
    if values is None:
        from dossier.profiles.vocabulary import FREE_TEXT_MAX

        say(f"{field}: free text, at most {FREE_TEXT_MAX} characters")
        return
    for value in values:
        say(Text(value))


@cli.command("history")
def review_history(
    name: Annotated[str | None, typer.Argument(help="Only this organisation.")] = None,
    limit: Annotated[int, typer.Option(help="Newest events shown.")] = 50,
    by: Annotated[str | None, typer.Option("--by", help="Only the actions of this reviewer.")] = None,
    json_out: JsonLines = False,
) -> None:
    """Every review action, newest first (the append-only review_events)."""
    with connect(write=False) as session:
        entity_id = _entity(session, name).id if name else None
        rows = session.reviews.events(entity_id, limit, reviewer=by)
    if json_out:
        print_json_lines(rows)
        return
    table = Table("when", "reviewer", "action", "organisation", "rev", "note", "after")
    for row in rows:
        table.add_row(str(row["occurred_at"])[:19], Text(row["reviewer"]), row["action"], Text(row["name"] or ""),
                      str(row["revision"] or ""), Text(row["note"] or ""), Text((row["after"] or "")[:80]))
    show_table(table, rows, "No review actions yet.")
