"""The review desk: a FastAPI application with server-rendered pages (Jinja2, autoescaped)
and plain HTML forms. Every route checks the user's role; every POST checks its CSRF token;
every action is a function of dossier.review.desk and lands in review_events.

This module assembles the application (state, middleware, error pages); the routes live in
dossier.web.routes, one module per resource, over the view builders of dossier.review.views."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dossier.settings import Settings
from dossier.store.warehouse import Warehouse, WarehouseBusy, WarehouseError, utcnow
from dossier.web.pages import build_templates, render
from dossier.web.routes import admin, alerts, auth, claims, identity, profiles, queue
from dossier.web.security import SESSION_COOKIE, LoginRequired, RefusedSignIns, SessionCookieRefused

log = logging.getLogger(__name__)

# Every route of the desk, one router per resource (the tests enumerate them from here).
ROUTERS = (auth.router, queue.router, profiles.router, identity.router, claims.router, alerts.router, admin.router)

# Sent with every response. Scripts only from the desk's own files (its keyboard shortcuts and
# merge picker), never inline, no handler attribute: article-derived text that slipped past
# escaping would still be inert. Styles, images and fetches from the desk only; forms post to the
# desk only; no framing (clickjacking); no Referer leaks the desk's URLs to sources.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
                               "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

def trust_proxies(app: FastAPI, proxies: list[str]) -> None:
    """Believe X-Forwarded-For / X-Forwarded-Proto from `proxies` only, so that behind a reverse
    proxy the sign-in limit counts each real client, not the proxy everyone shares.

    Done in the app, not by the server, so that no server default (uvicorn's trusts 127.0.0.1)
    decides whom the desk believes. From any other peer the headers are ignored: a client
    could otherwise forge its address. Of a chain of addresses the rightmost one that is not
    a trusted proxy is the client (what the proxy saw, not what the client claimed)."""
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)  # type: ignore[arg-type]


def create_app(settings: Settings, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The review desk over the warehouse of `settings`; `clock` (aware UTC datetimes) drives
    session expiry and the sign-in rate limit."""
    app = FastAPI(title="dossier review desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.clock = clock
    app.state.warehouse = Warehouse(settings.warehouse_path, lock_wait=settings.desk_warehouse_wait)
    app.state.db_lock = threading.Lock()
    app.state.refused_sign_ins = RefusedSignIns()
    secret = settings.session_secret.get_secret_value() if settings.session_secret else secrets.token_urlsafe(32)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=settings.session_max_age, same_site="strict", https_only=settings.session_secure)
    trust_proxies(app, settings.trusted_proxies)
    app.mount("/static", StaticFiles(packages=[("dossier.web", "static"), ("dossier.profiles", "static")]), name="static")
    app.state.templates = build_templates()

    app.middleware("http")(security_headers)
    add_error_pages(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def security_headers(request: Request, call_next: Any) -> Response:
    """SECURITY_HEADERS on every response; no caching of pages (they hold reviewers' data and tokens)."""
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def add_error_pages(app: FastAPI) -> None:
    """The desk's answers to a missing sign-in, a refused request, an unavailable warehouse and a bug."""

    @app.exception_handler(LoginRequired)
    def to_login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/queue"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(SessionCookieRefused)
    def cookie_refused(request: Request, exc: SessionCookieRefused) -> Response:
        # Only a sign-in gets this far without a session (every other form needs one first).
        return render(request, "login.html", status_code=exc.status_code, next="/queue", error=exc.detail)

    @app.exception_handler(HTTPException)
    def refused(request: Request, exc: HTTPException) -> Response:
        return render(request, "error.html", status_code=exc.status_code, message=exc.detail, code=exc.status_code)

    @app.exception_handler(WarehouseError)
    def unavailable(request: Request, exc: WarehouseError) -> Response:
        # Handled here, inside the middleware that adds SECURITY_HEADERS: an unhandled error
        # would reach the client as a bare 500 without them.
        busy = isinstance(exc, WarehouseBusy)
        message = ("The warehouse is busy (an ingestion run is writing to it); try again in a few seconds."
                   if busy else "The warehouse cannot be opened; an operator must look at the server's log.")
        if not busy:
            log.error("review desk: %s", exc)
        response = render(request, "error.html", status_code=503, message=message, code=503)
        if busy:
            response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    def failed(request: Request, exc: Exception) -> Response:
        # Starlette answers an unhandled error outside every middleware, so the headers are set
        # here; the page is static (rendering could fail again) and says nothing of the error.
        log.error("review desk: %s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        response = HTMLResponse("<!doctype html><title>500</title><h1>500</h1><p>Something went wrong on the "
                                "server; an operator must look at its log.</p>", status_code=500)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"
        return response
