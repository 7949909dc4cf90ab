"""The list of users on the Core runner (`GET /users`): one statement a page, with its count.

The same rows, order and filters as the ORM query it replaced, which
tests/test_hot_statements.py holds it to on every database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam

from apidock.db import CoreRunner
from apidock.db.hot_pages import HotList
from apidock.db.pages import PageParams
from apidock.db.queries import LIKE_ESCAPE, escape_like
from apidock.users.models import User, UserStatus
from apidock.users.names import name_key
from apidock.users.schemas import UserRead

USERS = HotList(
    "users.list",
    source=User.__table__,
    columns=[User.__table__.c[column] for column in UserRead.model_fields],
    order_by=[User.__table__.c.id],
    filters={
        # the name key is folded already: a fragment of it matches in any case or width
        "name": User.name_key.contains(bindparam("name"), escape=LIKE_ESCAPE),
        "status": User.status == bindparam("status"),
        "role_id": User.role_id == bindparam("role_id"),
    },
    switches={"live": User.deleted_at.is_(None)},
)


async def page(
    core: CoreRunner,
    *,
    params: PageParams,
    name: str | None = None,
    status: UserStatus | None = None,
    role_id: int | None = None,
    include_deleted: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of users, by id, and its `PageMeta` fields."""
    return await USERS.page(
        core,
        params,
        name=escape_like(name_key(name)) if name else None,
        status=None if status is None else int(status),
        role_id=role_id,
        live=not include_deleted,
    )
