"""An organisation's profile: the page a reviewer weighs it on, and the actions taken there
(reviewer role, CSRF-checked; each a function of dossier.review.desk, landing in review_events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.profiles.card import build_card
from dossier.profiles.render import profile_view
from dossier.records.queue import QueueNeighbours, QueueQuery
from dossier.review import desk, views
from dossier.review.accounts import role_allows
from dossier.review.queue import monitoring_rule
from dossier.review.revisions import EDITABLE_FIELDS
from dossier.web.deps import Checked, Reviewer, Viewer
from dossier.web.pages import render
from dossier.web.queue_query import queue_url, read_from
from dossier.web.security import now, reading, writing

router = APIRouter(prefix="/profiles")


@router.get("/{entity_id}", response_class=HTMLResponse)
def profile(request: Request, entity_id: str, user: Viewer, revision: int | None = None,
            from_: Annotated[str, Query(alias="from")] = "") -> HTMLResponse:
    came_from = read_from(from_, desk.STATUSES) or QueueQuery()
    with reading(request) as con:
        view = views.review_profile(con, entity_id, revision)
        around = views.profile_surroundings(con, entity_id) if view is not None else None
        neighbours = desk.queue_neighbours(con, came_from, entity_id, monitoring_rule(request.app.state.settings),
                                           now(request))
    if view is None or around is None:
        detail = "No profile with that id." if revision is None else f"No revision {revision}."
        raise HTTPException(status_code=404, detail=detail)
    p = profile_view(view.profile)
    card = build_card(view.profile, {a.url: a.published for a in around.articles if a.url})
    return render(request, "profile.html", p=p, card=card,
                  diff=[(change.field, change.description) for change in view.changes],
                  claims=view.claims, articles=around.articles, aliases=around.aliases, overrides=around.overrides,
                  revisions=view.revisions, identity=around.identity, editable=EDITABLE_FIELDS,
                  is_latest_draft=view.is_latest_draft, can_review=role_allows(user.role, "reviewer"),
                  features=(p["score_components"] or {}).get("features", {}),
                  queue_nav=queue_nav(came_from, neighbours))


def act(request: Request, entity_id: str, action: Callable[[Any], Any], done: str | Callable[[Any], str]) -> Response:
    """Run `action` on a writer connection; back to the profile with what was done (`done`, or
    `done` of what the action returned), or why not."""
    try:
        with writing(request) as con:
            result = action(con)
    except desk.ReviewError as exc:
        request.session["flash"] = f"Not done: {exc}"
    else:
        request.session["flash"] = done(result) if callable(done) else done
    return RedirectResponse(f"/profiles/{quote(entity_id)}", status_code=303)


def profile_url(entity_id: str, came_from: QueueQuery) -> str:
    """A profile's page, carrying the queue view the reviewer works through."""
    return f"/profiles/{quote(entity_id)}?from={quote(queue_url(came_from), safe='')}"


def queue_nav(came_from: QueueQuery, neighbours: QueueNeighbours) -> dict[str, object]:
    """The profile page's place in the queue: back to it, the previous and next profiles."""
    return {"back": queue_url(came_from), "from": queue_url(came_from), "position": neighbours.position,
            "total": neighbours.total,
            "previous": profile_url(neighbours.previous.id, came_from) if neighbours.previous else None,
            "next": profile_url(neighbours.next.id, came_from) if neighbours.next else None}


def act_then_next(request: Request, entity_id: str, action: Callable[[Any], Any], done: str, from_: str) -> Response:
    """Run `action` like `act`, then go on to the profile after this one in the queue view the
    reviewer came from (found before the action moves this one out of it), or back to that
    view when it was the last; refused, back to this profile."""
    came_from = read_from(from_, desk.STATUSES) or QueueQuery()
    try:
        with writing(request) as con:
            following = desk.queue_neighbours(con, came_from, entity_id, monitoring_rule(request.app.state.settings),
                                              now(request)).next
            action(con)
            name = con.judgements.organisation_name(entity_id)
    except desk.ReviewError as exc:
        request.session["flash"] = f"Not done: {exc}"
        return RedirectResponse(profile_url(entity_id, came_from), status_code=303)
    request.session["flash"] = f"{done} ({name})." if name else f"{done}."
    if following is None or following.id == entity_id:
        return RedirectResponse(queue_url(came_from), status_code=303)
    return RedirectResponse(profile_url(following.id, came_from), status_code=303)


@router.post("/{entity_id}/approve")
def approve(request: Request, entity_id: str, user: Reviewer, csrf: Checked, revision: Annotated[int, Form()],
            content_hash: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
            then: Annotated[str, Form()] = "", from_: Annotated[str, Form(alias="from")] = "") -> Response:
    def run(con: Any) -> Any:
        return desk.approve(con, entity_id, user.username, note or None, revision, content_hash or None)
    if then == "next":
        return act_then_next(request, entity_id, run, f"Approved revision {revision}", from_)
    return act(request, entity_id, run, f"Approved revision {revision}.")


@router.post("/{entity_id}/reject")
def reject(request: Request, entity_id: str, user: Reviewer, csrf: Checked, revision: Annotated[int, Form()],
           note: Annotated[str, Form()] = "", then: Annotated[str, Form()] = "",
           from_: Annotated[str, Form(alias="from")] = "") -> Response:
    def run(con: Any) -> Any:
        return desk.reject(con, entity_id, user.username, note, revision)
    if then == "next":
        return act_then_next(request, entity_id, run, f"Rejected revision {revision}", from_)
    return act(request, entity_id, run, f"Rejected revision {revision}.")


@router.post("/{entity_id}/edit")
def edit(request: Request, entity_id: str, user: Reviewer, csrf: Checked, field: Annotated[str, Form()],
         value: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    new = value.strip() or None
    return act(request, entity_id, lambda con: desk.edit(con, entity_id, {field: new}, user.username, note or None),
               f"Set {field} to {new!r}." if new else f"Cleared the override of {field}.")


@router.post("/{entity_id}/merge")
def merge(request: Request, entity_id: str, user: Reviewer, csrf: Checked, other: Annotated[str, Form()],
          note: Annotated[str, Form()] = "") -> Response:
    def run(con: Any) -> str:
        merged = desk.resolve_entity(con, other.strip())
        desk.merge(con, entity_id, merged.id, user.username, note or None)
        return merged.name  # for the message: the confirmation page posts the id
    return act(request, entity_id, run, lambda name: f"Merged {name} into this organisation.")


@router.post("/{entity_id}/split")
def split(request: Request, entity_id: str, user: Reviewer, csrf: Checked, alias: Annotated[str, Form()],
          note: Annotated[str, Form()] = "") -> Response:
    return act(request, entity_id, lambda con: desk.split(con, entity_id, alias, user.username, note or None),
               f"Split {alias!r} off into an organisation of its own.")
