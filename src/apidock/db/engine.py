"""The engine with its driver's settings, the application's `Database` and its transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from apidock.config import Settings
from apidock.db.base import encode_json
from apidock.db.core import ConnectionRunner, CoreRunner, DriverRunner
from apidock.errors import ApiError


def _sqlite_manual_transactions(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so SAVEPOINT and IMMEDIATE work.

    A request that may write takes the write lock when it begins (`BEGIN IMMEDIATE`), so
    two writers queue on the busy timeout instead of one failing when it upgrades its lock.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _discard_closed_connections(engine: AsyncEngine) -> None:
    """Check a PostgreSQL connection at checkout by its socket, not by a round trip.

    asyncpg sees a connection the server or the network closed (a restart, a proxy's cut) as
    soon as its socket does, so one that is closed is discarded at checkout and the pool hands
    out another (SQLAlchemy retries a checkout that raises `DisconnectionError`). A ping would
    cost three round trips a request (BEGIN, `;`, ROLLBACK: about 0.2 ms of CPU measured) to
    catch only the rarer connection that died without its socket knowing, which then fails
    its first statement and marks the pool's older connections for replacement.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise exc.DisconnectionError("the connection was closed")


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine for the configured database, with its driver's settings."""
    backend = settings.database_backend
    # a round trip before each checkout, but where the socket tells (PostgreSQL, below)
    options: dict[str, Any] = {
        "echo": settings.db_echo,
        "pool_pre_ping": backend != "postgresql",
        "json_serializer": encode_json,
    }
    if backend == "sqlite":
        options["connect_args"] = {"timeout": 30}
        if ":memory:" in settings.database_url or settings.database_url.endswith("://"):
            options["poolclass"] = StaticPool
        else:
            settings.var_dir.mkdir(parents=True, exist_ok=True)
    else:
        options |= {
            "pool_size": settings.db_pool_size,
            "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout,
            "pool_recycle": 3600,
            "isolation_level": "READ COMMITTED",
        }
    engine = create_async_engine(settings.database_url, **options)
    if backend == "sqlite":
        _sqlite_manual_transactions(engine)
    elif backend == "postgresql":
        _discard_closed_connections(engine)
    return engine


# An async step every `transaction` runs just before it commits, on its session.
CommitStep = Callable[[AsyncSession], Awaitable[None]]
_COMMIT_STEPS: list[CommitStep] = []


def before_commit(step: CommitStep) -> CommitStep:
    """Run `step` in every `transaction` just before it commits (in the order registered).

    For a domain's own writes that must be among a transaction's last statements and may
    await (a revision of what the transaction changed, `apidock.revisions.recording`): a
    domain registers its step when imported, so that this layer imports no domain.
    """
    _COMMIT_STEPS.append(step)
    return step


async def _commit(session: AsyncSession) -> None:
    for step in _COMMIT_STEPS:
        await step(session)
    await session.commit()


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession], bind: AsyncEngine | None = None
) -> AsyncIterator[AsyncSession]:
    """A session in one transaction: committed when the block ends, rolled back on error.

    An `ApiError` marked `keep_changes` (such as a detected refresh-token reuse, whose
    revocation must stand) is committed before it propagates. Either commit runs the steps
    registered with `before_commit` first.
    """
    async with factory(bind=bind) if bind is not None else factory() as session:
        await session.begin()
        try:
            yield session
        except ApiError as error:
            if error.keep_changes:
                await _commit(session)
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        await _commit(session)


class Database:
    """The engine and the session factory of one application."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self.core: CoreRunner = (
            DriverRunner(engine)
            if engine.dialect.name == "postgresql"
            else ConnectionRunner(
                engine.connect, self._write_engine.begin, dialect=engine.dialect.name
            )
        )

    def transaction(self, *, write: bool = True) -> AbstractAsyncContextManager[AsyncSession]:
        """A session in one transaction; see `transaction`."""
        return transaction(self.sessionmaker, self._write_engine if write else self.engine)

    async def dispose(self) -> None:
        await self.core.close()
        await self.engine.dispose()
