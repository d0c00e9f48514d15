"""Sign-in, roles and CSRF for the review desk.

The session is a signed cookie (starlette's SessionMiddleware) holding the username and a
CSRF token; the user row is re-read on every request, so a disabled account or a changed
role takes effect at once. Every route depends on `require(role)`; every form carries the
session's CSRF token and every POST checks it.
"""

from __future__ import annotations

import hmac
import secrets
from contextlib import contextmanager
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


def signed_in_user(request: Request) -> dict[str, Any]:
    """The active user of this session, or LoginRequired."""
    username = request.session.get("user")
    if not username:
        raise LoginRequired()
    with connect(request) as con:
        user = store.get_user(con, username)
    if user is None or not user["active"]:
        request.session.clear()
        raise LoginRequired()
    return user


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
