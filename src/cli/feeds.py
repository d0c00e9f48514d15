"""`dossier feeds add|list|remove`: the feeds `dossier ingest` polls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from dossier.cli.access import connect
from dossier.cli.options import JsonLines
from dossier.cli.output import print_json_lines, print_note, say, show
from dossier.errors import Refused, UsageError
from dossier.settings import load_settings

cli = typer.Typer(name="feeds", help="Configure the feeds `dossier ingest` polls.", no_args_is_help=True)


@cli.command("add")
def feeds_add(
    url: str,
    publisher: Annotated[str | None, typer.Option(help="Publisher domain, if not the feed's own.")] = None,
    reliability: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Reliability prior in [0, 1].")] = None,
) -> None:
    """Add a feed to poll (refused when every run would refuse to fetch it)."""
    from dossier.store import feeds as feed_store

    settings = load_settings()
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{url}: a feed URL must start with http:// or https://")
    unresolved = check_feed_scope(url, settings.allowed_hosts)
    if unresolved:
        print_note(f"note: {unresolved} does not resolve now; added anyway, every run checks it again")
    with connect(write=True, settings=settings) as con:
        added = feed_store.add_feed(con, url, publisher, reliability)
    say(("added " if added else "already configured: ") + url)


def check_feed_scope(url: str, allowed_hosts: list[str]) -> str | None:
    """Refuse (UsageError) a feed the fetcher's scope check refuses: loopback, private, link-local
    addresses unless allow-listed. A host that does not resolve now is not refused (DNS may be
    down while configuring); its name is returned, and every run checks it again."""
    from dossier.ingest.scope import OutOfScope, UrlScope, resolve

    unresolved: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        try:
            return resolve(host, port)
        except OSError:
            unresolved.append(host)
            raise

    try:
        UrlScope.from_allow_list(allowed_hosts, resolver=resolver).check(url)
    except OutOfScope as exc:
        if unresolved:
            return unresolved[0]
        raise UsageError(f"refused: {exc}") from None
    return None


@cli.command("list")
def feeds_list(json_out: JsonLines = False) -> None:
    """List configured feeds with their health."""
    from dossier.store import feeds as feed_store

    settings = load_settings()
    if not settings.warehouse_path.exists():
        rows = []
    else:
        # Read-only: listing must work on a read-only file system and beside a writer's batches.
        with connect(write=False, settings=settings) as con:
            rows = feed_store.list_feeds(con)
    if json_out:
        print_json_lines(rows)
        return
    table = Table("url", "publisher", "last polled", "status", "errors", "backed off until", "last error")
    now = datetime.now(UTC)
    for row in rows:
        until = row.next_poll_after
        table.add_row(row["url"], row["publisher"] or "", str(row["last_polled"] or "never"),
                      str(row["last_status"] or ""), str(row["error_count"]),
                      str(until) if until is not None and until > now else "", row["last_error"] or "")
    show(table if rows else "No feeds configured; `dossier ingest` runs the built-in demo.")


@cli.command("remove")
def feeds_remove(url: str) -> None:
    """Stop polling a feed (its articles and evidence stay)."""
    from dossier.store import feeds as feed_store

    with connect(write=True) as con:
        removed = feed_store.remove_feed(con, url)
    if not removed:
        raise Refused(f"{url} is not a configured feed")
    say(f"removed {url}")
