"""Rendering the desk's pages: one Jinja2 environment (autoescaped) and one `render` every
route and error handler uses, so each page gets the user, the CSRF token and the flash."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from dossier.web.security import csrf_token


def build_templates() -> Jinja2Templates:
    """The page templates with the desk's filters (article text is escaped everywhere)."""
    # The profile cards' templates too: the desk includes the same card partial the export renders.
    loader = ChoiceLoader([PackageLoader("dossier.web", "templates"), PackageLoader("dossier.profiles", "templates")])
    env = Environment(loader=loader,
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["pct"] = lambda v: "" if v is None else f"{float(v):.2f}"
    env.filters["day"] = lambda v: str(v)[:10] if v else ""
    env.filters["when"] = lambda v: str(v)[:19] if v else ""
    env.globals["http_link"] = lambda url: url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
    return Jinja2Templates(env=env)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Page `name` for this request, with the signed-in user, the session's CSRF token and the flash."""
    context.update(user=getattr(request.state, "user", None), csrf=csrf_token(request),
                   flash=request.session.pop("flash", None))
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status_code)
