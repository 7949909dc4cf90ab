"""Loaders of roles that 404 early, and the root administrator's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from apidock.database import SessionDep
from apidock.exceptions import NotFound
from apidock.roles import service
from apidock.roles.models import Role
from apidock.schemas import MAX_ID


async def role_or_404(role_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep) -> Role:
    """The role of the path's `role_id`, or 404."""
    role = await service.get(session, role_id=role_id)
    if role is None:
        raise NotFound("Role not found")
    return role


async def root_admin_name(request: Request) -> str:
    """The name of the root administrator (`APP_ROOT_ADMIN`)."""
    name: str = request.app.state.settings.app_root_admin
    return name


RoleDep = Annotated[Role, Depends(role_or_404)]
RootAdminName = Annotated[str, Depends(root_admin_name)]
