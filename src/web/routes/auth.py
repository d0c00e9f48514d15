"""Signing in and out: the only routes open to everyone (the sign-in form and its POST)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.records.warehouse import User
from dossier.review.accounts import PasswordCheck, check_password
from dossier.web.deps import Checked, Csrf, Viewer
from dossier.web.pages import render
from dossier.web.security import Throttle, login_throttle, now, safe_next, start_session, writing

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/queue") -> HTMLResponse:  # public
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login", dependencies=[Csrf])
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/queue") -> Response:  # public, CSRF-checked
    client = request.client.host if request.client else "unknown"
    when = now(request)
    throttle, row = _admit(request, when, username, client)
    user = None if throttle.refused else _check(request, when, username, client, password, row)
    if throttle.refused:
        minutes = max(1, round(throttle.retry_after / 60))
        response = render(request, "login.html", status_code=429, next=safe_next(next),
                          error=f"Too many failed sign-ins; try again in about {minutes} minute(s).")
        response.headers["Retry-After"] = str(throttle.retry_after)
        return response
    if user is None:
        return render(request, "login.html", status_code=401, next=safe_next(next),
                      error="Unknown user or wrong password.")
    start_session(request, user)  # a fresh session, and a fresh CSRF token, on every sign-in
    return RedirectResponse(safe_next(next), status_code=303)


def _admit(request: Request, when: datetime, username: str, client: str) -> tuple[Throttle, User | None]:
    """Whether this attempt may be checked at all, and the user's row if so.

    Checked before the password, and first from memory: a refused name or client costs no
    warehouse connection and no hashing (a flood cannot slow the desk or grow the table)."""
    settings, refusals = request.app.state.settings, request.app.state.refused_sign_ins
    throttle = refusals.check(when, username, client)
    if throttle.refused:
        return throttle, None
    with writing(request) as con:
        # A locked name stays locked even for the right password. Attempts still being
        # hashed count too, and this one joins them in the same locked section.
        throttle, by_name, by_client = login_throttle(con, settings, when, username, client,
                                                      refusals.pending(username, client))
        row = None if throttle.refused else con.accounts.get_user(username)
        if throttle.refused:
            con.accounts.record_login_attempt(when, username, client, "throttled")
        else:
            refusals.begin(username, client)
    if throttle.refused:
        refusals.remember(when, username, client, throttle, by_name, by_client)
    return throttle, row


def _check(request: Request, when: datetime, username: str, client: str, password: str,
           row: User | None) -> User | None:
    """The user if the password is right, else None; the attempt is recorded either way."""
    settings, refusals = request.app.state.settings, request.app.state.refused_sign_ins
    try:
        # Hashed outside the connection lock: other requests are served meanwhile.
        check = check_password(row, password) if username and password else PasswordCheck(False)
        user = row if check.ok else None
        with writing(request) as con:
            if check.rehash is not None:
                con.accounts.set_password_hash(username, check.rehash)
            con.accounts.record_login_attempt(when, username, client, "ok" if user else "failed")
            con.accounts.prune_login_attempts(when - timedelta(seconds=settings.login_window))
    finally:
        refusals.end(username, client)
    return user


@router.post("/logout")
def logout(request: Request, user: Viewer, csrf: Checked) -> Response:
    with writing(request) as con:  # ends this and every other session of the user, copies included
        con.accounts.bump_session_version(user.username)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
