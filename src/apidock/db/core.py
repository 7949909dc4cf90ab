"""Runners of SQLAlchemy Core statements for the hottest paths, where the ORM costs too much."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Dialect, Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeDecorator

from apidock.config import Settings
from apidock.db.base import AnySelect, UTCDateTime


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
