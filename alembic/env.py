"""Alembic environment: async engines, the migrations run through a sync connection (run_sync).

A caller inside a running event loop (`apidock.migrations`, the tests) hands over an open
connection in `config.attributes["connection"]` and owns its transaction; otherwise this file
connects, in an event loop of its own, to the database named by `config.attributes
["database_url"]` or by the apidock settings (`DATABASE_URL`, `.env`).
"""

from __future__ import annotations

import asyncio
import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.operations.ops import MigrationScript
from sqlalchemy import Connection, make_url

from apidock.config import Settings, load_settings
from apidock.db import create_engine
from apidock.migrations import run_in_migration_transaction
from apidock.models import Base

config = context.config
target_metadata = Base.metadata
logger = logging.getLogger("alembic.env")

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _settings() -> Settings:
    database_url = config.attributes.get("database_url")
    return load_settings(database_url=database_url) if database_url else load_settings()


def _skip_empty_autogeneration(
    _context: Any, _revision: Any, directives: list[MigrationScript]
) -> None:
    """Write no file when autogenerate finds nothing to change."""
    autogenerate = config.attributes.get("autogenerate") or getattr(
        config.cmd_opts, "autogenerate", False
    )
    if not autogenerate or not directives:
        return
    if all(ops.is_empty() for ops in directives[0].upgrade_ops_list):
        directives[:] = []
        logger.info("No changes between the models and the database; no revision written.")


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "compare_server_default": True,
        # SQLite alters a table by rebuilding it
        "render_as_batch": dialect_name == "sqlite",
        "process_revision_directives": _skip_empty_autogeneration,
    }


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (`alembic upgrade --sql`)."""
    url = make_url(_settings().database_url)
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on `connection`; inside its transaction if it has begun one."""
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Connect with the application's engine and migrate in one transaction."""
    engine = create_engine(_settings())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_in_migration_transaction, do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Migrate on the connection handed over, else on one of our own."""
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
