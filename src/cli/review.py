"""`dossier review …`, `dossier users …` and `dossier serve`: the reviewer's desk on the
command line and on the web. Thin: every action is a function of dossier.review.desk."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dossier.settings import load_settings

review_app = typer.Typer(help="Work the review queue: approve, reject, edit, merge, split.", no_args_is_help=True)
users_app = typer.Typer(help="People who may sign in to `dossier serve`.", no_args_is_help=True)

console = Console()
errors = Console(stderr=True)

Reviewer = Annotated[str, typer.Option("--reviewer", envvar="DOSSIER_REVIEWER", help="Who is acting (recorded in review_events).")]
Note = Annotated[str | None, typer.Option("--note", help="Why (recorded with the action).")]


def register(app: typer.Typer) -> None:
    """Add the review, users and serve commands to the main `dossier` app."""
    app.add_typer(review_app, name="review")
    app.add_typer(users_app, name="users")
    app.command("serve")(serve)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(Text("error: ", style="red") + Text(" ".join(message.split())), soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _desk(write: bool = True) -> Iterator[Any]:
    """A warehouse session (a read session unless `write`: a reader never takes the writer's
    place); typed errors become one clean line and their family's exit code."""
    from dossier.review.accounts import AccountError
    from dossier.review.desk import ReviewError
    from dossier.store.warehouse import Warehouse, WarehouseError

    settings = load_settings()
    warehouse = Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait)
    try:
        with (warehouse.write() if write else warehouse.read()) as session:
            yield session
    except (ReviewError, AccountError) as exc:
        raise _fail(str(exc)) from None
    except WarehouseError as exc:
        raise _fail(str(exc), exc.exit_code) from None


def _entity(con: Any, ref: str) -> dict[str, Any]:
    from dossier.review.desk import resolve_entity

    return resolve_entity(con, ref)


# --- review -----------------------------------------------------------------------------

@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="draft, approved, rejected, superseded or any.")] = "draft",
    grade: Annotated[str | None, typer.Option(help="Only this grade (A, A/B, B/C, C/D, D).")] = None,
    domain: Annotated[str | None, typer.Option(help="Only this primary domain.")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region (continent).")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many (0: all).")] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per row.")] = False,
) -> None:
    """The queue, highest impact × uncertainty × recency first."""
    from dossier.cli.choices import check_choice
    from dossier.review.desk import STATUSES, review_queue
    from dossier.scoring.grades import GRADES

    check_choice("--status", status, STATUSES)
    check_choice("--grade", grade, GRADES)
    with _desk(write=False) as con:
        rows = review_queue(con, status, grade, domain, region, limit or None)
    if json_out:
        for row in rows:
            print(json.dumps({k: v for k, v in row.items() if k not in ("diff", "overrides")}, default=str))
        return
    table = Table("priority", "name", "rev", "status", "grade", "conf", "impact", "domain", "region", "last seen", "changes")
    for row in rows:
        changes = len(json.loads(row["diff"])) if row["diff"] else ("new" if row["approved_revision"] is None else 0)
        table.add_row(f"{row['priority']:.3f}", Text(row["name"]), str(row["revision"]), row["status"], row["grade"],
                      f"{row['confidence']:.2f}", row["impact"] or "", row["primary_domain"] or "", row["region"] or "",
                      str(row["last_seen"] or "")[:10], str(changes))
    console.print(table if rows else f"No {status} profiles match.")


@review_app.command("show")
def review_show(
    name: Annotated[str, typer.Argument(help="Organisation name, alias or id.")],
    revision: Annotated[int | None, typer.Option(help="This revision (default: the latest draft, else the approved one).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="The revision, its diff and claims as JSON.")] = False,
) -> None:
    """A profile for review: its card, the diff against the approved revision, claims with ids."""
    from dossier.cli.cards import render_card
    from dossier.review.desk import current_revision, latest_draft
    from dossier.review.revisions import describe_change
    from dossier.store import reviews as store

    with _desk(write=False) as con:
        entity = _entity(con, name)
        row = (store.revision(con, entity["id"], revision) if revision is not None
               else latest_draft(con, entity["id"]) or current_revision(con, entity["id"]))
        if row is None:
            raise _fail(f"{entity['name']} has no revision {revision}")
        claims = store.entity_claims(con, entity["id"])
        revs = store.revisions(con, entity["id"])
    if json_out:
        print(json.dumps({"profile": row.to_row(), "claims": claims, "revisions": [
            {k: r[k] for k in ("revision", "status", "reviewer", "reviewed_at", "note")} for r in revs]}, default=str, indent=2))
        return
    console.print(render_card(row))
    console.print(Text("revisions: " + ", ".join(f"{r['revision']} {r['status']}" for r in revs)))
    if row.overrides:
        console.print(Text("reviewer overrides: " + ", ".join(f"{k}={v!r}" for k, v in row.overrides.items())))
    if row.diff:
        console.print(Text(f"changes against approved revision {row.approved_revision}:", style="bold"))
        for field, change in row.diff.items():
            console.print(Text("  " + describe_change(field, change)))
    table = Table("claim id", "type", "polarity", "modality", "object", "verdict", "evidence")
    for c in claims:
        # The source a claim is attributed to, so a reviewer weighs "X said" apart from the article's own word.
        modality = c["modality"] + (f", per {c['attributed_to']}" if c.get("attributed_to") else "")
        table.add_row(c["id"], c["type"], c["polarity"], Text(modality), Text(c["object"] or ""), c["verdict"] or "open",
                      Text(c["evidence"]))
    console.print(table)


@review_app.command("approve")
def review_approve(name: str, reviewer: Reviewer, note: Note = None) -> None:
    """Approve the latest draft (the approved revision before it becomes superseded)."""
    from dossier.review.desk import approve

    with _desk() as con:
        entity = _entity(con, name)
        done = approve(con, entity["id"], reviewer, note)
    console.print(Text(f"approved {entity['name']} revision {done['revision']}"
                       + (f" (revision {done['superseded']} superseded)" if done["superseded"] else "")))


@review_app.command("reject")
def review_reject(name: str, reviewer: Reviewer, note: Annotated[str, typer.Option("--note", help="The reason (required).")]) -> None:
    """Reject the latest draft with a reason; an approved revision stays current."""
    from dossier.review.desk import reject

    with _desk() as con:
        entity = _entity(con, name)
        done = reject(con, entity["id"], reviewer, note)
    console.print(Text(f"rejected {entity['name']} revision {done['revision']}"))


@review_app.command("edit")
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
        raise _fail("--reviewer (or DOSSIER_REVIEWER) is required")
    values: dict[str, Any] = {}
    for pair in changes or []:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise _fail(f"{pair!r}: write field=value")
        values[field.strip()] = value.strip()
    values.update({field: None for field in clear or []})
    with _desk() as con:
        entity = _entity(con, name)
        done = edit(con, entity["id"], values, reviewer, note)
    console.print(Text(f"edited {entity['name']}: " + ", ".join(f"{k}={v!r}" for k, v in values.items())
                       + (f"; draft revision {done['draft_revision']}" if done["draft_revision"] else "")))


@review_app.command("merge")
def review_merge(
    keep: Annotated[str, typer.Argument(help="The organisation that stays.")],
    merged: Annotated[str, typer.Argument(help="The organisation merged into it.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Merge one organisation into another (re-applied on every later run)."""
    from dossier.review.desk import merge

    with _desk() as con:
        kept, gone = _entity(con, keep), _entity(con, merged)
        done = merge(con, kept["id"], gone["id"], reviewer, note)
    console.print(Text(f"merged {gone['name']} into {kept['name']}; draft revision {done['draft_revision']}"))


@review_app.command("split")
def review_split(
    name: Annotated[str, typer.Argument(help="The organisation that holds the alias.")],
    alias: Annotated[str, typer.Argument(help="The alias that names another organisation.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Split an alias off an organisation into one of its own (re-applied on every later run)."""
    from dossier.review.desk import split

    with _desk() as con:
        entity = _entity(con, name)
        split(con, entity["id"], alias, reviewer, note)
    console.print(Text(f"split {alias!r} off {entity['name']}"))


@review_app.command("unmerge")
def review_unmerge(
    keep: Annotated[str, typer.Argument(help="The organisation another was merged into.")],
    merged: Annotated[str, typer.Argument(help="The merged organisation (its name or id).")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Undo a merge: the merged organisation gets back its aliases, evidence and revisions."""
    from dossier.review.desk import resolve_merged, unmerge

    with _desk() as con:
        kept = _entity(con, keep)
        gone = resolve_merged(con, kept["id"], merged)
        unmerge(con, kept["id"], gone["id"], reviewer, note)
    console.print(Text(f"un-merged {gone['name']} from {kept['name']}"))


@review_app.command("unsplit")
def review_unsplit(
    name: Annotated[str, typer.Argument(help="The organisation the alias was split off.")],
    alias: Annotated[str, typer.Argument(help="The alias that was split off.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Undo a split: the alias and its mentions return to the organisation."""
    from dossier.review.desk import unsplit

    with _desk() as con:
        entity = _entity(con, name)
        unsplit(con, entity["id"], alias, reviewer, note)
    console.print(Text(f"un-split {alias!r}: it names {entity['name']} again"))


@review_app.command("claim")
def review_claim_command(
    claim_id: Annotated[str, typer.Argument(help="Claim id (see `dossier review show`).")],
    verdict: Annotated[str, typer.Argument(help="accept or reject.")],
    reviewer: Reviewer, note: Note = None,
) -> None:
    """Accept or reject one claim; it stays decided until its evidence sentence changes."""
    from dossier.review.desk import review_claim

    verdicts = {"accept": "accepted", "reject": "rejected", "accepted": "accepted", "rejected": "rejected"}
    if verdict not in verdicts:
        raise _fail(f"{verdict!r}: use accept or reject")
    with _desk() as con:
        done = review_claim(con, claim_id, verdicts[verdict], reviewer, note)
    console.print(Text(f"{done['verdict']} claim {claim_id} ({done['type']}, {done['polarity']})"))


@review_app.command("history")
def review_history(
    name: Annotated[str | None, typer.Argument(help="Only this organisation.")] = None,
    limit: Annotated[int, typer.Option(help="Newest events shown.")] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per event.")] = False,
) -> None:
    """Every review action, newest first (the append-only review_events)."""
    from dossier.store import reviews as store

    with _desk(write=False) as con:
        entity_id = _entity(con, name)["id"] if name else None
        rows = store.events(con, entity_id, limit)
    if json_out:
        for row in rows:
            print(json.dumps(row, default=str))
        return
    table = Table("when", "reviewer", "action", "organisation", "rev", "note", "after")
    for row in rows:
        table.add_row(str(row["occurred_at"])[:19], Text(row["reviewer"]), row["action"], Text(row["name"] or ""),
                      str(row["revision"] or ""), Text(row["note"] or ""), Text((row["after"] or "")[:80]))
    console.print(table if rows else "No review actions yet.")


# --- users ------------------------------------------------------------------------------

@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, reviewer or admin.")] = "reviewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Add a user (the password is asked for, or read from standard input)."""
    from dossier.review.accounts import add_account

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with _desk() as con:
        add_account(con, username, password, role)
    console.print(Text(f"added {username} ({role})"))


@users_app.command("list")
def users_list(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users with their roles."""
    with _desk(write=False) as con:
        rows = con.accounts.list_users()
    if json_out:
        for row in rows:
            print(json.dumps(row, default=str))
        return
    table = Table("username", "role", "active", "created")
    for row in rows:
        table.add_row(Text(row["username"]), row["role"], "yes" if row["active"] else "disabled", str(row["created_at"])[:19])
    console.print(table if rows else "No users yet: `dossier users add NAME --role admin`.")


@users_app.command("disable")
def users_disable(
    username: str,
    by: Annotated[str, typer.Option("--reviewer", envvar="DOSSIER_REVIEWER", help="Who disables the account.")] = "cli",
) -> None:
    """Disable a user (kept, never deleted; their sessions stop working at once)."""
    from dossier.review.accounts import disable_account

    with _desk() as con:
        disable_account(con, username, by)
    console.print(Text(f"disabled {username}"))


# --- serve ------------------------------------------------------------------------------

def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (DOSSIER_SERVE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (DOSSIER_SERVE_PORT).")] = None,
) -> None:
    """Start the review desk, a web application for reviewers (sign in with `dossier users add`)."""
    import uvicorn

    from dossier.cli.choices import check_port
    from dossier.web.app import create_app

    settings = load_settings()
    check_port("--port", port)
    # Migrations applied once, here: the desk's pages read through read-only connections,
    # which cannot. A busy or broken warehouse is one line now rather than a failing page later.
    from dossier.store.warehouse import Warehouse

    with Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait).write():
        pass
    if settings.session_secret is None:
        errors.print("note: DOSSIER_SESSION_SECRET is unset; sign-ins last until this process stops.")
    # proxy_headers=False: the app believes forwarded headers only from DOSSIER_TRUSTED_PROXIES
    # (web.app.trust_proxies); uvicorn's own handling would trust 127.0.0.1 regardless.
    uvicorn.run(create_app(settings), host=host or settings.serve_host, port=port if port is not None else settings.serve_port,
                log_level="warning", proxy_headers=False)
