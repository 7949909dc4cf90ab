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
from apidock.permissions import Permission
from apidock.schemas import Id

# Defined once each: FastAPI caches a dependency per function, so the check runs once a request.
DocsReader = Annotated[Principal, Depends(require(Permission.READ_DOCS))]
DocsWriter = Annotated[Principal, Depends(require(Permission.READ_DOCS, Permission.WRITE_DOCS))]
AppDeleter = Annotated[Principal, Depends(require(Permission.READ_DOCS, Permission.DELETE_APPS))]


async def app_or_404(session: SessionDep, app_id: Annotated[Id, Path()], _: DocsReader) -> App:
    """The live app of the path; a deleted one is not found.

    Like every loader of the catalog it depends on `DocsReader`, so that whatever the order
    of a route's parameters nobody is told whether an id exists before 401 and 403.
    """
    app = await service.get(session, app_id=app_id)
    if app is None:
        raise NotFound("App not found")
    return app


AppDep = Annotated[App, Depends(app_or_404)]


async def app_by_slug_or_404(
    session: SessionDep, slug: Annotated[Slug, Path()], _: DocsReader
) -> App:
    """The live app whose slug is in the path; a deleted one is not found."""
    app = await service.get_by_slug(session, slug=slug)
    if app is None:
        raise NotFound("App not found")
    return app


AppBySlugDep = Annotated[App, Depends(app_by_slug_or_404)]
