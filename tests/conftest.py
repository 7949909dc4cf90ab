"""Fixtures: every test that asks for a database runs on SQLite, and on PostgreSQL and MariaDB
when `APIDOCK_TEST_DATABASES` names them (comma-separated URLs of any database on each server;
the tests make and drop a database of their own beside it).

Each test runs inside a transaction that is rolled back at its end; the application's sessions
join it through savepoints. Tests that need real concurrent connections use `live_app`, whose
writes are committed and wiped afterwards.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from sqlalchemy import Connection, delete, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as create_raw_engine

from apidock import migrations
from apidock.config import Settings, load_settings, to_async_url
from apidock.db import Base, ConnectionRunner, Database, create_engine, transaction
from apidock.http.dependencies import get_core, get_session
from apidock.main import create_app
from apidock.mock.log_writer import MockLogWriter
from apidock.models import Role
from apidock.permissions import DEFAULT_ROLE_KEY, SEEDS
from apidock.runs.dispatch import LocalRuns

TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


def _server_urls() -> list[str]:
    raw = os.environ.get("APIDOCK_TEST_DATABASES", "")
    return [url.strip() for url in raw.split(",") if url.strip()]


def _database_name() -> str:
    # one database per test process: parallel runs (xdist workers, or several checkouts)
    # never drop each other's database
    return f"apidock_test_{os.getpid()}"


def _backend(url: str) -> str:
    return make_url(to_async_url(url)).get_backend_name()


DATABASE_PARAMS = [pytest.param("sqlite", id="sqlite")] + [
    pytest.param(url, id=_backend(url)) for url in _server_urls()
]


async def create_database(server_url: str, name: str) -> URL:
    """Drop and create database `name` on the server of `server_url`; its async URL."""
    url = make_url(to_async_url(server_url))
    admin = create_raw_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            if url.get_backend_name() == "postgresql":
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                await connection.execute(
                    text(
                        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
                )
    finally:
        await admin.dispose()
    return url.set(database=name)


async def drop_database(server_url: str, name: str) -> None:
    url = make_url(to_async_url(server_url))
    admin = create_raw_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            quoted = (
                f'"{name}" WITH (FORCE)' if url.get_backend_name() == "postgresql" else f"`{name}`"
            )
            await connection.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))
    finally:
        await admin.dispose()


def make_settings(database_url: str, var_dir: Path, **overrides: Any) -> Settings:
    """Settings for tests: cheap hashing, a fixed secret, no `.env` file read."""
    values: dict[str, Any] = {
        "_env_file": None,
        "APP_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "APP_VAR_DIR": str(var_dir),
        "JWT_SECRET_KEY": TEST_JWT_SECRET,
        "ARGON2_MEMORY_COST": 64,
        "ARGON2_TIME_COST": 1,
        "PASSWORD_HASH_CONCURRENCY": 4,
    }
    return load_settings(**(values | overrides))


async def seed_test_roles(connection: AsyncConnection) -> None:
    """The four seeded roles, as `apidock deploy` leaves them."""
    await connection.execute(
        Role.__table__.insert(),
        [
            {
                "title": seed.title,
                "seed_key": seed.key,
                "permissions": int(seed.permissions),
                "default": seed.key == DEFAULT_ROLE_KEY,
            }
            for seed in SEEDS
        ],
    )


def _stamp_head(connection: Connection) -> None:
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    MigrationContext.configure(connection).stamp(scripts, "head")


async def mark_at_head(connection: AsyncConnection) -> None:
    """Record the newest revision, as migrating would: the tables come from the models, which
    the migrations match (tests/migrations), and /readyz asks for the revision."""
    await connection.run_sync(_stamp_head)


@pytest.fixture(autouse=True)
def _no_metrics_directory_left_behind() -> Iterator[None]:
    """`apidock serve --workers N` run in-process (the CLI's tests) names its metrics'
    directory in the environment and removes the directory at exit: a name left behind would
    break every later subprocess of the run (prometheus-client opens its files at import)."""
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    yield
    if before is None:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = before


@pytest.fixture(scope="session", params=DATABASE_PARAMS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The URL of an empty database of this test run, on each database server in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'apidock.db'}"
        return
    name = _database_name()
    url = await create_database(request.param, name)
    yield url.render_as_string(hide_password=False)
    await drop_database(request.param, name)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The engine of the test database, with every table created and the roles seeded."""
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
        await seed_test_roles(connection)
        await mark_at_head(connection)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that is rolled back when the test ends."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data; it sees what the requests wrote."""
    async with session_factory() as session:
        yield session


@pytest.fixture
def app(
    settings: Settings,
    engine: AsyncEngine,
    connection: AsyncConnection,
    session_factory: async_sessionmaker[AsyncSession],
) -> Iterator[FastAPI]:
    """The application, its request sessions joined to the test's transaction."""
    application = create_app(settings, database=Database(engine))

    async def joined_session() -> AsyncIterator[AsyncSession]:
        async with transaction(session_factory) as request_session:
            yield request_session

    @asynccontextmanager
    async def test_connection() -> AsyncIterator[AsyncConnection]:
        yield connection

    @asynccontextmanager
    async def test_savepoint() -> AsyncIterator[AsyncConnection]:
        async with connection.begin_nested():
            yield connection

    application.dependency_overrides[get_session] = joined_session
    application.dependency_overrides[get_core] = lambda: ConnectionRunner(
        test_connection, test_savepoint, dialect=connection.dialect.name
    )
    # the mock server reads and writes outside FastAPI's dependencies: the same transaction
    mock = application.state.mock
    mock.core = ConnectionRunner(test_connection, test_savepoint, dialect=connection.dialect.name)
    mock.documents.sessions = lambda: transaction(session_factory)
    mock.log = MockLogWriter(lambda: transaction(session_factory), interval=None)
    # and so do the runs' executor
    application.state.run_executor.sessions = lambda: transaction(session_factory)
    application.state.runs = LocalRuns(application.state.run_executor, deferred=True)
    yield application
    application.dependency_overrides.clear()


def make_client(application: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(
        app=application, raise_app_exceptions=False, client=(address, 50000)
    )
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as http:
        yield http


async def wipe_database(engine: AsyncEngine) -> None:
    """Delete every row and seed the roles again, leaving the database as `engine` made it."""
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(delete(table))
        await seed_test_roles(connection)


@pytest.fixture
async def live_app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The application on real, separate connections (for races); its data is wiped after."""
    database = Database(engine)
    application = create_app(settings, database=database)
    try:
        yield application
    finally:
        await database.core.close()
        await wipe_database(engine)


@pytest.fixture
async def live_client(live_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(live_app) as http:
        yield http
