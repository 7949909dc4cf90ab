"""The audit rows of a user change carry the request's id: the client's `X-Request-ID` when it
is a plain token of at most 64 characters, else one made up, so that the rows of one request
can be found together and a client's odd header is never stored."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.models import Log, User
from tests.factories import bearer, create_user

USERS = "/api/v1/users"
MADE_UP = re.compile(r"[0-9a-f]{32}")


async def rows_on(session: AsyncSession, user: User) -> list[Log]:
    statement = select(Log).where(Log.target_type == "user", Log.target_id == user.id)
    return list((await session.scalars(statement.order_by(Log.id))).all())


async def change(
    client: httpx.AsyncClient, app: FastAPI, admin: User, target: User, **headers: str | bytes
) -> None:
    answer = await client.patch(
        f"{USERS}/{target.id}",
        json={"status": "blocked", "name": f"{target.name}2"},
        headers=bearer(app, admin) | headers,
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    "given", ["trace-42", "a.b:c/d+e=f@g_h", "x" * 64], ids=["plain", "every sign", "64 long"]
)
async def test_the_audit_rows_of_a_change_carry_the_clients_request_id(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    given: str,
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    target = await create_user(session, settings, name="nina")
    await change(client, app, admin, target, **{"X-Request-ID": given})
    rows = await rows_on(session, target)
    assert [(row.action, row.user_id, row.request_id) for row in rows] == [
        ("user.block", admin.id, given),
        ("user.rename", admin.id, given),
    ]


@pytest.mark.parametrize(
    "given",
    [None, "", "has space", "x" * 65, 'quo"te', "caf\u00e9".encode("latin-1")],
    ids=["missing", "empty", "a space", "65 long", "a quote", "not ascii"],
)
async def test_without_a_plain_request_id_one_is_made_up_for_the_request(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    given: str | bytes | None,
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    first, second = [await create_user(session, settings, name=n) for n in ("omar", "olga")]
    headers: dict[str, str | bytes] = {} if given is None else {"X-Request-ID": given}
    await change(client, app, admin, first, **headers)
    await change(client, app, admin, second, **headers)
    [one_block, one_rename], [two_block, two_rename] = [
        await rows_on(session, user) for user in (first, second)
    ]
    # one made-up id per request, shared by its rows, never the client's header
    assert one_block.request_id == one_rename.request_id
    assert two_block.request_id == two_rename.request_id
    assert one_block.request_id != two_block.request_id
    for made_up in (one_block.request_id, two_block.request_id):
        assert made_up is not None
        assert MADE_UP.fullmatch(made_up), made_up
        assert made_up != given
