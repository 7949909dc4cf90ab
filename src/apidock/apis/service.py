"""APIs: one method and path template per app, in a group of that app or in none."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis import operations, views
from apidock.apis.models import Api, ApiStatus
from apidock.apis.schemas import ApiCreate, ApiUpdate
from apidock.apps.models import App
from apidock.catalog import service as catalog
from apidock.db.queries import lock_row_and_reload
from apidock.errors import Conflict, NotFound
from apidock.groups import service as group_service
from apidock.work import Action, UnitOfWork


class ApiAction(Action):
    CREATE = "api.create"
    UPDATE = "api.update"
    DELETE = "api.delete"


async def _check_group(work: UnitOfWork, *, app_id: int | None, group_id: int | None) -> None:
    """422 unless `group_id` is none or a live group of the same app."""
    if group_id is not None and not await group_service.in_app(
        work, group_id=group_id, app_id=app_id
    ):
        raise catalog.invalid("group_id", "no such group in this app")


async def _ensure_unique_route(
    session: AsyncSession,
    *,
    app_id: int | None,
    method: str,
    url: str,
    exclude_id: int | None = None,
) -> None:
    """409 when a live API of the app, besides `exclude_id`, already answers `method` on `url`."""
    route = (Api.app_id == app_id, Api.request_method == method, Api.request_url == url)
    if await catalog.count_live(session, Api, *route, other_than=exclude_id):
        raise Conflict(f"The app already documents {method} {url}")


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the columns keep them: status as its integer, headers as JSON text."""
    if values.get("status") is not None:
        values["status"] = int(ApiStatus[values["status"].upper()])
    if values.get("request_header") is not None:
        values["request_header"] = json.dumps(values["request_header"], ensure_ascii=False)
    return values


async def create(work: UnitOfWork, *, api_in: ApiCreate) -> Api:
    """A new API of a live app, optionally in one of its groups."""
    # one route change at a time per app: the check below sees every committed route
    await catalog.lock_parent(work, App, api_in.app_id, catalog.invalid("app_id", "no such app"))
    await _check_group(work, app_id=api_in.app_id, group_id=api_in.group_id)
    await _ensure_unique_route(
        work.session, app_id=api_in.app_id, method=api_in.request_method, url=api_in.request_url
    )
    return await catalog.add(work, ApiAction.CREATE, Api(**_stored(api_in.model_dump())))


# the fields whose change takes the app's lock, as a create does
_ROUTE_AND_GROUP = frozenset({"request_url", "request_method", "group_id"})


async def update(work: UnitOfWork, *, api: Api, api_in: ApiUpdate) -> Api:
    """`api` with the fields given in `api_in` changed, and for an API described in OpenAPI
    its operation with them (`operations`); audited with the names of what changed."""
    values = api_in.model_dump(exclude_unset=True)
    # as on create; and a group deleted meanwhile is seen deleted, and the route checked is
    # the one the API has now (a path changed meanwhile with the method changed here). An
    # operation is checked in the app's whole document: one change of it at a time, and
    # whether the API is described is known once it is read again under the lock.
    locking = _ROUTE_AND_GROUP | operations.DESCRIBED_FIELDS
    if values.keys() & locking and not await lock_row_and_reload(
        work.session, App, api.app_id, api
    ):
        raise NotFound("API not found")
    if "group_id" in values:
        await _check_group(work, app_id=api.app_id, group_id=values["group_id"])
    await _ensure_unique_route(
        work.session,
        app_id=api.app_id,
        method=values.get("request_method", api.request_method),
        url=values.get("request_url", api.request_url),
        exclude_id=api.id,
    )
    if operations.touches_operation(api, values):
        values = await operations.describe(work, api=api, values=values)
    stored = _stored(values)
    changed = sorted(name for name, value in stored.items() if getattr(api, name) != value)
    for name, value in stored.items():
        setattr(api, name, value)
    if "operation" in stored:
        await views.sync_views(work.session, api)
    await work.audit(ApiAction.UPDATE, api, {"changed": changed})
    return api


async def delete(work: UnitOfWork, *, api: Api) -> None:
    """Soft-delete `api` with its response fields and examples."""
    await catalog.delete(work, ApiAction.DELETE, api)
