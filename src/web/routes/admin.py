"""The desk's own records: the review history (every reviewer may read it) and the users (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dossier.review.history import HistoryFilters, history_page
from dossier.web.deps import Admin, Viewer
from dossier.web.pages import render
from dossier.web.security import reading

router = APIRouter()


@router.get("/history", response_class=HTMLResponse)
def history(request: Request, user: Viewer, reviewer: str = "", entity: str = "", organisation: str = "",
            page: int = 1) -> HTMLResponse:
    filters = HistoryFilters(reviewer=reviewer.strip(), entity=entity.strip(), organisation=organisation.strip())
    with reading(request) as con:
        view = history_page(con, filters, page)
    return render(request, "history.html", history=view)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, user: Admin) -> HTMLResponse:
    with reading(request) as con:
        rows = con.accounts.list_users()
    return render(request, "users.html", rows=rows)
