"""Loaders of users: the caller first, then the right to read the user, then 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.auth.dependencies import CurrentUser
from apidock.errors import NotFound
from apidock.http.dependencies import SessionDep
from apidock.schemas import Id
from apidock.users import access, service
from apidock.users.models import User

UserId = Annotated[Id, Path()]


async def readable_user_id(user_id: UserId, actor: CurrentUser) -> int:
    """The path's `user_id` once the caller may read that user (read_users, or being them).

    A dependency, so that it runs before the body is validated and before any loader,
    whatever the order of a route's parameters: 401, then 403, and only then 404 or 422.
    """
    access.check_may_read(actor, user_id=user_id)
    return user_id


ReadableUserId = Annotated[int, Depends(readable_user_id)]


async def user_or_404(user_id: ReadableUserId, session: SessionDep) -> User:
    """The live user of the path, for a caller who may read it; 404 when gone or deleted."""
    user = await service.get(session, user_id=user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("User not found")
    return user


UserDep = Annotated[User, Depends(user_or_404)]


async def signed_in_user(actor: CurrentUser, session: SessionDep) -> User:
    """The caller's own user row."""
    user = await service.get(session, user_id=actor.id)
    if user is None:
        raise NotFound("User not found")
    return user


MeDep = Annotated[User, Depends(signed_in_user)]
