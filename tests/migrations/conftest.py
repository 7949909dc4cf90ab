"""Fixtures of the migration tests: fresh, empty databases on SQLite and on each server named by
`APIDOCK_TEST_DATABASES`, under names of their own (`apidock_migrations_<worker>` and a second,
`…_ref`, for comparisons), dropped when the test ends.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from apidock.config import load_settings, to_async_url
from apidock.db import create_engine

MakeEngine = Callable[[str], Awaitable[AsyncEngine]]


def _server_urls() -> list[str]:
    raw = os.environ.get("APIDOCK_TEST_DATABASES", "")
    return [url.strip() for url in raw.split(",") if url.strip()]


SERVERS = [pytest.param("sqlite", id="sqlite")] + [
    pytest.param(url, id=make_url(to_async_url(url)).get_backend_name()) for url in _server_urls()
]


def _database_name(role: str) -> str:
    # one set per test process: several checkouts tested at once never drop each other's
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"apidock_migrations_{worker}_{os.getpid()}_{role}"


async def _admin(server_url: str, statements: list[str]) -> None:
    admin = create_async_engine(to_async_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await admin.dispose()


def _drop_statement(backend: str, name: str) -> str:
    if backend == "postgresql":
        return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    return f"DROP DATABASE IF EXISTS `{name}`"


def _create_statement(backend: str, name: str) -> str:
    if backend == "postgresql":
        return f'CREATE DATABASE "{name}"'
    return f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> str:
    """`sqlite`, or the URL of a database server under test."""
    return str(request.param)


@pytest.fixture
async def make_engine(server: str, tmp_path: Path) -> AsyncIterator[MakeEngine]:
    """Makes an empty database for `role` and returns the application's engine on it."""
    engines: list[AsyncEngine] = []
    dropped: list[str] = []
    backend = "sqlite" if server == "sqlite" else make_url(to_async_url(server)).get_backend_name()

    async def make(role: str) -> AsyncEngine:
        name = _database_name(role)
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'{name}.db'}"
        else:
            await _admin(server, [_drop_statement(backend, name), _create_statement(backend, name)])
            dropped.append(name)
            url = make_url(to_async_url(server)).set(database=name).render_as_string(False)
        settings = load_settings(
            _env_file=None,
            APP_CONFIG="testing",
            DATABASE_URL=url,
            APP_VAR_DIR=str(tmp_path / "var"),
            JWT_SECRET_KEY="migration-tests-secret-long-enough-for-hs256-0123456789",
            DB_POOL_SIZE=2,
        )
        engine = create_engine(settings)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()
    if dropped:
        await _admin(server, [_drop_statement(backend, name) for name in dropped])
