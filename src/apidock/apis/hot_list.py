"""The list of APIs on the Core runner (`GET /apis`): one statement a page, with its count.

The same rows, order and filters as the ORM query it replaced, which
tests/test_hot_statements.py holds it to on every database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, or_

from apidock.apis.models import Api, ApiStatus
from apidock.apis.schemas import ApiRead
from apidock.db import CoreRunner
from apidock.db.hot_pages import HotList
from apidock.db.pages import PageParams
from apidock.db.queries import LIKE_ESCAPE, escape_like

_COLUMNS = Api.__table__.c
APIS = HotList(
    "apis.list",
    source=Api.__table__,
    columns=[_COLUMNS[column] for column in ApiRead.model_fields],
    order_by=[_COLUMNS.app_id, _COLUMNS.request_url, _COLUMNS.request_method, _COLUMNS.id],
    always=[Api.deleted_at.is_(None)],
    filters={
        "app_id": Api.app_id == bindparam("app_id"),
        "group_id": Api.group_id == bindparam("group_id"),
        "method": Api.request_method == bindparam("method"),
        "status": Api.status == bindparam("status"),
        "text": or_(
            *(
                column.icontains(bindparam("text"), escape=LIKE_ESCAPE)
                for column in (Api.title, Api.request_url, Api.description)
            )
        ),
    },
)


async def page(
    core: CoreRunner,
    *,
    params: PageParams,
    app_id: int | None = None,
    group_id: int | None = None,
    method: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of live APIs, by app, path and method, and its `PageMeta` fields."""
    return await APIS.page(
        core,
        params,
        app_id=app_id,
        group_id=group_id,
        method=method.upper() if method else None,
        status=int(ApiStatus[status.upper()]) if status else None,
        text=escape_like(q) if q else None,
    )
