"""Runners of SQLAlchemy Core statements for the hottest paths, where the ORM costs too much."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

import asyncpg
from sqlalchemy import Dialect, Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import UpdateBase

from apidock.db.base import AnySelect

StatementT = TypeVar("StatementT", AnySelect, UpdateBase)

# The closed list of statements the Core runners run, by name: each is tested on every
# database against the ORM path it replaces (tests/test_hot_statements.py).
HOT_STATEMENTS: dict[str, AnySelect | UpdateBase] = {}
_HOT_IDS: set[int] = set()


def hot_statement(name: str, statement: StatementT) -> StatementT:
    """Put `statement` (a module-level constant) on the closed list the Core runners run."""
    if name in HOT_STATEMENTS and HOT_STATEMENTS[name] is not statement:
        raise ValueError(f"a hot statement is already named {name!r}")
    HOT_STATEMENTS[name] = statement
    _HOT_IDS.add(id(statement))
    return statement


def _check_hot(statement: AnySelect | UpdateBase) -> None:
    if id(statement) not in _HOT_IDS:
        raise TypeError("not a hot statement: declare it with hot_statement() and test it")


class CoreReads(Protocol):
    """Read statements of SQLAlchemy Core, without the ORM."""

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None: ...

    async def fetch_all(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> list[Mapping[Any, Any]]: ...


class CoreStatements(CoreReads, Protocol):
    """Statements of SQLAlchemy Core run in one transaction, without the ORM."""

    async def execute(self, statement: UpdateBase, params: Mapping[str, Any]) -> int:
        """Run an INSERT, UPDATE or DELETE; answers how many rows it matched."""
        ...


class CoreRunner(CoreReads, Protocol):
    """Runs SQLAlchemy Core statements on the hottest paths, where the ORM costs too much.

    `fetch_one` and `fetch_all` run one read-only statement outside any transaction;
    `transaction` gives statements that commit together when the block ends and roll back on
    any error. `dialect` names the database (SQLAlchemy's name: "postgresql", "mysql",
    "sqlite"), for the few statements that differ by database.
    """

    dialect: str

    def transaction(self) -> AbstractAsyncContextManager[CoreStatements]: ...

    async def close(self) -> None: ...


class _ConnectionStatements:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        _check_hot(statement)
        result = await self._connection.execute(statement, params)
        return result.mappings().first()

    async def fetch_all(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> list[Mapping[Any, Any]]:
        _check_hot(statement)
        result = await self._connection.execute(statement, params)
        return list(result.mappings().all())

    async def execute(self, statement: UpdateBase, params: Mapping[str, Any]) -> int:
        _check_hot(statement)
        result = await self._connection.execute(statement, params)
        return int(result.rowcount)


class ConnectionRunner:
    """A `CoreRunner` through SQLAlchemy Core: reads on `connect`, transactions on `begin`."""

    def __init__(
        self,
        connect: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
        begin: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
        *,
        dialect: str,
    ) -> None:
        self._connect = connect
        self._begin = begin
        self.dialect = dialect

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        async with self._connect() as connection:
            return await _ConnectionStatements(connection).fetch_one(statement, params)

    async def fetch_all(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> list[Mapping[Any, Any]]:
        async with self._connect() as connection:
            return await _ConnectionStatements(connection).fetch_all(statement, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[CoreStatements]:
        async with self._begin() as connection:
            yield _ConnectionStatements(connection)

    async def close(self) -> None:
        return None


class _Prepared:
    """A hot statement compiled once for asyncpg by SQLAlchemy: its SQL, its parameters in
    order with their types' conversions, and its result columns' conversions.

    The values come from SQLAlchemy's own `construct_params` (the caller's, and those the
    statement carries, such as `status = 1`), each through its type's bind processor, and
    results through each column type's result processor (`UTCDateTime` gives back an aware
    datetime). A column default computed in Python (an `updated_at` onupdate) would need
    SQLAlchemy's execution context, so a statement that leaves one to it is refused: a hot
    statement gives every value itself.
    """

    def __init__(self, statement: AnySelect | UpdateBase, dialect: Dialect) -> None:
        _check_hot(statement)
        compiled = statement.compile(dialect=dialect)
        computed = [*compiled.insert_prefetch, *compiled.update_prefetch]
        if computed:
            names = ", ".join(str(column) for column in computed)
            raise TypeError(f"a hot statement sets every column itself; this one leaves {names}")
        self.statement = statement
        self._compiled = compiled
        self.sql = str(compiled)
        self._order = list(compiled.positiontup or [])
        self._bind_processors = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        selected = statement.selected_columns if isinstance(statement, Select) else ()
        self._result_processors = [
            (column.key, processor)
            for column in selected
            if column.key is not None
            and (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
            is not None
        ]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = self._compiled.construct_params(dict(params))
        processors = self._bind_processors
        return [
            processors[name](values[name]) if name in processors else values[name]
            for name in self._order
        ]

    def row(self, record: asyncpg.Record | None) -> dict[str, Any] | None:
        if record is None:
            return None
        row = dict(record)
        for key, processor in self._result_processors:
            row[key] = processor(row[key])
        return row


class _DriverStatements:
    def __init__(self, runner: DriverRunner, connection: asyncpg.Connection) -> None:
        self._runner = runner
        self._connection = connection

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        prepared = self._runner.prepared(statement)
        record = await self._connection.fetchrow(prepared.sql, *prepared.arguments(params))
        return prepared.row(record)

    async def fetch_all(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> list[Mapping[Any, Any]]:
        prepared = self._runner.prepared(statement)
        records = await self._connection.fetch(prepared.sql, *prepared.arguments(params))
        return [row for record in records if (row := prepared.row(record)) is not None]

    async def execute(self, statement: UpdateBase, params: Mapping[str, Any]) -> int:
        prepared = self._runner.prepared(statement)
        status = await self._connection.execute(prepared.sql, *prepared.arguments(params))
        # the command tag: "UPDATE 1", "DELETE 0", "INSERT 0 1"
        return int(status.rsplit(" ", 1)[-1])


class DriverRunner:
    """A `CoreRunner` for PostgreSQL on asyncpg's own connection, checked out of SQLAlchemy's
    pool (the one pool of the process), for the hottest paths.

    SQLAlchemy's execute path costs far more CPU per statement than the driver call (see
    docs/benchmarks.md), so a hot statement is compiled once by SQLAlchemy and run as asyncpg's
    prepared statement on the connection under SQLAlchemy's: a read alone with no BEGIN and
    no COMMIT. A statement has no timeout of its own, as on the ORM path (a per-statement
    timeout costs asyncpg a timer: about 40 µs of CPU a statement, measured); waiting for a
    connection is bounded by DB_POOL_TIMEOUT, and a transaction left open by an interruption
    (a cancelled rollback) closes its connection instead of returning it.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self.dialect = engine.dialect.name
        self._prepared: dict[int, _Prepared] = {}

    def prepared(self, statement: AnySelect | UpdateBase) -> _Prepared:
        """`statement` compiled for asyncpg, once (hot statements are module-level constants)."""
        prepared = self._prepared.get(id(statement))
        if prepared is None or prepared.statement is not statement:
            prepared = _Prepared(statement, self._dialect)
            self._prepared[id(statement)] = prepared
        return prepared

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        pooled = await self._engine.raw_connection()
        connection: asyncpg.Connection = pooled.driver_connection
        try:
            yield connection
        finally:
            if connection.is_in_transaction():
                pooled.invalidate()
            else:
                pooled.close()

    async def fetch_one(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> Mapping[Any, Any] | None:
        async with self._connection() as connection:
            return await _DriverStatements(self, connection).fetch_one(statement, params)

    async def fetch_all(
        self, statement: AnySelect, params: Mapping[str, Any]
    ) -> list[Mapping[Any, Any]]:
        async with self._connection() as connection:
            return await _DriverStatements(self, connection).fetch_all(statement, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[CoreStatements]:
        async with self._connection() as connection, connection.transaction():
            yield _DriverStatements(self, connection)

    async def close(self) -> None:
        return None  # the connections are the engine's, disposed with it
