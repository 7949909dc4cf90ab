"""The benchmark's PostgreSQL databases: dropped, created, given API Dock's schema, then filled.

The schema comes from `apidock deploy` (migrations, the four seeded roles and the root
administrator), as in a real install. `--schema create-all` instead creates the tables from
the models and seeds roles and administrator with the app's own services: a stand-in while
the migrations or the command are unfinished, never the default.

The rows are written by PostgreSQL itself (`INSERT … SELECT … FROM generate_series`): a
million users take seconds. Every bench user has the same argon2id hash, computed once with
API Dock's parameters; they never log in. The catalog grows with the users (one app per
1,000 users, five groups per app, one API per 10 users) so that a catalog list is measured
at both sizes too.
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "root"
MAINTENANCE_DB = "postgres"
ADMIN_NAME = "sysop"
USER_ROLE = "User"
# naive UTC, as API Dock stores its timestamps; fixed so that runs are alike
EPOCH = datetime(2024, 1, 1)
USER_CHUNK = 250_000
GROUPS_PER_APP = 5
USERS_PER_APP = 1_000
USERS_PER_API = 10
DEPLOY_TIMEOUT = 300

_DB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

Log = Callable[[str], None]


class PrepareError(RuntimeError):
    """A database could not be prepared; the message says why."""


@dataclass
class Dataset:
    """One prepared database and what the scenarios need to know about it."""

    database: str
    users: int  # bench users inserted (the administrator comes on top)
    first_user_id: int = 0
    last_user_id: int = 0
    visible_users: int = 0  # rows the users list counts
    apps: int = 0
    groups: int = 0
    apis: int = 0
    seconds: float = 0.0

    @property
    def url(self) -> str:
        return database_url(self.database)

    @property
    def catalog_apps(self) -> int:
        return max(5, self.users // USERS_PER_APP)

    @property
    def catalog_apis(self) -> int:
        return max(100, self.users // USERS_PER_API)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def database_url(database: str) -> str:
    """The plain URL: API Dock picks its async driver itself; asyncpg takes it as is."""
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def bench_password_hash() -> str:
    """One argon2id hash with API Dock's default cost, for every bench user."""
    from argon2 import PasswordHasher, Type

    from apidock.config import Settings

    fields = Settings.model_fields
    hasher = PasswordHasher(
        time_cost=fields["argon2_time_cost"].default,
        memory_cost=fields["argon2_memory_cost"].default,
        parallelism=fields["argon2_parallelism"].default,
        type=Type.ID,
    )
    return hasher.hash("bench users never log in")


async def _connect(database: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database=database, timeout=10
        )
    except (OSError, asyncpg.PostgresError) as exc:
        raise PrepareError(f"cannot connect to PostgreSQL at {PG_HOST}:{PG_PORT}: {exc}") from None


async def server_version() -> str:
    connection = await _connect(MAINTENANCE_DB)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def recreate_database(name: str) -> None:
    if not _DB_NAME.match(name):
        raise PrepareError(f"not a database name for the benchmark: {name!r}")
    connection = await _connect(MAINTENANCE_DB)
    try:
        # the name is checked above; identifiers cannot be bound as parameters
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(name: str) -> None:
    """Drop a database `recreate_database` made, its sessions ended; a failure to connect is
    asyncpg's or the socket's own error (OSError), not a PrepareError."""
    if not _DB_NAME.match(name):
        raise PrepareError(f"not a database name for the benchmark: {name!r}")
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=MAINTENANCE_DB, timeout=10
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def deploy(apidock: Path, env: dict[str, str], cwd: Path, log: Log) -> None:
    """`apidock deploy` against the database in `env`."""
    try:
        done = subprocess.run(
            [str(apidock), "deploy"],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=DEPLOY_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrepareError(f"apidock deploy could not run: {exc}") from None
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        tail = "\n".join(output.splitlines()[-8:])
        raise PrepareError(
            f"apidock deploy failed (exit {done.returncode}):\n{tail}\n"
            "While the command or the migrations are unfinished, `--schema create-all` "
            "creates the tables from the models instead."
        )
    for line in output.splitlines():
        if "Password" not in line:  # never print a password
            log(f"  deploy: {line}")


async def create_all(env: dict[str, str], log: Log) -> None:
    """The stand-in for `deploy`: tables from the models, roles and administrator seeded.

    It leans on the app's engine factory, models and services; a change to those shows up
    here as one line naming the failure.
    """
    from sqlalchemy.ext.asyncio import AsyncSession

    from apidock.auth.passwords import PasswordHasher
    from apidock.config import load_settings
    from apidock.db import create_engine
    from apidock.models import Base
    from apidock.permissions import ADMIN_ROLE
    from apidock.roles import service as role_service
    from apidock.users import service as user_service

    settings = load_settings(
        DATABASE_URL=env["DATABASE_URL"],
        APP_CONFIG=env["APP_CONFIG"],
        JWT_SECRET_KEY=env["JWT_SECRET_KEY"],
        APP_VAR_DIR=env["APP_VAR_DIR"],
        APP_ROOT_ADMIN=env["APP_ROOT_ADMIN"],
        APP_ROOT_ADMIN_PASSWORD=env["APP_ROOT_ADMIN_PASSWORD"],
        REDIS_URL="",
    )
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await role_service.seed_roles(session)
            admin_role = await role_service.get_by_title(session, title=ADMIN_ROLE)
            if admin_role is None:
                raise PrepareError(f"seed_roles did not create the role {ADMIN_ROLE!r}")
            password_hash = await PasswordHasher(settings).hash(env["APP_ROOT_ADMIN_PASSWORD"])
            await user_service.create(
                session,
                name=env["APP_ROOT_ADMIN"],
                password_hash=password_hash,
                role_id=admin_role.id,
            )
    except PrepareError:
        raise
    except Exception as exc:
        raise PrepareError(f"--schema create-all failed: {type(exc).__name__}: {exc}") from exc
    finally:
        await engine.dispose()
    log("  schema: created from the models (create-all), roles and administrator seeded")


async def fill(dataset: Dataset, password_hash: str, log: Log) -> None:
    """Bench users, then apps, groups and APIs; then VACUUM ANALYZE."""
    connection = await _connect(dataset.database)
    try:
        role_id = await connection.fetchval("SELECT id FROM roles WHERE title = $1", USER_ROLE)
        if role_id is None:
            raise PrepareError(f"no role {USER_ROLE!r} after the schema step")
        await connection.execute("SET synchronous_commit = off")
        start = 1
        while start <= dataset.users:
            stop = min(dataset.users, start + USER_CHUNK - 1)
            await connection.execute(
                """
                INSERT INTO users (name, name_key, password_hash, role_id, status,
                                   token_version, created_at, updated_at)
                SELECT 'bench' || lpad(g::text, 7, '0'), 'bench' || lpad(g::text, 7, '0'),
                       $1, $2, 1, 0,
                       $3::timestamp + g * interval '1 second',
                       $3::timestamp + g * interval '1 second'
                FROM generate_series($4::int, $5::int) AS g
                """,
                password_hash,
                role_id,
                EPOCH,
                start,
                stop,
            )
            log(f"  users: {stop:,} of {dataset.users:,}")
            start = stop + 1
        await connection.execute(
            """
            INSERT INTO apps (title, slug, version, description, type, auth_type,
                              created_at, updated_at)
            SELECT 'Bench app ' || g, 'bench-app-' || g, '1.' || (g % 10) || '.0',
                   'An application documented for the benchmark', 1 + g % 4, g % 5,
                   $1::timestamp + g * interval '1 minute', $1::timestamp + g * interval '1 minute'
            FROM generate_series(1, $2::int) AS g
            """,
            EPOCH,
            dataset.catalog_apps,
        )
        await connection.execute(
            """
            INSERT INTO api_groups (pid, app_id, title, created_at, updated_at)
            SELECT 0, apps.id, 'Group ' || g, $1::timestamp, $1::timestamp
            FROM apps CROSS JOIN generate_series(1, $2::int) AS g
            ORDER BY apps.id, g
            """,
            EPOCH,
            GROUPS_PER_APP,
        )
        await connection.execute(
            """
            WITH numbered AS (
                SELECT id, app_id, row_number() OVER (ORDER BY id) - 1 AS k,
                       count(*) OVER () AS n
                FROM api_groups
            )
            INSERT INTO apis (app_id, group_id, title, description, request_url,
                              request_method, request_header, need_auth, status,
                              created_at, updated_at)
            SELECT numbered.app_id, numbered.id, 'Bench API ' || g,
                   'Reads one resource of the benchmark', '/resources/' || g || '/{id}',
                   (ARRAY['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])[1 + g % 5],
                   '[{"name": "Authorization", "required": true, '
                   || '"description": "Bearer access token", "example": "Bearer eyJ..."}]',
                   g % 2 = 0, 1 + g % 3,
                   $1::timestamp + g * interval '1 second', $1::timestamp + g * interval '1 second'
            FROM generate_series(0, $2::int - 1) AS g
            JOIN numbered ON numbered.k = g % numbered.n
            ORDER BY g
            """,
            EPOCH,
            dataset.catalog_apis,
        )
        await connection.execute("VACUUM ANALYZE")
        first, last = await connection.fetchrow(
            "SELECT min(id), max(id) FROM users WHERE name LIKE 'bench%'"
        )
        dataset.first_user_id, dataset.last_user_id = int(first), int(last)
        dataset.visible_users = await connection.fetchval(
            "SELECT count(*) FROM users WHERE deleted_at IS NULL"
        )
        dataset.apps = await connection.fetchval("SELECT count(*) FROM apps")
        dataset.groups = await connection.fetchval("SELECT count(*) FROM api_groups")
        dataset.apis = await connection.fetchval(
            "SELECT count(*) FROM apis WHERE deleted_at IS NULL"
        )
    except asyncpg.PostgresError as exc:
        raise PrepareError(f"filling {dataset.database} failed: {exc}") from None
    finally:
        await connection.close()


def prepare(
    dataset: Dataset,
    *,
    schema: str,
    env: dict[str, str],
    cwd: Path,
    password_hash: str,
    log: Log,
) -> Dataset:
    """Drop and create `dataset.database`, give it the schema, fill it."""
    started = time.monotonic()
    log(f"database {dataset.database}: {dataset.users:,} users")
    asyncio.run(recreate_database(dataset.database))
    if schema == "deploy":
        deploy(Path(sys.executable).with_name("apidock"), env, cwd, log)
    else:
        asyncio.run(create_all(env, log))
    asyncio.run(fill(dataset, password_hash, log))
    dataset.seconds = round(time.monotonic() - started, 1)
    log(
        f"  ready in {dataset.seconds:.0f} s: {dataset.visible_users:,} users, "
        f"{dataset.apps:,} apps, {dataset.groups:,} groups, {dataset.apis:,} APIs"
    )
    return dataset
