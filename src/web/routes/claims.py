"""One claim: its evidence where it stands in the article, and the reviewer's verdict on it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from dossier.review import desk, views
from dossier.review.accounts import role_allows
from dossier.web.deps import Checked, Reviewer, Viewer
from dossier.web.pages import render
from dossier.web.routes.profiles import act
from dossier.web.security import reading

router = APIRouter(prefix="/claims")


@router.get("/{claim_id}", response_class=HTMLResponse)
def claim(request: Request, claim_id: str, user: Viewer) -> HTMLResponse:
    with reading(request) as con:
        view = views.claim_in_context(con, claim_id)
    if view is None:
        raise HTTPException(status_code=404, detail="No claim with that id.")
    return render(request, "claim.html", c=view.claim, context=view.context, detail=view.detail,
                  can_review=role_allows(user.role, "reviewer"))


@router.post("/{claim_id}/verdict")
def verdict(request: Request, claim_id: str, user: Reviewer, csrf: Checked, verdict: Annotated[str, Form()],
            entity_id: Annotated[str, Form()], note: Annotated[str, Form()] = "") -> Response:
    return act(request, entity_id, lambda con: desk.review_claim(con, claim_id, verdict, user.username, note or None),
               verdict_done)


def verdict_done(done: desk.ClaimVerdict) -> str:
    """What the reviewer is told: the verdict, and how many copies of the claim it covered."""
    return f"Claim {done.verdict}{done.other_copies}."
