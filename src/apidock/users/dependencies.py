"""Loaders of users that 404 early, and the object-level check on reading a user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.auth.dependencies import CurrentUser
from apidock.database import SessionDep
from apidock.exceptions import NotFound
from apidock.schemas import MAX_ID
from apidock.users import service
from apidock.users.models import User

UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def user_or_404(user_id: UserId, session: SessionDep) -> User:
    """The user of the path's `user_id`, or 404 when there is none or it was deleted."""
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
