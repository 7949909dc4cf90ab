"""The group of a path, or 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.database import SessionDep
from apidock.exceptions import NotFound
from apidock.groups import service
from apidock.groups.models import ApiGroup
from apidock.schemas import MAX_ID


async def group_or_404(
    session: SessionDep, group_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> ApiGroup:
    """The live group of the path; a deleted one is not found."""
    group = await service.get(session, group_id=group_id)
    if group is None:
        raise NotFound("Group not found")
    return group


GroupDep = Annotated[ApiGroup, Depends(group_or_404)]
