"""The Alembic revisions on every database: revision 1 is the original api-dock schema, head is
the models, every downgrade returns to the exact shape it left, and rows survive the way."""

from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeEngine

from apidock import migrations
from apidock.config import load_settings
from apidock.db import create_engine
from apidock.models import Base
from tests.migrations.conftest import MakeEngine

ORIGINAL = "4d016e2e0015"
HEAD = "b32848c6d372"

_TIMESTAMPS = dict.fromkeys(("created_at", "updated_at", "deleted_at"), ("datetime", True))

# ORIGINAL.md: every column of the original's tables, (type, nullable)
ORIGINAL_COLUMNS: dict[str, dict[str, tuple[str, bool]]] = {
    "roles": {
        "id": ("int", False),
        "title": ("varchar(80)", True),
        "default": ("bool", True),
        "permissions": ("int", True),
    },
    "users": {
        "id": ("int", False),
        "name": ("varchar(20)", True),
        "password_hash": ("varchar(256)", False),
        "role_id": ("int", True),
        "status": ("int", True),
        "last_login_at": ("datetime", True),
        "last_login_ip": ("varchar(15)", True),
        **_TIMESTAMPS,
    },
    "revoked_token": {"id": ("int", False), "jti": ("varchar(256)", True)},
    "apps": {
        "id": ("int", False),
        "title": ("varchar(80)", False),
        "slug": ("varchar(80)", False),
        "version": ("varchar(80)", False),
        "description": ("text", True),
        "type": ("smallint", True),
        "auth_type": ("smallint", True),
        **_TIMESTAMPS,
    },
    "api_groups": {
        "id": ("int", False),
        "pid": ("int", False),
        "app_id": ("int", True),
        "title": ("varchar(80)", False),
        **_TIMESTAMPS,
    },
    "apis": {
        "id": ("int", False),
        "app_id": ("int", True),
        "group_id": ("int", True),
        "title": ("varchar(80)", False),
        "description": ("text", True),
        "request_url": ("varchar(256)", False),
        "request_method": ("varchar(10)", False),
        "request_header": ("text", True),
        "need_auth": ("bool", True),
        "status": ("smallint", True),
        **_TIMESTAMPS,
    },
    "api_responses": {
        "id": ("int", False),
        "api_id": ("int", True),
        "field": ("varchar(100)", False),
        "description": ("varchar(256)", True),
        "nullable": ("bool", True),
        "data_type": ("varchar(20)", False),
        **_TIMESTAMPS,
    },
    "api_examples": {
        "id": ("int", False),
        "api_id": ("int", True),
        "title": ("varchar(80)", False),
        "body": ("text", True),
        **_TIMESTAMPS,
    },
    "logs": {
        "id": ("int", False),
        "user_id": ("int", True),
        "action": ("varchar(256)", True),
        "created_at": ("datetime", True),
    },
}
ORIGINAL_FOREIGN_KEYS = {
    ("users", "role_id", "roles"),
    ("api_groups", "app_id", "apps"),
    ("apis", "app_id", "apps"),
    ("apis", "group_id", "api_groups"),
    ("api_responses", "api_id", "apis"),
    ("api_examples", "api_id", "apis"),
    ("logs", "user_id", "users"),
}
# The names each database gave the original's unnamed constraints (SQLite gives none): an
# original database has these, and revision 2 must find them.
ORIGINAL_UNIQUE_NAMES = {
    "postgresql": {
        ("roles", "title"): "roles_title_key",
        ("apps", "title"): "apps_title_key",
        ("apps", "slug"): "apps_slug_key",
    },
    "mysql": {("roles", "title"): "title", ("apps", "title"): "title", ("apps", "slug"): "slug"},
    "sqlite": {("roles", "title"): None, ("apps", "title"): None, ("apps", "slug"): None},
}


def _original_foreign_key_name(backend: str, table: str, column: str) -> str | None:
    if backend == "postgresql":
        return f"{table}_{column}_fkey"
    if backend == "mysql":
        return f"{table}_ibfk_2" if (table, column) == ("apis", "group_id") else f"{table}_ibfk_1"
    return None


def _kind(type_: TypeEngine[Any]) -> str:
    """A reflected type in the words of ORIGINAL.md."""
    if isinstance(type_, sa.Boolean) or (
        isinstance(type_, mysql.TINYINT) and type_.display_width == 1
    ):
        return "bool"
    if isinstance(type_, sa.SmallInteger):
        return "smallint"
    if isinstance(type_, sa.Integer):
        return "int"
    if isinstance(type_, sa.Text):
        return "text"
    if isinstance(type_, sa.String):
        return f"varchar({type_.length})"
    if isinstance(type_, sa.DateTime):
        return "datetime"
    return repr(type_)


def _snapshot(connection: sa.Connection) -> dict[str, Any]:
    """Everything the inspector sees of the application's tables, names included."""
    inspector = sa.inspect(connection)
    tables: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[table] = {
            "columns": {
                column["name"]: (repr(column["type"]), column["nullable"], column["default"])
                for column in inspector.get_columns(table)
            },
            "primary_key": inspector.get_pk_constraint(table),
            "uniques": sorted(
                (unique["name"] or "", unique["column_names"])
                for unique in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (index["name"] or "", index["column_names"], bool(index["unique"]))
                for index in inspector.get_indexes(table)
            ),
            "foreign_keys": sorted(
                (
                    key["name"] or "",
                    key["constrained_columns"],
                    key["referred_table"],
                    sorted(key["options"].items()),
                )
                for key in inspector.get_foreign_keys(table)
            ),
            "checks": sorted(
                (check["name"] or "", check["sqltext"])
                for check in inspector.get_check_constraints(table)
            ),
        }
    return tables


async def snapshot(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        return await connection.run_sync(_snapshot)


def _differences(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, Base.metadata)


def _original_report(connection: sa.Connection) -> dict[str, Any]:
    """What ORIGINAL.md says of each table, read back: column kinds, keys and their names."""
    inspector = sa.inspect(connection)
    report: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        columns = {
            column["name"]: (_kind(column["type"]), column["nullable"])
            for column in inspector.get_columns(table)
        }
        report[table] = {
            "columns": columns,
            "uniques": {
                unique["column_names"][0]: unique["name"]
                for unique in inspector.get_unique_constraints(table)
                if unique["name"] != "ix_users_name"  # MySQL lists unique indexes here too
            },
            "foreign_keys": {
                (key["constrained_columns"][0], key["referred_table"]): key["name"]
                for key in inspector.get_foreign_keys(table)
            },
            "indexes": {
                (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                for index in inspector.get_indexes(table)
                # those behind unique constraints, and MySQL's own behind each foreign key
                if not index.get("duplicates_constraint") and index["name"] not in columns
            },
        }
    return report


async def test_revision_1_creates_the_original_schema(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")
    backend = engine.dialect.name

    await migrations.upgrade(engine, ORIGINAL)

    assert await migrations.current_revision(engine) == ORIGINAL
    async with engine.connect() as connection:
        report = await connection.run_sync(_original_report)
    assert set(report) == set(ORIGINAL_COLUMNS)
    for table, expected in ORIGINAL_COLUMNS.items():
        assert report[table]["columns"] == expected, table
        assert report[table]["uniques"] == {
            column: name
            for (unique_table, column), name in ORIGINAL_UNIQUE_NAMES[backend].items()
            if unique_table == table
        }, table
        assert report[table]["foreign_keys"] == {
            (column, referred): _original_foreign_key_name(backend, table, column)
            for key_table, column, referred in ORIGINAL_FOREIGN_KEYS
            if key_table == table
        }, table
        assert report[table]["indexes"] == {
            "roles": {("ix_roles_default", ("default",), False)},
            "users": {("ix_users_name", ("name",), True)},
        }.get(table, set()), table


async def test_upgrade_and_downgrade_return_to_the_same_shapes(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")

    await migrations.upgrade(engine, ORIGINAL)
    original = await snapshot(engine)
    await migrations.upgrade(engine)
    head = await snapshot(engine)
    assert await migrations.current_revision(engine) == HEAD

    await migrations.downgrade(engine, ORIGINAL)
    assert await snapshot(engine) == original
    await migrations.downgrade(engine, "base")
    assert await snapshot(engine) == {}
    assert await migrations.current_revision(engine) is None

    await migrations.upgrade(engine, "head")
    assert await snapshot(engine) == head


async def test_head_is_the_models(make_engine: MakeEngine) -> None:
    migrated = await make_engine("main")
    created = await make_engine("ref")
    await migrations.upgrade(migrated)
    async with created.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)

    async with migrated.connect() as connection:
        assert await connection.run_sync(_differences) == []
    await migrations.check(migrated)
    # names too: later migrations may drop a constraint by the name the convention gives it
    assert await snapshot(migrated) == await snapshot(created)


async def test_check_reports_a_schema_that_differs(make_engine: MakeEngine) -> None:
    engine = await make_engine("main")
    await migrations.upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))

    with pytest.raises(migrations.MigrationError, match="stray"):
        await migrations.check(engine)


async def test_a_database_at_an_unknown_revision_is_adopted_by_stamping(
    make_engine: MakeEngine,
) -> None:
    """A real original database carries the id of the original's own, unknown, migration."""
    engine = await make_engine("main")
    await migrations.upgrade(engine, ORIGINAL)
    async with engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '04624b474682'"))

    with pytest.raises(migrations.MigrationError, match="04624b474682"):
        await migrations.upgrade(engine)
    await migrations.stamp(engine, ORIGINAL, purge=True)
    await migrations.upgrade(engine)

    assert await migrations.current_revision(engine) == HEAD


roles = sa.table(
    "roles",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("default", sa.Boolean()),
    sa.column("permissions", sa.Integer()),
)
users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("name_key", sa.String()),
    sa.column("password_hash", sa.String()),
    sa.column("role_id", sa.Integer()),
    sa.column("status", sa.Integer()),
    sa.column("token_version", sa.Integer()),
    sa.column("last_login_ip", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("deleted_at", sa.DateTime()),
)
revoked_token = sa.table(
    "revoked_token",
    sa.column("id", sa.Integer()),
    sa.column("jti", sa.String()),
    sa.column("token_type", sa.String()),
    sa.column("expires_at", sa.DateTime()),
)
apps = sa.table(
    "apps",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("slug", sa.String()),
    sa.column("version", sa.String()),
)
api_groups = sa.table(
    "api_groups",
    sa.column("id", sa.Integer()),
    sa.column("pid", sa.Integer()),
    sa.column("app_id", sa.Integer()),
    sa.column("title", sa.String()),
)
apis = sa.table(
    "apis",
    sa.column("id", sa.Integer()),
    sa.column("app_id", sa.Integer()),
    sa.column("group_id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("request_url", sa.String()),
    sa.column("request_method", sa.String()),
    sa.column("need_auth", sa.Boolean()),
)
logs = sa.table(
    "logs",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("ip", sa.String()),
)

HASH = "pbkdf2:sha256:150000$salt$" + "0" * 64
CREATED = datetime(2019, 5, 1, 8, 30)


async def _rows(engine: AsyncEngine, table: sa.TableClause) -> dict[int, dict[str, Any]]:
    """Every row of `table` by id, with the columns it has at the current revision."""

    def read(connection: sa.Connection) -> dict[int, dict[str, Any]]:
        reflected = sa.Table(table.name, sa.MetaData(), autoload_with=connection)
        result = connection.execute(sa.select(reflected))
        return {row["id"]: dict(row) for row in result.mappings()}

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def test_rows_survive_the_upgrade_and_the_downgrade(
    make_engine: MakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    engine = await make_engine("main")
    case_folding_names = engine.dialect.name == "mysql"  # the original's collation: no "ALICE"
    await migrations.upgrade(engine, ORIGINAL)
    async with engine.begin() as connection:
        await connection.execute(
            roles.insert(),
            [
                {"id": 1, "title": "User", "default": True, "permissions": 0},
                {"id": 4, "title": "Administrator", "default": False, "permissions": 98},
                {"id": 5, "title": None, "default": None, "permissions": None},
            ],
        )
        originals = [
            {"id": 1, "name": "sysop", "role_id": 4, "status": 1, "last_login_ip": "10.0.0.1"},
            {"id": 2, "name": "Alice", "role_id": 1, "status": None, "last_login_ip": None},
            {"id": 3, "name": None, "role_id": None, "status": 2, "last_login_ip": None},
        ]
        if not case_folding_names:
            originals.append(
                {"id": 4, "name": "ALICE", "role_id": 1, "status": 1, "last_login_ip": None}
            )
        await connection.execute(
            users.insert(),
            [user | {"password_hash": HASH, "created_at": CREATED} for user in originals],
        )
        await connection.execute(
            revoked_token.insert(),
            [
                {"id": 1, "jti": "6f1c3e3a-0d5b-4b7e-9a57-1c4f7f1f2a10"},
                {"id": 2, "jti": None},
                {"id": 3, "jti": "6f1c3e3a-0d5b-4b7e-9a57-1c4f7f1f2a10"},
                {"id": 4, "jti": "x" * 100},
            ],
        )
        await connection.execute(
            apps.insert(), [{"id": 1, "title": "Shop", "slug": "shop", "version": "1"}]
        )
        await connection.execute(
            api_groups.insert(), [{"id": 1, "pid": 0, "app_id": 1, "title": "Users"}]
        )
        await connection.execute(
            apis.insert(),
            [
                {
                    "id": 1,
                    "app_id": 1,
                    "group_id": 1,
                    "title": "List users",
                    "request_url": "/users",
                    "request_method": "GET",
                    "need_auth": True,
                }
            ],
        )
        await connection.execute(logs.insert(), [{"id": 1, "user_id": 2, "action": "login"}])

    before = datetime.now(UTC).replace(tzinfo=None)
    await migrations.upgrade(engine)

    upgraded = await _rows(engine, users)
    assert {user_id: (user["name"], user["name_key"]) for user_id, user in upgraded.items()} == {
        1: ("sysop", "sysop"),
        2: ("Alice", "alice"),
        3: ("user#3", "user#3"),
    } | ({} if case_folding_names else {4: ("ALICE#4", "alice#4")})
    assert {user_id: user["status"] for user_id, user in upgraded.items() if user_id < 4} == {
        1: 1,
        2: 1,
        3: 2,
    }
    assert {user["token_version"] for user in upgraded.values()} == {0}
    assert "user 3: no name; now named 'user#3'" in caplog.text
    if not case_folding_names:
        assert "user 4: 'ALICE' was taken by another user's name" in caplog.text
    assert upgraded[1]["role_id"] == 4
    assert upgraded[1]["created_at"] == CREATED
    upgraded_roles = await _rows(engine, roles)
    assert upgraded_roles[5] == {
        "id": 5,
        "title": "Role #5",
        "default": False,
        "permissions": 0,
        "seed_key": None,
    }
    assert {role_id: role["seed_key"] for role_id, role in upgraded_roles.items()} == {
        1: "user",
        4: "administrator",
        5: None,
    }
    tokens = await _rows(engine, revoked_token)
    assert list(tokens) == [1]
    assert tokens[1]["token_type"] == "access"
    assert before + timedelta(days=29) < tokens[1]["expires_at"] < before + timedelta(days=31)
    assert (await _rows(engine, apis))[1]["group_id"] == 1
    assert (await _rows(engine, logs))[1] == {
        "id": 1,
        "user_id": 2,
        "action": "login",
        "created_at": None,
        "target_type": None,
        "target_id": None,
        "ip": None,
        "request_id": None,
        "detail": None,
    }
    # an API of the original keeps its row and has no Operation Object: exported from its rows
    assert (await _rows(engine, apis))[1]["operation"] is None
    # every app has its revision head, at 0: its history starts with its next change
    async with engine.connect() as connection:
        heads = await connection.execute(sa.text("SELECT app_id, number FROM revision_heads"))
        assert [tuple(head) for head in heads] == [(1, 0)]

    async with engine.begin() as connection:
        await connection.execute(
            users.update().where(users.c.id == 2).values(last_login_ip="2001:db8::8a2e:370:7334")
        )
    await migrations.downgrade(engine, ORIGINAL)

    downgraded = await _rows(engine, users)
    assert downgraded[1]["last_login_ip"] == "10.0.0.1"
    assert downgraded[2]["last_login_ip"] is None  # no IPv6 in 15 characters
    assert (downgraded[2]["name"], downgraded[2]["status"]) == ("Alice", 1)
    assert list(await _rows(engine, revoked_token)) == [1]
    assert (await _rows(engine, logs))[1]["action"] == "login"


BEFORE_SEED_KEYS = "2ecafeb6377a"


async def test_seed_keys_go_to_the_roles_with_a_seeded_title_and_its_permissions(
    make_engine: MakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """A role under a seeded title with other permissions may be one made after a rename."""
    engine = await make_engine("main")
    await migrations.upgrade(engine, BEFORE_SEED_KEYS)
    async with engine.begin() as connection:
        await connection.execute(
            roles.insert(),
            [
                {"id": 1, "title": "User", "default": True, "permissions": 32},
                {"id": 2, "title": "Developer", "default": False, "permissions": 96},
                {"id": 3, "title": "qa", "default": False, "permissions": 353},
                {"id": 4, "title": "Admins", "default": False, "permissions": 1023},
                {"id": 5, "title": "Administrator", "default": False, "permissions": 16},
                {"id": 6, "title": "Guests", "default": False, "permissions": 0},
            ],
        )

    with caplog.at_level(logging.INFO):
        await migrations.upgrade(engine)

    keyed = await _rows(engine, roles)
    assert {role_id: role["seed_key"] for role_id, role in keyed.items()} == {
        1: "user",
        2: None,
        3: None,
        4: None,
        5: None,
        6: None,
    }
    assert {role_id: role["permissions"] for role_id, role in keyed.items()} == {
        1: 32,
        2: 96,
        3: 353,
        4: 1023,
        5: 16,
        6: 0,
    }
    assert "role 1 ('User') is the seeded role 'user'" in caplog.text
    assert "role 2 ('Developer') holds permissions 96, not the seeded role's 97" in caplog.text
    assert "role 5 ('Administrator') holds permissions 16" in caplog.text
    assert "no role is titled 'QA'" in caplog.text
    keyed_roles = sa.table(
        "roles",
        *(sa.column(name) for name in ("id", "title", "permissions", "seed_key")),
        sa.column("default", sa.Boolean()),
    )
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                keyed_roles.insert().values(
                    id=7, title="Second", default=False, permissions=0, seed_key="user"
                )
            )

    await migrations.downgrade(engine, BEFORE_SEED_KEYS)
    assert await _rows(engine, roles) == {
        role_id: {key: value for key, value in role.items() if key != "seed_key"}
        for role_id, role in keyed.items()
    }


def test_history_lists_the_revisions_newest_first() -> None:
    revisions = migrations.history()

    assert [revision.revision for revision in revisions][-1] == ORIGINAL
    assert revisions[0].revision == HEAD == migrations.head_revision()
    assert revisions[0].is_head
    assert not revisions[-1].is_head
    assert revisions[-1].down_revisions == ()
    assert revisions[-1].message == "original api-dock schema"
    assert all(revision.path.name.startswith("20") for revision in revisions)


def test_the_ini_named_in_the_environment_must_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(migrations.ALEMBIC_INI_ENV, str(tmp_path / "missing.ini"))

    with pytest.raises(migrations.MigrationError, match="no such file"):
        migrations.alembic_config()


def test_revision_writes_a_dated_file_and_autogenerate_skips_no_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On a copy of the scripts, so that nothing lands in alembic/versions."""
    source = migrations.find_alembic_ini().parent
    shutil.copy(source / "alembic.ini", tmp_path / "alembic.ini")
    shutil.copytree(
        source / "alembic", tmp_path / "alembic", ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setenv(migrations.ALEMBIC_INI_ENV, str(tmp_path / "alembic.ini"))
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("JWT_SECRET_KEY", "migration-tests-secret-long-enough-for-hs256-0123456789")
    database_url = f"sqlite:///{tmp_path / 'head.db'}"
    versions = tmp_path / "alembic" / "versions"
    before = set(versions.iterdir())

    async def upgrade() -> None:
        engine = create_engine(load_settings(_env_file=None, DATABASE_URL=database_url))
        await migrations.upgrade(engine)
        await engine.dispose()

    asyncio.run(upgrade())
    assert migrations.revision("nothing", autogenerate=True, database_url=database_url) is None
    assert set(versions.iterdir()) == before

    written = migrations.revision("add a thing")
    assert written is not None
    assert written.parent == versions
    today = datetime.now(UTC)
    assert written.name.startswith(f"{today:%Y_%m_%d}_")
    assert written.name.endswith("-add_a_thing.py")
    assert f'down_revision: str | Sequence[str] | None = "{HEAD}"' in written.read_text()


async def test_autogenerate_refuses_to_run_inside_an_event_loop() -> None:
    with pytest.raises(migrations.MigrationError, match="event loop"):
        migrations.revision("from inside a loop", autogenerate=True)
