"""Routes of users: the list, creation, one's own profile, and one user by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from apidock.auth.dependencies import (
    AccessClaims,
    CurrentUser,
    HasherDep,
    LimiterDep,
    require,
)
from apidock.errors import Forbidden
from apidock.http.dependencies import ClientAddress, CoreDep, SessionDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.permissions import Permission, has_permissions
from apidock.roles.dependencies import RootAdminName
from apidock.schemas import Envelope, Id
from apidock.users import hot_read, service
from apidock.users.dependencies import MeDep, ReadableUserId, UserDep, UserId
from apidock.users.schemas import (
    STATUS_VALUES,
    ProfileUpdate,
    StatusName,
    UserCreate,
    UserPage,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401))


# First: the hottest route is matched first (FastAPI tries routes in order).
@router.get("/{user_id:int}", responses=error_responses(403, 404, 422))
async def read_user(user_id: UserId, claims: AccessClaims, core: CoreDep) -> Envelope[UserRead]:
    """Read one user. Requires: read_users, or being that user."""
    user = await hot_read.read_for_caller(core, claims=claims, user_id=user_id)
    return Envelope(data=UserRead.model_validate(user))


@router.get(
    "",
    dependencies=[Depends(require(Permission.READ_USERS))],
    responses=error_responses(403, 422),
)
async def list_users(
    session: SessionDep,
    params: PageDep,
    actor: CurrentUser,
    name: Annotated[
        str | None, Query(max_length=64, description="A fragment of the name, any case")
    ] = None,
    status: StatusName | None = None,
    role_id: Annotated[Id | None, Query()] = None,
    include_deleted: Annotated[
        bool, Query(description="Also list deleted users; needs delete_users")
    ] = False,
) -> Envelope[UserPage]:
    """List users, filtered by name fragment, status and role. Requires: read_users."""
    if include_deleted and not has_permissions(actor.permissions, Permission.DELETE_USERS):
        raise Forbidden("Requires permission: delete_users")
    users, meta = await service.get_page(
        session,
        params=params,
        name=name,
        status=STATUS_VALUES[status] if status else None,
        role_id=role_id,
        include_deleted=include_deleted,
    )
    page = UserPage.model_validate(meta | {"users": [UserRead.model_validate(u) for u in users]})
    return Envelope(data=page)


@router.post(
    "",
    dependencies=[Depends(require(Permission.WRITE_USERS))],
    responses=error_responses(400, 403, 409, 422),
)
async def create_user(
    body: UserCreate,
    session: SessionDep,
    actor: CurrentUser,
    address: ClientAddress,
    hasher: HasherDep,
    root_name: RootAdminName,
) -> Envelope[UserRead]:
    """Create a user (200, as the original answered); another role needs manage_roles.

    Requires: write_users.
    """
    user = await service.register(
        session, actor=actor, user_in=body, address=address, hasher=hasher, root_name=root_name
    )
    return Envelope(message="User created.", data=UserRead.model_validate(user))


@router.get("/me")
async def read_me(user: MeDep) -> Envelope[UserRead]:
    """Read your own user. Requires: signed in."""
    return Envelope(data=UserRead.model_validate(user))


@router.patch("/me", responses=error_responses(400, 403, 409, 422, 429))
async def update_me(
    body: ProfileUpdate,
    user: MeDep,
    session: SessionDep,
    actor: CurrentUser,
    address: ClientAddress,
    hasher: HasherDep,
    limiter: LimiterDep,
    root_name: RootAdminName,
) -> Envelope[UserRead]:
    """Change your own name, or password (with the current one). Requires: signed in."""
    user = await service.update_profile(
        session,
        actor=actor,
        user=user,
        profile_in=body,
        address=address,
        hasher=hasher,
        limiter=limiter,
        root_name=root_name,
    )
    return Envelope(message="Profile updated.", data=UserRead.model_validate(user))


@router.patch("/{user_id:int}", responses=error_responses(400, 403, 404, 409, 422))
async def update_user(
    user_id: ReadableUserId,
    body: UserUpdate,
    session: SessionDep,
    actor: CurrentUser,
    address: ClientAddress,
    hasher: HasherDep,
    limiter: LimiterDep,
    root_name: RootAdminName,
) -> Envelope[UserRead]:
    """Update a user. Requires: read_users (or being that user), then write_users (name,
    password), block_users (status), manage_roles (role_id); an empty body answers the user."""
    # the service looks the user up itself: only after the rights of the fields sent
    user = await service.update(
        session,
        actor=actor,
        user_id=user_id,
        user_in=body,
        address=address,
        hasher=hasher,
        limiter=limiter,
        root_name=root_name,
    )
    return Envelope(message="User updated.", data=UserRead.model_validate(user))


@router.delete(
    "/{user_id:int}",
    dependencies=[Depends(require(Permission.DELETE_USERS))],
    responses=error_responses(403, 404, 422),
)
async def delete_user(
    user: UserDep,
    session: SessionDep,
    actor: CurrentUser,
    address: ClientAddress,
    root_name: RootAdminName,
) -> Envelope[UserRead]:
    """Soft-delete a user (answered with it, as the original did).

    Requires: delete_users and read_users.
    """
    user = await service.delete(
        session, actor=actor, user=user, address=address, root_name=root_name
    )
    return Envelope(message="User deleted.", data=UserRead.model_validate(user))
