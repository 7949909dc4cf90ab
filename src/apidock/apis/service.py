"""APIs: one method and path template per app, in a group of that app or in none."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiStatus
from apidock.apis.schemas import ApiCreate, ApiUpdate
from apidock.apps import service as app_service
from apidock.apps.models import App
from apidock.db import utcnow
from apidock.db.queries import contains_text, lock_row, lock_row_and_reload
from apidock.errors import Conflict, NotFound, Unprocessable
from apidock.groups import service as group_service
from apidock.logs import service as log_service


def search(
    *,
    app_id: int | None = None,
    group_id: int | None = None,
    method: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Select[Api]:
    """Live APIs by app, path and method, filtered by what is given; `q` searches text."""
    statement = (
        select(Api)
        .where(Api.deleted_at.is_(None))
        .order_by(Api.app_id, Api.request_url, Api.request_method, Api.id)
    )
    if app_id is not None:
        statement = statement.where(Api.app_id == app_id)
    if group_id is not None:
        statement = statement.where(Api.group_id == group_id)
    if method is not None:
        statement = statement.where(Api.request_method == method.upper())
    if status is not None:
        statement = statement.where(Api.status == int(ApiStatus[status.upper()]))
    if q:
        statement = statement.where(
            or_(
                contains_text(Api.title, q),
                contains_text(Api.request_url, q),
                contains_text(Api.description, q),
            )
        )
    return statement


async def get(session: AsyncSession, *, api_id: int) -> Api | None:
    """The live API `api_id`, or None."""
    return await session.scalar(select(Api).where(Api.id == api_id, Api.deleted_at.is_(None)))


def _invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(
        message, data=[{"field": f"body.{field}", "message": message, "type": "value_error"}]
    )


async def _check_group(session: AsyncSession, *, app_id: int | None, group_id: int | None) -> None:
    """422 unless `group_id` is none or a live group of the same app."""
    if group_id is None:
        return
    group = await group_service.get(session, group_id=group_id)
    if group is None or group.app_id != app_id:
        raise _invalid("group_id", "no such group in this app")


async def _ensure_unique_route(
    session: AsyncSession, *, app_id: int | None, method: str, url: str, exclude_id: int | None
) -> None:
    """409 when a live API of the app already answers `method` on `url`."""
    statement = select(func.count()).where(
        Api.app_id == app_id,
        Api.request_method == method,
        Api.request_url == url,
        Api.deleted_at.is_(None),
    )
    if exclude_id is not None:
        statement = statement.where(Api.id != exclude_id)
    if await session.scalar(statement):
        raise Conflict(f"The app already documents {method} {url}")


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the columns keep them: status as its integer, headers as JSON text."""
    if values.get("status") is not None:
        values["status"] = int(ApiStatus[values["status"].upper()])
    if values.get("request_header") is not None:
        values["request_header"] = json.dumps(values["request_header"], ensure_ascii=False)
    return values


async def create(session: AsyncSession, *, api_in: ApiCreate, actor_id: int, ip: str) -> Api:
    """A new API of a live app, optionally in one of its groups."""
    # one route change at a time per app: the check below sees every committed route
    await lock_row(session, App, api_in.app_id)
    if await app_service.get(session, app_id=api_in.app_id) is None:
        raise _invalid("app_id", "no such app")
    await _check_group(session, app_id=api_in.app_id, group_id=api_in.group_id)
    await _ensure_unique_route(
        session,
        app_id=api_in.app_id,
        method=api_in.request_method,
        url=api_in.request_url,
        exclude_id=None,
    )
    api = Api(**_stored(api_in.model_dump()))
    session.add(api)
    await session.flush()
    await log_service.record(
        session, actor_id=actor_id, action="api.create", target_type="api", target_id=api.id, ip=ip
    )
    return api


# the fields whose change takes the app's lock, as a create does
_ROUTE_AND_GROUP = frozenset({"request_url", "request_method", "group_id"})


async def update(
    session: AsyncSession, *, api: Api, api_in: ApiUpdate, actor_id: int, ip: str
) -> Api:
    """`api` with the fields given in `api_in` changed."""
    values = api_in.model_dump(exclude_unset=True)
    # as on create; and a group deleted meanwhile is seen deleted, and the route checked is
    # the one the API has now (a path changed meanwhile with the method changed here)
    if values.keys() & _ROUTE_AND_GROUP and not await lock_row_and_reload(
        session, App, api.app_id, api
    ):
        raise NotFound("API not found")
    if "group_id" in values:
        await _check_group(session, app_id=api.app_id, group_id=values["group_id"])
    await _ensure_unique_route(
        session,
        app_id=api.app_id,
        method=values.get("request_method", api.request_method),
        url=values.get("request_url", api.request_url),
        exclude_id=api.id,
    )
    for name, value in _stored(values).items():
        setattr(api, name, value)
    await session.flush()
    await log_service.record(
        session, actor_id=actor_id, action="api.update", target_type="api", target_id=api.id, ip=ip
    )
    return api


async def delete(session: AsyncSession, *, api: Api, actor_id: int, ip: str) -> None:
    """Soft-delete `api` with its response fields and examples."""
    await app_service.soft_delete_apis(session, api_ids=[api.id], at=utcnow())
    await session.refresh(api, ["deleted_at"])
    await log_service.record(
        session, actor_id=actor_id, action="api.delete", target_type="api", target_id=api.id, ip=ip
    )
