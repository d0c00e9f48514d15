"""Sign-in, roles and CSRF for the review desk.

The session is a signed cookie (starlette's SessionMiddleware) holding the username, a
CSRF token, the time it was issued and the user's session version; the user row is re-read
on every request, so a disabled account, a changed role or a sign-out (which bumps the
version) takes effect at once, and a session older than session_max_age is refused. Every route depends on `require(role)`; every form carries the
session's CSRF token and every POST checks it.
"""

from __future__ import annotations

import hmac
import math
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Callable, Iterator

import duckdb
from fastapi import Form, HTTPException, Request

from dossier.review.accounts import role_allows
from dossier.store import reviews as store


class LoginRequired(Exception):
    """No valid sign-in: the app answers with a redirect to the login page."""


@contextmanager
def connect(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """One writer connection per request, one request at a time in this process, closed after:
    ingestion runs in other processes can take the file between requests."""
    with request.app.state.db_lock, request.app.state.warehouse.write() as con:
        yield con


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Refuse a POST whose form does not carry the session's token."""
    expected = request.session.get("csrf")
    if not expected or not csrf_token or not hmac.compare_digest(expected, csrf_token):
        raise HTTPException(status_code=403, detail="The form's security token is missing or out of date; reload the page and try again.")


def now(request: Request) -> datetime:
    """The app's clock (injectable, for tests of expiry and rate limits)."""
    return request.app.state.clock()


def start_session(request: Request, user: dict[str, Any]) -> None:
    """A fresh session (and CSRF token) for `user`, stamped with the time and the user's
    session version."""
    request.session.clear()
    request.session.update(user=user["username"], csrf=secrets.token_urlsafe(32),
                           issued=now(request).timestamp(), version=user.get("session_version") or 0)


def signed_in_user(request: Request) -> dict[str, Any]:
    """The active user of this session, or LoginRequired: no session, a session older than
    session_max_age, a session from before the user signed out (older session_version), a
    disabled or unknown user."""
    username = request.session.get("user")
    if not username:
        raise LoginRequired()
    issued = request.session.get("issued")
    max_age = request.app.state.settings.session_max_age
    if not isinstance(issued, (int, float)) or not 0 <= now(request).timestamp() - issued < max_age:
        request.session.clear()
        raise LoginRequired()
    with connect(request) as con:
        user = store.get_user(con, username)
    if user is None or not user["active"] or request.session.get("version") != (user.get("session_version") or 0):
        request.session.clear()
        raise LoginRequired()
    return user


@dataclass
class Throttle:
    """Whether sign-in is refused for a username or a client address, and for how long."""
    refused: bool
    retry_after: int = 0


def login_throttle(con: duckdb.DuckDBPyConnection, settings: Any, when: datetime, username: str, client: str) -> Throttle:
    """Refuse sign-in once a username has login_max_failures failures within login_window since
    its last successful sign-in, or a client address login_max_failures_per_client failures
    within the window. The lock lifts when enough of those failures fall out of the window."""
    since = when - timedelta(seconds=settings.login_window)
    waits = []
    for column, value, limit, reset in (("username", username, settings.login_max_failures, True),
                                        ("client", client, settings.login_max_failures_per_client, False)):
        failures = store.recent_failures(con, column, value, since, reset)
        if len(failures) >= limit:
            # Refused until the failure that keeps the count at the limit leaves the window.
            lifts = failures[len(failures) - limit] + timedelta(seconds=settings.login_window)
            waits.append(max(1, math.ceil((lifts - when).total_seconds())))
    return Throttle(True, max(waits)) if waits else Throttle(False)


def require(role: str) -> Callable[[Request], dict[str, Any]]:
    """A dependency: the signed-in user, who must hold `role` or a higher one."""
    def dependency(request: Request) -> dict[str, Any]:
        user = signed_in_user(request)
        if not role_allows(user["role"], role):
            raise HTTPException(status_code=403, detail=f"This needs the {role} role; you are signed in as a {user['role']}.")
        request.state.user = user
        return user

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the route audit test
    return dependency


def safe_next(target: str | None) -> str:
    """A local path to return to after sign-in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"
