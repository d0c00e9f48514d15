"""The alerts the runs raised against the watchlists, newest first (every reviewer may read them)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from dossier.alerts.views import recent_alerts
from dossier.web.deps import Viewer
from dossier.web.pages import render
from dossier.web.security import reading

router = APIRouter()


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, user: Viewer, since: str = "") -> HTMLResponse:
    try:
        when = datetime.fromisoformat(since) if since else None
    except ValueError:
        raise HTTPException(status_code=400, detail=f"{since!r} is not a date (YYYY-MM-DD).") from None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    with reading(request) as session:
        rows = recent_alerts(session, when, limit=500)
        watches = session.alerts.list_watches()
    return render(request, "alerts.html", rows=rows, watches=watches, since=since)
