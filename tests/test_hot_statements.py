"""The closed list of hot statements, each held to the ORM path it replaces, on every database.

The lists (`GET /users`, `GET /apis`) run on the Core runner (`db.hot_pages`), on PostgreSQL
on asyncpg's connection out of SQLAlchemy's pool: every set of filters each list takes is
compared, page by page, with the ORM's `paginate` of the same query written as the services
wrote it, on real connections of SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import combinations
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

import apidock.models  # noqa: F401 (every hot statement's module loaded)
from apidock.apis import hot_list as api_list
from apidock.apis.models import Api, ApiStatus
from apidock.apis.schemas import ApiRead
from apidock.apps.models import App
from apidock.config import Settings
from apidock.db import HOT_STATEMENTS, Database
from apidock.db import hot_pages as hot_pages_module
from apidock.db import pages as pages_module
from apidock.db.hot_pages import HotList
from apidock.db.pages import PageParams, paginate
from apidock.db.queries import contains_text
from apidock.groups.models import ApiGroup
from apidock.users import hot_list as user_list
from apidock.users.models import User, UserStatus
from apidock.users.names import name_key
from apidock.users.schemas import UserRead
from tests.factories import create_user, role_id

# The statements that are not a list's, each with the tests that hold it to its ORM path.
TESTED_ELSEWHERE = {
    "auth.caller": "tests/users/test_read_for_caller.py, tests/users/test_authz_holes.py",
    "users.read_for_caller": "tests/users/test_read_for_caller.py",
    "auth.sign_in_candidate": "tests/auth/test_login.py",
    "auth.record_sign_in": "tests/auth/test_login.py",
    "auth.store_refresh_token": "tests/auth/test_login.py, tests/auth/test_sessions.py",
    "auth.purge_revoked_tokens": "tests/auth/test_sessions.py",
    "auth.purge_refresh_tokens": "tests/auth/test_sessions.py",
    "mock.find_app": "tests/mock/test_mock_instances.py, tests/mock/test_mock_access.py",
}
LISTS = (user_list.USERS, api_list.APIS)
DIALECTS = ("postgresql", "mysql", "sqlite")


def test_every_hot_statement_is_on_the_closed_list() -> None:
    for hot in LISTS:
        for given in hot.variants():
            for dialect in DIALECTS:
                hot.statements(given, dialect)
    for name in HOT_STATEMENTS:
        if name.startswith("tests."):
            continue
        assert name in TESTED_ELSEWHERE or name.startswith(tuple(f"{h.name}[" for h in LISTS)), (
            f"{name}: a hot statement nobody holds to its ORM path"
        )
    assert set(TESTED_ELSEWHERE) <= set(HOT_STATEMENTS)


def subsets(names: list[str]) -> Iterator[tuple[str, ...]]:
    for size in range(len(names) + 1):
        yield from combinations(names, size)


def params(page: int, per_page: int, path: str) -> PageParams:
    return PageParams(page=page, per_page=per_page, path=path)


async def seed_users(session: AsyncSession, settings: Settings) -> None:
    names = [
        "alpha",
        "Alpha_2",
        "be%ta",
        "ga/mma",
        "\uff24\uff25\uff2c\uff34\uff21",
        "epsilon",
        "zeta",
        "eta_",
    ]
    for number, name in enumerate(names):
        user = await create_user(
            session,
            settings,
            name=name,
            role="Developer" if number % 3 == 0 else "User",
            status=UserStatus.BLOCKED if number % 4 == 1 else UserStatus.NORMAL,
        )
        if number % 5 == 2:
            user.deleted_at = user.created_at
            await session.commit()


def orm_users(filters: dict[str, Any]) -> Select[Any]:
    """The users' list as the ORM service wrote it."""
    statement = select(User).order_by(User.id)
    if "name" in filters:
        statement = statement.where(
            contains_text(User.name_key, name_key(filters["name"]), ignore_case=False)
        )
    if "status" in filters:
        statement = statement.where(User.status == int(filters["status"]))
    if "role_id" in filters:
        statement = statement.where(User.role_id == filters["role_id"])
    if not filters.get("include_deleted"):
        statement = statement.where(User.deleted_at.is_(None))
    return statement


async def compare(
    session: AsyncSession,
    hot_page: Any,
    orm: Select[Any],
    read: type[UserRead] | type[ApiRead],
    path: str,
) -> None:
    """The hot list and the ORM's, on every page of 2 rows and one past the end."""
    for page in range(1, 7):
        page_params = params(page, 2, path)
        hot_rows, hot_meta = await hot_page(page_params)
        orm_rows, orm_meta = await paginate(session, orm, page_params)
        assert hot_meta == orm_meta, (path, page)
        assert [read.model_validate(row) for row in hot_rows] == [
            read.model_validate(row) for row in orm_rows
        ], (path, page)


async def test_the_users_list_matches_the_orm_for_every_filter(
    live_app: FastAPI, settings: Settings
) -> None:
    database: Database = live_app.state.database
    async with database.sessionmaker() as session:
        await seed_users(session, settings)
        values: dict[str, Any] = {
            "name": "A",  # a fragment, any case or width (the fullwidth DELTA too)
            "status": UserStatus.NORMAL,
            "role_id": await role_id(session, "User"),
            "include_deleted": True,
        }
        for literal_name in ("%", "_", "/", "ta", "\uff45\uff54\uff41", "nobody"):
            await _compare_users(session, database, {"name": literal_name})
        for chosen in subsets(sorted(values)):
            await _compare_users(session, database, {key: values[key] for key in chosen})


async def _compare_users(
    session: AsyncSession, database: Database, filters: dict[str, Any]
) -> None:
    async def hot_page(page_params: PageParams) -> Any:
        return await user_list.page(database.core, params=page_params, **filters)

    await compare(session, hot_page, orm_users(filters), UserRead, f"/users {sorted(filters)}")


async def seed_apis(session: AsyncSession) -> dict[str, Any]:
    apps = [App(title=f"App {n}", slug=f"app-{n}", version="1.0") for n in range(2)]
    session.add_all(apps)
    await session.flush()
    group = ApiGroup(app_id=apps[0].id, title="Group")
    session.add(group)
    await session.flush()
    texts = ["users 100%", "orders_all", "a/b path", "Search", "plain", "UPPER text"]
    for number in range(12):
        session.add(
            Api(
                app_id=apps[number % 2].id,
                group_id=group.id if number % 3 == 0 else None,
                title=texts[number % len(texts)],
                description="has 100% and under_score" if number % 4 == 0 else None,
                request_url=f"/things/{number % 5}",
                request_method=("GET", "POST", "DELETE")[number % 3],
                status=int((ApiStatus.DEVELOPING, ApiStatus.RELEASED)[number % 2]),
                deleted_at=apps[0].created_at if number == 7 else None,
            )
        )
    await session.commit()
    return {
        "app_id": apps[0].id,
        "group_id": group.id,
        "method": "get",
        "status": "released",
        "q": "%",
    }


def orm_apis(filters: dict[str, Any]) -> Select[Any]:
    """The APIs' list as the ORM service wrote it."""
    statement = (
        select(Api)
        .where(Api.deleted_at.is_(None))
        .order_by(Api.app_id, Api.request_url, Api.request_method, Api.id)
    )
    if "app_id" in filters:
        statement = statement.where(Api.app_id == filters["app_id"])
    if "group_id" in filters:
        statement = statement.where(Api.group_id == filters["group_id"])
    if "method" in filters:
        statement = statement.where(Api.request_method == filters["method"].upper())
    if "status" in filters:
        statement = statement.where(Api.status == int(ApiStatus[filters["status"].upper()]))
    if filters.get("q"):
        q = filters["q"]
        statement = statement.where(
            or_(
                contains_text(Api.title, q),
                contains_text(Api.request_url, q),
                contains_text(Api.description, q),
            )
        )
    return statement


async def test_the_apis_list_matches_the_orm_for_every_filter(live_app: FastAPI) -> None:
    database: Database = live_app.state.database
    async with database.sessionmaker() as session:
        values = await seed_apis(session)
        for q in ("_", "/", "search", "upper T", "100%"):
            await _compare_apis(session, database, {"q": q})
        for chosen in subsets(sorted(values)):
            await _compare_apis(session, database, {key: values[key] for key in chosen})


async def _compare_apis(session: AsyncSession, database: Database, filters: dict[str, Any]) -> None:
    async def hot_page(page_params: PageParams) -> Any:
        return await api_list.page(database.core, params=page_params, **filters)

    await compare(session, hot_page, orm_apis(filters), ApiRead, f"/apis {sorted(filters)}")


async def test_past_the_exact_limit_the_total_is_the_orms_estimate(
    live_app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More matching rows than the exact limit: the planner's estimate (the exact count on
    SQLite), as the ORM path gives, never fewer than the rows seen."""
    monkeypatch.setattr(pages_module, "EXACT_TOTAL_LIMIT", 3)
    small = HotList(
        f"tests.small_limit.{id(monkeypatch)}",
        source=User.__table__,
        columns=[User.__table__.c[column] for column in UserRead.model_fields],
        order_by=[User.__table__.c.id],
        filters={},
        switches={"live": User.deleted_at.is_(None)},
    )
    database: Database = live_app.state.database
    async with database.sessionmaker() as session:
        await seed_users(session, settings)

        async def hot_page(page_params: PageParams) -> Any:
            return await small.page(database.core, page_params, live=True)

        await compare(session, hot_page, orm_users({}), UserRead, "/users")
        _, meta = await hot_page(params(1, 2, "/users"))
    assert meta["total_is_estimate"] is (database.engine.dialect.name != "sqlite")


async def test_the_planners_estimate_is_kept_a_few_seconds(
    live_app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the exact limit the estimate is read once for the same filters, then again once
    `ESTIMATE_SECONDS` have passed; the exact count (SQLite) is read every time."""
    monkeypatch.setattr(pages_module, "EXACT_TOTAL_LIMIT", 3)
    kept = HotList(
        f"tests.kept_estimate.{id(monkeypatch)}",
        source=User.__table__,
        columns=[User.__table__.c.id],
        order_by=[User.__table__.c.id],
        filters={},
    )
    database: Database = live_app.state.database
    async with database.sessionmaker() as session:
        await seed_users(session, settings)
    beyond = kept.statements(frozenset(), database.engine.dialect.name).beyond
    reads: list[object] = []
    fetch_one = database.core.fetch_one

    async def counting(statement: Any, params: Any) -> Any:
        reads.append(statement)
        return await fetch_one(statement, params)

    monkeypatch.setattr(database.core, "fetch_one", counting)
    for _ in range(3):
        _, meta = await kept.page(database.core, params(1, 2, "/users"))
        assert meta["total"] >= 3
    planner = database.engine.dialect.name != "sqlite"
    assert reads.count(beyond) == (1 if planner else 3)
    later = time.monotonic() + hot_pages_module.ESTIMATE_SECONDS + 1
    monkeypatch.setattr(hot_pages_module, "_clock", lambda: later)
    await kept.page(database.core, params(1, 2, "/users"))
    await kept.page(database.core, params(1, 2, "/users"))
    assert reads.count(beyond) == (2 if planner else 5)
