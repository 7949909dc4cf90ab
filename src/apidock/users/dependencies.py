"""Loaders of users that 404 early, and the object-level check on reading a user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.auth.dependencies import CurrentUser
from apidock.database import SessionDep
from apidock.exceptions import Forbidden, NotFound
from apidock.permissions import Permission, has_permissions
from apidock.roles.dependencies import MAX_ID
from apidock.users import service
from apidock.users.models import User


async def user_or_404(user_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep) -> User:
    """The user of the path's `user_id`, or 404 when there is none or it was deleted."""
    user = await service.get(session, user_id=user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("User not found")
    return user


UserDep = Annotated[User, Depends(user_or_404)]


async def readable_user(user: UserDep, actor: CurrentUser) -> User:
    """The user of the path, when the caller is that user or may read users."""
    if user.id != actor.id and not has_permissions(actor.permissions, Permission.READ_USERS):
        raise Forbidden("Requires permission: read_users")
    return user


async def signed_in_user(actor: CurrentUser, session: SessionDep) -> User:
    """The caller's own user row."""
    user = await service.get(session, user_id=actor.id)
    if user is None:
        raise NotFound("User not found")
    return user


ReadableUser = Annotated[User, Depends(readable_user)]
MeDep = Annotated[User, Depends(signed_in_user)]
