"""`apidock create-user` goes through the users service: one `user.create` audit row, with no
actor and the address `cli`, in the transaction of the user it records. On every database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from apidock.config import to_async_url
from apidock.logs.models import Log
from apidock.permissions import ADMIN_ROLE, DEFAULT_ROLE
from apidock.work import UnitOfWork
from tests.test_cli import database_url, environment, invoke, ok, roles_by_title, snapshot

__all__ = ["database_url", "environment"]  # fixtures of the command's tests, used here too


async def _logs(url: str) -> list[dict[str, Any]]:
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Log.__table__).order_by(Log.id))
            return [dict(row._mapping) for row in rows]
    finally:
        await engine.dispose()


def logs(url: str) -> list[dict[str, Any]]:
    """Every row of `logs`."""
    return asyncio.run(_logs(url))


@pytest.mark.parametrize("role", [None, ADMIN_ROLE])
def test_create_user_writes_one_audit_row_with_no_actor(
    database_url: str, role: str | None
) -> None:
    ok("deploy")
    before = logs(database_url)
    role_args = () if role is None else ("--role", role)
    ok("create-user", "alice", *role_args, "--password-stdin", input="long enough\n")

    state = snapshot(database_url)
    alice = next(row for row in state["users"] if row["name"] == "alice")
    assert alice["role_id"] == roles_by_title(state["roles"])[role or DEFAULT_ROLE]["id"]
    [row] = logs(database_url)[len(before) :]
    assert {key: row[key] for key in ("user_id", "action", "target_type", "target_id", "ip")} == {
        "user_id": None,
        "action": "user.create",
        "target_type": "user",
        "target_id": alice["id"],
        "ip": "cli",
    }
    assert row["created_at"] is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("SYSOP",), "already taken"),
        (("\uff53\uff59\uff53\uff4f\uff50",), "already taken"),
        (("dave", "--role", "Nobody"), "There is no role 'Nobody'"),
    ],
    ids=["taken in another case", "taken in another width", "no such role"],
)
def test_a_refused_create_user_writes_no_audit_row(
    database_url: str, args: tuple[str, ...], message: str
) -> None:
    ok("deploy")
    before = (snapshot(database_url), logs(database_url))
    result = invoke("create-user", *args, "--password-stdin", input="long enough\n")
    assert result.exit_code == 1
    assert message in result.stderr
    assert (snapshot(database_url), logs(database_url)) == before


def test_the_user_and_its_audit_row_land_together(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit row written, then the transaction fails: the user is gone with it."""
    ok("deploy")
    before = (snapshot(database_url), logs(database_url))
    record = UnitOfWork.record
    recorded: list[str] = []

    async def record_then_fail(work: UnitOfWork, action: str, **values: Any) -> Log:
        await record(work, action, **values)
        recorded.append(action)
        raise OSError("disk full")

    monkeypatch.setattr(UnitOfWork, "record", record_then_fail)
    result = invoke("create-user", "alice", "--password-stdin", input="long enough\n")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: database error: disk full"
    assert recorded == ["user.create"]
    assert (snapshot(database_url), logs(database_url)) == before
