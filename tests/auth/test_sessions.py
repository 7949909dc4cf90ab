"""Refresh rotation with reuse detection, logout, revocation and the per-user cut-off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from apidock.auth import service
from apidock.auth.tokens import TokenType
from apidock.config import Settings
from apidock.models import RefreshToken, RevokedToken, Role, User
from apidock.users.models import UserStatus
from tests.factories import DEFAULT_PASSWORD, bearer, create_user


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    response = await client.post("/api/v1/login", json={"name": name, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.text
    data: dict[str, str] = response.json()["data"]
    return data


@pytest.fixture
async def carol(session: AsyncSession, settings: Settings) -> User:
    return await create_user(session, settings, name="carol", role="QA")


async def test_refresh_rotates_the_pair(auth_client: httpx.AsyncClient, carol: User) -> None:
    first = await login(auth_client, "carol")
    response = await auth_client.post("/api/v1/token/refresh", headers=auth(first["refresh_token"]))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    second = response.json()["data"]
    assert second["refresh_token"] != first["refresh_token"]
    assert (
        await auth_client.get("/probe/me", headers=auth(second["access_token"]))
    ).status_code == 200
    third = await auth_client.post("/api/v1/token/refresh", headers=auth(second["refresh_token"]))
    assert third.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_family(
    auth_client: httpx.AsyncClient, carol: User
) -> None:
    first = await login(auth_client, "carol")
    second = (
        await auth_client.post("/api/v1/token/refresh", headers=auth(first["refresh_token"]))
    ).json()["data"]
    reuse = await auth_client.post("/api/v1/token/refresh", headers=auth(first["refresh_token"]))
    assert reuse.status_code == 401
    for token in (second["refresh_token"],):
        assert (
            await auth_client.post("/api/v1/token/refresh", headers=auth(token))
        ).status_code == 401
    for token in (first["access_token"], second["access_token"]):
        assert (await auth_client.get("/probe/me", headers=auth(token))).status_code == 401
    other = await login(auth_client, "carol")
    assert (
        await auth_client.get("/probe/me", headers=auth(other["access_token"]))
    ).status_code == 200


async def test_access_token_never_refreshes(auth_client: httpx.AsyncClient, carol: User) -> None:
    tokens = await login(auth_client, "carol")
    response = await auth_client.post("/api/v1/token/refresh", headers=auth(tokens["access_token"]))
    assert response.status_code == 401


async def test_an_unstored_refresh_token_is_refused(
    auth_client: httpx.AsyncClient, app: FastAPI, carol: User
) -> None:
    forged = bearer(app, carol, token_type=TokenType.REFRESH)
    assert (await auth_client.post("/api/v1/token/refresh", headers=forged)).status_code == 401


async def test_logout_access_revokes_only_that_token(
    auth_client: httpx.AsyncClient, session: AsyncSession, carol: User
) -> None:
    one = await login(auth_client, "carol")
    two = await login(auth_client, "carol")
    response = await auth_client.post("/api/v1/logout/access", headers=auth(one["access_token"]))
    assert response.status_code == 200
    assert response.json()["status"] == "success"
    assert (
        await auth_client.get("/probe/me", headers=auth(one["access_token"]))
    ).status_code == 401
    again = await auth_client.post("/api/v1/logout/access", headers=auth(one["access_token"]))
    assert again.status_code == 401
    assert (
        await auth_client.get("/probe/me", headers=auth(two["access_token"]))
    ).status_code == 200
    revoked = await session.scalar(select(RevokedToken))
    assert revoked is not None
    assert revoked.token_type == "access"
    assert revoked.expires_at > datetime.now(UTC)


async def test_logout_refresh_revokes_the_family(
    auth_client: httpx.AsyncClient, carol: User
) -> None:
    tokens = await login(auth_client, "carol")
    response = await auth_client.post(
        "/api/v1/logout/refresh", headers=auth(tokens["refresh_token"])
    )
    assert response.status_code == 200
    assert (
        await auth_client.post("/api/v1/token/refresh", headers=auth(tokens["refresh_token"]))
    ).status_code == 401
    assert (
        await auth_client.get("/probe/me", headers=auth(tokens["access_token"]))
    ).status_code == 401
    assert (
        await auth_client.post("/api/v1/logout/refresh", headers=auth(tokens["refresh_token"]))
    ).status_code == 401


async def test_logout_refresh_needs_a_refresh_token(
    auth_client: httpx.AsyncClient, carol: User
) -> None:
    tokens = await login(auth_client, "carol")
    assert (
        await auth_client.post("/api/v1/logout/refresh", headers=auth(tokens["access_token"]))
    ).status_code == 401
    assert (
        await auth_client.post("/api/v1/logout/access", headers=auth(tokens["refresh_token"]))
    ).status_code == 401


async def test_expired_rows_are_purged(session: AsyncSession, carol: User) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    session.add(RevokedToken(jti="old", token_type="access", expires_at=past))
    session.add(RevokedToken(jti="new", token_type="access", expires_at=past + timedelta(hours=1)))
    session.add(RefreshToken(user_id=carol.id, family_id="f", token_hash="h" * 64, expires_at=past))
    await session.flush()
    await service.purge_expired(session.execute)
    assert await session.scalar(select(func.count()).select_from(RevokedToken)) == 1
    assert await session.scalar(select(func.count()).select_from(RefreshToken)) == 0


@pytest.mark.parametrize("change", ["block", "delete", "password", "role"])
async def test_cut_off_refuses_older_tokens_at_once(
    auth_client: httpx.AsyncClient, session: AsyncSession, carol: User, change: str
) -> None:
    tokens = await login(auth_client, "carol")
    user = await session.get(User, carol.id)
    assert user is not None
    if change == "block":
        user.status = int(UserStatus.BLOCKED)
    elif change == "delete":
        user.deleted_at = datetime.now(UTC)
    else:
        user.token_version += 1  # what a password or role change does
    await session.commit()
    assert (
        await auth_client.get("/probe/me", headers=auth(tokens["access_token"]))
    ).status_code == 401
    assert (
        await auth_client.post("/api/v1/token/refresh", headers=auth(tokens["refresh_token"]))
    ).status_code == 401


async def test_require_checks_every_permission(
    auth_client: httpx.AsyncClient, session: AsyncSession, settings: Settings, app: FastAPI
) -> None:
    plain = await create_user(session, settings, role="User")
    developer = await create_user(session, settings, role="Developer")  # read_users, no read_logs
    qa = await create_user(session, settings, role="QA")
    admin = await create_user(session, settings, role="Administrator")
    refused = await auth_client.get("/probe/logs", headers=bearer(app, plain))
    assert refused.status_code == 403
    assert refused.json()["status"] == "error"
    assert (await auth_client.get("/probe/logs", headers=bearer(app, developer))).status_code == 403
    assert (await auth_client.get("/probe/logs", headers=bearer(app, qa))).status_code == 200
    assert (await auth_client.get("/probe/logs", headers=bearer(app, admin))).status_code == 200
    assert (await auth_client.get("/probe/logs")).status_code == 401


async def test_permissions_are_read_on_each_request(
    auth_client: httpx.AsyncClient, session: AsyncSession, settings: Settings, app: FastAPI
) -> None:
    qa = await create_user(session, settings, role="QA")
    headers = bearer(app, qa)
    assert (await auth_client.get("/probe/logs", headers=headers)).status_code == 200
    role = await session.get(Role, qa.role_id)
    assert role is not None
    role.permissions = 0
    await session.commit()
    assert (await auth_client.get("/probe/logs", headers=headers)).status_code == 403


async def test_authentication_takes_one_query(
    auth_client: httpx.AsyncClient,
    engine: AsyncEngine,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
) -> None:
    user = await create_user(session, settings)
    headers = bearer(app, user)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await auth_client.get("/probe/me", headers=headers)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, statements


async def test_parallel_refreshes_of_one_token_let_exactly_one_through(
    live_client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    async with AsyncSession(engine) as session:
        await create_user(session, settings, name="racer")
    tokens = await login(live_client, "racer")
    responses = await asyncio.gather(
        *(
            live_client.post("/api/v1/token/refresh", headers=auth(tokens["refresh_token"]))
            for _ in range(2)
        )
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 401], [response.text for response in responses]


async def test_logins_purge_at_most_once_a_minute(
    session: AsyncSession, carol: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(service, "_next_purge", 0.0)
    monkeypatch.setattr("apidock.auth.service.time.monotonic", lambda: clock[0])
    past = datetime.now(UTC) - timedelta(minutes=1)

    async def expired_rows_after_a_purge_attempt(jti: str) -> int:
        session.add(RevokedToken(jti=jti, token_type="access", expires_at=past))
        await session.flush()
        await service.purge_expired_now_and_then(session.execute)
        return await session.scalar(select(func.count()).select_from(RevokedToken)) or 0

    assert await expired_rows_after_a_purge_attempt("one") == 0
    assert await expired_rows_after_a_purge_attempt("two") == 1, "too soon: left for later"
    clock[0] += service.PURGE_INTERVAL
    assert await expired_rows_after_a_purge_attempt("three") == 0
