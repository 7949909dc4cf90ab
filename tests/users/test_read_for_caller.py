"""GET /users/{id}: the caller's checks and the user in one statement, on every reader."""

from __future__ import annotations

from datetime import datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from apidock.config import Settings
from apidock.db import ConnectionRunner, DriverRunner
from apidock.users.models import UserStatus
from tests.factories import DEFAULT_PASSWORD, bearer, create_user

USERS = "/api/v1/users"


async def test_one_statement_answers_the_read(
    client: httpx.AsyncClient,
    app: FastAPI,
    engine: AsyncEngine,
    session: AsyncSession,
    settings: Settings,
) -> None:
    reader = await create_user(session, settings, role="Developer")
    target = await create_user(session, settings)
    headers = bearer(app, reader)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await client.get(f"{USERS}/{target.id}", headers=headers)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert response.json()["data"]["id"] == target.id
    assert len(statements) == 1, statements


async def test_the_live_reader_checks_the_caller_and_finds_the_user(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    database = live_app.state.database
    expected = DriverRunner if database.engine.dialect.name == "postgresql" else ConnectionRunner
    assert isinstance(database.core, expected)
    async with database.transaction() as session:
        developer = await create_user(session, settings, role="Developer", name="dev")
        plain = await create_user(session, settings, name="plain")
        gone = await create_user(session, settings, name="gone", status=UserStatus.BLOCKED)
    login = await live_client.post(
        "/api/v1/login", json={"name": "dev", "password": DEFAULT_PASSWORD}
    )
    token = {"Authorization": f"Bearer {login.json()['data']['access_token']}"}

    found = await live_client.get(f"{USERS}/{plain.id}", headers=token)
    assert found.status_code == 200
    data = found.json()["data"]
    assert data["name"] == "plain"
    assert data["status"] == "normal"
    assert "password_hash" not in data
    assert datetime.fromisoformat(data["created_at"]).utcoffset() is not None
    me = (await live_client.get(f"{USERS}/{developer.id}", headers=token)).json()["data"]
    assert datetime.fromisoformat(me["last_login_at"]).utcoffset() is not None
    assert (await live_client.get(f"{USERS}/{gone.id}", headers=token)).status_code == 200
    assert (await live_client.get(f"{USERS}/999999", headers=token)).status_code == 404

    plain_token = bearer(live_app, plain)
    assert (await live_client.get(f"{USERS}/{plain.id}", headers=plain_token)).status_code == 200
    refused = await live_client.get(f"{USERS}/999999", headers=plain_token)
    assert refused.status_code == 403, "no read_users: told nothing about existence"

    assert (await live_client.post("/api/v1/logout/access", headers=token)).status_code == 200
    assert (await live_client.get(f"{USERS}/{plain.id}", headers=token)).status_code == 401


def test_the_hot_read_shows_the_bearer_requirement_in_the_openapi_document(app: FastAPI) -> None:
    """`GET /users/{id}` reads its token without `Depends(bearer)`: /docs must still show the
    lock (and send the token from "Authorize") exactly as for `GET /users/me`."""
    document = app.openapi()
    by_id = document["paths"]["/api/v1/users/{user_id}"]["get"]
    me = document["paths"]["/api/v1/users/me"]["get"]
    assert me["security"] == [{"OAuth2PasswordBearer": []}]
    assert by_id["security"] == me["security"]
    assert "OAuth2PasswordBearer" in document["components"]["securitySchemes"]
