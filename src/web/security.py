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
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request

from dossier.records.warehouse import User
from dossier.review.accounts import role_allows
from dossier.store.session import ReadSession, Session, WriteSession
from dossier.web.address import SECURE_COOKIE_REFUSED, is_loopback

SESSION_COOKIE = "dossier_session"


class LoginRequired(Exception):
    """No valid sign-in: the app answers with a redirect to the login page."""


class SessionCookieRefused(HTTPException):
    """A form came back without the session cookie, and the browser had reason to drop it: a
    Secure cookie over plain HTTP, on a host browsers do not treat as secure. The app answers
    with the sign-in page saying so (the token is not "out of date": it never came back)."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail=SECURE_COOKIE_REFUSED)


def secure_cookie_dropped(request: Request) -> bool:
    """Whether this request lacks the session cookie because it is Secure and came over plain
    HTTP to a host other than loopback (the scheme is the client's, behind a trusted proxy)."""
    return (request.app.state.settings.session_secure and request.url.scheme == "http"
            and SESSION_COOKIE not in request.cookies and not is_loopback(request.url.hostname))


@contextmanager
def reading(request: Request) -> Iterator[ReadSession]:
    """A read session for a page: never a writer, so reading never stands in a run's
    way longer than the read, and works on a read-only warehouse. Retried for
    desk_warehouse_wait seconds while another process holds the file; then WarehouseBusy,
    which the app answers with a 503 page. One connection at a time in this process (DuckDB
    refuses a read-only connection beside a read-write one of the same process)."""
    with request.app.state.db_lock, request.app.state.warehouse.read() as session:
        yield session


@contextmanager
def writing(request: Request) -> Iterator[WriteSession]:
    """One write session for an action, one at a time in this process, closed after:
    ingestion runs in other processes can take the file between requests."""
    with request.app.state.db_lock, request.app.state.warehouse.write() as session:
        yield session


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
        if secure_cookie_dropped(request):
            raise SessionCookieRefused()
        raise HTTPException(status_code=403, detail="The form's security token is missing or out of date; reload the page and try again.")


def now(request: Request) -> datetime:
    """The app's clock (injectable, for tests of expiry and rate limits)."""
    return request.app.state.clock()


def start_session(request: Request, user: User) -> None:
    """A fresh session (and CSRF token) for `user`, stamped with the time and the user's
    session version."""
    request.session.clear()
    request.session.update(user=user.username, csrf=secrets.token_urlsafe(32),
                           issued=now(request).timestamp(), version=user.session_version or 0)


def signed_in_user(request: Request) -> User:
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
    with reading(request) as session:
        user = session.accounts.get_user(username)
    if user is None or not user.active or request.session.get("version") != (user.session_version or 0):
        request.session.clear()
        raise LoginRequired()
    return user


@dataclass
class Throttle:
    """Whether sign-in is refused for a username or a client address, and for how long."""
    refused: bool
    retry_after: int = 0


class RefusedSignIns:
    """Usernames and client addresses whose sign-ins are refused, until when, in this process.

    Filled from the warehouse's count of failures (`login_throttle`); while an entry stands, an
    attempt is refused from memory: no warehouse connection, no password hashing, no row. So a
    flood of refused attempts costs a signed-in reviewer nothing and cannot grow login_attempts.
    """

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], datetime] = {}
        self._pending: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.refused = 0  # attempts refused from memory, for the log and the tests

    def pending(self, username: str, client: str) -> dict[str, int]:
        """Attempts of this username and of this client being checked right now (hashing)."""
        with self._lock:
            return {"username": self._pending[("username", username)], "client": self._pending[("client", client)]}

    def begin(self, username: str, client: str) -> None:
        """An attempt goes on to hashing: it counts against the limits until `end`. Called under
        the desk's connection lock together with the count, so a burst of parallel attempts
        cannot all pass a limit that each of them alone would reach."""
        with self._lock:
            self._pending[("username", username)] += 1
            self._pending[("client", client)] += 1

    def end(self, username: str, client: str) -> None:
        """The attempt's outcome is recorded (or it failed): it no longer counts as pending."""
        with self._lock:
            for key in (("username", username), ("client", client)):
                self._pending[key] -= 1
                if self._pending[key] <= 0:
                    del self._pending[key]

    def check(self, when: datetime, username: str, client: str) -> Throttle:
        """Refused (with the seconds left) if the username or the client is refused at `when`."""
        with self._lock:
            waits = [until for key in (("username", username), ("client", client))
                     if (until := self._until.get(key)) is not None and until > when]
            if not waits:
                return Throttle(False)
            self.refused += 1
            return Throttle(True, max(1, math.ceil((max(waits) - when).total_seconds())))

    def remember(self, when: datetime, username: str, client: str, throttle: Throttle,
                 username_refused: bool, client_refused: bool) -> None:
        """Keep a refusal the warehouse's count decided, and forget entries that have lifted."""
        until = when + timedelta(seconds=throttle.retry_after)
        with self._lock:
            self._until = {key: value for key, value in self._until.items() if value > when}
            if username_refused:
                self._until[("username", username)] = until
            if client_refused:
                self._until[("client", client)] = until


def login_throttle(session: Session, settings: Any, when: datetime, username: str,
                   client: str, pending: dict[str, int] | None = None) -> tuple[Throttle, bool, bool]:
    """Refuse sign-in once a username has login_max_failures failures within login_window since
    its last successful sign-in, or a client address login_max_failures_per_client failures
    within the window. The lock lifts when enough of those failures fall out of the window.
    Returns the throttle, and whether the username and whether the client is the one refused.
    `pending`: attempts of the username and of the client still being checked, counted as
    failures (they may be); a refusal they alone cause lasts a second."""
    since = when - timedelta(seconds=settings.login_window)
    waits = {}
    for column, value, limit, reset in (("username", username, settings.login_max_failures, True),
                                        ("client", client, settings.login_max_failures_per_client, False)):
        failures = session.accounts.recent_failures(column, value, since, reset)
        if len(failures) >= limit:
            # Refused until the failure that keeps the count at the limit leaves the window.
            lifts = failures[len(failures) - limit] + timedelta(seconds=settings.login_window)
            waits[column] = max(1, math.ceil((lifts - when).total_seconds()))
        elif len(failures) + (pending or {}).get(column, 0) >= limit:
            waits[column] = 1  # attempts under way may reach the limit: ask again in a moment
    throttle = Throttle(True, max(waits.values())) if waits else Throttle(False)
    return throttle, "username" in waits, "client" in waits


def require(role: str) -> Callable[[Request], User]:
    """A dependency: the signed-in user, who must hold `role` or a higher one."""
    def dependency(request: Request) -> User:
        user = signed_in_user(request)
        if not role_allows(user.role, role):
            raise HTTPException(status_code=403, detail=f"This needs the {role} role; you are signed in as a {user.role}.")
        request.state.user = user
        return user

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the route audit test
    return dependency


def safe_next(target: str | None) -> str:
    """A local path to return to after sign-in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"
