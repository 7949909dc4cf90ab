"""Who the caller is, as one statement that hot reads extend with their own columns.

Kept apart from `auth.service` so that any domain's service can build on it without
importing back into authentication.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import aliased

from apidock.auth.models import RefreshToken, RevokedToken
from apidock.auth.schemas import Principal
from apidock.auth.tokens import TokenClaims
from apidock.db import AnySelect, hot_statement
from apidock.errors import Unauthorized
from apidock.roles.models import Role
from apidock.users.models import User, UserStatus
from apidock.users.names import is_root_name

# the caller's row; a hot read may join its own tables to it
CALLER = aliased(User, name="caller")


def caller_statement() -> AnySelect:
    """The caller's state as columns `caller_*`, for an access token's `caller_params`.

    A hot read adds its own columns and joins to it, so that the caller and the data
    come back in one statement; the row is missing when the caller may not pass.
    """
    token_revoked = exists().where(RevokedToken.jti == bindparam("caller_jti"))
    family_revoked = exists().where(
        RefreshToken.family_id == bindparam("caller_family"), RefreshToken.revoked_at.is_not(None)
    )
    return (
        select(
            CALLER.id.label("caller_id"),
            CALLER.name.label("caller_name"),
            CALLER.role_id.label("caller_role_id"),
            Role.permissions.label("caller_permissions"),
            (token_revoked | family_revoked).label("caller_revoked"),
        )
        .select_from(CALLER)
        .outerjoin(Role, Role.id == CALLER.role_id)
        .where(
            CALLER.id == bindparam("caller_id"),
            CALLER.deleted_at.is_(None),
            CALLER.status == UserStatus.NORMAL,
            CALLER.token_version == bindparam("caller_version"),
        )
    )


# Built once: the statement object is the key of the compiled-statement caches.
CALLER_STATEMENT = hot_statement("auth.caller", caller_statement())


def caller_params(claims: TokenClaims) -> dict[str, Any]:
    """The parameters of `caller_statement` for an access token."""
    return {
        "caller_id": claims.user_id,
        "caller_jti": claims.jti,
        "caller_family": claims.family_id,
        "caller_version": claims.version,
    }


def caller_row(row: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    """`row` when its caller may pass; 401 when the row is missing or says the token is revoked.

    The row is missing when the user is gone, deleted or blocked, or the token's version is
    older than the user's; `caller_revoked` covers the revoked token and the revoked family.
    """
    if row is None or row["caller_revoked"]:
        raise Unauthorized("Token revoked or no longer valid")
    return row


def principal_from_row(row: Mapping[Any, Any] | None, *, root_name: str) -> Principal:
    """The caller of a `caller_statement` row (see `caller_row` for when it is refused)."""
    row = caller_row(row)
    return Principal(
        id=row["caller_id"],
        name=row["caller_name"],
        role_id=row["caller_role_id"],
        permissions=row["caller_permissions"] or 0,
        is_root=is_root_name(row["caller_name"], root_name),
    )
