"""The group of a path, or 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.apps.dependencies import DocsReader
from apidock.errors import NotFound
from apidock.groups import service
from apidock.groups.models import ApiGroup
from apidock.http.dependencies import SessionDep
from apidock.schemas import Id


async def group_or_404(
    session: SessionDep, group_id: Annotated[Id, Path()], _: DocsReader
) -> ApiGroup:
    """The live group of the path; a deleted one is not found (after 401 and 403, as in apps)."""
    group = await service.get(session, group_id=group_id)
    if group is None:
        raise NotFound("Group not found")
    return group


GroupDep = Annotated[ApiGroup, Depends(group_or_404)]
