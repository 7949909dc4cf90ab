"""One deploy at a time on a database: replicas started together (each `serve --deploy`) take
turns, so that one migrates and seeds and the others find the database at head.

Decisions:
- The lock is the database's own where it has one, so that it holds across machines:
  PostgreSQL's session advisory lock (per database), MySQL/MariaDB's `GET_LOCK` under a name
  made from the database's (its locks are per server). SQLite's is an exclusive `flock` on a
  file beside the database, `<database>.deploy-lock` (left in place; an in-memory database
  needs none). The database file itself is not locked: closing a second descriptor of it would
  drop SQLite's own locks.
- It is taken on a connection of its own, outside the application's pool (a pool of one could
  otherwise wait on itself), and let go when the deploy ends, fails or its process dies (the
  server drops a dead session's locks, the kernel a dead process's `flock`).
- A deploy that finds the lock held says so once (`on_wait`) and tries again every half second,
  for `wait` seconds at the most (ten minutes by default: a large migration may take that long),
  then gives up with `DeployLockTimeout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from apidock.migrations import MigrationError

WAIT_SECONDS = 600.0
RETRY_SECONDS = 0.5
# PostgreSQL's advisory locks are keyed by a 64-bit number: this one is API Dock's deploy
_ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"apidock deploy").digest()[:8], "big", signed=True)
_MYSQL_NAME_LENGTH = 64  # GET_LOCK's longest name


class DeployLockTimeout(MigrationError):
    """Another deploy held the database's deploy lock for longer than the wait allowed."""


@contextlib.asynccontextmanager
async def deploy_lock(
    engine: AsyncEngine,
    *,
    wait: float = WAIT_SECONDS,
    on_wait: Callable[[], None] | None = None,
) -> AsyncIterator[None]:
    """Hold the deploy lock of `engine`'s database for the block."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            yield
            return
        async with _file_lock(Path(f"{database}.deploy-lock"), wait=wait, on_wait=on_wait):
            yield
        return
    own = create_async_engine(engine.url, poolclass=NullPool)
    try:
        async with own.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            take, let_go = _statements(dialect, engine.url.database or "")
            await _retry(lambda: _try(autocommit, take), wait=wait, on_wait=on_wait)
            try:
                yield
            finally:
                await autocommit.execute(let_go)
    finally:
        await own.dispose()


def _statements(dialect: str, database: str) -> tuple[TextClause, TextClause]:
    if dialect == "postgresql":
        key = {"key": _ADVISORY_KEY}
        return (
            text("SELECT pg_try_advisory_lock(:key)").bindparams(**key),
            text("SELECT pg_advisory_unlock(:key)").bindparams(**key),
        )
    if dialect in ("mysql", "mariadb"):
        name = {"name": f"apidock_deploy:{database}"[:_MYSQL_NAME_LENGTH]}
        return (
            text("SELECT GET_LOCK(:name, 0)").bindparams(**name),
            text("SELECT RELEASE_LOCK(:name)").bindparams(**name),
        )
    raise NotImplementedError(f"no deploy lock for the dialect {dialect!r}")


async def _try(connection: AsyncConnection, take: TextClause) -> bool:
    # 1 (or true) when taken; 0 when another session holds it; NULL on a MySQL error
    return bool((await connection.execute(take)).scalar())


async def _retry(
    attempt: Callable[[], Awaitable[bool]], *, wait: float, on_wait: Callable[[], None] | None
) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        if await attempt():
            return
        if not told and on_wait is not None:
            on_wait()
            told = True
        if time.monotonic() >= deadline:
            raise DeployLockTimeout(
                f"another deploy of this database held its lock for over {wait:g} s"
            )
        await asyncio.sleep(RETRY_SECONDS)


@contextlib.asynccontextmanager
async def _file_lock(
    path: Path, *, wait: float, on_wait: Callable[[], None] | None
) -> AsyncIterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:

        async def attempt() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        await _retry(attempt, wait=wait, on_wait=on_wait)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
