"""The `dossier` command line: a thin layer over the library that turns typed errors into one line.

Every command lives in a module of this package on that module's `cli` Typer (named for a
command group, unnamed for top-level commands) and is registered here, in one list."""

from __future__ import annotations

from typing import Any

import click
import typer
from typer.core import TyperGroup

from dossier.cli import (
    alerts,
    config,
    evaluation,
    exports,
    extract,
    feeds,
    ingest,
    operations,
    profiles,
    reprocess,
    review,
    runs,
    users,
    watch,
)
from dossier.cli.output import print_error
from dossier.errors import STORAGE_ERRNOS, DossierError, StorageError, is_disk_full, storage_error

# In the order `dossier --help` lists them.
COMMAND_MODULES = (ingest, reprocess, feeds, profiles, runs, config, exports, extract, evaluation, review, watch,
                   alerts, users, operations)


def as_dossier_error(exc: BaseException) -> DossierError | None:
    """`exc` as the DossierError it means, or None for a bug (which keeps its traceback): the
    file system refusing is a StorageError, and so is a DuckDB error that says the disk is full
    or the file read-only."""
    import duckdb

    if isinstance(exc, DossierError):
        return exc
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        return storage_error(exc)
    if isinstance(exc, duckdb.Error) and (is_disk_full(exc) or "read-only" in str(exc).lower()):
        return StorageError(f"the warehouse could not be written: {str(exc).splitlines()[0]}")
    return None


class DossierGroup(TyperGroup):
    """The `dossier` command group. Every command, of every sub-group, runs inside `invoke`: the
    one place where an error becomes one line on standard error and its family's exit code
    (README, "Exit codes"), never a traceback; errors raised inside the Prefect flow reach it as
    themselves. It is where `main()` (and an in-process CliRunner) runs them."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:  # noqa: BLE001 - anything not mapped is raised again as it was
            error = as_dossier_error(exc)
            if error is None:
                raise
            print_error(str(error) or type(error).__name__)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(help="News in, reviewed organisation profiles out.", no_args_is_help=True, add_completion=False,
                  cls=DossierGroup)
for module in COMMAND_MODULES:
    app.add_typer(module.cli)


def main() -> None:
    """Entry point of the `dossier` script; errors become one line in `DossierGroup.invoke`."""
    app(prog_name="dossier")
