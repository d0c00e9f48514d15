"""The review desk: a FastAPI application with server-rendered pages (Jinja2, autoescaped)
and plain HTML forms. Every route checks the user's role; every POST checks its CSRF token;
every action is a function of dossier.review.desk and lands in review_events."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dossier.profiles.render import facts, profile_view
from dossier.review import desk
from dossier.review.accounts import PasswordCheck, check_password, role_allows
from dossier.review.revisions import EDITABLE_FIELDS, describe_change
from dossier.settings import Settings
from dossier.store import reviews as store
from dossier.store.warehouse import Warehouse, WarehouseBusy, WarehouseError, utcnow
from dossier.web.security import (
    LoginRequired,
    RefusedSignIns,
    check_csrf,
    csrf_token,
    login_throttle,
    now,
    reading,
    require,
    safe_next,
    start_session,
    writing,
)

log = logging.getLogger(__name__)

CONTEXT_CHARS = 700  # article text shown either side of an evidence sentence

# Sent with every response. No script at all may run (the desk has none): article-derived text
# that slipped past escaping would still be inert. Styles and images from the desk only; forms
# post to the desk only; no framing (clickjacking); no Referer leaks the desk's URLs to sources.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

Viewer = Annotated[dict, Depends(require("viewer"))]
Reviewer = Annotated[dict, Depends(require("reviewer"))]
Admin = Annotated[dict, Depends(require("admin"))]
Csrf = Depends(check_csrf)
# Checked after the role (an unauthenticated POST is sent to sign in, not told about tokens).
Checked = Annotated[None, Csrf]


def _templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("dossier.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["pct"] = lambda v: "" if v is None else f"{float(v):.2f}"
    env.filters["day"] = lambda v: str(v)[:10] if v else ""
    env.filters["when"] = lambda v: str(v)[:19] if v else ""
    env.globals["http_link"] = lambda url: url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
    return Jinja2Templates(env=env)


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
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="dossier_session",
                       max_age=settings.session_max_age, same_site="strict", https_only=settings.session_secure)
    trust_proxies(app, settings.trusted_proxies)
    app.mount("/static", StaticFiles(packages=[("dossier.web", "static")]), name="static")
    templates = _templates()

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"  # pages hold reviewers' data and tokens
        return response

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.update(user=getattr(request.state, "user", None), csrf=csrf_token(request),
                       flash=request.session.pop("flash", None))
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @app.exception_handler(LoginRequired)
    def to_login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/queue"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(HTTPException)
    def refused(request: Request, exc: HTTPException) -> Response:
        return page(request, "error.html", status_code=exc.status_code, message=exc.detail, code=exc.status_code)

    @app.exception_handler(WarehouseError)
    def unavailable(request: Request, exc: WarehouseError) -> Response:
        # Handled here, inside the middleware that adds SECURITY_HEADERS: an unhandled error
        # would reach the client as a bare 500 without them.
        busy = isinstance(exc, WarehouseBusy)
        message = ("The warehouse is busy (an ingestion run is writing to it); try again in a few seconds."
                   if busy else "The warehouse cannot be opened; an operator must look at the server's log.")
        if not busy:
            log.error("review desk: %s", exc)
        response = page(request, "error.html", status_code=503, message=message, code=503)
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

    # --- sign-in (the only routes open to everyone) -----------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/queue") -> HTMLResponse:  # public
        return page(request, "login.html", next=safe_next(next), error=None)

    @app.post("/login", dependencies=[Csrf])
    def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
              next: Annotated[str, Form()] = "/queue") -> Response:  # public, CSRF-checked
        client = request.client.host if request.client else "unknown"
        when = now(request)
        # Checked before the password, and first from memory: a refused name or client costs no
        # warehouse connection and no hashing (a flood cannot slow the desk or grow the table).
        refusals = app.state.refused_sign_ins
        throttle = refusals.check(when, username, client)
        user = None
        if not throttle.refused:
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
            else:
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
        if throttle.refused:
            minutes = max(1, round(throttle.retry_after / 60))
            response = page(request, "login.html", status_code=429, next=safe_next(next),
                            error=f"Too many failed sign-ins; try again in about {minutes} minute(s).")
            response.headers["Retry-After"] = str(throttle.retry_after)
            return response
        if user is None:
            return page(request, "login.html", status_code=401, next=safe_next(next),
                        error="Unknown user or wrong password.")
        start_session(request, user)  # a fresh session, and a fresh CSRF token, on every sign-in
        return RedirectResponse(safe_next(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, user: Viewer, csrf: Checked) -> Response:
        with writing(request) as con:  # ends this and every other session of the user, copies included
            con.accounts.bump_session_version(user["username"])
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # --- reading ----------------------------------------------------------------------

    @app.get("/")
    def home(user: Viewer) -> Response:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, user: Viewer, status: str = "draft", grade: str = "", domain: str = "",
              region: str = "") -> HTMLResponse:
        if status not in desk.STATUSES:
            raise HTTPException(status_code=400, detail=f"Unknown status {status!r}.")
        with reading(request) as con:
            rows = desk.review_queue(con, status, grade or None, domain or None, region or None)
            choices = store.filter_values(con)
        for row in rows:
            row["changes"] = len(json.loads(row["diff"])) if row["diff"] else None
        return page(request, "queue.html", rows=rows, choices=choices, statuses=desk.STATUSES,
                    filters={"status": status, "grade": grade, "domain": domain, "region": region})

    @app.get("/profiles/{entity_id}", response_class=HTMLResponse)
    def profile(request: Request, entity_id: str, user: Viewer, revision: int | None = None) -> HTMLResponse:
        with reading(request) as con:
            revisions = store.revisions(con, entity_id)
            if not revisions:
                raise HTTPException(status_code=404, detail="No profile with that id.")
            row = (next((r for r in revisions if r["revision"] == revision), None) if revision is not None
                   else desk.latest_draft(con, entity_id) or desk.current_revision(con, entity_id) or revisions[0])
            if row is None:
                raise HTTPException(status_code=404, detail=f"No revision {revision}.")
            claims = store.entity_claims(con, entity_id)
            articles = store.entity_articles(con, entity_id)
            aliases = store.entity_aliases(con, entity_id)
            overrides = store.active_overrides(con, [entity_id]).get(entity_id, {})
            others = [r for r in desk.review_queue(con, "any") if r["entity_id"] != entity_id]
        p = profile_view(row)
        diff = [(field, describe_change(field, change)) for field, change in (row.diff or {}).items()]
        latest = next((r for r in revisions if r["status"] == "draft"), None)
        return page(request, "profile.html", p=p, facts=facts(p), diff=diff, claims=claims, articles=articles,
                    aliases=aliases, overrides=overrides, revisions=revisions, others=others,
                    editable=EDITABLE_FIELDS, is_latest_draft=latest is not None and latest["revision"] == row["revision"],
                    can_review=role_allows(user["role"], "reviewer"),
                    features=(p["score_components"] or {}).get("features", {}))

    @app.get("/claims/{claim_id}", response_class=HTMLResponse)
    def claim(request: Request, claim_id: str, user: Viewer) -> HTMLResponse:
        with reading(request) as con:
            row = store.claim_in_context(con, claim_id)
        if row is None:
            raise HTTPException(status_code=404, detail="No claim with that id.")
        text, start, end = row.pop("article_text") or "", row["evidence_start"], row["evidence_end"]
        lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        context = {"before": ("…" if lo else "") + text[lo:start], "sentence": text[start:end],
                   "after": text[end:hi] + ("…" if hi < len(text) else "")}
        detail = json.loads(row["confidence_detail"]) if row["confidence_detail"] else {}
        return page(request, "claim.html", c=row, context=context, detail=detail,
                    can_review=role_allows(user["role"], "reviewer"))

    @app.get("/history", response_class=HTMLResponse)
    def history(request: Request, user: Viewer, entity: str = "") -> HTMLResponse:
        with reading(request) as con:
            rows = store.events(con, entity or None, limit=500)
        return page(request, "history.html", rows=rows, entity=entity)

    @app.get("/users", response_class=HTMLResponse)
    def users(request: Request, user: Admin) -> HTMLResponse:
        with reading(request) as con:
            rows = con.accounts.list_users()
        return page(request, "users.html", rows=rows)

    # --- actions (reviewer role, CSRF-checked) ----------------------------------------

    def act(request: Request, entity_id: str, action: Any, done: str) -> Response:
        try:
            with writing(request) as con:
                action(con)
        except desk.ReviewError as exc:
            request.session["flash"] = f"Not done: {exc}"
        else:
            request.session["flash"] = done
        return RedirectResponse(f"/profiles/{quote(entity_id)}", status_code=303)

    @app.post("/profiles/{entity_id}/approve")
    def approve(request: Request, entity_id: str, user: Reviewer, csrf: Checked, revision: Annotated[int, Form()],
                content_hash: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
        return act(request, entity_id, lambda con: desk.approve(
            con, entity_id, user["username"], note or None, revision, content_hash or None), f"Approved revision {revision}.")

    @app.post("/profiles/{entity_id}/reject")
    def reject(request: Request, entity_id: str, user: Reviewer, csrf: Checked, revision: Annotated[int, Form()],
               note: Annotated[str, Form()] = "") -> Response:
        return act(request, entity_id, lambda con: desk.reject(con, entity_id, user["username"], note, revision),
                   f"Rejected revision {revision}.")

    @app.post("/profiles/{entity_id}/edit")
    def edit(request: Request, entity_id: str, user: Reviewer, csrf: Checked, field: Annotated[str, Form()],
             value: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
        new = value.strip() or None
        return act(request, entity_id, lambda con: desk.edit(con, entity_id, {field: new}, user["username"], note or None),
                   f"Set {field} to {new!r}." if new else f"Cleared the override of {field}.")

    @app.post("/profiles/{entity_id}/merge")
    def merge(request: Request, entity_id: str, user: Reviewer, csrf: Checked, other: Annotated[str, Form()],
              note: Annotated[str, Form()] = "") -> Response:
        def run(con: Any) -> None:
            merged = desk.resolve_entity(con, other.strip())
            desk.merge(con, entity_id, merged["id"], user["username"], note or None)
        return act(request, entity_id, run, f"Merged {other.strip()} into this organisation.")

    @app.post("/profiles/{entity_id}/split")
    def split(request: Request, entity_id: str, user: Reviewer, csrf: Checked, alias: Annotated[str, Form()],
              note: Annotated[str, Form()] = "") -> Response:
        return act(request, entity_id, lambda con: desk.split(con, entity_id, alias, user["username"], note or None),
                   f"Split {alias!r} off into an organisation of its own.")

    @app.post("/claims/{claim_id}/verdict")
    def verdict(request: Request, claim_id: str, user: Reviewer, csrf: Checked, verdict: Annotated[str, Form()],
                entity_id: Annotated[str, Form()], note: Annotated[str, Form()] = "") -> Response:
        return act(request, entity_id, lambda con: desk.review_claim(con, claim_id, verdict, user["username"], note or None),
                   f"Claim {verdict}.")

    return app
