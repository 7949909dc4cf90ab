"""Races on real, separate connections (`live_app`), on every database: parallel edits of one
app and parallel moves in a group tree leave the data consistent.
"""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from apidock.apps.models import App
from apidock.config import Settings
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.logs.models import Log
from tests.catalog.helpers import API, make_app, make_group
from tests.factories import signed_in

Auth = dict[str, str]


async def _parents(live_app: FastAPI, app_id: int) -> dict[int, int]:
    async with live_app.state.database.transaction(write=False) as session:
        rows = await session.execute(
            select(ApiGroup.id, ApiGroup.pid).where(ApiGroup.app_id == app_id)
        )
        return {int(group_id): int(pid) for group_id, pid in rows}


def _assert_acyclic(parents: dict[int, int]) -> None:
    """Every group reaches the root by following its parents, within as many steps as groups."""
    for start in parents:
        current, steps = start, 0
        while current != ROOT_PID:
            assert steps <= len(parents), f"cycle through group {start}: {parents}"
            current, steps = parents[current], steps + 1


async def test_eight_parallel_edits_of_one_app_leave_one_submitted_state(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)

    async def edit(index: int) -> int:
        body = {"title": f"Edit {index}", "version": f"{index}.0", "description": f"by {index}"}
        answer = await live_client.patch(f"{API}/apps/{app['id']}", json=body, headers=auth)
        return answer.status_code

    codes = await asyncio.gather(*(edit(index) for index in range(8)))
    assert set(codes) <= {200, 409, 503}, codes
    successes = codes.count(200)
    assert successes >= 1
    async with live_app.state.database.transaction(write=False) as session:
        stored = await session.scalar(select(App).where(App.id == app["id"]))
        audited = await session.scalar(
            select(func.count())
            .select_from(Log)
            .where(Log.action == "app.update", Log.target_id == app["id"])
        )
    assert stored is not None
    # the three fields come from one request, never a mix of two
    index = int(stored.version.split(".")[0])
    assert codes[index] == 200
    assert (stored.title, stored.description) == (f"Edit {index}", f"by {index}")
    assert audited == successes


async def test_two_groups_moved_under_each_other_at_once_never_make_a_cycle(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    first = await make_group(live_client, auth, app["id"])
    second = await make_group(live_client, auth, app["id"])

    async def move(group: int, under: int) -> int:
        answer = await live_client.patch(
            f"{API}/apis/groups/{group}", json={"pid": under}, headers=auth
        )
        return answer.status_code

    for _ in range(5):
        codes = await asyncio.gather(
            move(first["id"], second["id"]), move(second["id"], first["id"])
        )
        assert sorted(codes) == [200, 409], codes
        _assert_acyclic(await _parents(live_app, app["id"]))
        for group in (first, second):
            assert await move(group["id"], ROOT_PID) == 200


async def test_a_ring_of_parallel_moves_never_closes(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    ring = [await make_group(live_client, auth, app["id"]) for _ in range(4)]

    async def move(index: int) -> int:
        group, under = ring[index], ring[(index + 1) % len(ring)]
        answer = await live_client.patch(
            f"{API}/apis/groups/{group['id']}", json={"pid": under["id"]}, headers=auth
        )
        return answer.status_code

    codes = await asyncio.gather(*(move(index) for index in range(len(ring))))
    # all four would close the ring: exactly the last to be checked is refused
    assert sorted(codes) == [200, 200, 200, 409], codes
    _assert_acyclic(await _parents(live_app, app["id"]))
