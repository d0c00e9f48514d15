"""An organisation's profile: the page a reviewer weighs it on, and the actions taken there
(reviewer role, CSRF-checked; each a function of dossier.review.desk, landing in review_events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.profiles.card import build_card
from dossier.profiles.render import profile_view
from dossier.review import desk, views
from dossier.review.accounts import role_allows
from dossier.review.revisions import EDITABLE_FIELDS
from dossier.web.deps import Checked, Reviewer, Viewer
from dossier.web.pages import render
from dossier.web.security import reading, writing

router = APIRouter(prefix="/profiles")


@router.get("/{entity_id}", response_class=HTMLResponse)
def profile(request: Request, entity_id: str, user: Viewer, revision: int | None = None) -> HTMLResponse:
    with reading(request) as con:
        view = views.review_profile(con, entity_id, revision)
        around = views.profile_surroundings(con, entity_id) if view is not None else None
    if view is None or around is None:
        detail = "No profile with that id." if revision is None else f"No revision {revision}."
        raise HTTPException(status_code=404, detail=detail)
    p = profile_view(view.profile)
    card = build_card(view.profile, {a.url: a.published for a in around.articles if a.url})
    return render(request, "profile.html", p=p, card=card,
                  diff=[(change.field, change.description) for change in view.changes],
                  claims=view.claims, articles=around.articles, aliases=around.aliases, overrides=around.overrides,
                  revisions=view.revisions, others=around.others, editable=EDITABLE_FIELDS,
                  is_latest_draft=view.is_latest_draft, can_review=role_allows(user.role, "reviewer"),
                  features=(p["score_components"] or {}).get("features", {}))


def act(request: Request, entity_id: str, action: Callable[[Any], Any], done: str) -> Response:
    """Run `action` on a writer connection; back to the profile with what was done, or why not."""
    try:
        with writing(request) as con:
            action(con)
    except desk.ReviewError as exc:
        request.session["flash"] = f"Not done: {exc}"
    else:
        request.session["flash"] = done
    return RedirectResponse(f"/profiles/{quote(entity_id)}", status_code=303)


@router.post("/{entity_id}/approve")
def approve(request: Request, entity_id: str, user: Reviewer, csrf: Checked, revision: Annotated[int, Form()],
            content_hash: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    return act(request, entity_id, lambda con: desk.approve(
        con, entity_id, user.username, note or None, revision, content_hash or None), f"Approved revision {revision}.")


@router.post("/{entity_id}/reject")
def reject(request: Request, entity_id: str, user: Reviewer, csrf: Checked, revision: Annotated[int, Form()],
           note: Annotated[str, Form()] = "") -> Response:
    return act(request, entity_id, lambda con: desk.reject(con, entity_id, user.username, note, revision),
               f"Rejected revision {revision}.")


@router.post("/{entity_id}/edit")
def edit(request: Request, entity_id: str, user: Reviewer, csrf: Checked, field: Annotated[str, Form()],
         value: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    new = value.strip() or None
    return act(request, entity_id, lambda con: desk.edit(con, entity_id, {field: new}, user.username, note or None),
               f"Set {field} to {new!r}." if new else f"Cleared the override of {field}.")


@router.post("/{entity_id}/merge")
def merge(request: Request, entity_id: str, user: Reviewer, csrf: Checked, other: Annotated[str, Form()],
          note: Annotated[str, Form()] = "") -> Response:
    def run(con: Any) -> None:
        merged = desk.resolve_entity(con, other.strip())
        desk.merge(con, entity_id, merged.id, user.username, note or None)
    return act(request, entity_id, run, f"Merged {other.strip()} into this organisation.")


@router.post("/{entity_id}/split")
def split(request: Request, entity_id: str, user: Reviewer, csrf: Checked, alias: Annotated[str, Form()],
          note: Annotated[str, Form()] = "") -> Response:
    return act(request, entity_id, lambda con: desk.split(con, entity_id, alias, user.username, note or None),
               f"Split {alias!r} off into an organisation of its own.")
