"""The app of a path, by id or by slug, or 404 (after the caller's right to read the catalog)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.apps import service
from apidock.apps.models import App
from apidock.apps.schemas import Slug
from apidock.catalog.dependencies import DocsReader
from apidock.errors import NotFound
from apidock.http.dependencies import SessionDep
from apidock.http.loaders import live_or_404

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
