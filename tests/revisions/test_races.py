"""Concurrent writers of one app, on real connections (`live_app`): their revisions are
numbered one after the other, and each holds every change committed before it."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from apidock.config import Settings
from apidock.revisions.models import Revision
from tests.catalog.helpers import API, make_api, make_app
from tests.factories import signed_in


async def test_parallel_writes_to_one_app_make_revisions_numbered_one_after_the_other(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    apis = [await make_api(live_client, auth, app["id"]) for _ in range(4)]
    n = len(apis) + 1  # the app's creation, then one revision an API

    async def edit(api_id: int) -> int:
        answer = await live_client.patch(
            f"{API}/apis/{api_id}", json={"description": f"Edited {api_id}"}, headers=auth
        )
        return answer.status_code

    codes = await asyncio.gather(*(edit(api["id"]) for api in apis))

    assert codes == [200] * len(apis)
    async with live_app.state.database.transaction(write=False) as session:
        found = await session.scalars(
            select(Revision.number).where(Revision.app_id == app["id"]).order_by(Revision.number)
        )
        assert list(found) == list(range(1, n + len(apis) + 1))
    last = await live_client.get(
        f"{API}/apps/{app['id']}/revisions/{n + len(apis)}/openapi.json", headers=auth
    )
    export = await live_client.get(f"{API}/apps/{app['id']}/openapi.json", headers=auth)
    assert last.json() == export.json()
    descriptions = {
        operation.get("description")
        for item in last.json()["paths"].values()
        for operation in item.values()
    }
    assert descriptions == {f"Edited {api['id']}" for api in apis}
    # each revision holds one more of the edits than the one before it
    counts = []
    for number in range(n, n + len(apis) + 1):
        document = await live_client.get(
            f"{API}/apps/{app['id']}/revisions/{number}/openapi.json", headers=auth
        )
        counts.append(
            sum(
                1
                for item in document.json()["paths"].values()
                for operation in item.values()
                if operation.get("description", "").startswith("Edited")
            )
        )
    assert counts == list(range(len(apis) + 1))
