"""The Core runner of the hottest paths, on real connections of each database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, select, update

from apidock.config import Settings
from apidock.db import AsyncpgRunner, ConnectionRunner, Database, UTCDateTime
from apidock.users.models import User
from tests.factories import create_user

_SEEN_AT = (
    update(User)
    .where(User.name == bindparam("who"))
    .values(last_login_at=bindparam("seen", type_=UTCDateTime()), last_login_ip=bindparam("ip"))
)
_READ_SEEN = select(User.last_login_at, User.last_login_ip).where(User.name == bindparam("who"))
SEEN = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


class Interrupted(Exception):
    pass


def database_of(live_app: FastAPI) -> Database:
    database: Database = live_app.state.database
    return database


async def with_user(live_app: FastAPI, settings: Settings, name: str) -> Database:
    """The live application's database, with a user of `name` committed."""
    database = database_of(live_app)
    async with database.transaction() as session:
        await create_user(session, settings, name=name)
    return database


def seen(who: str, at: datetime = SEEN) -> dict[str, object]:
    return {"who": who, "seen": at, "ip": "::1"}


async def test_postgresql_runs_on_asyncpg_and_the_others_on_core(live_app: FastAPI) -> None:
    database = database_of(live_app)
    expected = AsyncpgRunner if database.engine.dialect.name == "postgresql" else ConnectionRunner
    assert isinstance(database.core, expected)


async def test_a_transaction_commits_and_answers_the_rows_matched(
    live_app: FastAPI, settings: Settings
) -> None:
    database = await with_user(live_app, settings, "seen")
    async with database.core.transaction() as statements:
        matched = await statements.execute(_SEEN_AT, seen("seen"))
        nobody = await statements.execute(_SEEN_AT, seen("nobody"))
        inside = await statements.fetch_one(_READ_SEEN, {"who": "seen"})
    assert (matched, nobody) == (1, 0)
    assert inside is not None
    row = await database.core.fetch_one(_READ_SEEN, {"who": "seen"})
    assert row == {"last_login_at": SEEN, "last_login_ip": "::1"}, "stored as UTC, read back aware"


async def test_an_error_rolls_the_whole_transaction_back(
    live_app: FastAPI, settings: Settings
) -> None:
    database = await with_user(live_app, settings, "kept")

    async def write_then_fail() -> None:
        async with database.core.transaction() as statements:
            await statements.execute(_SEEN_AT, seen("kept"))
            raise Interrupted

    with pytest.raises(Interrupted):
        await write_then_fail()
    row = await database.core.fetch_one(_READ_SEEN, {"who": "kept"})
    assert row == {"last_login_at": None, "last_login_ip": None}


async def test_a_naive_datetime_is_refused_before_it_reaches_the_database(
    live_app: FastAPI, settings: Settings
) -> None:
    database = await with_user(live_app, settings, "naive")

    async def write_naive() -> None:
        async with database.core.transaction() as statements:
            await statements.execute(_SEEN_AT, seen("naive", at=SEEN.replace(tzinfo=None)))

    with pytest.raises(Exception, match="naive datetime"):
        await write_naive()


async def test_column_defaults_computed_in_python_are_filled_on_every_runner(
    live_app: FastAPI, settings: Settings
) -> None:
    """`updated_at` follows an UPDATE as SQLAlchemy's own execution would set it."""
    database = await with_user(live_app, settings, "touched")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    async with database.transaction() as session:
        await session.execute(
            update(User).where(User.name == "touched").values(updated_at=long_ago)
        )
    async with database.core.transaction() as statements:
        await statements.execute(_SEEN_AT, seen("touched"))
    row = await database.core.fetch_one(
        select(User.updated_at).where(User.name == bindparam("who")), {"who": "touched"}
    )
    assert row is not None
    assert row["updated_at"] is not None
    assert row["updated_at"] > long_ago
