"""Hostile tokens: every forgery, misuse and stale token is a 401 in the envelope."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.tokens import REQUIRED_CLAIMS, TokenCodec, TokenType
from apidock.config import Settings
from apidock.errors import Unauthorized
from apidock.users.models import User
from tests.conftest import TEST_JWT_SECRET
from tests.factories import bearer, create_user


def claims_for(user: User, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": "apidock",
        "sub": str(user.id),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "jti": "a" * 32,
        "type": "access",
        "ver": user.token_version,
        "fam": "f" * 32,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def sign(claims: dict[str, Any], *, key: str = TEST_JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any]) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims, default=lambda value: int(value.timestamp())).encode())
    return f"{header}.{payload}."


def flip_signature_byte(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 0x01
    return f"{head}.{payload}.{b64(bytes(raw))}"


def change_payload(token: str) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = str(int(claims["sub"]) + 1)
    return f"{head}.{b64(json.dumps(claims).encode())}.{signature}"


async def assert_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get("/probe/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == "error"


@pytest.fixture
async def user(session: AsyncSession, settings: Settings) -> User:
    return await create_user(session, settings)


async def test_a_genuine_token_is_accepted(
    auth_client: httpx.AsyncClient, app: FastAPI, user: User
) -> None:
    response = await auth_client.get("/probe/me", headers=bearer(app, user))
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": None, "data": user.id}


async def test_missing_token_is_401(auth_client: httpx.AsyncClient) -> None:
    response = await auth_client.get("/probe/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Bearer a.b.c"]
)
async def test_malformed_authorization_is_401(auth_client: httpx.AsyncClient, header: str) -> None:
    response = await auth_client.get("/probe/me", headers={"Authorization": header})
    assert response.status_code == 401


async def test_alg_none_is_refused(auth_client: httpx.AsyncClient, user: User) -> None:
    await assert_refused(auth_client, unsigned(claims_for(user)))


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_another_algorithm_is_refused(
    auth_client: httpx.AsyncClient, user: User, algorithm: str
) -> None:
    await assert_refused(auth_client, sign(claims_for(user), algorithm=algorithm))


async def test_flipped_signature_byte_is_refused(
    auth_client: httpx.AsyncClient, app: FastAPI, user: User
) -> None:
    token = bearer(app, user)["Authorization"].removeprefix("Bearer ")
    await assert_refused(auth_client, flip_signature_byte(token))


async def test_changed_payload_is_refused(
    auth_client: httpx.AsyncClient, app: FastAPI, user: User
) -> None:
    token = bearer(app, user)["Authorization"].removeprefix("Bearer ")
    await assert_refused(auth_client, change_payload(token))


async def test_another_secret_is_refused(auth_client: httpx.AsyncClient, user: User) -> None:
    await assert_refused(auth_client, sign(claims_for(user), key="another-secret-" * 4))


async def test_expired_token_is_refused(auth_client: httpx.AsyncClient, user: User) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    claims = claims_for(user, iat=past, nbf=past, exp=past + timedelta(minutes=5))
    await assert_refused(auth_client, sign(claims))


async def test_not_yet_valid_token_is_refused(auth_client: httpx.AsyncClient, user: User) -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    await assert_refused(auth_client, sign(claims_for(user, nbf=future)))


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
async def test_each_required_claim_is_required(
    auth_client: httpx.AsyncClient, user: User, claim: str
) -> None:
    claims = claims_for(user)
    del claims[claim]
    await assert_refused(auth_client, sign(claims))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "someone-else"),
        ("type", "admin"),
        ("sub", "0"),
        ("sub", "-1"),
        ("sub", "99999999999999999999"),
        ("ver", "0"),
        ("ver", True),
        ("jti", "x" * 500),
    ],
)
async def test_bad_claim_values_are_refused(
    auth_client: httpx.AsyncClient, user: User, claim: str, value: object
) -> None:
    await assert_refused(auth_client, sign(claims_for(user, **{claim: value})))


async def test_unknown_critical_header_is_refused(
    auth_client: httpx.AsyncClient, user: User
) -> None:
    token = jwt.encode(
        claims_for(user), TEST_JWT_SECRET, algorithm="HS256", headers={"crit": ["exp-x"]}
    )
    await assert_refused(auth_client, token)


async def test_subject_of_a_missing_user_is_refused(
    auth_client: httpx.AsyncClient, user: User
) -> None:
    await assert_refused(auth_client, sign(claims_for(user, sub=str(user.id + 1000))))


async def test_refresh_token_never_authenticates(
    auth_client: httpx.AsyncClient, app: FastAPI, user: User
) -> None:
    token = bearer(app, user, token_type=TokenType.REFRESH)["Authorization"].removeprefix("Bearer ")
    await assert_refused(auth_client, token)


async def test_an_oversized_token_is_refused(auth_client: httpx.AsyncClient, user: User) -> None:
    await assert_refused(auth_client, sign(claims_for(user, pad="x" * 5000)))


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token + "x",
        lambda token: token.replace(".", "", 1),
        lambda token: "." + token,
    ],
)
async def test_mangled_tokens_are_refused(
    auth_client: httpx.AsyncClient, app: FastAPI, user: User, forge: Callable[[str], str]
) -> None:
    token = bearer(app, user)["Authorization"].removeprefix("Bearer ")
    await assert_refused(auth_client, forge(token))


async def test_a_remembered_token_is_refused_once_expired(
    app: FastAPI, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    codec = app.state.token_codec
    token = bearer(app, user)["Authorization"].removeprefix("Bearer ")
    claims = codec.verify(token, TokenType.ACCESS)
    assert codec.verify(token, TokenType.ACCESS) == claims  # from memory
    with pytest.raises(Unauthorized):
        codec.verify(token, TokenType.REFRESH)
    later = claims.expires_at.timestamp() + 1
    monkeypatch.setattr("apidock.auth.tokens.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", FrozenDatetime.at(later))
    with pytest.raises(Unauthorized, match="expired"):
        codec.verify(token, TokenType.ACCESS)


def test_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr("apidock.auth.tokens.VERIFIED_TOKENS_KEPT", 3)
    codec = TokenCodec(settings)
    for user_id in range(1, 6):
        issued = codec.issue(user_id=user_id, version=0, token_type=TokenType.ACCESS, family_id="f")
        assert codec.verify(issued.token, TokenType.ACCESS).user_id == user_id
    assert len(codec._verified) == 3


class FrozenDatetime(datetime):
    """`datetime` whose `now` answers a fixed instant, for PyJWT's expiry check."""

    instant: float = 0.0

    @classmethod
    def at(cls, instant: float) -> type[FrozenDatetime]:
        return type("Frozen", (cls,), {"instant": instant})

    @classmethod
    def now(cls, tz: Any = None) -> FrozenDatetime:  # type: ignore[override]
        return cls.fromtimestamp(cls.instant, tz)
