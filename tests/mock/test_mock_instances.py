"""Two instances on one database, each with its own cache of what the mock answers: a key
revoked, an app made private and a description edited through one are followed by the other at
its next request (every mock request reads the app's row, key and stamp in one statement, on
the real runner: asyncpg's own connection on PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from apidock.users.models import User
from tests.catalog.helpers import API
from tests.conftest import make_client, wipe_database
from tests.factories import bearer, create_user
from tests.mock.helpers import SHOP, import_app, keyed, make_key


@pytest.fixture
async def two(
    settings: Settings, engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, dict[str, str]]]:
    databases = [Database(engine), Database(engine)]
    apps = [create_app(settings, database=database) for database in databases]
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            user: User = await create_user(session, settings, role="Developer")
            await session.commit()
        auth = bearer(apps[0], user)
        async with make_client(apps[0]) as one, make_client(apps[1]) as other:
            yield one, other, auth
    finally:
        for application, database in zip(apps, databases, strict=True):
            await application.state.mock.log.close()
            await database.core.close()
        await wipe_database(engine)


async def test_what_one_instance_changes_the_other_follows_at_once(
    two: tuple[httpx.AsyncClient, httpx.AsyncClient, dict[str, str]],
) -> None:
    one, other, auth = two
    app = await import_app(one, auth)
    key = await make_key(one, auth, app["id"])
    url = f"/mock/{app['slug']}/items"
    first = await other.get(url, headers=keyed(key["key"]))
    assert first.status_code == 200
    assert first.json()[0]["name"] == "cup"
    # an edit through the first instance: the second's cached document is stale
    listed = await one.get(f"{API}/apis", params={"app_id": app["id"]}, headers=auth)
    api_id = next(api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "listItems")
    operation = json.loads(json.dumps(SHOP["paths"]["/items"]["get"]))
    operation["responses"]["200"]["content"]["application/json"]["example"] = [
        {"id": 7, "name": "mug"}
    ]
    patched = await one.patch(f"{API}/apis/{api_id}", json={"operation": operation}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert (await other.get(url, headers=keyed(key["key"]))).json() == [{"id": 7, "name": "mug"}]
    # public, then private again, through the first
    await one.patch(f"{API}/apps/{app['id']}", json={"mock_public": True}, headers=auth)
    assert (await other.get(url)).status_code == 200
    await one.patch(f"{API}/apps/{app['id']}", json={"mock_public": False}, headers=auth)
    assert (await other.get(url)).status_code == 404
    # the key revoked through the first: refused by the second at its next request
    revoked = await one.delete(f"{API}/apps/{app['id']}/mock-keys/{key['id']}", headers=auth)
    assert revoked.status_code == 200
    assert (await other.get(url, headers=keyed(key["key"]))).status_code == 404
    assert (await one.get(url, headers=keyed(key["key"]))).status_code == 404
