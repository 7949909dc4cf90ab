"""Siblings of the account holes of issue 12 (items 1 to 7 and 12), tried as an attacker would.

The root's name is nobody else's to take, even while no user holds it; a production key that
only encodes a weak text, or repeats a word with a character added, is refused; a Redis that
answers with anything but the answer (garbage, MISCONF, BUSY, MASTERDOWN) is a store that is
down, 503. The rest checks that the variants of the fixed holes stay fixed: tokens of the wrong
kind or of a blocked user are 401 on every id route, spellings of one name share one counter
across `/login` and `/token`, and nobody grants through a role what they do not hold.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import secrets
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from apidock.auth.tokens import TokenType
from apidock.config import Settings, SettingsError, load_settings, weak_secret_reason
from apidock.db import Database
from apidock.main import create_app
from apidock.models import Role, User
from apidock.permissions import Permission
from apidock.project import PROJECT_DIR_ENV
from apidock.users.models import UserStatus
from apidock.users.names import normalize_name
from tests.conftest import TEST_JWT_SECRET, make_client, make_settings, wipe_database
from tests.factories import DEFAULT_PASSWORD, bearer, create_user, role_id
from tests.users.test_authz_holes import (
    answer,
    bodies,
    call,
    id_routes,
    missing_value,
    records,
    user_with,
)

API = "/api/v1"
USERS = f"{API}/users"
ME = f"{USERS}/me"
REDIS_URL = os.environ.get("APIDOCK_TEST_REDIS_URL", "")
FULLWIDTH = "\uff53\uff59\uff53\uff4f\uff50"  # sysop in fullwidth letters

__all__ = ["records"]  # a fixture of tests/users/test_authz_holes.py, used here too

# --- item 6: the root's name is reserved, whether or not the root exists ---------------------

ROOT_SPELLINGS = ["sysop", "SYSOP", FULLWIDTH, " SysOp "]


async def names_with_key(session: AsyncSession, key: str) -> int:
    statement = select(func.count()).select_from(User).where(User.name_key == key)
    return await session.scalar(statement) or 0


async def attempts_to_take(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings, name: str
) -> list[httpx.Response]:
    """Every way a caller could give a user the root's name: their own, another's, a new one."""
    plain = await create_user(session, settings)
    writer = await user_with(
        session,
        settings,
        int(Permission.WRITE_USERS | Permission.READ_USERS | Permission.READ_DOCS),
    )
    victim = await create_user(session, settings)
    return [
        await client.patch(ME, json={"name": name}, headers=bearer(app, plain)),
        await client.patch(
            f"{USERS}/{writer.id}", json={"name": name}, headers=bearer(app, writer)
        ),
        await client.patch(
            f"{USERS}/{victim.id}", json={"name": name}, headers=bearer(app, writer)
        ),
        await client.post(
            USERS, json={"name": name, "password": "long enough"}, headers=bearer(app, writer)
        ),
    ]


@pytest.mark.parametrize("name", ROOT_SPELLINGS)
async def test_nobody_takes_the_root_name_while_no_root_exists(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings, name: str
) -> None:
    # before deploy, or after APP_ROOT_ADMIN is changed: whoever took the name would be the root
    assert await names_with_key(session, "sysop") == 0
    for refused in await attempts_to_take(client, app, session, settings, name):
        assert answer(refused) == (409, f"The name {normalize_name(name)!r} is already taken")
    assert await names_with_key(session, "sysop") == 0


async def test_the_reserved_name_answers_as_a_taken_one(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    """The same 409 with the root present: the answer does not tell whether it exists."""
    await create_user(session, settings, name="sysop", role="Administrator")
    for refused in await attempts_to_take(client, app, session, settings, FULLWIDTH):
        assert answer(refused) == (409, "The name 'sysop' is already taken"), refused.text
    assert await names_with_key(session, "sysop") == 1


async def test_a_would_be_root_gains_no_root_power(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    """Root powers go by name: a plain user who took it could change any administrator."""
    climber = await create_user(session, settings)
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, climber)
    await client.patch(ME, json={"name": "SYSOP"}, headers=headers)
    for body in ({"password": "hijacked password"}, {"status": "blocked"}, {"name": "ousted"}):
        refused = await client.patch(f"{USERS}/{admin.id}", json=body, headers=headers)
        assert answer(refused) == (403, "Requires permission: read_users"), (body, refused.text)
    assert (await client.delete(f"{USERS}/{admin.id}", headers=headers)).status_code == 403
    before = admin.password_hash
    await session.refresh(admin)
    assert admin.password_hash == before
    assert admin.name != "ousted"
    assert (admin.status, admin.deleted_at) == (UserStatus.NORMAL, None)


async def test_the_root_keeps_its_own_name(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await create_user(session, settings, name="sysop", role="Administrator")
    headers = bearer(app, root)
    for name in ("sysop", " sysop ", FULLWIDTH):  # each one normalises to the name it has
        kept = await client.patch(ME, json={"name": name}, headers=headers)
        assert kept.status_code == 200, kept.text
        assert kept.json()["data"]["name"] == "sysop"
    for name in ("SYSOP", "SysOp", "other"):
        refused = await client.patch(ME, json={"name": name}, headers=headers)
        assert refused.status_code == 403, (name, refused.text)
        refused = await client.patch(f"{USERS}/{root.id}", json={"name": name}, headers=headers)
        assert refused.status_code == 403, (name, refused.text)


async def test_other_administrators_cannot_delete_or_demote_the_root(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await create_user(session, settings, name="SysOp", role="Administrator")
    admin = bearer(app, await create_user(session, settings, role="Administrator"))
    assert (await client.delete(f"{USERS}/{root.id}", headers=admin)).status_code == 403
    administrator = await role_id(session, "Administrator")
    demoted = await client.patch(
        f"{API}/roles/{administrator}", json={"permissions": ["read_docs"]}, headers=admin
    )
    assert demoted.status_code == 403, demoted.text
    assert (await client.delete(f"{API}/roles/{administrator}", headers=admin)).status_code == 409


# --- item 4: no rights handed out through a role ---------------------------------------------


async def test_a_role_manager_grants_through_no_role_what_they_lack(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    bits = Permission.MANAGE_ROLES | Permission.READ_DOCS | Permission.READ_USERS
    bits |= Permission.WRITE_USERS
    manager = await user_with(session, settings, int(bits))
    headers = bearer(app, manager)
    for permissions in (["admin"], ["write_docs"], ["manage_roles", "block_users"]):
        made = await client.post(
            f"{API}/roles", json={"title": "Climb", "permissions": permissions}, headers=headers
        )
        assert made.status_code == 403, (permissions, made.text)
        for target in (manager.role_id, await role_id(session, "User")):
            raised = await client.patch(
                f"{API}/roles/{target}", json={"permissions": permissions}, headers=headers
            )
            assert raised.status_code == 403, (permissions, target, raised.text)
    default = await session.scalar(select(Role.permissions).where(Role.default.is_(True)))
    assert default == int(Permission.READ_DOCS)
    # nor is a role with rights the manager lacks handed to a new user
    given = await client.post(
        USERS,
        json={"name": "given", "password": "long enough", "role_id": await role_id(session, "QA")},
        headers=headers,
    )
    assert given.status_code == 403, given.text


# --- item 1: tokens of the wrong kind are 401 on every id route, before any look-up ----------


def expired_token(user: User) -> str:
    now = datetime.now(UTC)
    payload = {
        "iss": "apidock",
        "sub": str(user.id),
        "iat": now - timedelta(hours=2),
        "nbf": now - timedelta(hours=2),
        "exp": now - timedelta(hours=1),
        "jti": secrets.token_hex(16),
        "type": "access",
        "ver": user.token_version,
        "fam": secrets.token_hex(16),
    }
    return jwt.encode(payload, TEST_JWT_SECRET, algorithm="HS256")


async def test_tokens_that_may_not_pass_are_401_on_every_id_route(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    records: dict[str, object],
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    blocked = await create_user(session, settings, role="Administrator", status=UserStatus.BLOCKED)
    headers_of = {
        "expired": {"Authorization": f"Bearer {expired_token(admin)}"},
        "refresh": bearer(app, admin, token_type=TokenType.REFRESH),
        "blocked": bearer(app, blocked),
        "basic": {"Authorization": "Basic c3lzb3A6cGFzc3dvcmQ="},
    }
    for kind, headers in headers_of.items():
        for route in id_routes(app):
            for body in bodies(route)[:2]:
                existing = await call(client, route, records[route.param], headers, body)
                missing = await call(client, route, missing_value(route.param), headers, body)
                assert existing.status_code == 401, (kind, route, existing.text)
                assert answer(existing) == answer(missing), (kind, route)


# --- item 2: every spelling of a name counts on the one counter, on both login routes --------


@pytest.fixture
async def limited(settings: Settings, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[Any]:
    """Makes applications on the live database with the login limits a test asks for."""
    made: list[FastAPI] = []

    def with_limits(account: int, address: int) -> FastAPI:
        configured = make_settings(
            settings.database_url,
            tmp_path,
            LOGIN_MAX_FAILURES=account,
            LOGIN_MAX_FAILURES_PER_IP=address,
            REDIS_URL=REDIS_URL,
        )
        made.append(create_app(configured, database=Database(engine)))
        return made[-1]

    try:
        yield with_limits
    finally:
        for application in made:
            await application.state.login_limiter.store.close()
            application.state.password_hasher.close()
            await application.state.database.core.close()
        await wipe_database(engine)


async def test_spellings_of_a_name_share_one_counter_across_login_and_token(
    limited: Any, settings: Settings
) -> None:
    limited_app = limited(account=3, address=1000)
    name = f"Spell{secrets.token_hex(3)}"
    async with limited_app.state.database.transaction() as session:
        await create_user(session, settings, name=name)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in name)  # the same name in fullwidth letters
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    async with make_client(limited_app, address) as client:
        first = await client.post(f"{API}/login", json={"name": name.upper(), "password": "wrong1"})
        second = await client.post(f"{API}/token", data={"username": wide, "password": "wrong2"})
        third = await client.post(f"{API}/login", json={"name": f"  {name}\t", "password": "x"})
        assert [a.status_code for a in (first, second, third)] == [401, 401, 401]
        for spelling in (name, name.lower(), wide):
            right = {"username": spelling, "password": DEFAULT_PASSWORD}
            assert (await client.post(f"{API}/token", data=right)).status_code == 429
            login = {"name": spelling, "password": DEFAULT_PASSWORD}
            assert (await client.post(f"{API}/login", json=login)).status_code == 429


async def test_forwarded_headers_give_no_fresh_address(limited: Any) -> None:
    """The address counted is the connection's (uvicorn resolves trusted proxies before it)."""
    limited_app = limited(account=1000, address=3)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    async with make_client(limited_app, address) as client:
        for number in range(3):
            spoofed = {
                "X-Forwarded-For": f"203.0.113.{number}",
                "X-Real-IP": f"203.0.113.{number}",
                "Forwarded": f"for=203.0.113.{number}",
            }
            body = {"name": f"nobody{secrets.token_hex(3)}", "password": "wrong"}
            answer_ = await client.post(f"{API}/login", json=body, headers=spoofed)
            assert answer_.status_code == 401, answer_.text
        body = {"name": f"nobody{secrets.token_hex(3)}", "password": "wrong"}
        refused = await client.post(
            f"{API}/login", json=body, headers={"X-Forwarded-For": "198.51.100.7"}
        )
        assert refused.status_code == 429, refused.text


# --- item 7: a production key that only looks random ------------------------------------------


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


ENCODED_WEAK_KEYS = {
    "base64 of a word repeated": b64(b"password" * 4),
    "base64url of a word repeated": base64.urlsafe_b64encode(b"admin" * 10).decode(),
    "base64 of one letter": b64(b"a" * 32),
    "base64 without padding": b64(b"hunter22" * 5).rstrip("="),
    "base64 of a placeholder phrase": b64(b"please change this secret key now"),
    "hex of a placeholder phrase": b"change-me-please-secret".hex(),
    "base64 of base64 of a word": b64(b64(b"letmein!" * 4).encode()),
    "spaces around base64 of a word": "  " + b64(b"iloveyou" * 4) + "  ",
    "a word repeated with one more character": "iloveyou" * 4 + "!",
    "a word repeated with a counter": "monkey1monkey2monkey3monkey4monkey5",
    "a random part repeated with a suffix": "hQ3vZ8pLk2Wn9XcR" * 2 + "x",
    "fullwidth placeholder words": "\uff53\uff45\uff43\uff52\uff45\uff54-"
    "\uff4b\uff45\uff59-\uff46\uff4f\uff52-\uff50\uff52\uff4f\uff44\uff55\uff43\uff54\uff49"
    "\uff4f\uff4e",
}


@pytest.mark.parametrize("key", list(ENCODED_WEAK_KEYS.values()), ids=list(ENCODED_WEAK_KEYS))
def test_a_key_that_only_looks_random_is_refused(key: str) -> None:
    assert len(key.strip().encode()) >= 32
    assert weak_secret_reason(key) is not None


def test_random_keys_in_every_encoding_still_pass() -> None:
    for _ in range(2000):
        for key in (
            secrets.token_urlsafe(32),
            secrets.token_hex(16),
            secrets.token_hex(16).upper(),
            b64(os.urandom(24)),
            b64(os.urandom(32)).rstrip("="),
            b64(secrets.token_hex(16).encode()),
            " " + secrets.token_urlsafe(32) + "\n",
        ):
            assert weak_secret_reason(key) is None, key


def test_whitespace_is_no_part_of_a_key() -> None:
    """Thirty random characters padded with spaces to 32 bytes are thirty random characters."""
    assert weak_secret_reason(" " + secrets.token_urlsafe(22)[:30] + " ") is not None


def test_a_weak_key_in_dotenv_stops_production(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("JWT_SECRET_KEY", "APP_CONFIG", "DATABASE_URL", "SQLALCHEMY_DATABASE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(PROJECT_DIR_ENV, str(tmp_path))  # whose `.env` is read
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    key = b64(b"password" * 4)
    (tmp_path / ".env").write_text(f'APP_CONFIG=production\nJWT_SECRET_KEY=" {key} "\n')
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("invalid setting JWT_SECRET_KEY: ")
    assert key not in str(caught.value)
    good = secrets.token_urlsafe(48)
    other = secrets.token_urlsafe(48)
    (tmp_path / ".env").write_text(
        f"APP_CONFIG=production\nJWT_SECRET_KEY={good}\nSECRET_KEY={other}\n"
    )
    assert load_settings().jwt_secret == good


# --- item 12: a Redis that answers nonsense is a store that is down ---------------------------


@contextlib.asynccontextmanager
async def fake_redis(reply: bytes) -> AsyncIterator[int]:
    """A server that reads Redis commands and answers each with `reply`; its port."""
    writers: list[asyncio.StreamWriter] = []

    async def answer_all(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ValueError):
            while line := await reader.readline():
                for _ in range(int(line[1:])):
                    size = await reader.readline()
                    await reader.readexactly(int(size[1:]) + 2)
                writer.write(reply)
                await writer.drain()

    server = await asyncio.start_server(answer_all, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.transport.abort()
        await server.wait_closed()


@pytest.fixture
async def store_app(settings: Settings, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[Any]:
    made: list[FastAPI] = []

    def on(url: str) -> FastAPI:
        configured = make_settings(
            settings.database_url, tmp_path, REDIS_URL=url, REDIS_TIMEOUT=0.5
        )
        application = create_app(configured, database=Database(engine))
        made.append(application)
        return application

    try:
        yield on
    finally:
        for application in made:
            await application.state.login_limiter.store.close()
            application.state.password_hasher.close()
            await application.state.database.core.close()
        await wipe_database(engine)


NONSENSE = {
    "an HTTP server": b"HTTP/1.1 400 Bad Request\r\n\r\n",
    "bytes that are no protocol": b"\x00\xff\xfe\r\n",
    "MISCONF": b"-MISCONF Redis is configured to save RDB snapshots, but it cannot\r\n",
    "BUSY": b"-BUSY Redis is busy running a script\r\n",
    "MASTERDOWN": b"-MASTERDOWN Link with MASTER is down\r\n",
    "not a number": b"+OK\r\n",
    "nil": b"$-1\r\n",
}


@pytest.mark.parametrize("reply", list(NONSENSE.values()), ids=list(NONSENSE))
async def test_a_redis_answering_nonsense_is_503(
    store_app: Any, settings: Settings, reply: bytes
) -> None:
    async with fake_redis(reply) as port:
        application = store_app(f"redis://127.0.0.1:{port}/0")
        async with application.state.database.transaction() as session:
            user = await create_user(session, settings, name=f"ns{secrets.token_hex(4)}")
            admin = await create_user(session, settings, role="Administrator")
        mine, admins = bearer(application, user), bearer(application, admin)
        changes = {"password": "a brand new one", "current_password": DEFAULT_PASSWORD}
        attempts = [
            ("POST", f"{API}/login", {"json": {"name": user.name, "password": DEFAULT_PASSWORD}}),
            ("POST", f"{API}/token", {"data": {"username": user.name, "password": "x"}}),
            ("PATCH", ME, {"json": changes, "headers": mine}),
        ]
        if not reply.startswith((b"+", b"$")):
            # a rename only has its count follow it: an error stops it, any answer will do
            attempts += [
                ("PATCH", ME, {"json": {"name": "renamed"}, "headers": mine}),
                ("PATCH", f"{USERS}/{user.id}", {"json": {"name": "moved"}, "headers": admins}),
            ]
        async with make_client(application) as client:
            started = time.monotonic()
            for method, url, kwargs in attempts:
                refused = await client.request(method, url, **kwargs)
                assert refused.status_code == 503, (url, refused.text)
                assert refused.json()["message"] == "Shared store unavailable"
                assert int(refused.headers["retry-after"]) >= 1
            # bounded by REDIS_TIMEOUT (0.5 s) per request; the slack is for a loaded machine
            assert time.monotonic() - started < 30
            assert (await client.get("/healthz")).status_code == 200
            # what needs no store still works: an administrator blocks the user
            blocked = await client.patch(
                f"{USERS}/{user.id}", json={"status": "blocked", "name": user.name}, headers=admins
            )
            assert blocked.status_code == 200, blocked.text


async def test_scripts_flushed_from_redis_are_loaded_again(
    store_app: Any, settings: Settings
) -> None:
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    application = store_app(REDIS_URL)
    async with application.state.database.transaction() as session:
        user = await create_user(session, settings, name=f"fl{secrets.token_hex(4)}")
    direct = Redis.from_url(REDIS_URL)
    try:
        async with make_client(application) as client:
            body = {"name": user.name, "password": DEFAULT_PASSWORD}
            assert (await client.post(f"{API}/login", json=body)).status_code == 200
            await direct.script_flush()
            assert (await client.post(f"{API}/login", json=body)).status_code == 200
            wrong = {"name": user.name, "password": "wrong"}
            await direct.script_flush()
            assert (await client.post(f"{API}/login", json=wrong)).status_code == 401
    finally:
        await direct.aclose()
