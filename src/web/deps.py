"""The dependencies every route declares: who may call it, and the CSRF check of its form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from dossier.web.security import check_csrf, require

Viewer = Annotated[dict, Depends(require("viewer"))]
Reviewer = Annotated[dict, Depends(require("reviewer"))]
Admin = Annotated[dict, Depends(require("admin"))]
Csrf = Depends(check_csrf)
# Checked after the role (an unauthenticated POST is sent to sign in, not told about tokens).
Checked = Annotated[None, Csrf]
