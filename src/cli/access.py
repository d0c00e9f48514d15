"""How a command reaches the warehouse: the one provider every command uses, so that how a
connection (or, later, a store session) is obtained is decided in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dossier.settings import Settings, load_settings

if TYPE_CHECKING:
    from dossier.store.warehouse import Warehouse


def open_warehouse(settings: Settings | None = None) -> Warehouse:
    """The configured warehouse (not yet connected), waiting `warehouse_wait` for a busy file."""
    from dossier.store.warehouse import Warehouse  # when called: `dossier --help` opens no database library

    settings = settings or load_settings()
    return Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait)


@contextmanager
def connect(*, write: bool, settings: Settings | None = None) -> Iterator[Any]:
    """A connection to the warehouse: read-only unless `write`, so a reader never takes the
    writer's place. Its errors are DossierErrors: `main()` reports them."""
    warehouse = open_warehouse(settings)
    with (warehouse.write() if write else warehouse.read()) as con:
        yield con


@contextmanager
def acting_as(reviewer: str, settings: Settings | None = None) -> Iterator[Any]:
    """A writer session for a review action by `reviewer`, refused before anything is done
    unless the name may review (dossier.review.accounts.check_reviewer): the desk's sign-in
    checks its users, and this checks the command line's `--reviewer` the same way."""
    from dossier.review.accounts import check_reviewer

    with connect(write=True, settings=settings) as session:
        check_reviewer(session, reviewer)
        yield session
