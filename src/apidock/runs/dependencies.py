"""The run of a path, or 404 (after the caller's right to read the docs); a run of a deleted
app is gone with it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import select

from apidock.apps.models import App
from apidock.catalog.dependencies import DocsReader
from apidock.errors import NotFound
from apidock.http.dependencies import SessionDep
from apidock.runs.models import Run
from apidock.schemas import Id


async def run_or_404(session: SessionDep, run_id: Annotated[Id, Path()], _: DocsReader) -> Run:
    """The run of the path's `run_id` whose app is live, or 404."""
    run = await session.scalar(
        select(Run)
        .join(App, App.id == Run.app_id)
        .where(Run.id == run_id, App.deleted_at.is_(None))
    )
    if run is None:
        raise NotFound("Run not found")
    return run


RunDep = Annotated[Run, Depends(run_or_404)]
