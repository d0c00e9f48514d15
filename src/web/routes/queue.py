"""The review queue, the desk's home page: paged, sorted, searched and filtered on the server
(the view lives in the URL), with bulk approve / reject of the ticked profiles."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.records.queue import MONITORING_VIEWS, BulkPick, QueueQuery
from dossier.review import bulk, desk, views
from dossier.review.accounts import role_allows
from dossier.review.queue import monitoring_rule
from dossier.web.deps import Checked, Reviewer, Viewer
from dossier.web.pages import render
from dossier.web.queue_query import PAGE_SIZES, QueueParamError, queue_url, read_from, read_query
from dossier.web.security import now, reading, writing

router = APIRouter()

# The sortable columns of the queue table: (sort key, heading).
SORTABLE = (("priority", "Priority"), ("name", "Organisation"), ("grade", "Grade"), ("confidence", "Confidence"),
            ("last_seen", "Last seen"))


@router.get("/")
def home(user: Viewer) -> Response:
    return RedirectResponse("/queue", status_code=303)


def sort_links(query: QueueQuery) -> dict[str, str]:
    """Per sortable column, the view sorted by it: its natural direction first, reversed when it
    is the column sorted by already."""
    links = {}
    for key, _ in SORTABLE:
        if key == query.sort:
            links[key] = queue_url(query, descending=not query.is_descending, page=1)
        else:
            links[key] = queue_url(query, sort=key, descending=None, page=1)
    return links


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, user: Viewer) -> HTMLResponse:
    try:
        query = read_query(request.query_params, desk.STATUSES)
    except QueueParamError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    rule = monitoring_rule(request.app.state.settings)
    with reading(request) as con:
        view = views.review_queue(con, query, rule, now(request))
        choices = con.reviews.filter_values()
    page = view.page
    here = queue_url(query)
    rows = [{**entry.row.model_dump(), "changes": entry.changes,
             "href": f"/profiles/{quote(entry.row.entity_id)}?from={quote(here, safe='')}"} for entry in view.entries]
    return render(request, "queue.html", rows=rows, choices=choices, statuses=desk.STATUSES, query=query, page=page,
                  here=here, sizes=PAGE_SIZES, sortable=SORTABLE, sort_links=sort_links(query),
                  tabs=[(v, queue_url(query, monitoring=v, page=1)) for v in MONITORING_VIEWS],
                  previous=queue_url(query, page=query.page - 1) if query.page > 1 else None,
                  next=queue_url(query, page=query.page + 1) if query.page < page.pages else None,
                  last=queue_url(query, page=page.pages), first=queue_url(query, page=1),
                  can_review=role_allows(user.role, "reviewer"), monitoring_below=rule.below,
                  filters={"status": query.status, "grade": query.grade or "", "domain": query.domain or "",
                           "region": query.region or ""})


def read_pick(value: str) -> BulkPick:
    """A ticked row's value, `entity_id:revision:content_hash` (what the reviewer saw)."""
    entity_id, _, rest = value.partition(":")
    revision, _, content_hash = rest.partition(":")
    if not entity_id or (revision and not revision.isdigit()):
        raise HTTPException(status_code=400, detail="A ticked profile's value is not understood; reload the queue.")
    return BulkPick(entity_id=entity_id, revision=int(revision) if revision else None,
                         content_hash=content_hash or None)


@router.post("/queue/bulk")
def decide_ticked(request: Request, user: Reviewer, csrf: Checked, action: Annotated[str, Form()],
                  pick: Annotated[list[str] | None, Form()] = None, note: Annotated[str, Form()] = "",
                  from_: Annotated[str, Form(alias="from")] = "") -> Response:
    """Approve or reject every ticked profile with one note; back to the queue view it came from."""
    picks = [read_pick(value) for value in pick or []]
    try:
        outcome = bulk.decide_all(lambda: writing(request), picks, action, user.username, note)
    except desk.ReviewError as exc:
        request.session["flash"] = f"Not done: {exc}"
    else:
        request.session["flash"] = outcome.summary()
    back = read_from(from_, desk.STATUSES) or QueueQuery()
    return RedirectResponse(queue_url(back), status_code=303)
