"""Brute force: failed logins are limited per account and per address, in process or in Redis."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from apidock.auth.limiter import LoginLimiter, MemoryCounterStore, RedisCounterStore
from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from tests.conftest import make_client, make_settings
from tests.factories import DEFAULT_PASSWORD, create_user

REDIS_URL = os.environ.get("APIDOCK_TEST_REDIS_URL", "")


def limited_settings(settings: Settings, tmp_path: Path, **extra: object) -> Settings:
    return make_settings(
        settings.database_url,
        tmp_path,
        LOGIN_MAX_FAILURES=3,
        LOGIN_MAX_FAILURES_PER_IP=5,
        LOGIN_WINDOW_SECONDS=60,
        **extra,
    )


async def attempt(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/login", json={"name": name, "password": password})


@pytest.fixture
def limited_app(settings: Settings, engine: AsyncEngine, app: FastAPI, tmp_path: Path) -> FastAPI:
    limited = create_app(limited_settings(settings, tmp_path), database=Database(engine))
    limited.dependency_overrides = app.dependency_overrides
    return limited


async def test_account_is_limited_even_for_the_right_password(
    limited_app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    await create_user(session, settings, name="dave")
    async with make_client(limited_app) as client:
        for _ in range(3):
            assert (await attempt(client, "dave", "wrong password")).status_code == 401
        blocked = await attempt(client, "dave", DEFAULT_PASSWORD)
        assert blocked.status_code == 429
        assert blocked.json()["status"] == "error"
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        other_case = await attempt(client, "DAVE", DEFAULT_PASSWORD)
        assert other_case.status_code == 429


async def test_address_is_limited_across_accounts(
    limited_app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    await create_user(session, settings, name="erin")
    async with make_client(limited_app) as client:
        for number in range(5):
            assert (await attempt(client, f"ghost{number}", "wrong password")).status_code == 401
        assert (await attempt(client, "erin", DEFAULT_PASSWORD)).status_code == 429


async def test_success_resets_the_account_counter(
    limited_app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    await create_user(session, settings, name="fay")
    async with make_client(limited_app) as client:
        for _ in range(2):
            await attempt(client, "fay", "wrong password")
        assert (await attempt(client, "fay", DEFAULT_PASSWORD)).status_code == 200
        for _ in range(2):
            assert (await attempt(client, "fay", "wrong password")).status_code == 401
        assert (await attempt(client, "fay", DEFAULT_PASSWORD)).status_code == 200


async def test_memory_window_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryCounterStore()
    clock = [1000.0]
    monkeypatch.setattr("apidock.auth.limiter.time.monotonic", lambda: clock[0])
    limits = [("k", 2)]
    assert await store.reserve(limits, 10) == 0
    assert await store.reserve(limits, 10) == 0
    assert await store.reserve(limits, 10) == 10
    clock[0] += 9.5
    assert await store.reserve(limits, 10) == 1
    clock[0] += 1
    assert await store.reserve(limits, 10) == 0


@pytest.fixture
async def redis_store() -> AsyncIterator[RedisCounterStore]:
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    store = RedisCounterStore(REDIS_URL)
    yield store
    await store.close()


async def test_redis_counters_count_and_expire(redis_store: RedisCounterStore) -> None:
    limits = [(f"test:{secrets.token_hex(4)}", 2)]
    assert await redis_store.reserve(limits, 30) == 0
    assert await redis_store.reserve(limits, 30) == 0
    assert 1 <= await redis_store.reserve(limits, 30) <= 30
    await redis_store.delete(limits[0][0])
    assert await redis_store.reserve(limits, 30) == 0
    await redis_store.delete(limits[0][0])


async def test_two_instances_share_the_limit_through_redis(
    settings: Settings,
    engine: AsyncEngine,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    app: FastAPI,
    tmp_path: Path,
    redis_store: RedisCounterStore,
) -> None:
    name = f"gus{secrets.token_hex(3)}"
    await create_user(session, settings, name=name)
    shared = limited_settings(settings, tmp_path, REDIS_URL=REDIS_URL)
    first = create_app(shared, database=Database(engine))
    second = create_app(shared, database=Database(engine))
    for instance in (first, second):
        instance.dependency_overrides = app.dependency_overrides
        assert isinstance(instance.state.login_limiter.store, RedisCounterStore)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    async with make_client(first, address) as one, make_client(second, address) as two:
        assert (await attempt(one, name, "wrong password")).status_code == 401
        assert (await attempt(two, name, "wrong password")).status_code == 401
        assert (await attempt(one, name, "wrong password")).status_code == 401
        assert (await attempt(two, name, DEFAULT_PASSWORD)).status_code == 429
    for instance in (first, second):
        limiter: LoginLimiter = instance.state.login_limiter
        await limiter.succeeded(account=name)
        await limiter.store.close()
