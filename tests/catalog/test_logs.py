"""The audit log: reading needs its permission; any signed-in client may record an event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.users.models import User
from tests.catalog.helpers import API, make_app
from tests.factories import bearer, create_user

Auth = dict[str, str]


async def test_client_events_are_prefixed_and_bounded(
    client: httpx.AsyncClient, reader_auth: Auth, reader: User
) -> None:
    response = await client.post(
        f"{API}/logs",
        json={"action": "api.tried", "target_type": "api", "target_id": 7},
        headers=reader_auth,
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert (data["action"], data["user_id"], data["target_id"]) == (
        "client.api.tried",
        reader.id,
        7,
    )
    for body in (
        {"action": "x" * 65},
        {"action": ""},
        {"action": "Has Spaces"},
        {"action": "ok", "extra": 1},
    ):
        assert (await client.post(f"{API}/logs", json=body, headers=reader_auth)).status_code == 422
    assert (await client.post(f"{API}/logs", json={"action": "ok"})).status_code == 401


async def test_listing_needs_read_logs_and_filters(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    dev_auth: Auth,
    developer: User,
    reader_auth: Auth,
) -> None:
    qa_auth = bearer(app, await create_user(session, settings, role="QA"))
    created = await make_app(client, dev_auth)
    await make_app(client, dev_auth)
    assert (await client.get(f"{API}/logs", headers=dev_auth)).status_code == 403
    assert (await client.get(f"{API}/logs", headers=reader_auth)).status_code == 403
    assert (await client.get(f"{API}/logs")).status_code == 401

    async def logs(**params: object) -> list[dict[str, Any]]:
        response = await client.get(f"{API}/logs", params=params, headers=qa_auth)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()["data"]["logs"]
        return rows

    mine = await logs(user_id=developer.id)
    assert [row["action"] for row in mine] == ["app.create", "app.create"]
    # newest first
    assert mine[0]["id"] > mine[1]["id"]
    [one] = await logs(action="app.create", target_type="app", target_id=created["id"])
    assert one["user_id"] == developer.id
    hour = timedelta(hours=1)
    now = datetime.now(UTC)
    assert len(await logs(user_id=developer.id, since=(now - hour).isoformat())) == 2
    assert await logs(user_id=developer.id, until=(now - hour).isoformat()) == []
    naive = await client.get(
        f"{API}/logs", params={"since": "2024-01-01T00:00:00"}, headers=qa_auth
    )
    assert naive.status_code == 422
