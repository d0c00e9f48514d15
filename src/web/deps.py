"""The dependencies every route declares: who may call it, and the CSRF check of its form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from dossier.records.warehouse import User
from dossier.web.security import check_csrf, require

Viewer = Annotated[User, Depends(require("viewer"))]
Reviewer = Annotated[User, Depends(require("reviewer"))]
Admin = Annotated[User, Depends(require("admin"))]
Csrf = Depends(check_csrf)
# Checked after the role (an unauthenticated POST is sent to sign in, not told about tokens).
Checked = Annotated[None, Csrf]
