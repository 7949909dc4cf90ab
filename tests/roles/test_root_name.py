"""The root administrator is found by its name's key: `APP_ROOT_ADMIN` in any case or width.

Deploy stores `APP_ROOT_ADMIN` normalised (NFKC), and keeps an existing user whose name differs
from it only in case; every protection of the root, and the root's own powers, must hold then.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from apidock.models import Log, User
from apidock.users.models import UserStatus
from tests.conftest import make_client, make_settings
from tests.factories import bearer, create_user, role_id

USERS = "/api/v1/users"
ME = "/api/v1/users/me"

# (APP_ROOT_ADMIN as written, the root's name as stored); the \uff.. letters are fullwidth
SPELLINGS = [
    pytest.param(("\uff53\uff59\uff53\uff4f\uff50", "sysop"), id="fullwidth-setting"),
    pytest.param(("\uff33\uff39\uff33\uff2f\uff30", "sysop"), id="fullwidth-upper-setting"),
    pytest.param(("SysOp", "sysop"), id="other-case-setting"),
    pytest.param(("sysop", "SYSOP"), id="other-case-stored"),
    pytest.param((" SysOp ", "sysop"), id="spaced-setting"),
    pytest.param(("sysop", "\uff53\uff59\uff53\uff4f\uff50"), id="fullwidth-stored"),
]


@pytest.fixture(params=SPELLINGS)
def spelling(request: pytest.FixtureRequest) -> tuple[str, str]:
    setting, stored = request.param
    return str(setting), str(stored)


@pytest.fixture
async def root_app(
    settings: Settings, engine: AsyncEngine, app: FastAPI, tmp_path: Path, spelling: tuple[str, str]
) -> FastAPI:
    """The application with `APP_ROOT_ADMIN` as written, on the test's transaction."""
    configured = make_settings(settings.database_url, tmp_path, APP_ROOT_ADMIN=spelling[0])
    application = create_app(configured, database=Database(engine))
    application.dependency_overrides = app.dependency_overrides
    return application


@pytest.fixture
async def root_client(root_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(root_app) as http:
        yield http


async def test_another_administrator_cannot_touch_the_root(
    root_client: httpx.AsyncClient,
    root_app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    spelling: tuple[str, str],
) -> None:
    root = await create_user(session, settings, name=spelling[1], role="Administrator")
    admin = bearer(root_app, await create_user(session, settings, role="Administrator"))
    for body in (
        {"status": "blocked"},
        {"role_id": await role_id(session, "User")},
        {"name": "notroot"},
        {"password": "hijacked pw"},
    ):
        answer = await root_client.patch(f"{USERS}/{root.id}", json=body, headers=admin)
        assert answer.status_code == 403, (body, answer.text)
        assert "root administrator" in answer.json()["message"]
    deleted = await root_client.delete(f"{USERS}/{root.id}", headers=admin)
    assert deleted.status_code == 403
    admin_role = await role_id(session, "Administrator")
    stripped = await root_client.patch(
        f"/api/v1/roles/{admin_role}", json={"permissions": ["read_docs"]}, headers=admin
    )
    assert stripped.status_code == 403
    assert stripped.json()["message"] == "The root administrator's role keeps its permissions"
    await session.refresh(root)
    assert (root.name, root.status, root.deleted_at, root.role_id) == (
        spelling[1],
        UserStatus.NORMAL,
        None,
        admin_role,
    )
    assert await session.scalar(select(func.count()).select_from(Log)) == 0


async def test_the_root_cannot_rename_itself_nor_demote_its_role(
    root_client: httpx.AsyncClient,
    root_app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    spelling: tuple[str, str],
) -> None:
    root = await create_user(session, settings, name=spelling[1], role="Administrator")
    headers = bearer(root_app, root)
    for url in (ME, f"{USERS}/{root.id}"):
        renamed = await root_client.patch(url, json={"name": "notroot"}, headers=headers)
        assert renamed.status_code == 403, url
    admin_role = await role_id(session, "Administrator")
    stripped = await root_client.patch(
        f"/api/v1/roles/{admin_role}", json={"permissions": ["read_docs"]}, headers=headers
    )
    assert stripped.status_code == 403
    await session.refresh(root)
    assert root.name == spelling[1]


async def test_the_root_keeps_its_powers(
    root_client: httpx.AsyncClient,
    root_app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    spelling: tuple[str, str],
) -> None:
    # the root's powers are its own, not its role's: even holding only the User role it
    # reads, blocks and re-roles an administrator
    root = await create_user(session, settings, name=spelling[1], role="User")
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(root_app, root)
    blocked = await root_client.patch(
        f"{USERS}/{admin.id}",
        json={"status": "blocked", "role_id": await role_id(session, "Developer")},
        headers=headers,
    )
    assert blocked.status_code == 200, blocked.text
    await session.refresh(admin)
    assert admin.status == UserStatus.BLOCKED


async def test_another_name_is_not_the_root(
    root_client: httpx.AsyncClient, root_app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    impostor = await create_user(session, settings, name="sysop0", role="Administrator")
    admin = bearer(root_app, await create_user(session, settings, role="Administrator"))
    blocked = await root_client.patch(
        f"{USERS}/{impostor.id}", json={"status": "blocked"}, headers=admin
    )
    assert blocked.status_code == 200
    assert (await session.get(User, impostor.id)) is not None
