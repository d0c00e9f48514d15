"""Identity decisions in the desk: the organisation picker's search, the confirmation pages a
merge or a split goes through (what will move, then Confirm or Cancel), and undoing a merge or
a split in force. The merge and split themselves are posted to the profile's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from dossier.records.review import EntityRef, OrganisationMatch
from dossier.review import desk, identity
from dossier.review.desk import ReviewError
from dossier.store.session import ReadSession, WriteSession
from dossier.web.deps import Checked, Reviewer, Viewer
from dossier.web.pages import render
from dossier.web.routes.profiles import act
from dossier.web.security import reading

router = APIRouter()


@router.get("/organisations/search")
def search(request: Request, user: Viewer, q: str = "", exclude: str = "",
           limit: int = identity.SEARCH_LIMIT) -> JSONResponse:
    """Organisations whose name or alias contains `q` (at most 20), for the merge picker."""
    with reading(request) as con:
        found = identity.search_organisations(con, q, exclude or None, limit)
    return JSONResponse([match.model_dump() for match in found])


def _organisation(con: ReadSession, entity_id: str) -> EntityRef:
    name = con.judgements.organisation_name(entity_id)
    if name is None:
        raise HTTPException(status_code=404, detail="No organisation with that id.")
    return EntityRef(id=entity_id, name=name)


@router.get("/profiles/{entity_id}/merge", response_class=HTMLResponse)
def confirm_merge(request: Request, entity_id: str, user: Reviewer, other: str = "", other_id: str = "",
                  note: str = "") -> HTMLResponse:
    """What merging the picked organisation into this one would move, with Confirm and Cancel.
    A name that is unknown or names several organisations gets the search's matches to pick from."""
    candidates: list[OrganisationMatch] = []
    preview, error = None, None
    with reading(request) as con:
        kept = _organisation(con, entity_id)
        try:
            merged_id = other_id.strip() or identity.pick_organisation(con, other).id
            preview = identity.merge_preview(con, entity_id, merged_id)
        except ReviewError as exc:
            error = str(exc)
            candidates = identity.search_organisations(con, other, exclude=entity_id)
    status = 200 if preview is not None else 400
    return render(request, "merge_confirm.html", status_code=status, kept=kept, preview=preview, error=error,
                  candidates=candidates, other=other, note=note)


@router.get("/profiles/{entity_id}/split", response_class=HTMLResponse)
def confirm_split(request: Request, entity_id: str, user: Reviewer, alias: str = "", note: str = "") -> HTMLResponse:
    """What splitting `alias` off this organisation would move, with Confirm and Cancel."""
    preview, error = None, None
    with reading(request) as con:
        entity = _organisation(con, entity_id)
        try:
            preview = identity.split_preview(con, entity_id, alias)
        except ReviewError as exc:
            error = str(exc)
    status = 200 if preview is not None else 400
    return render(request, "split_confirm.html", status_code=status, entity=entity, preview=preview, error=error,
                  alias=alias, note=note)


@router.post("/profiles/{entity_id}/unmerge")
def unmerge(request: Request, entity_id: str, user: Reviewer, csrf: Checked, other: Annotated[str, Form()],
            note: Annotated[str, Form()] = "") -> Response:
    """Undo the merge of `other` (an id or name) into this organisation: a new judgement, in history."""
    def run(con: WriteSession) -> str:
        merged = desk.resolve_merged(con, entity_id, other.strip())
        desk.unmerge(con, entity_id, merged.id, user.username, note or None)
        return merged.name
    return act(request, entity_id, run, lambda name: f"Undid the merge of {name}: it is an organisation of its own again.")


@router.post("/profiles/{entity_id}/unsplit")
def unsplit(request: Request, entity_id: str, user: Reviewer, csrf: Checked, alias: Annotated[str, Form()],
            note: Annotated[str, Form()] = "") -> Response:
    """Undo the split of `alias` off this organisation: a new judgement, in history."""
    return act(request, entity_id, lambda con: desk.unsplit(con, entity_id, alias, user.username, note or None),
               f"Undid the split of {alias!r}: it names this organisation again.")

