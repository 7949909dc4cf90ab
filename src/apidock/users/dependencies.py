"""Loaders of users (the caller first, then the right to read the user, then 404), and the
rules a change of an account follows."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from apidock import policy
from apidock.auth.dependencies import CurrentUser
from apidock.errors import NotFound
from apidock.http.dependencies import WorkDep
from apidock.http.loaders import live_or_404
from apidock.schemas import Id
from apidock.users import service
from apidock.users.models import User
from apidock.users.service import AccountRules

UserId = Annotated[Id, Path()]


async def readable_user_id(user_id: UserId, actor: CurrentUser) -> int:
    """The path's `user_id` once the caller may read that user (read_users, or being them).

    A dependency, so that it runs before the body is validated and before any loader,
    whatever the order of a route's parameters: 401, then 403, and only then 404 or 422.
    """
    policy.check_may_read_user(actor, user_id=user_id)
    return user_id


ReadableUserId = Annotated[int, Depends(readable_user_id)]

# The live user of the path, for a caller who may read it; 404 when gone or deleted.
UserDep = Annotated[User, Depends(live_or_404(User, "user_id", "User not found", ReadableUserId))]


async def signed_in_user(actor: CurrentUser, work: WorkDep) -> User:
    """The caller's own user row."""
    user = await service.get(work.session, user_id=actor.id)
    if user is None:
        raise NotFound("User not found")
    return user


MeDep = Annotated[User, Depends(signed_in_user)]


async def account_rules(request: Request) -> AccountRules:
    """The application's password hasher and login limiter, and `APP_ROOT_ADMIN`, as the
    users service takes them (`HasherDep`, `LimiterDep` and `RootAdminName` read the same)."""
    state = request.app.state
    return AccountRules(
        hasher=state.password_hasher,
        limiter=state.login_limiter,
        root_name=state.settings.app_root_admin,
    )


AccountRulesDep = Annotated[AccountRules, Depends(account_rules)]
