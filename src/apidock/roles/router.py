"""Routes of roles and of the permission names."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from apidock.auth.dependencies import CurrentUser, current_user, require
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.permissions import Permission
from apidock.roles import service
from apidock.roles.dependencies import RoleDep, RootAdminName
from apidock.roles.schemas import (
    PERMISSION_NAMES,
    PermissionList,
    RoleCreate,
    RoleList,
    RoleRead,
    RoleUpdate,
)
from apidock.schemas import Envelope

router = APIRouter(tags=["roles"], responses=error_responses(401))
manage_roles = require(Permission.MANAGE_ROLES)


@router.get("/permissions", dependencies=[Depends(current_user)])
async def list_permissions() -> Envelope[PermissionList]:
    """List the permission names roles are made of. Requires: signed in."""
    return Envelope(data=PermissionList(permissions=PERMISSION_NAMES))


@router.get("/roles", dependencies=[Depends(current_user)])
async def list_roles(session: SessionDep) -> Envelope[RoleList]:
    """List every role with its permissions. Requires: signed in."""
    roles = await service.list_all(session)
    return Envelope(data=RoleList(roles=[RoleRead.model_validate(role) for role in roles]))


@router.post(
    "/roles",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(manage_roles)],
    responses=error_responses(400, 403, 409, 422),
)
async def create_role(body: RoleCreate, work: WorkDep, actor: CurrentUser) -> Envelope[RoleRead]:
    """Create a role from permissions you hold. Requires: manage_roles."""
    role = await service.create(work, actor=actor, role_in=body)
    return Envelope(message="Role created.", data=RoleRead.model_validate(role))


@router.get(
    "/roles/{role_id:int}",
    dependencies=[Depends(current_user)],
    responses=error_responses(404, 422),
)
async def read_role(role: RoleDep) -> Envelope[RoleRead]:
    """Read one role. Requires: signed in."""
    return Envelope(data=RoleRead.model_validate(role))


@router.patch(
    "/roles/{role_id:int}",
    dependencies=[Depends(manage_roles)],
    responses=error_responses(400, 403, 404, 409, 422),
)
async def update_role(
    body: RoleUpdate, role: RoleDep, work: WorkDep, actor: CurrentUser, root_name: RootAdminName
) -> Envelope[RoleRead]:
    """Change a role's title or permissions (by name). Requires: manage_roles."""
    role = await service.update(work, actor=actor, role=role, role_in=body, root_name=root_name)
    return Envelope(message="Role updated.", data=RoleRead.model_validate(role))


@router.delete(
    "/roles/{role_id:int}",
    dependencies=[Depends(manage_roles)],
    responses=error_responses(403, 404, 409, 422),
)
async def delete_role(role: RoleDep, work: WorkDep, actor: CurrentUser) -> Envelope[None]:
    """Delete a role that no user holds. Requires: manage_roles."""
    await service.delete(work, actor=actor, role=role)
    return Envelope(message="Role deleted.")
