"""Users API: one's own profile, changes by others, escalation attempts, root, delete, audit."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.models import Log, User
from apidock.users.models import UserStatus
from apidock.work import UnitOfWork
from tests.factories import DEFAULT_PASSWORD, bearer, create_user, role_id

USERS = "/api/v1/users"
ME = "/api/v1/users/me"


async def actions_on(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.scalars(
        select(Log.action)
        .where(Log.target_type == "user", Log.target_id == user_id)
        .order_by(Log.id)
    )
    return [action or "" for action in rows]


async def log_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Log)) or 0


async def login(client: httpx.AsyncClient, name: str, password: str = DEFAULT_PASSWORD) -> int:
    answer = await client.post("/api/v1/login", json={"name": name, "password": password})
    return answer.status_code


async def root_user(session: AsyncSession, settings: Settings) -> User:
    return await create_user(session, settings, name=settings.app_root_admin, role="Administrator")


# --- one's own profile -----------------------------------------------------------------------


async def test_anyone_reads_and_renames_themselves(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    me = await create_user(session, settings, name="erin")
    headers = bearer(app, me)
    assert (await client.get(ME, headers=headers)).json()["data"]["name"] == "erin"
    assert (await client.get(f"{USERS}/{me.id}", headers=headers)).status_code == 200
    answer = await client.patch(ME, json={"name": "Erin2"}, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["data"]["name"] == "Erin2"
    assert await actions_on(session, me.id) == ["user.rename"]
    # the name is not a credential: the token stays valid
    assert (await client.get(ME, headers=headers)).status_code == 200


async def test_own_password_change_needs_the_current_one_and_cuts_off_tokens(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    me = await create_user(session, settings, name="frank")
    headers = bearer(app, me)
    missing = await client.patch(ME, json={"password": "brand new pw"}, headers=headers)
    assert missing.status_code == 422
    wrong = await client.patch(
        ME, json={"password": "brand new pw", "current_password": "nope nope"}, headers=headers
    )
    assert wrong.status_code == 403
    assert await log_count(session) == 0

    right = await client.patch(
        ME,
        json={"password": "brand new pw", "current_password": DEFAULT_PASSWORD},
        headers=headers,
    )
    assert right.status_code == 200
    assert "brand new pw" not in right.text
    assert (await client.get(ME, headers=headers)).status_code == 401
    assert await login(client, "frank") == 401
    assert await login(client, "frank", "brand new pw") == 200
    assert await actions_on(session, me.id) == ["user.password"]


@pytest.mark.parametrize(
    "body",
    [
        {"role_id": 1},
        {"status": "normal"},
        {"password_hash": "x"},
        {"token_version": 0},
        {"name": None},
        {"id": 1},
    ],
)
async def test_own_profile_refuses_other_fields_with_422(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    body: dict[str, object],
) -> None:
    me = await create_user(session, settings, name="gina")
    before = (me.role_id, me.status, me.password_hash, me.name)
    answer = await client.patch(ME, json=body, headers=bearer(app, me))
    assert answer.status_code == 422
    await session.refresh(me)
    assert (me.role_id, me.status, me.password_hash, me.name) == before
    assert await log_count(session) == 0


# --- a plain user trying to escalate ---------------------------------------------------------


async def test_plain_user_cannot_escalate_in_any_way(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    plain = await create_user(session, settings, name="mallory")
    other = await create_user(session, settings, name="victim")
    headers = bearer(app, plain)
    admin_role = await role_id(session, "Administrator")
    attempts = [
        ("PATCH", f"{USERS}/{plain.id}", {"role_id": admin_role}),
        ("PATCH", f"{USERS}/{plain.id}", {"status": "normal"}),
        ("PATCH", f"{USERS}/{other.id}", {"name": "pwned"}),
        ("PATCH", f"{USERS}/{other.id}", {"password": "taken over!"}),
        ("PATCH", f"{USERS}/{other.id}", {"status": "blocked"}),
        ("PATCH", f"{USERS}/{other.id}", {"role_id": admin_role}),
        ("DELETE", f"{USERS}/{other.id}", None),
        ("GET", f"{USERS}/{other.id}", None),
        ("POST", USERS, {"name": "sock", "password": "long enough", "role_id": admin_role}),
        ("POST", "/api/v1/roles", {"title": "Mine", "permissions": ["admin"]}),
        ("PATCH", f"/api/v1/roles/{plain.role_id}", {"permissions": ["admin"]}),
        ("PATCH", f"/api/v1/roles/{admin_role}", {"title": "Nobody"}),
        ("DELETE", f"/api/v1/roles/{admin_role}", None),
    ]
    for method, url, body in attempts:
        answer = await client.request(method, url, json=body, headers=headers)
        assert answer.status_code == 403, (method, url, body, answer.text)
    for user in (plain, other):
        await session.refresh(user)
    assert plain.role_id == await role_id(session, "User")
    assert (other.name, other.status, other.deleted_at) == ("victim", UserStatus.NORMAL, None)
    assert await log_count(session) == 0


async def test_patch_by_id_refuses_password_hash_with_422(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings)
    before = other.password_hash
    answer = await client.patch(
        f"{USERS}/{other.id}",
        json={"password_hash": "$argon2id$forged"},
        headers=bearer(app, admin),
    )
    assert answer.status_code == 422
    await session.refresh(other)
    assert other.password_hash == before


async def test_admin_cannot_change_own_role_or_status(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    for body in ({"role_id": await role_id(session, "User")}, {"status": "blocked"}):
        answer = await client.patch(f"{USERS}/{admin.id}", json=body, headers=headers)
        assert answer.status_code == 403
    assert (await client.delete(f"{USERS}/{admin.id}", headers=headers)).status_code == 403


async def test_role_manager_cannot_hand_out_or_touch_greater_rights(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    made = await client.post(
        "/api/v1/roles",
        json={
            "title": "Keeper",
            "permissions": ["manage_roles", "read_users", "block_users", "read_docs"],
        },
        headers=bearer(app, admin),
    )
    assert made.status_code == 201
    keeper = await create_user(session, settings, role="Keeper")
    target = await create_user(session, settings)
    headers = bearer(app, keeper)
    to_admin = {"role_id": await role_id(session, "Administrator")}
    assert (
        await client.patch(f"{USERS}/{target.id}", json=to_admin, headers=headers)
    ).status_code == 403
    # an administrator holds rights the keeper lacks: the keeper may not block them
    blocked = await client.patch(f"{USERS}/{admin.id}", json={"status": "blocked"}, headers=headers)
    assert blocked.status_code == 403
    to_keeper = {"role_id": made.json()["data"]["id"]}
    assert (
        await client.patch(f"{USERS}/{target.id}", json=to_keeper, headers=headers)
    ).status_code == 200
    assert await actions_on(session, target.id) == ["user.role"]


# --- changes by others -----------------------------------------------------------------------


async def test_partial_update_leaves_other_fields_alone(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings, name="henry", role="QA")
    answer = await client.patch(
        f"{USERS}/{other.id}", json={"name": "Henry"}, headers=bearer(app, admin)
    )
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert (data["name"], data["role_id"], data["status"]) == (
        "Henry",
        await role_id(session, "QA"),
        "normal",
    )
    assert (
        await client.patch(f"{USERS}/{other.id}", json={}, headers=bearer(app, admin))
    ).status_code == 200
    assert await actions_on(session, other.id) == ["user.rename"]


async def test_rename_to_a_taken_name_is_409_and_logs_nothing(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    await create_user(session, settings, name="ivy")
    other = await create_user(session, settings, name="jack")
    answer = await client.patch(
        f"{USERS}/{other.id}", json={"name": "IVY"}, headers=bearer(app, admin)
    )
    assert answer.status_code == 409
    await session.refresh(other)
    assert other.name == "jack"
    assert await log_count(session) == 0
    mine = await client.patch(ME, json={"name": "Ivy"}, headers=bearer(app, other))
    assert mine.status_code == 409


async def test_block_cuts_off_tokens_and_login_until_unblocked(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings, name="kate")
    their_headers = bearer(app, other)
    assert (await client.get(ME, headers=their_headers)).status_code == 200
    answer = await client.patch(
        f"{USERS}/{other.id}", json={"status": "blocked"}, headers=bearer(app, admin)
    )
    assert answer.json()["data"]["status"] == "blocked"
    assert (await client.get(ME, headers=their_headers)).status_code == 401
    assert await login(client, "kate") == 401

    unblock = await client.patch(
        f"{USERS}/{other.id}", json={"status": "normal"}, headers=bearer(app, admin)
    )
    assert unblock.status_code == 200
    assert await login(client, "kate") == 200
    assert await actions_on(session, other.id) == ["user.block", "user.unblock"]


async def test_role_change_and_password_reset_cut_off_tokens(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings, name="liam")
    headers = bearer(app, other)
    await client.patch(
        f"{USERS}/{other.id}",
        json={"role_id": await role_id(session, "QA")},
        headers=bearer(app, admin),
    )
    assert (await client.get(ME, headers=headers)).status_code == 401
    await session.refresh(other)
    headers = bearer(app, other)
    await client.patch(
        f"{USERS}/{other.id}", json={"password": "reset by admin"}, headers=bearer(app, admin)
    )
    assert (await client.get(ME, headers=headers)).status_code == 401
    assert await login(client, "liam", "reset by admin") == 200
    assert await actions_on(session, other.id) == ["user.role", "user.password"]


async def test_unknown_and_deleted_users_are_404(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    assert (await client.get(f"{USERS}/999999", headers=headers)).status_code == 404
    assert (await client.get(f"{USERS}/0", headers=headers)).status_code == 422
    assert (await client.get(f"{USERS}/{2**40}", headers=headers)).status_code == 422
    gone = await create_user(session, settings)
    deleted = await client.delete(f"{USERS}/{gone.id}", headers=headers)
    assert deleted.status_code == 200
    assert deleted.json()["data"]["id"] == gone.id, "answered with the user, as the original"
    assert deleted.json()["data"]["deleted_at"] is not None
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "again"} if method == "PATCH" else None
        answer = await client.request(method, f"{USERS}/{gone.id}", json=body, headers=headers)
        assert answer.status_code == 404


# --- deletion --------------------------------------------------------------------------------


async def test_delete_cuts_off_tokens_and_keeps_the_name_reserved(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings, name="mona")
    their_headers = bearer(app, other)
    answer = await client.delete(f"{USERS}/{other.id}", headers=bearer(app, admin))
    assert answer.status_code == 200
    assert (await client.get(ME, headers=their_headers)).status_code == 401
    assert await login(client, "mona") == 401
    await session.refresh(other)
    assert other.deleted_at is not None
    assert await actions_on(session, other.id) == ["user.delete"]
    again = await client.post(
        USERS, json={"name": "MONA", "password": "long enough"}, headers=bearer(app, admin)
    )
    assert again.status_code == 409


async def test_delete_needs_delete_users(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    qa = await create_user(session, settings, role="QA")
    other = await create_user(session, settings)
    answer = await client.delete(f"{USERS}/{other.id}", headers=bearer(app, qa))
    assert answer.status_code == 403


# --- the root administrator ------------------------------------------------------------------


async def test_root_cannot_be_blocked_deleted_demoted_or_renamed(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await root_user(session, settings)
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    for body in (
        {"status": "blocked"},
        {"role_id": await role_id(session, "User")},
        {"name": "notroot"},
        {"password": "hijacked pw"},
    ):
        answer = await client.patch(f"{USERS}/{root.id}", json=body, headers=headers)
        assert answer.status_code == 403, body
    assert (await client.delete(f"{USERS}/{root.id}", headers=headers)).status_code == 403
    own = await client.patch(ME, json={"name": "notroot"}, headers=bearer(app, root))
    assert own.status_code == 403
    admin_role = await role_id(session, "Administrator")
    stripped = await client.patch(
        f"/api/v1/roles/{admin_role}",
        json={"permissions": ["read_docs"]},
        headers=bearer(app, root),
    )
    assert stripped.status_code == 403
    await session.refresh(root)
    assert (root.name, root.status, root.deleted_at, root.role_id) == (
        settings.app_root_admin,
        UserStatus.NORMAL,
        None,
        admin_role,
    )
    assert await log_count(session) == 0


async def test_root_manages_other_administrators(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await root_user(session, settings)
    admin = await create_user(session, settings, role="Administrator")
    answer = await client.patch(
        f"{USERS}/{admin.id}", json={"status": "blocked"}, headers=bearer(app, root)
    )
    assert answer.status_code == 200


# --- the audit lands with the change, or neither does ----------------------------------------


async def test_a_failing_audit_row_undoes_the_change(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings, name="nora")

    async def broken_record(*_: object, **__: object) -> Log:
        raise RuntimeError("the audit store failed")

    monkeypatch.setattr(UnitOfWork, "record", broken_record)
    created = await client.post(
        USERS, json={"name": "oscar", "password": "long enough"}, headers=bearer(app, admin)
    )
    blocked = await client.patch(
        f"{USERS}/{other.id}", json={"status": "blocked"}, headers=bearer(app, admin)
    )
    assert (created.status_code, blocked.status_code) == (500, 500)
    assert "audit" not in created.text
    assert await session.scalar(select(User).where(User.name == "oscar")) is None
    await session.refresh(other)
    assert other.status == UserStatus.NORMAL
