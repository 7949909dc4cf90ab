"""`/readyz` on every database: 503 naming the cause and the command to run while the schema is
not at the newest revision (never migrated, one migration behind, a revision the code does not
know), 200 again within seconds of an upgrade; one statement a check, reused for two seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock import migrations
from apidock.db import Database
from apidock.main import create_app
from apidock.readiness import READINESS_TTL, ReadinessCheck, code_revisions
from tests.conftest import make_client, make_settings
from tests.migrations.conftest import MakeEngine

HEAD = code_revisions().head
# what the check takes to see a change: its cache, and room for a busy machine
NOTICED_WITHIN = READINESS_TTL + 8


@pytest.fixture
async def engine(make_engine: MakeEngine) -> AsyncEngine:
    return await make_engine("ready")


@pytest.fixture
async def client(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(engine.url.render_as_string(hide_password=False), tmp_path)
    application: FastAPI = create_app(settings, database=Database(engine))
    async with make_client(application) as http:
        yield http


async def _answer_within(client: httpx.AsyncClient, status: int) -> httpx.Response:
    """Ask /readyz until it answers `status`; fails after `NOTICED_WITHIN` seconds."""
    deadline = time.monotonic() + NOTICED_WITHIN
    while True:
        response = await client.get("/readyz")
        if response.status_code == status:
            return response
        assert time.monotonic() < deadline, (status, response.status_code, response.text)
        await asyncio.sleep(0.1)


async def test_a_schema_one_migration_behind_is_503_until_upgraded(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await migrations.upgrade(engine, "head")
    assert (await client.get("/readyz")).json() == {"status": "ok"}

    await migrations.downgrade(engine, "-1")
    previous = await migrations.current_revision(engine)
    behind = await _answer_within(client, 503)
    assert behind.json() == {
        "status": "error",
        "message": f"The database is at revision {previous}, the code needs {HEAD}: "
        "run `apidock db upgrade`",
        "data": {"revision": previous, "head": HEAD},
    }
    assert "retry-after" not in behind.headers

    await migrations.upgrade(engine, "head")
    assert (await _answer_within(client, 200)).json() == {"status": "ok"}


async def test_a_database_never_migrated_is_503_naming_deploy(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["message"] == (
        f"The database has no schema yet (no revision); the code needs {HEAD}: run `apidock deploy`"
    )
    assert answer.json()["data"] == {"revision": None, "head": HEAD}


async def test_a_revision_the_code_does_not_know_is_503(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await migrations.upgrade(engine, "head")
    async with engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeed0bad'"))
    answer = await client.get("/readyz")
    assert answer.status_code == 503
    message = answer.json()["message"]
    assert message.startswith("The database is at revision f00dfeed0bad, which this code does not")
    assert HEAD is not None
    assert HEAD in message


async def test_one_statement_a_check_and_none_within_the_ttl(engine: AsyncEngine) -> None:
    await migrations.upgrade(engine, "head")
    statements: list[str] = []

    def count(*arguments: Any) -> None:
        statements.append(str(arguments[2]))

    now = [100.0]
    check = ReadinessCheck(engine, ttl=2.0, clock=lambda: now[0])
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        assert (await check.check()).ready
        asked = [text for text in statements if "alembic_version" in text]
        assert asked == ["SELECT version_num FROM alembic_version"]
        before = len(statements)
        now[0] += 1.9
        together = await asyncio.gather(*(check.check() for _ in range(20)))
        assert all(answer.ready for answer in together)
        assert len(statements) == before
        now[0] += 0.2
        await asyncio.gather(*(check.check() for _ in range(20)))
        assert [text for text in statements[before:] if "alembic_version" in text] == [asked[0]]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_the_migrations_are_read_once(engine: AsyncEngine) -> None:
    reads: list[int] = []

    def read_code() -> Any:
        reads.append(1)
        return code_revisions()

    now = [0.0]
    check = ReadinessCheck(engine, ttl=1.0, clock=lambda: now[0], read_code=read_code)
    for _ in range(3):
        await check.check()
        now[0] += 5
    assert reads == [1]


async def test_an_unreachable_database_is_503_in_the_envelope(tmp_path: Path) -> None:
    settings = make_settings("postgresql://root@127.0.0.1:1/none", tmp_path, DB_POOL_TIMEOUT=2)
    application = create_app(settings)
    try:
        async with make_client(application) as http:
            answer = await http.get("/readyz")
    finally:
        await application.state.database.dispose()
    assert answer.status_code == 503
    assert answer.json() == {"status": "error", "message": "Database unavailable", "data": None}
    assert answer.headers["retry-after"]
