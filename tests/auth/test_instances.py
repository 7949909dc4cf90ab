"""Several instances: two applications, each with its own engine and pool, on one database and
one Redis. What one instance revokes, blocks or retires is refused by the other at once, and
failed logins count across both. Real connections, on every database; the rows are wiped after.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock.auth.limiter import LoginLimiter, RedisCounterStore
from apidock.config import Settings
from apidock.db import Database, create_engine
from apidock.main import create_app
from apidock.models import User
from tests.conftest import make_client, make_settings, wipe_database
from tests.factories import DEFAULT_PASSWORD, create_user

REDIS_URL = os.environ.get("APIDOCK_TEST_REDIS_URL", "")
API = "/api/v1"
MAX_FAILURES = 3


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Instances:
    one: httpx.AsyncClient
    two: httpx.AsyncClient
    apps: tuple[FastAPI, FastAPI]
    settings: Settings

    async def user(self, *, role: str = "Developer") -> User:
        async with self.apps[0].state.database.transaction() as session:
            return await create_user(
                session, self.settings, name=f"inst{secrets.token_hex(4)}", role=role
            )

    async def login(self, client: httpx.AsyncClient, name: str) -> dict[str, str]:
        answer = await client.post(
            f"{API}/login", json={"name": name, "password": DEFAULT_PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        data: dict[str, str] = answer.json()["data"]
        return data


@pytest.fixture
async def instances(
    settings: Settings, engine: AsyncEngine, tmp_path: Path
) -> AsyncIterator[Instances]:
    """Two applications with a Database and an engine each; Redis shared when CI provides it."""
    shared = make_settings(
        settings.database_url,
        tmp_path,
        LOGIN_MAX_FAILURES=MAX_FAILURES,
        LOGIN_MAX_FAILURES_PER_IP=1000,
        LOGIN_WINDOW_SECONDS=60,
        REDIS_URL=REDIS_URL,
    )
    databases = [Database(create_engine(shared)) for _ in range(2)]
    apps = (create_app(shared, database=databases[0]), create_app(shared, database=databases[1]))
    try:
        async with make_client(apps[0]) as one, make_client(apps[1]) as two:
            yield Instances(one=one, two=two, apps=apps, settings=shared)
    finally:
        for application, database in zip(apps, databases, strict=True):
            limiter: LoginLimiter = application.state.login_limiter
            await limiter.store.close()
            await database.dispose()
        await wipe_database(engine)


async def assert_refused(client: httpx.AsyncClient, token: str, user_id: int) -> None:
    """Refused by the session path (`/users/me`) and by the hot read (`/users/{id}`)."""
    for path in (f"{API}/users/me", f"{API}/users/{user_id}"):
        answer = await client.get(path, headers=auth(token))
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["www-authenticate"].startswith("Bearer")


async def assert_accepted(client: httpx.AsyncClient, token: str, user_id: int) -> None:
    for path in (f"{API}/users/me", f"{API}/users/{user_id}"):
        answer = await client.get(path, headers=auth(token))
        assert answer.status_code == 200, (path, answer.text)


async def test_an_access_token_logged_out_on_one_is_refused_by_the_other(
    instances: Instances,
) -> None:
    user = await instances.user(role="Developer")
    tokens = await instances.login(instances.one, user.name)
    other = await instances.login(instances.two, user.name)
    # the second instance has verified the token once: nothing it keeps may let it through
    await assert_accepted(instances.two, tokens["access_token"], user.id)
    logout = await instances.one.post(f"{API}/logout/access", headers=auth(tokens["access_token"]))
    assert logout.status_code == 200, logout.text
    await assert_refused(instances.two, tokens["access_token"], user.id)
    # only that token: the user's other login still works on both
    await assert_accepted(instances.two, other["access_token"], user.id)
    await assert_accepted(instances.one, other["access_token"], user.id)


async def test_a_user_blocked_on_one_is_refused_by_the_other(instances: Instances) -> None:
    admin = await instances.user(role="Administrator")
    user = await instances.user(role="Developer")
    admin_tokens = await instances.login(instances.one, admin.name)
    tokens = await instances.login(instances.two, user.name)
    await assert_accepted(instances.two, tokens["access_token"], user.id)
    blocked = await instances.one.patch(
        f"{API}/users/{user.id}",
        json={"status": "blocked"},
        headers=auth(admin_tokens["access_token"]),
    )
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["data"]["status"] == "blocked"
    await assert_refused(instances.two, tokens["access_token"], user.id)
    refreshed = await instances.two.post(
        f"{API}/token/refresh", headers=auth(tokens["refresh_token"])
    )
    assert refreshed.status_code == 401, refreshed.text
    login = await instances.two.post(
        f"{API}/login", json={"name": user.name, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 401, login.text


async def test_a_family_retired_on_one_is_refused_by_the_other(instances: Instances) -> None:
    user = await instances.user()
    first = await instances.login(instances.one, user.name)
    rotated = await instances.one.post(f"{API}/token/refresh", headers=auth(first["refresh_token"]))
    assert rotated.status_code == 200, rotated.text
    current = rotated.json()["data"]
    await assert_accepted(instances.two, current["access_token"], user.id)
    # the retired refresh token comes back: reuse, and the whole family is revoked
    reused = await instances.one.post(f"{API}/token/refresh", headers=auth(first["refresh_token"]))
    assert reused.status_code == 401, reused.text
    await assert_refused(instances.two, current["access_token"], user.id)
    again = await instances.two.post(f"{API}/token/refresh", headers=auth(current["refresh_token"]))
    assert again.status_code == 401, again.text


async def test_failed_logins_count_across_both_through_redis(instances: Instances) -> None:
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    for application in instances.apps:
        assert isinstance(application.state.login_limiter.store, RedisCounterStore)
    user = await instances.user()
    try:
        clients = (instances.one, instances.two)
        for attempt in range(MAX_FAILURES):
            wrong = await clients[attempt % 2].post(
                f"{API}/login", json={"name": user.name, "password": "wrong password"}
            )
            assert wrong.status_code == 401, wrong.text
        for client in clients:
            limited = await client.post(
                f"{API}/login", json={"name": user.name, "password": DEFAULT_PASSWORD}
            )
            assert limited.status_code == 429, limited.text
            assert int(limited.headers["retry-after"]) >= 1
    finally:
        limiter: LoginLimiter = instances.apps[0].state.login_limiter
        await limiter.succeeded(account=user.name)
