"""`dossier alerts list|deliver`: the alerts runs raised, and sending the pending ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dossier.cli.access import connect, open_warehouse
from dossier.cli.options import JsonLines
from dossier.cli.output import print_json_lines, say, show_table
from dossier.errors import RunFailed, UsageError
from dossier.settings import load_settings

cli = typer.Typer(name="alerts", help="Alerts raised against the watchlists, and their webhook delivery.",
                  no_args_is_help=True)


def parse_since(value: str | None) -> datetime | None:
    """An ISO date or date-time (UTC unless it says otherwise), or None."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date (YYYY-MM-DD) or ISO date-time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@cli.command("list")
def alerts_list(
    since: Annotated[str | None, typer.Option(help="Only alerts raised at or after this date (UTC), e.g. 2026-12-01.")] = None,
    run: Annotated[str | None, typer.Option(help="Only the alerts of this run id.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="Show at most this many, newest first (0: all).")] = 100,
    json_out: JsonLines = False,
) -> None:
    """Alerts, newest first: kind, organisation, what changed, delivery state."""
    from dossier.alerts.views import recent_alerts

    when = parse_since(since)
    with connect(write=False) as session:
        alerts = recent_alerts(session, when, limit or None, run)
    if json_out:
        print_json_lines(a.to_json() for a in alerts)
        return
    table = Table("raised UTC", "kind", "organisation", "alert", "delivery")
    for a in alerts:
        table.add_row(a.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"), a.kind.replace("_", " "),
                      Text(a.organisation or a.entity_id), Text(a.summary), a.delivery)
    show_table(table, alerts, "No alerts; `dossier watch add` says what to watch.")


@cli.command("deliver")
def alerts_deliver(
    today: Annotated[bool, typer.Option("--today", help="Digest mode: send today's digest now, not once the day is over.")] = False,
) -> None:
    """Post the pending alerts (failed ones included) to the configured webhook."""
    from dossier.alerts.delivery import deliver_pending

    settings = load_settings()
    if not settings.webhook_url:
        raise UsageError("no webhook configured: set webhook_url and webhook_secret (docs/operations.md)")
    outcome = deliver_pending(open_warehouse(settings), settings, whole_days_only=not today)
    say(f"delivered {outcome.delivered} alerts in {outcome.posts - len(outcome.errors)} posts")
    if outcome.errors:
        raise RunFailed(f"{outcome.failed} alerts not delivered (left pending): {outcome.errors[0]}")
