"""Who may read and write the catalog, and the app of a path, or 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.apps import service
from apidock.apps.models import App
from apidock.apps.schemas import Slug
from apidock.auth.dependencies import require
from apidock.auth.schemas import Principal
from apidock.database import SessionDep
from apidock.exceptions import NotFound
from apidock.permissions import Permission
from apidock.schemas import MAX_ID

# Defined once each: FastAPI caches a dependency per function, so the check runs once a request.
DocsReader = Annotated[Principal, Depends(require(Permission.READ_DOCS))]
DocsWriter = Annotated[Principal, Depends(require(Permission.WRITE_DOCS))]
AppDeleter = Annotated[Principal, Depends(require(Permission.DELETE_APPS))]


async def app_or_404(session: SessionDep, app_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> App:
    """The live app of the path; a deleted one is not found."""
    app = await service.get(session, app_id=app_id)
    if app is None:
        raise NotFound("App not found")
    return app


AppDep = Annotated[App, Depends(app_or_404)]


async def app_by_slug_or_404(session: SessionDep, slug: Annotated[Slug, Path()]) -> App:
    """The live app whose slug is in the path; a deleted one is not found."""
    app = await service.get_by_slug(session, slug=slug)
    if app is None:
        raise NotFound("App not found")
    return app


AppBySlugDep = Annotated[App, Depends(app_by_slug_or_404)]
