"""Races on real, separate connections (`live_app`), on every database: environments made or
renamed at once under one name leave one of them with it."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from apidock.config import Settings
from apidock.environments.models import Environment
from tests.catalog.helpers import API, make_app
from tests.factories import signed_in


async def test_eight_environments_made_at_once_under_one_name_leave_one(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Developer")
    app = await make_app(live_client, auth)
    url = f"{API}/apps/{app['id']}/environments"

    async def make(index: int) -> int:
        body = {"name": "staging", "base_url": f"https://s{index}.example.com"}
        return (await live_client.post(url, json=body, headers=auth)).status_code

    codes = await asyncio.gather(*(make(index) for index in range(8)))
    assert set(codes) <= {201, 409, 503}, codes
    assert codes.count(201) == 1, codes
    async with live_app.state.database.transaction(write=False) as session:
        named = await session.scalar(
            select(func.count())
            .select_from(Environment)
            .where(Environment.app_id == app["id"], Environment.name == "staging")
        )
    assert named == 1
