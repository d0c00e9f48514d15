"""The review queue, the desk's home page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.review import desk, views
from dossier.web.deps import Viewer
from dossier.web.pages import render
from dossier.web.security import reading

router = APIRouter()


@router.get("/")
def home(user: Viewer) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, user: Viewer, status: str = "draft", grade: str = "", domain: str = "",
          region: str = "") -> HTMLResponse:
    if status not in desk.STATUSES:
        raise HTTPException(status_code=400, detail=f"Unknown status {status!r}.")
    with reading(request) as con:
        entries = views.review_queue(con, status, grade or None, domain or None, region or None)
        choices = con.reviews.filter_values()
    rows = [{**entry.row.model_dump(), "changes": entry.changes} for entry in entries]
    return render(request, "queue.html", rows=rows, choices=choices, statuses=desk.STATUSES,
                  filters={"status": status, "grade": grade, "domain": domain, "region": region})
