"""Pages: exact totals up to a bound, the planner's estimate beyond, exact `next` links."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.db import pages
from tests.factories import bearer, create_user

USERS = "/api/v1/users"


async def make_users(session: AsyncSession, settings: Settings, count: int) -> None:
    for number in range(count):
        await create_user(session, settings, name=f"paged{number:03d}")


async def test_totals_are_exact_below_the_bound(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    await make_users(session, settings, 6)
    headers = bearer(app, admin)
    first = (await client.get(USERS, params={"per_page": 3}, headers=headers)).json()["data"]
    assert first["total"] == 7
    assert first["total_is_estimate"] is False
    assert first["prev"] is None
    assert first["next"].endswith("page=2&per_page=3")
    last = (await client.get(USERS, params={"per_page": 3, "page": 3}, headers=headers)).json()[
        "data"
    ]
    assert len(last["users"]) == 1
    assert last["next"] is None
    assert last["prev"].endswith("page=2&per_page=3")
    beyond = (await client.get(USERS, params={"per_page": 3, "page": 9}, headers=headers)).json()[
        "data"
    ]
    assert beyond["users"] == []
    assert beyond["next"] is None
    assert beyond["prev"].endswith("page=3&per_page=3"), "prev of a page past the end is the last"


async def test_large_totals_are_estimated_and_next_stays_exact(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pages, "EXACT_TOTAL_LIMIT", 4)
    admin = await create_user(session, settings, role="Administrator")
    await make_users(session, settings, 6)
    headers = bearer(app, admin)
    page = (await client.get(USERS, params={"per_page": 5}, headers=headers)).json()["data"]
    sqlite = settings.database_backend == "sqlite"
    assert page["total_is_estimate"] is (not sqlite)
    # an estimate may be off, but never below what the pages have shown (5 rows and a next one)
    assert page["total"] >= 6 if not sqlite else page["total"] == 7
    assert page["next"] is not None
    second = (await client.get(USERS, params={"per_page": 5, "page": 2}, headers=headers)).json()[
        "data"
    ]
    assert len(second["users"]) == 2
    assert second["next"] is None
    assert second["total"] >= 7
