"""`apidock db adopt` on databases made as the Flask api-dock made them, on every database:
adopted, upgraded and deployed, every user logs in with their old password; anything else is
refused and left as it was."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock import migrations
from apidock.adopt import AdoptRefused, adopt
from apidock.auth.passwords import PasswordHasher
from apidock.db import Database
from apidock.deploy import deploy
from apidock.main import create_app
from apidock.permissions import DEFAULT_ROLE, SEEDED_ROLES, SEEDS
from tests.conftest import make_client, make_settings
from tests.migrations.conftest import MakeEngine

FIRST = "4d016e2e0015"
FLASK_MIGRATE_REVISION = "04624b474682"  # the original's only migration
CREATED = datetime(2019, 5, 1, 8, 30)


def werkzeug_hash(password: str, salt: str, iterations: int) -> str:
    """A hash as werkzeug's generate_password_hash wrote it (method pbkdf2:sha256)."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2:sha256:{iterations}${salt}${digest.hex()}"


def original_ddl(backend: str) -> list[str]:
    """CREATE statements as Flask-SQLAlchemy 2.3 (SQLAlchemy 1.2) issued them for the models.

    PostgreSQL has SERIAL keys and a boolean type; MySQL/MariaDB and SQLite got BOOL with a
    CHECK (x IN (0, 1)), and MySQL AUTO_INCREMENT. The database names every constraint.
    """
    if backend == "postgresql":
        key, boolean, stamp, q = "SERIAL NOT NULL", "BOOLEAN", "TIMESTAMP WITHOUT TIME ZONE", '"'
    elif backend == "mysql":
        key, boolean, stamp, q = "INTEGER NOT NULL AUTO_INCREMENT", "BOOL", "DATETIME", "`"
    else:
        key, boolean, stamp, q = "INTEGER NOT NULL", "BOOLEAN", "DATETIME", '"'

    def check(column: str) -> str:
        return "" if backend == "postgresql" else f", CHECK ({column} IN (0, 1))"

    default = f"{q}default{q}"
    timestamps = f"created_at {stamp}, updated_at {stamp}, deleted_at {stamp}"
    return [
        f"CREATE TABLE roles (id {key}, title VARCHAR(80), {default} {boolean}, "
        f"permissions INTEGER, PRIMARY KEY (id), UNIQUE (title){check(default)})",
        f"CREATE INDEX ix_roles_default ON roles ({default})",
        f"CREATE TABLE revoked_token (id {key}, jti VARCHAR(256), PRIMARY KEY (id))",
        f"CREATE TABLE apps (id {key}, title VARCHAR(80) NOT NULL, slug VARCHAR(80) NOT NULL, "
        "version VARCHAR(80) NOT NULL, description TEXT, type SMALLINT, auth_type SMALLINT, "
        f"{timestamps}, PRIMARY KEY (id), UNIQUE (slug), UNIQUE (title))",
        f"CREATE TABLE users (id {key}, name VARCHAR(20), password_hash VARCHAR(256) NOT NULL, "
        f"role_id INTEGER, status INTEGER, last_login_at {stamp}, last_login_ip VARCHAR(15), "
        f"{timestamps}, PRIMARY KEY (id), FOREIGN KEY(role_id) REFERENCES roles (id))",
        "CREATE UNIQUE INDEX ix_users_name ON users (name)",
        f"CREATE TABLE api_groups (id {key}, pid INTEGER NOT NULL, app_id INTEGER, "
        f"title VARCHAR(80) NOT NULL, {timestamps}, PRIMARY KEY (id), "
        "FOREIGN KEY(app_id) REFERENCES apps (id))",
        f"CREATE TABLE apis (id {key}, app_id INTEGER, group_id INTEGER, "
        "title VARCHAR(80) NOT NULL, description TEXT, request_url VARCHAR(256) NOT NULL, "
        "request_method VARCHAR(10) NOT NULL, request_header TEXT, "
        f"need_auth {boolean}, status SMALLINT, {timestamps}, PRIMARY KEY (id), "
        "FOREIGN KEY(app_id) REFERENCES apps (id), "
        f"FOREIGN KEY(group_id) REFERENCES api_groups (id){check('need_auth')})",
        f"CREATE TABLE api_responses (id {key}, api_id INTEGER, field VARCHAR(100) NOT NULL, "
        f"description VARCHAR(256), nullable {boolean}, data_type VARCHAR(20) NOT NULL, "
        f"{timestamps}, PRIMARY KEY (id), FOREIGN KEY(api_id) REFERENCES apis (id)"
        f"{check('nullable')})",
        f"CREATE TABLE api_examples (id {key}, api_id INTEGER, title VARCHAR(80) NOT NULL, "
        f"body TEXT, {timestamps}, PRIMARY KEY (id), FOREIGN KEY(api_id) REFERENCES apis (id))",
        f"CREATE TABLE logs (id {key}, user_id INTEGER, action VARCHAR(256), "
        f"created_at {stamp}, PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES users (id))",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
        f"INSERT INTO alembic_version (version_num) VALUES ('{FLASK_MIGRATE_REVISION}')",  # noqa: S608
    ]


# name: (password, iterations of its werkzeug hash)
PASSWORDS = {
    "sysop": ("Passw0rd!", 150000),
    "alice": ("alice in wonderland", 150000),
    "bob": ("builder bob 1", 50000),
    "carol": ("carol's old one", 50000),  # the original left her role and status NULL
    "dave": ("dave is blocked", 150000),
    "erin": ("erin is deleted", 150000),
}
# the original's seeded roles and their numbers, and a role added by hand
ORIGINAL_ROLES = [
    (1, "User", True, 0),
    (2, "Developer", False, 22),
    (3, "QA", False, 95),
    (4, "Administrator", False, 98),
    (5, "Guests", False, 5),
]


def _user(user_id: int, name: str, role_id: int | None, status: int | None) -> dict[str, Any]:
    password, iterations = PASSWORDS[name]
    return {
        "id": user_id,
        "name": name,
        "password_hash": werkzeug_hash(password, f"salt{user_id:04d}", iterations),
        "role_id": role_id,
        "status": status,
        "created_at": CREATED,
        "updated_at": CREATED,
        "deleted_at": datetime(2020, 1, 2) if name == "erin" else None,
    }


def _insert(table: str, rows: list[dict[str, Any]]) -> tuple[sa.Insert, list[dict[str, Any]]]:
    columns = [sa.column(name) for name in rows[0]]
    return sa.table(table, *columns).insert(), rows


def original_rows() -> list[tuple[sa.Insert, list[dict[str, Any]]]]:
    """Rows as the original wrote them: its roles and numbers, werkzeug hashes, odd users."""
    return [
        _insert(
            "roles",
            [
                {"id": i, "title": title, "default": default, "permissions": bits}
                for i, title, default, bits in ORIGINAL_ROLES
            ],
        ),
        _insert(
            "users",
            [
                _user(1, "sysop", 4, 1),
                _user(2, "alice", 2, 1),
                _user(3, "bob", 3, 1),
                _user(4, "carol", None, None),
                _user(5, "dave", 1, 2),
                _user(6, "erin", 1, 1),
            ],
        ),
        _insert(
            "revoked_token",
            [
                {"id": 1, "jti": "0c2f1d9e-5d0a-4e43-9c55-7b6a3f1e2d10"},
                {"id": 2, "jti": "8a1b6c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"},
            ],
        ),
        _insert(
            "apps",
            [
                {
                    "id": 1,
                    "title": "Shop",
                    "slug": "shop",
                    "version": "1.0",
                    "description": "The shop",
                    "type": 1,
                    "auth_type": 2,
                    "created_at": CREATED,
                    "updated_at": CREATED,
                }
            ],
        ),
        _insert("api_groups", [{"id": 1, "pid": 0, "app_id": 1, "title": "Users"}]),
        _insert(
            "apis",
            [
                {
                    "id": 1,
                    "app_id": 1,
                    "group_id": 1,
                    "title": "List users",
                    "request_url": "/users",
                    "request_method": "GET",
                    "need_auth": True,
                    "status": 1,
                    "created_at": CREATED,
                    "updated_at": CREATED,
                }
            ],
        ),
        _insert(
            "api_responses",
            [
                {
                    "id": 1,
                    "api_id": 1,
                    "field": "data.users",
                    "nullable": False,
                    "data_type": "array",
                }
            ],
        ),
        _insert("api_examples", [{"id": 1, "api_id": 1, "title": "ok", "body": '{"data": []}'}]),
        _insert("logs", [{"id": 1, "user_id": 2, "action": "login", "created_at": CREATED}]),
    ]


async def build_original(
    engine: AsyncEngine, *, edit: tuple[str, str] | None = None, rows: bool = True
) -> None:
    """An original api-dock database; `edit` replaces a fragment of its DDL (a changed shape)."""
    statements = original_ddl(engine.dialect.name)
    if edit is not None:
        old, new = edit
        assert any(old in statement for statement in statements), old
        statements = [statement.replace(old, new) for statement in statements]
    async with engine.begin() as connection:
        for statement in statements:
            await connection.exec_driver_sql(statement)
        if rows:
            for insert, values in original_rows():
                await connection.execute(insert, values)
    if rows and engine.dialect.name == "postgresql":  # the sequences follow the explicit ids
        async with engine.begin() as connection:
            for table in ("roles", "users", "revoked_token", "apps", "api_groups", "apis", "logs"):
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )


async def state(engine: AsyncEngine) -> dict[str, Any]:
    """Every table with its columns and rows, to tell whether anything changed."""

    def read(connection: sa.Connection) -> dict[str, Any]:
        inspector = sa.inspect(connection)
        tables: dict[str, Any] = {}
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            rows = connection.execute(sa.select(table)).all()
            tables[name] = {
                "columns": [(c.name, repr(c.type), c.nullable) for c in table.columns],
                "rows": sorted(tuple(map(repr, row)) for row in rows),
            }
        return tables

    async with engine.connect() as connection:
        return await connection.run_sync(read)


roles = sa.table(
    "roles",
    sa.column("title"),
    sa.column("default", sa.Boolean()),
    sa.column("permissions"),
    sa.column("seed_key"),
)
users = sa.table(
    "users",
    sa.column("name"),
    sa.column("password_hash"),
    sa.column("role_id"),
    sa.column("status"),
    sa.column("deleted_at"),
)
revoked_token = sa.table("revoked_token", sa.column("id"), sa.column("token_type"))
alembic_version = sa.table("alembic_version", sa.column("version_num"))


async def _query(engine: AsyncEngine, *columns: sa.ColumnClause[Any]) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(sa.select(*columns))]


async def _users(engine: AsyncEngine) -> dict[str, tuple[int, int, bool]]:
    """Each user's role id, status and whether deleted."""
    rows = await _query(engine, users.c.name, users.c.role_id, users.c.status, users.c.deleted_at)
    return {name: (role_id, status, deleted is not None) for name, role_id, status, deleted in rows}


async def test_an_original_database_is_adopted_upgraded_and_every_user_logs_in(
    make_engine: MakeEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = await make_engine("main")
    await build_original(engine)

    report = await adopt(engine)

    assert report.adopted
    assert (report.revision, report.replaced) == (FIRST, (FLASK_MIGRATE_REVISION,))
    assert await migrations.current_revision(engine) == FIRST

    with caplog.at_level(logging.WARNING):
        await migrations.upgrade(engine)
    assert await migrations.current_revision(engine) == migrations.head_revision()
    # before deploy already: no role holds the original's numbers read as bits
    upgraded = dict(await _query(engine, roles.c.title, roles.c.permissions))
    assert upgraded == {title: int(bits) for title, bits in SEEDED_ROLES.items()} | {"Guests": 0}
    # the original's seeded roles are known by their keys from now on; its own roles are not
    assert dict(await _query(engine, roles.c.title, roles.c.seed_key)) == {
        seed.title: seed.key for seed in SEEDS
    } | {"Guests": None}
    assert "role 5 ('Guests'): the original's permission number 5 means nothing here" in caplog.text
    assert sorted(await _query(engine, revoked_token.c.id, revoked_token.c.token_type)) == [
        (1, "access"),
        (2, "access"),
    ]

    url = engine.url.render_as_string(hide_password=False)
    settings = make_settings(url, tmp_path / "var")
    database = Database(engine)
    deployed = await deploy(database, settings, hasher=PasswordHasher(settings))

    assert not deployed.migrated
    assert not deployed.roles.changed
    assert deployed.users_given_default_role == 1
    assert not deployed.admin_created
    assert not deployed.admin_reinstated
    rows = await _query(engine, roles.c.title, roles.c.permissions, roles.c.default)
    assert {title: (bits, default) for title, bits, default in rows} == {
        title: (int(bits), title == DEFAULT_ROLE) for title, bits in SEEDED_ROLES.items()
    } | {"Guests": (0, False)}
    expected_users = {
        "sysop": (4, 1, False),
        "alice": (2, 1, False),
        "bob": (3, 1, False),
        "carol": (1, 1, False),  # the default role, normal status
        "dave": (1, 2, False),
        "erin": (1, 1, True),
    }
    assert await _users(engine) == expected_users

    app = create_app(settings, database=database)
    async with make_client(app) as client:
        for name, (password, _) in PASSWORDS.items():
            response = await client.post("/api/v1/login", json={"name": name, "password": password})
            if name in {"dave", "erin"}:
                assert response.status_code == 401, name
            else:
                assert response.status_code == 200, (name, response.text)
                assert response.json()["data"]["user"]["name"] == name
        token = (
            await client.post(
                "/api/v1/login", json={"name": "alice", "password": PASSWORDS["alice"][0]}
            )
        ).json()["data"]["access_token"]
        shop = await client.get("/api/v1/apps/1", headers={"Authorization": f"Bearer {token}"})
        assert shop.status_code == 200, shop.text
        assert shop.json()["data"]["slug"] == "shop"

    hashes = dict(await _query(engine, users.c.name, users.c.password_hash))
    for name in ("sysop", "alice", "bob", "carol"):
        assert hashes[name].startswith("$argon2id$"), name
    for name in ("dave", "erin"):
        assert hashes[name].startswith("pbkdf2:sha256:"), name
    assert await _users(engine) == expected_users  # blocked and deleted stay so

    again = await state(engine)
    second = await deploy(database, settings, hasher=PasswordHasher(settings))
    assert second.users_given_default_role == 0
    assert await state(engine) == again


async def test_adopting_twice_changes_nothing(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")
    await build_original(engine)
    await adopt(engine)
    adopted = await state(engine)

    report = await adopt(engine)

    assert not report.adopted
    assert report.revision == FIRST
    assert await state(engine) == adopted


async def test_a_database_of_this_project_is_left_alone(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")
    await migrations.upgrade(engine)
    before = await state(engine)

    report = await adopt(engine)

    assert not report.adopted
    assert report.revision == migrations.head_revision()
    assert await state(engine) == before


async def test_an_original_database_without_alembic_version_is_adopted(
    make_engine: MakeEngine,
) -> None:
    engine = await make_engine("main")
    await build_original(engine, rows=False)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE alembic_version")

    report = await adopt(engine)

    assert (report.adopted, report.replaced) == (True, ())
    await migrations.upgrade(engine)
    await migrations.check(engine)


async def test_a_database_of_another_application_is_refused(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")
    async with engine.begin() as connection:
        await connection.exec_driver_sql(
            "CREATE TABLE customers (id INTEGER NOT NULL, name VARCHAR(40), PRIMARY KEY (id))"
        )
        await connection.exec_driver_sql("INSERT INTO customers (id, name) VALUES (1, 'Acme')")
    before = await state(engine)

    with pytest.raises(AdoptRefused) as refused:
        await adopt(engine)

    message = str(refused.value)
    assert "holds no table of the Flask api-dock" in message
    assert "missing tables: roles, revoked_token, apps, users, api_groups" in message
    assert "tables the Flask api-dock did not have: customers" in message
    assert "nothing was changed" in message
    assert await state(engine) == before


async def test_an_empty_database_is_refused(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")

    with pytest.raises(AdoptRefused, match="apidock db upgrade"):
        await adopt(engine)

    assert await state(engine) == {}


@pytest.mark.parametrize(
    ("edit", "difference"),
    [
        pytest.param(
            ("last_login_ip VARCHAR(15), ", ""), "users.last_login_ip: missing", id="missing"
        ),
        pytest.param(
            ("auth_type SMALLINT, ", "auth_type SMALLINT, color VARCHAR(10), "),
            "apps.color: a column the Flask api-dock did not have",
            id="extra",
        ),
        pytest.param(
            ("last_login_ip VARCHAR(15)", "last_login_ip VARCHAR(45)"),
            "users.last_login_ip: varchar(45), expected varchar(15)",
            id="type",
        ),
        pytest.param(
            ("status INTEGER, ", "status INTEGER NOT NULL, "),
            "users.status: NOT NULL, expected NULL",
            id="nullability",
        ),
        pytest.param(
            ("CREATE TABLE logs (", "CREATE TABLE audit ("),
            "missing tables: logs",
            id="table",
        ),
    ],
)
async def test_a_database_of_another_shape_is_refused(
    make_engine: MakeEngine, edit: tuple[str, str], difference: str
) -> None:
    engine = await make_engine("main")
    await build_original(engine, edit=edit, rows=False)
    before = await state(engine)

    with pytest.raises(AdoptRefused) as refused:
        await adopt(engine)

    message = str(refused.value)
    assert "differs from the Flask api-dock's schema" in message
    assert f"  - {difference}\n" in message
    assert message.count("\n  - ") == (2 if "missing tables" in difference else 1), message
    assert await state(engine) == before
    assert await _query(engine, alembic_version.c.version_num) == [(FLASK_MIGRATE_REVISION,)]


async def test_the_downgrade_gives_the_original_its_permission_numbers_back(
    make_engine: MakeEngine,
) -> None:
    engine = await make_engine("main")
    await build_original(engine)
    await adopt(engine)
    await migrations.upgrade(engine)

    await migrations.downgrade(engine, FIRST)

    # what the original can read; a role it did not seed keeps no rights
    assert dict(await _query(engine, roles.c.title, roles.c.permissions)) == {
        title: bits for _, title, _, bits in ORIGINAL_ROLES
    } | {"Guests": 0}
