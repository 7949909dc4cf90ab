"""Loaders of roles that 404 early, and the root administrator's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from apidock.auth.dependencies import CurrentUser
from apidock.errors import NotFound
from apidock.http.dependencies import WorkDep
from apidock.roles import service
from apidock.roles.models import Role
from apidock.schemas import Id


async def role_or_404(role_id: Annotated[Id, Path()], work: WorkDep, _: CurrentUser) -> Role:
    """The role of the path's `role_id`, or 404; after authentication, whatever the route.

    Written here rather than by `live_or_404`: a role has no soft deletion, its row is live
    while it exists.
    """
    role = await service.get(work.session, role_id=role_id)
    if role is None:
        raise NotFound("Role not found")
    return role


async def root_admin_name(request: Request) -> str:
    """The name of the root administrator (`APP_ROOT_ADMIN`) as configured.

    Compare it only with `users.names.is_root_name` (or by `name_key`): deploy stores it
    normalised, and keeps an existing user whose name differs in case or width.
    """
    name: str = request.app.state.settings.app_root_admin
    return name


RoleDep = Annotated[Role, Depends(role_or_404)]
RootAdminName = Annotated[str, Depends(root_admin_name)]
