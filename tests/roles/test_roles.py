"""Roles API and the permission names: reading, managing, granting, deleting, the audit."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.models import Log, Role
from apidock.permissions import SEEDED_ROLES, Permission, permission_names
from tests.factories import bearer, create_user, role_id

ROLES = "/api/v1/roles"


async def role_actions(session: AsyncSession) -> list[tuple[str, int | None]]:
    rows = await session.execute(
        select(Log.action, Log.target_id).where(Log.target_type == "role").order_by(Log.id)
    )
    return [(action or "", target) for action, target in rows]


async def test_permissions_lists_every_name(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, settings)
    assert (await client.get("/api/v1/permissions")).status_code == 401
    answer = await client.get("/api/v1/permissions", headers=bearer(app, user))
    assert answer.json()["data"]["permissions"] == [flag.api_name for flag in Permission]


async def test_anyone_signed_in_lists_and_reads_roles_by_name(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, settings)
    headers = bearer(app, user)
    assert (await client.get(ROLES)).status_code == 401
    roles = (await client.get(ROLES, headers=headers)).json()["data"]["roles"]
    assert {role["title"]: role["permissions"] for role in roles} == {
        title: permission_names(bits) for title, bits in SEEDED_ROLES.items()
    }
    assert [role["title"] for role in roles if role["default"]] == ["User"]
    qa = await client.get(f"{ROLES}/{await role_id(session, 'QA')}", headers=headers)
    assert qa.json()["data"]["permissions"] == [
        "read_users",
        "read_docs",
        "write_docs",
        "read_logs",
    ]
    assert (await client.get(f"{ROLES}/999999", headers=headers)).status_code == 404
    assert (await client.get(f"{ROLES}/0", headers=headers)).status_code == 422


async def test_manager_creates_updates_and_deletes_a_role_with_audit(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    made = await client.post(
        ROLES,
        json={"title": " Reviewer ", "permissions": ["read_docs", "read_users"]},
        headers=headers,
    )
    assert made.status_code == 201
    data = made.json()["data"]
    assert (data["title"], data["permissions"], data["default"]) == (
        "Reviewer",
        ["read_users", "read_docs"],
        False,
    )
    role = await session.get(Role, data["id"])
    assert role is not None
    assert role.permissions == int(Permission.READ_USERS | Permission.READ_DOCS)

    renamed = await client.patch(f"{ROLES}/{role.id}", json={"title": "Critic"}, headers=headers)
    assert renamed.json()["data"]["permissions"] == ["read_users", "read_docs"]
    regranted = await client.patch(
        f"{ROLES}/{role.id}", json={"permissions": ["write_docs"]}, headers=headers
    )
    assert (regranted.json()["data"]["title"], regranted.json()["data"]["permissions"]) == (
        "Critic",
        ["write_docs"],
    )
    assert (await client.delete(f"{ROLES}/{role.id}", headers=headers)).status_code == 200
    assert (await client.get(f"{ROLES}/{role.id}", headers=headers)).status_code == 404
    assert await role_actions(session) == [
        ("role.create", role.id),
        ("role.update", role.id),
        ("role.update", role.id),
        ("role.delete", role.id),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "permissions": []},
        {"title": "   ", "permissions": []},
        {"title": "t" * 81, "permissions": []},
        {"title": "Bad", "permissions": ["fly"]},
        {"title": "Bits", "permissions": 1023},
        {"title": "Extra", "permissions": [], "default": True},
        {"permissions": ["read_docs"]},
    ],
)
async def test_create_rejects_bad_input_with_422(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    body: dict[str, object],
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    before = await session.scalar(select(func.count()).select_from(Role))
    answer = await client.post(ROLES, json=body, headers=bearer(app, admin))
    assert answer.status_code == 422
    assert await session.scalar(select(func.count()).select_from(Role)) == before


@pytest.mark.parametrize("body", [{"title": None}, {"permissions": None}, {"id": 5}])
async def test_update_rejects_null_and_unknown_fields(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    body: dict[str, object],
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    qa = await role_id(session, "QA")
    answer = await client.patch(f"{ROLES}/{qa}", json=body, headers=bearer(app, admin))
    assert answer.status_code == 422


@pytest.mark.parametrize("title", ["QA", "qa", "Developer"])
async def test_duplicate_title_is_409_and_logs_nothing(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings, title: str
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    made = await client.post(ROLES, json={"title": title, "permissions": []}, headers=headers)
    assert made.status_code == 409
    user_role = await role_id(session, "User")
    renamed = await client.patch(f"{ROLES}/{user_role}", json={"title": title}, headers=headers)
    assert renamed.status_code == 409
    assert await role_actions(session) == []


async def test_role_management_needs_manage_roles(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    qa_user = await create_user(session, settings, role="QA")
    headers = bearer(app, qa_user)
    qa = await role_id(session, "QA")
    assert (
        await client.post(ROLES, json={"title": "X", "permissions": []}, headers=headers)
    ).status_code == 403
    assert (
        await client.patch(f"{ROLES}/{qa}", json={"title": "Y"}, headers=headers)
    ).status_code == 403
    assert (await client.delete(f"{ROLES}/{qa}", headers=headers)).status_code == 403


async def test_a_manager_cannot_grant_or_edit_rights_they_lack(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    keeper_role = await client.post(
        ROLES,
        json={"title": "Keeper", "permissions": ["manage_roles", "read_docs"]},
        headers=bearer(app, admin),
    )
    keeper = await create_user(session, settings, role="Keeper")
    headers = bearer(app, keeper)
    keeper_id = keeper_role.json()["data"]["id"]

    for permissions in (["admin"], ["read_docs", "delete_users"]):
        answer = await client.post(
            ROLES, json={"title": "Grab", "permissions": permissions}, headers=headers
        )
        assert answer.status_code == 403
    # their own role: no more than they hold
    own = await client.patch(
        f"{ROLES}/{keeper_id}", json={"permissions": ["manage_roles", "admin"]}, headers=headers
    )
    assert own.status_code == 403
    # a role holding more than they do is out of their reach, even to strip it
    admin_role = await role_id(session, "Administrator")
    strip = await client.patch(f"{ROLES}/{admin_role}", json={"permissions": []}, headers=headers)
    assert strip.status_code == 403
    allowed = await client.post(
        ROLES, json={"title": "Reader", "permissions": ["read_docs"]}, headers=headers
    )
    assert allowed.status_code == 201
    role = await session.get(Role, admin_role)
    assert role is not None
    await session.refresh(role)
    assert role.permissions == int(SEEDED_ROLES["Administrator"])


async def test_delete_is_409_while_held_even_by_a_deleted_user_and_for_the_default(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    made = await client.post(ROLES, json={"title": "Temp", "permissions": []}, headers=headers)
    temp_id = made.json()["data"]["id"]
    holder = await create_user(session, settings, role="Temp")
    assert (await client.delete(f"{ROLES}/{temp_id}", headers=headers)).status_code == 409
    assert (await client.delete(f"/api/v1/users/{holder.id}", headers=headers)).status_code == 200
    assert (await client.delete(f"{ROLES}/{temp_id}", headers=headers)).status_code == 409
    default = await role_id(session, "User")
    assert (await client.delete(f"{ROLES}/{default}", headers=headers)).status_code == 409
    assert (await client.delete(f"{ROLES}/999999", headers=headers)).status_code == 404
    assert [action for action, _ in await role_actions(session)] == ["role.create"]


async def test_permission_change_applies_to_holders_at_once(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    dev = await create_user(session, settings, role="Developer")
    dev_headers = bearer(app, dev)
    assert (await client.get("/api/v1/users", headers=dev_headers)).status_code == 200
    developer = await role_id(session, "Developer")
    await client.patch(
        f"{ROLES}/{developer}", json={"permissions": ["read_docs"]}, headers=bearer(app, admin)
    )
    assert (await client.get("/api/v1/users", headers=dev_headers)).status_code == 403


async def test_openapi_names_each_routes_permission(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    expected = {
        ("get", "/api/v1/users"): "read_users",
        ("post", "/api/v1/users"): "write_users",
        ("get", "/api/v1/users/me"): "signed in",
        ("patch", "/api/v1/users/me"): "signed in",
        ("get", "/api/v1/users/{user_id}"): "read_users",
        ("patch", "/api/v1/users/{user_id}"): "block_users",
        ("delete", "/api/v1/users/{user_id}"): "delete_users",
        ("get", "/api/v1/permissions"): "signed in",
        ("get", "/api/v1/roles"): "signed in",
        ("post", "/api/v1/roles"): "manage_roles",
        ("get", "/api/v1/roles/{role_id}"): "signed in",
        ("patch", "/api/v1/roles/{role_id}"): "manage_roles",
        ("delete", "/api/v1/roles/{role_id}"): "manage_roles",
    }
    for (method, path), permission in expected.items():
        description = spec["paths"][path][method]["description"]
        assert "Requires:" in description
        assert permission in description, (method, path)
