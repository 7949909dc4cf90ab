"""Routes of users: the list, creation, one's own profile, and one user by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from apidock.auth.dependencies import (
    HOT_SECURITY,
    CurrentUser,
    HotAccessDep,
    require,
)
from apidock.auth.hot_dependencies import UsersReaderOnCore
from apidock.errors import Forbidden
from apidock.http.dependencies import CoreDep, WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.permissions import Permission, has_permissions
from apidock.schemas import Envelope, Id
from apidock.users import hot_list, hot_read, service
from apidock.users.dependencies import AccountRulesDep, MeDep, ReadableUserId, UserDep, UserId
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
@router.get("/{user_id:int}", responses=error_responses(403, 404, 422), openapi_extra=HOT_SECURITY)
async def read_user(user_id: UserId, caller: HotAccessDep) -> Envelope[UserRead]:
    """Read one user. Requires: read_users, or being that user."""
    user = await hot_read.read_for_caller(caller.core, claims=caller.claims, user_id=user_id)
    return Envelope(data=UserRead.model_validate(user))


@router.get("", responses=error_responses(403, 422))
async def list_users(
    actor: UsersReaderOnCore,
    core: CoreDep,
    params: PageDep,
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
    users, meta = await hot_list.page(
        core,
        params=params,
        name=name,
        status=STATUS_VALUES[status] if status else None,
        role_id=role_id,
        include_deleted=include_deleted,
    )
    return Envelope(data=UserPage.model_validate(meta | {"users": users}))


@router.post(
    "",
    dependencies=[Depends(require(Permission.WRITE_USERS))],
    responses=error_responses(400, 403, 409, 422),
)
async def create_user(
    body: UserCreate, work: WorkDep, actor: CurrentUser, rules: AccountRulesDep
) -> Envelope[UserRead]:
    """Create a user (200, as the original answered); another role needs manage_roles.

    Requires: write_users.
    """
    user = await service.register(work, actor=actor, user_in=body, rules=rules)
    return Envelope(message="User created.", data=UserRead.model_validate(user))


@router.get("/me")
async def read_me(user: MeDep) -> Envelope[UserRead]:
    """Read your own user. Requires: signed in."""
    return Envelope(data=UserRead.model_validate(user))


@router.patch("/me", responses=error_responses(400, 403, 409, 422, 429))
async def update_me(
    body: ProfileUpdate, user: MeDep, work: WorkDep, rules: AccountRulesDep
) -> Envelope[UserRead]:
    """Change your own name, or password (with the current one). Requires: signed in."""
    user = await service.update_profile(work, user=user, profile_in=body, rules=rules)
    return Envelope(message="Profile updated.", data=UserRead.model_validate(user))


@router.patch("/{user_id:int}", responses=error_responses(400, 403, 404, 409, 422))
async def update_user(
    user_id: ReadableUserId,
    body: UserUpdate,
    work: WorkDep,
    actor: CurrentUser,
    rules: AccountRulesDep,
) -> Envelope[UserRead]:
    """Update a user. Requires: read_users (or being that user), then write_users (name,
    password), block_users (status), manage_roles (role_id); an empty body answers the user."""
    # the service looks the user up itself: only after the rights of the fields sent
    user = await service.update(work, actor=actor, user_id=user_id, user_in=body, rules=rules)
    return Envelope(message="User updated.", data=UserRead.model_validate(user))


@router.delete(
    "/{user_id:int}",
    dependencies=[Depends(require(Permission.DELETE_USERS))],
    responses=error_responses(403, 404, 422),
)
async def delete_user(
    user: UserDep, work: WorkDep, actor: CurrentUser, rules: AccountRulesDep
) -> Envelope[UserRead]:
    """Soft-delete a user (answered with it, as the original did).

    Requires: delete_users and read_users.
    """
    user = await service.delete(work, actor=actor, user=user, rules=rules)
    return Envelope(message="User deleted.", data=UserRead.model_validate(user))
