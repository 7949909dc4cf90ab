"""`apidock reset-password NAME`: a new random password printed once, or one read with --stdin
under the API's rules; the old one and every token issued before stop working; audited as a
change of password. And `deploy` says when APP_ROOT_ADMIN_PASSWORD is ignored."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

from apidock.config import load_settings, to_async_url
from apidock.db import utcnow
from apidock.logs.models import Log
from apidock.main import create_app
from apidock.secret_strength import MIN_PRODUCTION_SECRET_BITS, estimated_entropy_bits
from apidock.users.models import User
from apidock.users.service import UserAction
from tests.conftest import make_client
from tests.test_cli import execute, invoke, ok, password_matches, snapshot, user_named

T = TypeVar("T")
FIRST = "first password"
SHOWN = re.compile(r"shown only this once: (\S+)")


def _with_client(work: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """`work` on a client of the application the environment's settings make."""

    async def run() -> T:
        application = create_app(load_settings())
        try:
            async with make_client(application) as http:
                return await work(http)
        finally:
            await application.state.database.dispose()

    return asyncio.run(run())


async def _login(http: httpx.AsyncClient, password: str) -> httpx.Response:
    return await http.post("/api/v1/login", json={"name": "sysop", "password": password})


def _signed_in_with(password: str) -> dict[str, str]:
    async def work(http: httpx.AsyncClient) -> dict[str, str]:
        answer = await _login(http, password)
        assert answer.status_code == 200, answer.text
        tokens: dict[str, str] = answer.json()["data"]
        return tokens

    return _with_client(work)


def _answers_after_the_reset(old: str, new: str, tokens: dict[str, str]) -> list[int]:
    async def work(http: httpx.AsyncClient) -> list[int]:
        me = await http.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        refreshed = await http.post(
            "/api/v1/token/refresh",
            headers={"Authorization": f"Bearer {tokens['refresh_token']}"},
        )
        return [
            (await _login(http, old)).status_code,
            me.status_code,
            refreshed.status_code,
            (await _login(http, new)).status_code,
        ]

    return _with_client(work)


def _login_statuses(*passwords: str) -> list[int]:
    async def work(http: httpx.AsyncClient) -> list[int]:
        return [(await _login(http, password)).status_code for password in passwords]

    return _with_client(work)


async def _password_audit_rows(url: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(Log.user_id, Log.ip, Log.target_id).where(
                    Log.action == str(UserAction.PASSWORD)
                )
            )
            return [tuple(row) for row in rows]
    finally:
        await engine.dispose()


@pytest.fixture
def deployed_with_a_known_password(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("APP_ROOT_ADMIN_PASSWORD", FIRST)
    ok("deploy")
    monkeypatch.delenv("APP_ROOT_ADMIN_PASSWORD")
    return database_url


def test_a_generated_password_is_shown_once_and_the_old_one_stops_working(
    deployed_with_a_known_password: str,
) -> None:
    url = deployed_with_a_known_password
    tokens = _signed_in_with(FIRST)
    before = user_named(snapshot(url), "sysop")

    result = ok("reset-password", "SysOp")

    [new] = SHOWN.findall(result.output)
    assert result.output.count(new) == 1
    assert estimated_entropy_bits(new) >= MIN_PRODUCTION_SECRET_BITS
    assert len(new) >= 24
    after = user_named(snapshot(url), "sysop")
    assert after["token_version"] == before["token_version"] + 1
    assert password_matches(new, after["password_hash"])
    assert not password_matches(FIRST, after["password_hash"])
    # the old password refused, the old access and refresh tokens too, the new password taken
    assert _answers_after_the_reset(FIRST, new, tokens) == [401, 401, 401, 200]
    assert asyncio.run(_password_audit_rows(url)) == [(None, "cli", after["id"])]


def test_a_password_read_from_stdin_is_held_to_the_rules(
    deployed_with_a_known_password: str,
) -> None:
    url = deployed_with_a_known_password
    before = snapshot(url)
    short = invoke("reset-password", "sysop", "--stdin", input="short\n")
    assert short.exit_code == 2
    assert "at least 8 characters" in short.stderr
    empty = invoke("reset-password", "sysop", "--stdin", input="")
    assert "--stdin: standard input holds no password" in empty.stderr
    assert snapshot(url) == before

    result = ok("reset-password", "sysop", "--stdin", input="a new long password\n")
    assert "a new long password" not in result.output
    assert "Password of 'sysop' changed" in result.output
    assert not SHOWN.search(result.output)
    assert _login_statuses(FIRST, "a new long password") == [401, 200]


def test_an_unknown_or_deleted_user_is_refused(deployed_with_a_known_password: str) -> None:
    url = deployed_with_a_known_password
    ok("create-user", "carol", "--password-stdin", input="carols password\n")
    before = snapshot(url)
    unknown = invoke("reset-password", "nobody")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "Error: No user is named 'nobody'"

    execute(url, update(User).where(User.name == "carol").values(deleted_at=utcnow()))
    deleted = invoke("reset-password", "carol")
    assert deleted.exit_code == 1
    assert deleted.stderr.strip() == "Error: The user 'carol' is deleted"
    assert [row["password_hash"] for row in snapshot(url)["users"]] == [
        row["password_hash"] for row in before["users"]
    ]
    assert not SHOWN.search(unknown.output + deleted.output)


def test_deploy_says_when_the_configured_password_is_ignored(
    deployed_with_a_known_password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = ok("deploy").output
    assert "APP_ROOT_ADMIN_PASSWORD" not in quiet
    monkeypatch.setenv("APP_ROOT_ADMIN_PASSWORD", "another password")
    told = ok("deploy").output
    assert "APP_ROOT_ADMIN_PASSWORD ignored: 'sysop' already exists and keeps its password" in told
    assert "`apidock reset-password sysop`" in told
    assert password_matches(
        FIRST, user_named(snapshot(deployed_with_a_known_password), "sysop")["password_hash"]
    )


def test_the_help_points_to_the_command() -> None:
    assert "apidock reset-password NAME" in ok("--help").output
    assert "reset-password" in ok("--help").output.split("Commands:")[1]


REDIS_URL = os.environ.get("APIDOCK_TEST_REDIS_URL", "")


@pytest.fixture
def locked_out(deployed_with_a_known_password: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A user of a name of this test's own, past the failed sign-ins the shared store allows."""
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "2")
    name = f"locked{secrets.token_hex(4)}"
    ok("create-user", name, "--password-stdin", input=f"{FIRST}\n")
    assert _named_login_statuses(name, "wrong one", "wrong two", FIRST) == [401, 401, 429]
    return name


def _named_login_statuses(name: str, *passwords: str) -> list[int]:
    async def work(http: httpx.AsyncClient) -> list[int]:
        return [
            (
                await http.post("/api/v1/login", json={"name": name, "password": password})
            ).status_code
            for password in passwords
        ]

    return _with_client(work)


def test_a_reset_forgets_the_failed_sign_ins_kept_in_the_shared_store(locked_out: str) -> None:
    result = ok("reset-password", locked_out.upper(), "--stdin", input="a new long password\n")

    assert "Its failed sign-ins are forgotten." in result.output
    assert _named_login_statuses(locked_out, "a new long password") == [200]


def test_a_reset_with_the_shared_store_down_changes_the_password_and_says_so(
    locked_out: str, deployed_with_a_known_password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{closed}/0")
    monkeypatch.setenv("REDIS_TIMEOUT", "0.5")

    result = ok("reset-password", locked_out, "--stdin", input="a new long password\n")

    assert "did not answer: failed sign-ins of the account still count" in result.stderr
    assert "forgotten" not in result.output
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    # the password did change; the count still stands until its window ends
    user = user_named(snapshot(deployed_with_a_known_password), locked_out)
    assert password_matches("a new long password", user["password_hash"])
    assert _named_login_statuses(locked_out, "a new long password") == [429]
