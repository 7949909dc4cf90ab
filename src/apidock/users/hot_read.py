"""The hottest read: one user for the caller of an access token, in one statement.

`GET /users/{id}` checks the caller (token, user, role, revocations) and reads the user asked
for in a single round trip on the Core runner, without the ORM session (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, bindparam, func
from sqlalchemy.orm import aliased

from apidock.auth.principal import CALLER, caller_params, caller_row, caller_statement
from apidock.auth.tokens import TokenClaims
from apidock.db import CoreRunner, hot_statement
from apidock.errors import Forbidden, NotFound
from apidock.permissions import Permission, has_permissions
from apidock.users.models import User
from apidock.users.schemas import UserRead

USER_READ_COLUMNS = tuple(UserRead.model_fields)
_TARGET = aliased(User, name="target")
# The caller's state and the user asked for, in one statement (the hottest read).
_READ_USER_FOR_CALLER = hot_statement(
    "users.read_for_caller",
    caller_statement()
    .add_columns(*(getattr(_TARGET, column).label(column) for column in USER_READ_COLUMNS))
    .outerjoin(
        _TARGET,
        # a null target_id reads the caller's own row
        and_(
            _TARGET.id == func.coalesce(bindparam("target_id", type_=Integer), CALLER.id),
            _TARGET.deleted_at.is_(None),
        ),
    ),
)


async def read_for_caller(core: CoreRunner, *, claims: TokenClaims, user_id: int) -> dict[str, Any]:
    """One user's public columns for the caller of `claims`, in one round trip.

    401 when the caller may not pass, 403 unless they read users or ask for themselves (before
    any 404, so that existence is not told to those who may not read), 404 when it is gone.
    """
    row = await core.fetch_one(
        _READ_USER_FOR_CALLER, caller_params(claims) | {"target_id": user_id}
    )
    row = caller_row(row)
    may_read = has_permissions(row["caller_permissions"] or 0, Permission.READ_USERS)
    if user_id != row["caller_id"] and not may_read:
        raise Forbidden("Requires permission: read_users")
    if row["id"] is None:
        raise NotFound("User not found")
    return {column: row[column] for column in USER_READ_COLUMNS}
