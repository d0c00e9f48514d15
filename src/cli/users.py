"""`dossier users add|list|disable`: the people who may sign in to `dossier serve`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dossier.cli.access import connect
from dossier.cli.options import JsonLines
from dossier.cli.output import print_json_lines, say, show_table

cli = typer.Typer(name="users", help="People who may sign in to `dossier serve`.", no_args_is_help=True)


@cli.command("add")
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
    with connect(write=True) as con:
        add_account(con, username, password, role)
    say(f"added {username} ({role})")


@cli.command("list")
def users_list(json_out: JsonLines = False) -> None:
    """List users with their roles."""
    with connect(write=False) as session:
        rows = session.accounts.list_users()
    if json_out:
        print_json_lines(rows)
        return
    table = Table("username", "role", "active", "created")
    for row in rows:
        table.add_row(Text(row["username"]), row["role"], "yes" if row["active"] else "disabled", str(row["created_at"])[:19])
    show_table(table, rows, "No users yet: `dossier users add NAME --role admin`.")


@cli.command("disable")
def users_disable(
    username: str,
    by: Annotated[str, typer.Option("--reviewer", envvar="DOSSIER_REVIEWER", help="Who disables the account.")] = "cli",
) -> None:
    """Disable a user (kept, never deleted; their sessions stop working at once)."""
    from dossier.review.accounts import disable_account

    with connect(write=True) as con:
        disable_account(con, username, by)
    say(f"disabled {username}")
