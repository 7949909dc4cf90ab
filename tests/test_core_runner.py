"""The Core runner of the hottest paths, on real connections of each database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, event, select, update

from apidock.config import Settings
from apidock.db import ConnectionRunner, Database, DriverRunner, UTCDateTime, hot_statement
from apidock.users.models import User
from tests.factories import create_user

_SEEN_AT = hot_statement(
    "tests.seen_at",
    update(User)
    .where(User.name == bindparam("who"))
    .values(
        last_login_at=bindparam("seen", type_=UTCDateTime()),
        updated_at=bindparam("seen", type_=UTCDateTime()),
        last_login_ip=bindparam("ip"),
    ),
)
_READ_SEEN = hot_statement(
    "tests.read_seen",
    select(User.last_login_at, User.last_login_ip).where(User.name == bindparam("who")),
)
# updated_at left to the ORM's onupdate, which only SQLAlchemy's execution computes
_SEEN_LEAVING_UPDATED_AT = hot_statement(
    "tests.seen_leaving_updated_at",
    update(User).where(User.name == bindparam("who")).values(last_login_ip=bindparam("ip")),
)
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
    expected = DriverRunner if database.engine.dialect.name == "postgresql" else ConnectionRunner
    assert isinstance(database.core, expected)


async def test_the_hot_path_borrows_from_the_engines_one_pool(
    live_app: FastAPI, settings: Settings
) -> None:
    """No second pool: each statement runs on a connection checked out of SQLAlchemy's and
    given back."""
    database = await with_user(live_app, settings, "pooled")
    checkouts: list[object] = []

    def counted(dbapi_connection: object, _record: object, _proxy: object) -> None:
        checkouts.append(dbapi_connection)

    pool = database.engine.sync_engine.pool
    event.listen(pool, "checkout", counted)
    try:
        before = pool.checkedout()
        assert await database.core.fetch_one(_READ_SEEN, {"who": "pooled"}) is not None
        async with database.core.transaction() as statements:
            await statements.execute(_SEEN_AT, seen("pooled"))
    finally:
        event.remove(pool, "checkout", counted)
    assert len(checkouts) == 2
    assert pool.checkedout() == before


async def test_a_statement_off_the_closed_list_is_refused(live_app: FastAPI) -> None:
    database = database_of(live_app)
    with pytest.raises(TypeError, match="not a hot statement"):
        await database.core.fetch_one(select(User.id), {})


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


async def test_a_statement_leaving_a_python_default_is_refused_on_the_driver(
    live_app: FastAPI, settings: Settings
) -> None:
    """`updated_at`'s onupdate needs SQLAlchemy's execution: the driver runner will not guess it,
    and SQLAlchemy's own runner computes it."""
    database = await with_user(live_app, settings, "touched")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    async with database.transaction() as session:
        await session.execute(
            update(User).where(User.name == "touched").values(updated_at=long_ago)
        )

    async def touch() -> None:
        async with database.core.transaction() as statements:
            await statements.execute(_SEEN_LEAVING_UPDATED_AT, {"who": "touched", "ip": "::1"})

    if isinstance(database.core, DriverRunner):
        with pytest.raises(TypeError, match=r"users\.updated_at"):
            await touch()
    else:
        await touch()
        async with database.transaction() as session:
            stored = await session.scalar(select(User.updated_at).where(User.name == "touched"))
        assert stored is not None
        assert stored > long_ago
