"""Who may read and write the catalog, and the app of a path, or 404.

Writing and deleting include reading: a change answers with the record, and its 404s and
409s would tell a caller who may not read the catalog which ids exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.apps import service
from apidock.apps.models import App
from apidock.apps.schemas import Slug
from apidock.auth.dependencies import require
from apidock.auth.schemas import Principal
from apidock.errors import NotFound
from apidock.http.dependencies import SessionDep
from apidock.http.loaders import live_or_404
from apidock.permissions import Permission

# Defined once each: FastAPI caches a dependency per function, so the check runs once a request.
DocsReader = Annotated[Principal, Depends(require(Permission.READ_DOCS))]
DocsWriter = Annotated[Principal, Depends(require(Permission.READ_DOCS, Permission.WRITE_DOCS))]
AppDeleter = Annotated[Principal, Depends(require(Permission.READ_DOCS, Permission.DELETE_APPS))]


AppDep = Annotated[App, Depends(live_or_404(App, "app_id", "App not found", DocsReader))]


async def app_by_slug_or_404(
    session: SessionDep, slug: Annotated[Slug, Path()], _: DocsReader
) -> App:
    """The live app whose slug is in the path; a deleted one is not found."""
    app = await service.get_by_slug(session, slug=slug)
    if app is None:
        raise NotFound("App not found")
    return app


AppBySlugDep = Annotated[App, Depends(app_by_slug_or_404)]
