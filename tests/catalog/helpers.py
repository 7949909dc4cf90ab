"""Arrange catalog data through the API, as a user with the rights would."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log

_numbers = itertools.count(1)

API = "/api/v1"


async def post(client: httpx.AsyncClient, path: str, auth: dict[str, str], **body: Any) -> Any:
    """POST `body` and the created object's data; fails the test on anything but 201."""
    response = await client.post(f"{API}{path}", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def make_app(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> Any:
    number = next(_numbers)
    return await post(client, "/apps", auth, **({"title": f"App {number}"} | body))


async def make_group(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: int, **body: Any
) -> Any:
    number = next(_numbers)
    return await post(
        client, "/apis/groups", auth, **({"app_id": app_id, "title": f"Group {number}"} | body)
    )


async def make_api(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: int, **body: Any
) -> Any:
    number = next(_numbers)
    values = {
        "app_id": app_id,
        "title": f"API {number}",
        "request_url": f"/things/{number}",
        "request_method": "GET",
    }
    return await post(client, "/apis", auth, **(values | body))


async def make_field(
    client: httpx.AsyncClient, auth: dict[str, str], api_id: int, field: str, data_type: str
) -> Any:
    return await post(
        client, "/apis/responses", auth, api_id=api_id, field=field, data_type=data_type
    )


async def log_rows(session: AsyncSession, action: str, target_id: int) -> list[Log]:
    """The audit rows of `action` on `target_id`."""
    rows = await session.scalars(
        select(Log).where(Log.action == action, Log.target_id == target_id)
    )
    return list(rows)
