"""Alembic driven from Python, for the `apidock db` commands, `deploy` and the tests.

The async functions take the application's engine and run Alembic on one of its connections,
inside the running event loop (alembic/env.py uses the connection it is handed in
`config.attributes["connection"]`). All of a run's steps share one transaction: on PostgreSQL
and SQLite a failed upgrade leaves the schema as it was (MySQL commits each DDL statement).
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock.project import project_dir

ALEMBIC_INI_ENV = "APIDOCK_ALEMBIC_INI"
# src/apidock/migrations.py -> the checkout's root, where alembic.ini sits (editable installs)
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


class MigrationError(Exception):
    """Migrations cannot run, or left the database inconsistent; the message says why."""


@dataclass(frozen=True)
class RevisionInfo:
    """One migration file."""

    revision: str
    down_revisions: tuple[str, ...]
    message: str
    path: Path
    is_head: bool


def find_alembic_ini() -> Path:
    """The alembic.ini to use: `$APIDOCK_ALEMBIC_INI`, the project directory's, or the
    checkout's; never the current directory's, which may be another project's."""
    configured = os.environ.get(ALEMBIC_INI_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise MigrationError(f"{ALEMBIC_INI_ENV}: no such file: {path}")
        return path
    for root in (project_dir(), _SOURCE_ROOT):
        if root is not None and (root / "alembic.ini").is_file():
            return root / "alembic.ini"
    raise MigrationError(
        f"alembic.ini not found (API Dock runs from an installed package): set "
        f"{ALEMBIC_INI_ENV} to the alembic.ini beside the migrations"
    )


def alembic_config(database_url: str | None = None) -> Config:
    """The Alembic configuration; `database_url` overrides the one from the settings."""
    config = Config(str(find_alembic_ini()))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def run_in_migration_transaction(
    connection: Connection, work: Callable[[Connection], None]
) -> None:
    """Run `work` in one transaction; on SQLite with foreign keys off, checked before commit."""
    # SQLite alters a table by rebuilding it (copy, drop, rename). With foreign keys on,
    # dropping a table that others reference would fail, or cascade deletes into them; so
    # enforcement is off (SQLite allows the switch only outside a transaction) and the whole
    # database is checked before the commit instead.
    if connection.dialect.name != "sqlite":
        with connection.begin():
            work(connection)
        return
    with _sqlite_foreign_keys_off(connection), connection.begin():
        work(connection)
        violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if violations:
            table, rowid, parent, _ = violations[0]
            raise MigrationError(
                f"{len(violations)} foreign key violation(s) after migrating, the first in "
                f"{table} (rowid {rowid}) referencing {parent}; nothing was changed"
            )


@contextmanager
def _alembic_errors() -> Iterator[None]:
    """Alembic's refusals (unknown revision, forked history, pending changes) as ours."""
    try:
        yield
    except CommandError as exc:
        raise MigrationError(str(exc)) from exc


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    if connection.in_transaction():
        raise MigrationError("SQLite migrations must start on a connection outside a transaction")
    # the DB-API cursor, so that SQLAlchemy does not begin a transaction first
    cursor = connection.connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys")
        row = cursor.fetchone()
        enabled = bool(row and row[0])
        cursor.execute("PRAGMA foreign_keys=OFF")
        try:
            yield
        finally:
            if enabled:
                cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def run_on_connection(connection: Connection, operation: Callable[[Config], None]) -> None:
    """Run an Alembic command on `connection`, in the transaction its caller has begun."""
    config = alembic_config()
    config.attributes["configure_logger"] = False
    config.stdout = io.StringIO()  # Alembic's notices; the caller reports the outcome
    config.attributes["connection"] = connection
    with _alembic_errors():
        operation(config)


async def _run(engine: AsyncEngine, operation: Callable[[Config], None]) -> None:
    def run_on(connection: Connection) -> None:
        run_on_connection(connection, operation)

    async with engine.connect() as connection:
        await connection.run_sync(run_in_migration_transaction, run_on)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database of `engine` to `revision`."""
    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Downgrade the database of `engine` to `revision` (`-1`, an id, or `base`)."""
    await _run(engine, lambda config: command.downgrade(config, revision))


async def stamp(engine: AsyncEngine, revision: str, *, purge: bool = False) -> None:
    """Record `revision` as current without migrating; `purge` first forgets unknown ones."""
    await _run(engine, lambda config: command.stamp(config, revision, purge=purge))


async def check(engine: AsyncEngine) -> None:
    """Raise MigrationError, listing the differences, when the models and the database differ."""
    await _run(engine, command.check)


def _current(connection: Connection) -> str | None:
    with _alembic_errors():
        return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database of `engine` is at; None before the first one."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _info(script: Script) -> RevisionInfo:
    down = script.down_revision
    if down is None:
        down_revisions: tuple[str, ...] = ()
    elif isinstance(down, str):
        down_revisions = (down,)
    else:
        down_revisions = tuple(down)
    return RevisionInfo(
        revision=script.revision,
        down_revisions=down_revisions,
        message=script.doc,
        path=Path(script.path),
        is_head=script.is_head,
    )


def history(config: Config | None = None) -> list[RevisionInfo]:
    """Every migration, newest first."""
    scripts = ScriptDirectory.from_config(config or alembic_config())
    with _alembic_errors():
        return [_info(script) for script in scripts.walk_revisions()]


def head_revision(config: Config | None = None) -> str | None:
    """The newest revision; MigrationError if the history has forked into several heads."""
    heads = ScriptDirectory.from_config(config or alembic_config()).get_heads()
    if len(heads) > 1:
        raise MigrationError(f"several heads ({', '.join(heads)}): merge them first")
    return heads[0] if heads else None


def _event_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def revision(
    message: str, *, autogenerate: bool = False, database_url: str | None = None
) -> Path | None:
    """Write a migration file and return its path; None if autogenerate found no change."""
    # to compare, env.py connects (to `database_url`, else the settings' database) in an
    # event loop of its own
    if autogenerate and _event_loop_running():
        raise MigrationError("autogenerate runs its own event loop: call it outside of one")
    config = alembic_config(database_url)
    config.attributes["configure_logger"] = False
    config.attributes["autogenerate"] = autogenerate
    with _alembic_errors():
        result = command.revision(config, message=message, autogenerate=autogenerate)
    scripts = result if isinstance(result, list) else [result]
    written = [script for script in scripts if script is not None]
    return Path(written[0].path) if written else None
