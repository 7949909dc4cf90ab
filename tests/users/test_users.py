"""Users API: listing, creation, one's own profile, changes by others, deletion and the audit."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.models import Log, User
from apidock.users.models import UserStatus
from tests.factories import bearer, create_user, role_id

USERS = "/api/v1/users"
USER_FIELDS = {
    "id",
    "name",
    "role_id",
    "status",
    "last_login_at",
    "last_login_ip",
    "created_at",
    "updated_at",
    "deleted_at",
}


async def actions_on(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.scalars(
        select(Log.action)
        .where(Log.target_type == "user", Log.target_id == user_id)
        .order_by(Log.id)
    )
    return [action or "" for action in rows]


async def log_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Log)) or 0


async def fresh(session: AsyncSession, user: User) -> User:
    await session.refresh(user)
    return user


# --- listing ---------------------------------------------------------------------------------


async def test_list_pages_filters_and_never_shows_a_hash(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    reader = await create_user(session, settings, name="Reader", role="Developer")
    for index in range(3):
        await create_user(session, settings, name=f"Ann_{index}")
    await create_user(session, settings, name="annex")
    await create_user(session, settings, name="Bob", status=UserStatus.BLOCKED)

    answer = await client.get(USERS, params={"per_page": 2}, headers=bearer(app, reader))
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert (data["page"], data["per_page"], data["total"]) == (1, 2, 6)
    assert data["prev"] is None
    assert "page=2" in data["next"]
    assert set(data["users"][0]) == USER_FIELDS
    assert "hash" not in answer.text
    assert "password" not in answer.text

    last = await client.get(USERS, params={"page": 3, "per_page": 2}, headers=bearer(app, reader))
    assert last.json()["data"]["next"] is None
    assert len(last.json()["data"]["users"]) == 2

    by_name = await client.get(USERS, params={"name": "ANN"}, headers=bearer(app, reader))
    assert sorted(u["name"] for u in by_name.json()["data"]["users"]) == [
        "Ann_0",
        "Ann_1",
        "Ann_2",
        "annex",
    ]
    # `_` is a literal underscore, not a wildcard
    underscore = await client.get(USERS, params={"name": "n_"}, headers=bearer(app, reader))
    assert [u["name"] for u in underscore.json()["data"]["users"]] == ["Ann_0", "Ann_1", "Ann_2"]
    percent = await client.get(USERS, params={"name": "%"}, headers=bearer(app, reader))
    assert percent.json()["data"]["total"] == 0

    blocked = await client.get(USERS, params={"status": "blocked"}, headers=bearer(app, reader))
    assert [(u["name"], u["status"]) for u in blocked.json()["data"]["users"]] == [
        ("Bob", "blocked")
    ]
    developers = await client.get(
        USERS,
        params={"role_id": await role_id(session, "Developer")},
        headers=bearer(app, reader),
    )
    assert [u["name"] for u in developers.json()["data"]["users"]] == ["Reader"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": 10**12},
        {"per_page": 0},
        {"per_page": 101},
        {"page": "x"},
        {"status": "deleted"},
        {"role_id": 2**40},
    ],
)
async def test_list_out_of_bounds_query_is_422(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    params: dict[str, object],
) -> None:
    reader = await create_user(session, settings, role="Developer")
    answer = await client.get(USERS, params=params, headers=bearer(app, reader))
    assert answer.status_code == 422
    assert answer.json()["status"] == "error"


async def test_list_needs_read_users_and_include_deleted_needs_delete_users(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    plain = await create_user(session, settings)
    reader = await create_user(session, settings, role="Developer")
    admin = await create_user(session, settings, role="Administrator")
    gone = await create_user(session, settings, name="gone")
    assert (await client.get(USERS)).status_code == 401
    assert (await client.get(USERS, headers=bearer(app, plain))).status_code == 403
    denied = await client.get(USERS, params={"include_deleted": True}, headers=bearer(app, reader))
    assert denied.status_code == 403

    assert (
        await client.delete(f"{USERS}/{gone.id}", headers=bearer(app, admin))
    ).status_code == 200
    hidden = await client.get(USERS, params={"name": "gone"}, headers=bearer(app, admin))
    assert hidden.json()["data"]["total"] == 0
    shown = await client.get(
        USERS, params={"name": "gone", "include_deleted": True}, headers=bearer(app, admin)
    )
    assert shown.json()["data"]["users"][0]["deleted_at"] is not None


# --- creation --------------------------------------------------------------------------------


async def test_create_gives_the_default_role_and_audits(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    answer = await client.post(
        USERS,
        json={"name": "  \uff23\uff41\uff52\uff4f\uff4c ", "password": "s3cret-enough"},
        headers=bearer(app, admin),
    )
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["name"] == "Carol"  # NFKC folds the full-width letters, spaces are trimmed
    assert data["role_id"] == await role_id(session, "User")
    assert data["status"] == "normal"
    assert set(data) == USER_FIELDS
    assert await actions_on(session, data["id"]) == ["user.create"]
    log = await session.scalar(select(Log).where(Log.target_id == data["id"]))
    assert log is not None
    assert (log.user_id, log.ip) == (admin.id, "127.0.0.1")

    login = await client.post("/api/v1/login", json={"name": "carol", "password": "s3cret-enough"})
    assert login.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "password": "long enough"},
        {"name": "a" * 21, "password": "long enough"},
        {"name": "bad\x07name", "password": "long enough"},
        {"name": "zero\u200bwidth", "password": "long enough"},
        {"name": "shorty", "password": "short"},
        {"name": "longpw", "password": "p" * 129},
        {"name": "hashy", "password": "long enough", "password_hash": "x"},
        {"name": "stat", "password": "long enough", "status": "blocked"},
        {"password": "long enough"},
        {"name": "nullrole", "password": "long enough", "role_id": 0},
    ],
)
async def test_create_rejects_bad_input_with_422_and_writes_nothing(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    body: dict[str, object],
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    before = await session.scalar(select(func.count()).select_from(User))
    answer = await client.post(USERS, json=body, headers=bearer(app, admin))
    assert answer.status_code == 422
    assert await session.scalar(select(func.count()).select_from(User)) == before
    assert await log_count(session) == 0


async def test_create_with_unknown_role_is_422(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    answer = await client.post(
        USERS,
        json={"name": "norole", "password": "long enough", "role_id": 99999},
        headers=bearer(app, admin),
    )
    assert answer.status_code == 422
    assert answer.json()["data"][0]["field"] == "body.role_id"


@pytest.mark.parametrize("taken", ["dave", "DAVE", "\uff24\uff41\uff56\uff45", " Dave "])
async def test_duplicate_name_is_409_without_regard_to_case_or_width(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    taken: str,
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    await create_user(session, settings, name="Dave")
    answer = await client.post(
        USERS, json={"name": taken, "password": "long enough"}, headers=bearer(app, admin)
    )
    assert answer.status_code == 409
    assert await log_count(session) == 0


async def test_create_needs_write_users_and_another_role_needs_manage_roles(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    plain = await create_user(session, settings)
    body = {"name": "newbie", "password": "long enough"}
    assert (await client.post(USERS, json=body)).status_code == 401
    assert (await client.post(USERS, json=body, headers=bearer(app, plain))).status_code == 403

    writer_role = await client.post(
        "/api/v1/roles",
        # read_docs too: the default role holds it, and nobody grants what they lack
        json={"title": "Writer", "permissions": ["write_users", "read_users", "read_docs"]},
        headers=bearer(app, await create_user(session, settings, role="Administrator")),
    )
    writer = await create_user(session, settings, role="Writer")
    assert writer_role.status_code == 201
    as_admin = {**body, "role_id": await role_id(session, "Administrator")}
    answer = await client.post(USERS, json=as_admin, headers=bearer(app, writer))
    assert answer.status_code == 403
    assert (await client.post(USERS, json=body, headers=bearer(app, writer))).status_code == 200


async def test_eight_racing_creations_give_one_success_and_seven_409(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    database = live_app.state.database
    async with database.transaction() as session:
        admin = await create_user(session, settings, role="Administrator")
    headers = bearer(live_app, admin)

    async def create(index: int) -> int:
        name = "Racer" if index % 2 else "RACER"
        answer = await live_client.post(
            USERS, json={"name": name, "password": "long enough"}, headers=headers
        )
        return answer.status_code

    codes = await asyncio.gather(*(create(index) for index in range(8)))
    assert sorted(codes) == [200] + [409] * 7
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(User.name_key == "racer")
        )
        logs = await session.scalar(
            select(func.count()).select_from(Log).where(Log.action == "user.create")
        )
    assert (count, logs) == (1, 1)
