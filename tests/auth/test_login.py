"""Login and the OAuth2 token endpoint: one answer for every failure, old hashes replaced."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import bcrypt
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.passwords import PasswordHasher
from apidock.auth.tokens import TokenType
from apidock.config import Settings
from apidock.models import RefreshToken, User
from apidock.users.models import UserStatus
from tests.factories import DEFAULT_PASSWORD, create_user

LOGIN = "/api/v1/login"


def werkzeug_hash(password: str, *, salt: str = "Zr6lXz2k", iterations: int | None = 150000) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations or 50000)
    method = f"pbkdf2:sha256:{iterations}" if iterations else "pbkdf2:sha256"
    return f"{method}${salt}${digest.hex()}"


async def test_login_answers_the_envelope_with_both_tokens(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, app: FastAPI
) -> None:
    user = await create_user(session, settings, name="alice")
    response = await client.post(
        LOGIN,
        json={"name": "alice", "password": DEFAULT_PASSWORD},
        headers={"X-Forwarded-For": "1.2.3.4"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["message"] == "Successfully logged in."
    data = body["data"]
    assert data["user"] == {"id": user.id, "name": "alice"}
    assert data["token_type"] == "bearer"
    assert data["expires_in"] == settings.jwt_ttl * 60
    assert response.headers["cache-control"] == "no-store"
    codec = app.state.token_codec
    access = codec.verify(data["access_token"], TokenType.ACCESS)
    refresh = codec.verify(data["refresh_token"], TokenType.REFRESH)
    assert access.user_id == refresh.user_id == user.id
    assert access.family_id == refresh.family_id
    await session.refresh(user)
    assert user.last_login_at is not None
    assert datetime.now(UTC) - user.last_login_at < timedelta(minutes=1)
    assert user.last_login_ip == "127.0.0.1"
    stored = await session.scalar(select(RefreshToken).where(RefreshToken.user_id == user.id))
    assert stored is not None
    assert data["refresh_token"] not in stored.token_hash
    assert "password" not in response.text


async def test_login_ignores_case_and_width_of_the_name(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await create_user(session, settings, name="Alice")
    fullwidth = "\uff21\uff2c\uff29\uff23\uff25"  # ALICE in full-width letters
    response = await client.post(LOGIN, json={"name": fullwidth, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize("case", ["unknown", "wrong", "blocked", "deleted"])
async def test_every_failed_login_looks_the_same(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, case: str
) -> None:
    user = await create_user(session, settings, name="bob")
    password = DEFAULT_PASSWORD
    name = "bob"
    if case == "unknown":
        name = "nobody"
    elif case == "wrong":
        password = "not the password"
    elif case == "blocked":
        user.status = int(UserStatus.BLOCKED)
    else:
        user.deleted_at = datetime.now(UTC)
    await session.commit()
    response = await client.post(LOGIN, json={"name": name, "password": password})
    assert response.status_code == 401
    assert response.json() == {
        "status": "error",
        "message": "Invalid name or password",
        "data": None,
    }
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_user_verifies_a_dummy_hash(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher: PasswordHasher = app.state.password_hasher
    seen: list[str | None] = []
    original = hasher._verify_sync

    def spy(password: str, stored: str | None) -> tuple[bool, str | None]:
        seen.append(stored)
        return original(password, stored)

    monkeypatch.setattr(hasher, "_verify_sync", spy)
    response = await client.post(LOGIN, json={"name": "ghost", "password": "whatever-it-is"})
    assert response.status_code == 401
    assert seen == [None], "the dummy hash is verified when there is no user"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "alice"},
        {"password": "x" * 10},
        {"name": "alice", "password": "x" * 129},
        {"name": "alice", "password": 12345678},
        {"name": "", "password": "x" * 10},
        {"name": "alice", "password": "x" * 10, "role_id": 1},
        [],
    ],
)
async def test_malformed_login_is_422_never_500(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post(LOGIN, json=body)
    assert response.status_code == 422
    assert response.json()["status"] == "error"


async def test_broken_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        LOGIN, content=b'{"name":', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "old_hash",
    [
        pytest.param(lambda pw: werkzeug_hash(pw), id="werkzeug-150000"),
        pytest.param(lambda pw: werkzeug_hash(pw, iterations=50000), id="werkzeug-50000"),
        pytest.param(lambda pw: werkzeug_hash(pw, iterations=None), id="werkzeug-default"),
        pytest.param(
            lambda pw: bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode(), id="bcrypt"
        ),
    ],
)
async def test_old_hashes_verify_and_are_replaced_by_argon2id(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, old_hash: object
) -> None:
    user = await create_user(session, settings, name="legacy")
    user.password_hash = old_hash(DEFAULT_PASSWORD)  # type: ignore[operator]
    await session.commit()
    wrong = await client.post(LOGIN, json={"name": "legacy", "password": "wrong password"})
    assert wrong.status_code == 401
    response = await client.post(LOGIN, json={"name": "legacy", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    await session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    again = await client.post(LOGIN, json={"name": "legacy", "password": DEFAULT_PASSWORD})
    assert again.status_code == 200


async def test_a_long_password_against_a_bcrypt_hash_is_401(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, settings, name="legacy")
    user.password_hash = bcrypt.hashpw(b"short-password", bcrypt.gensalt(4)).decode()
    await session.commit()
    response = await client.post(LOGIN, json={"name": "legacy", "password": "ä" * 128})
    assert response.status_code == 401


async def test_a_corrupt_stored_hash_is_401(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, settings, name="broken")
    user.password_hash = "not-a-hash"
    await session.commit()
    response = await client.post(LOGIN, json={"name": "broken", "password": DEFAULT_PASSWORD})
    assert response.status_code == 401


async def test_oauth2_token_endpoint_answers_the_standard_json(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await create_user(session, settings, name="swagger")
    response = await client.post(
        "/api/v1/token", data={"username": "swagger", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"
    me = await client.post(
        "/api/v1/logout/access", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200


async def test_oauth2_token_endpoint_refuses_bad_credentials(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await create_user(session, settings, name="swagger")
    wrong = await client.post(
        "/api/v1/token", data={"username": "swagger", "password": "nope-nope"}
    )
    assert wrong.status_code == 401
    huge = await client.post("/api/v1/token", data={"username": "swagger", "password": "x" * 5000})
    assert huge.status_code == 401
    missing = await client.post("/api/v1/token", data={"username": "swagger"})
    assert missing.status_code == 422


async def test_swagger_ui_authorize_points_at_the_token_endpoint(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert any(
        scheme.get("flows", {}).get("password", {}).get("tokenUrl") == "/api/v1/token"
        for scheme in schemes.values()
    )


async def test_login_stores_ipv6_addresses(
    settings: Settings, session: AsyncSession, app: FastAPI
) -> None:
    await create_user(session, settings, name="six")
    transport = httpx.ASGITransport(app=app, client=("2001:db8:85a3::8a2e:370:7334", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(LOGIN, json={"name": "six", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    user = await session.scalar(select(User).where(User.name == "six"))
    assert user is not None
    await session.refresh(user)
    assert user.last_login_ip == "2001:db8:85a3::8a2e:370:7334"


@pytest.mark.parametrize("change", ["block", "delete", "sign out everywhere"])
async def test_a_user_changed_while_the_password_is_checked_is_not_signed_in(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    """The write is conditional on the state the hash was checked against."""
    user = await create_user(session, settings, name="moving")
    hasher: PasswordHasher = app.state.password_hasher
    verify = hasher.verify

    async def verify_while_an_admin_acts(
        password: str, stored: str | None
    ) -> tuple[bool, str | None]:
        answer = await verify(password, stored)
        if change == "block":
            user.status = UserStatus.BLOCKED
        elif change == "delete":
            user.deleted_at = datetime.now(UTC)
        else:
            user.token_version += 1
        await session.commit()
        return answer

    monkeypatch.setattr(hasher, "verify", verify_while_an_admin_acts)
    response = await client.post(LOGIN, json={"name": "moving", "password": DEFAULT_PASSWORD})
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid name or password"
    await session.refresh(user)
    assert user.last_login_at is None
    assert await session.scalar(select(RefreshToken).where(RefreshToken.user_id == user.id)) is None


async def test_a_nul_in_the_form_name_is_a_failed_login_on_live_connections(
    live_client: httpx.AsyncClient,
) -> None:
    """The OAuth2 form is not a strict JSON body: a NUL reaches the service, never the database."""
    form = {"username": "sys\x00op", "password": "whatever password"}
    response = await live_client.post("/api/v1/token", data=form)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid name or password"
