"""The declarative base, portable column types, the engine and one session per request."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Protocol

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, MetaData, Select, String, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeDecorator

from apidock.config import Settings
from apidock.exceptions import ApiError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A SELECT of any columns (SQLAlchemy 2.1 types a Select by its column types).
AnySelect = Select[*tuple[Any, ...]]

# Methods that never write: their transaction may start deferred on SQLite.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, in whole seconds.

    Whole seconds because MySQL's and MariaDB's `DATETIME` (the original's columns) keep no
    fraction: a timestamp reads back the same on every database as it was first answered.
    """
    return datetime.now(UTC).replace(microsecond=0)


class UTCDateTime(TypeDecorator[datetime]):
    """A naive UTC `DATETIME` in the database (as the original stored it), aware UTC in Python."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def case_sensitive_string(length: int) -> String:
    """A `VARCHAR` compared byte for byte everywhere (MariaDB's default collation folds case)."""
    return String(length).with_variant(String(length, collation="utf8mb4_bin"), "mysql", "mariadb")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TimestampMixin:
    """`created_at`, `updated_at` and `deleted_at` (soft delete), as on the original's tables."""

    created_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


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


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine for the configured database, with its driver's settings."""
    backend = settings.database_backend
    options: dict[str, Any] = {"echo": settings.db_echo, "pool_pre_ping": True}
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
    return engine


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession], bind: AsyncEngine | None = None
) -> AsyncIterator[AsyncSession]:
    """A session in one transaction: committed when the block ends, rolled back on error.

    An `ApiError` marked `keep_changes` (such as a detected refresh-token reuse, whose
    revocation must stand) is committed before it propagates.
    """
    async with factory(bind=bind) if bind is not None else factory() as session:
        await session.begin()
        try:
            yield session
        except ApiError as error:
            if error.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


class CoreStatements(Protocol):
    """Statements of SQLAlchemy Core run in one transaction, without the ORM."""

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None: ...

    async def execute(self, statement: UpdateBase, params: Mapping[str, Any]) -> int:
        """Run an INSERT, UPDATE or DELETE; answers how many rows it matched."""
        ...


class CoreRunner(Protocol):
    """Runs SQLAlchemy Core statements on the hottest paths, where the ORM costs too much.

    `fetch_one` runs one read-only statement outside any transaction; `transaction` gives
    statements that commit together when the block ends and roll back on any error.
    """

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None: ...

    def transaction(self) -> AbstractAsyncContextManager[CoreStatements]: ...

    async def close(self) -> None: ...


class _ConnectionStatements:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        result = await self._connection.execute(statement, params)
        return result.mappings().first()

    async def execute(self, statement: UpdateBase, params: Mapping[str, Any]) -> int:
        result = await self._connection.execute(statement, params)
        return int(result.rowcount)


class ConnectionRunner:
    """A `CoreRunner` through SQLAlchemy Core: reads on `connect`, transactions on `begin`."""

    def __init__(
        self,
        connect: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
        begin: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
    ) -> None:
        self._connect = connect
        self._begin = begin

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        async with self._connect() as connection:
            return await _ConnectionStatements(connection).fetch_one(statement, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[CoreStatements]:
        async with self._begin() as connection:
            yield _ConnectionStatements(connection)

    async def close(self) -> None:
        return None


async def _roll_back_if_left_open(connection: asyncpg.Connection) -> None:
    """Reset a connection coming back to the pool: only an interrupted transaction needs it.

    Nothing else is ever changed on these connections (single statements and short
    transactions), so the usual reset query, a round trip on every release, is skipped.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def _python_side_default(column: Any, default: Any) -> Callable[[], Any]:
    """A column default SQLAlchemy would compute before executing, as a function of nothing."""
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy wraps it to take an execution context
    raise TypeError(f"{column}: a default of this kind is not computed outside SQLAlchemy")


class _CompiledStatement:
    """A statement compiled once for asyncpg: its SQL, parameter order and UTC columns."""

    def __init__(self, statement: AnySelect | UpdateBase, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.statement = statement
        self.sql = str(compiled)
        self.order = list(compiled.positiontup or [])
        # values the statement carries itself (literals such as `status = 1`)
        self.defaults = dict(compiled.params)
        # columns whose default or onupdate SQLAlchemy computes in Python (`updated_at`)
        self.computed = {
            column.key: _python_side_default(column, column_default)
            for columns, attribute in (
                (compiled.insert_prefetch, "default"),
                (compiled.update_prefetch, "onupdate"),
            )
            for column in columns
            if (column_default := getattr(column, attribute)) is not None
        }
        # parameters whose type converts them first (UTCDateTime: aware to naive UTC)
        self.converters = {
            name: functools.partial(bind.type.process_bind_param, dialect=dialect)
            for name, bind in compiled.binds.items()
            if isinstance(bind.type, TypeDecorator)
        }
        selected = statement.selected_columns if isinstance(statement, Select) else ()
        self.utc_columns = [
            column.key
            for column in selected
            if isinstance(column.type, UTCDateTime) and column.key is not None
        ]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        return [self._value(params, name) for name in self.order]

    def _value(self, params: Mapping[str, Any], name: str) -> Any:
        if name in params:
            value = params[name]
        elif name in self.computed:
            value = self.computed[name]()
        else:
            value = self.defaults[name]
        convert = self.converters.get(name)
        return value if convert is None else convert(value)

    def row(self, record: asyncpg.Record | None) -> dict[str, Any] | None:
        if record is None:
            return None
        row = dict(record)
        for key in self.utc_columns:
            if row[key] is not None:
                row[key] = row[key].replace(tzinfo=UTC)
        return row


class _AsyncpgStatements:
    def __init__(self, runner: AsyncpgRunner, connection: asyncpg.Connection) -> None:
        self._runner = runner
        self._connection = connection

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        compiled = self._runner.compiled(statement)
        record = await self._connection.fetchrow(compiled.sql, *compiled.arguments(params))
        return compiled.row(record)

    async def execute(self, statement: UpdateBase, params: Mapping[str, Any]) -> int:
        compiled = self._runner.compiled(statement)
        status = await self._connection.execute(compiled.sql, *compiled.arguments(params))
        # the command tag: "UPDATE 1", "DELETE 0", "INSERT 0 1"
        return int(status.rsplit(" ", 1)[-1])


class AsyncpgRunner:
    """A `CoreRunner` for PostgreSQL straight on asyncpg, for the hottest paths.

    SQLAlchemy's execute path costs far more CPU per statement than the driver call (see
    docs/benchmarks.md), so statements built with SQLAlchemy Core are compiled once for
    asyncpg and run as prepared statements from a pool of their own: a read alone with no
    BEGIN and no COMMIT, and no reset query on release. Parameters go through their column
    type's conversion, and result datetimes get their UTC zone back, as `UTCDateTime` does.
    """

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._dialect = engine.dialect
        # DB_POOL_SIZE connections at most, beside SQLAlchemy's pool (README: connections)
        self._max_size = settings.db_pool_size
        self._timeout = settings.db_pool_timeout
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        self._compiled: dict[int, _CompiledStatement] = {}

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=1,
                        max_size=self._max_size,
                        reset=_roll_back_if_left_open,
                        timeout=self._timeout,  # to connect
                        command_timeout=self._timeout,  # per statement
                    )
        return self._pool

    def compiled(self, statement: AnySelect | UpdateBase) -> _CompiledStatement:
        """`statement` compiled for asyncpg, once (statements are module-level constants)."""
        compiled = self._compiled.get(id(statement))
        if compiled is None or compiled.statement is not statement:
            compiled = _CompiledStatement(statement, self._dialect)
            self._compiled[id(statement)] = compiled
        return compiled

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        pool = await self._get_pool()
        # No acquire timeout (asyncpg wraps it in wait_for, a cost on every read): a pool
        # as large as DB_POOL_SIZE + DB_MAX_OVERFLOW rarely makes a read wait, and connecting
        # and each statement are bounded by their own timeouts.
        async with pool.acquire() as connection:
            return await _AsyncpgStatements(self, connection).fetch_one(statement, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[CoreStatements]:
        pool = await self._get_pool()
        async with pool.acquire() as connection, connection.transaction():
            yield _AsyncpgStatements(self, connection)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class Database:
    """The engine and the session factory of one application."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self.core: CoreRunner = (
            AsyncpgRunner(engine, settings)
            if engine.dialect.name == "postgresql"
            else ConnectionRunner(engine.connect, self._write_engine.begin)
        )

    def transaction(self, *, write: bool = True) -> AbstractAsyncContextManager[AsyncSession]:
        """A session in one transaction; see `transaction`."""
        return transaction(self.sessionmaker, self._write_engine if write else self.engine)

    async def dispose(self) -> None:
        await self.core.close()
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; its one transaction commits before the response is sent."""
    database: Database = request.app.state.database
    async with database.transaction(write=request.method not in READ_ONLY_METHODS) as session:
        yield session


async def get_core(request: Request) -> CoreRunner:
    """The runner of Core statements for the hottest paths (see `CoreRunner`)."""
    database: Database = request.app.state.database
    return database.core


CoreDep = Annotated[CoreRunner, Depends(get_core)]

# scope="function": the commit runs before the response leaves, so a failed commit is
# answered as an error and never acknowledged as a success.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
