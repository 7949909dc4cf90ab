"""Group depth: creates and moves stay within MAX_GROUP_DEPTH levels, and trees that are deeper
already (written before the bound), or that hold a cycle, still answer the tree and the export."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.groups.tree import MAX_GROUP_DEPTH
from tests.catalog.helpers import API, make_api, make_app, make_group
from tests.factories import signed_in

Auth = dict[str, str]


async def _chain(
    session: AsyncSession, app_id: int, length: int, *, under: int = ROOT_PID, title: str = "L"
) -> list[int]:
    """`length` groups each under the one before, below `under`, written straight into the
    database as an older version (or another tool) could have; their ids, top first."""
    groups = [ApiGroup(app_id=app_id, pid=ROOT_PID, title=f"{title}{n}") for n in range(length)]
    session.add_all(groups)
    await session.flush()
    groups[0].pid = under
    for parent, child in itertools.pairwise(groups):
        child.pid = parent.id
    await session.commit()
    return [group.id for group in groups]


def _refused_for_depth(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert str(MAX_GROUP_DEPTH) in body["message"]
    assert [item["field"] for item in body["data"]] == ["body.pid"]
    assert str(MAX_GROUP_DEPTH) in body["data"][0]["message"]


async def test_a_group_is_created_at_most_max_depth_deep(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    chain = await _chain(session, app["id"], MAX_GROUP_DEPTH - 1)

    deepest = await make_group(client, dev_auth, app["id"], pid=chain[-1])
    too_deep = await client.post(
        f"{API}/apis/groups",
        json={"app_id": app["id"], "pid": deepest["id"], "title": "one too many"},
        headers=dev_auth,
    )

    _refused_for_depth(too_deep)
    renamed = await client.patch(
        f"{API}/apis/groups/{deepest['id']}", json={"title": "renamed"}, headers=dev_auth
    )
    assert renamed.status_code == 200, renamed.text
    kept_in_place = await client.patch(
        f"{API}/apis/groups/{deepest['id']}", json={"pid": chain[-1]}, headers=dev_auth
    )
    assert kept_in_place.status_code == 200, kept_in_place.text
    spec = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for schema in ("GroupCreate", "GroupUpdate"):
        assert f"at most {MAX_GROUP_DEPTH} levels" in str(spec[schema]["properties"]["pid"])


async def test_a_move_counts_the_levels_below_the_moved_group(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    target = await _chain(session, app["id"], 25, title="T")
    # a group with ten levels below it: eleven levels in all
    moved = await _chain(session, app["id"], 11, title="M")
    url = f"{API}/apis/groups/{moved[0]}"

    _refused_for_depth(await client.patch(url, json={"pid": target[24]}, headers=dev_auth))
    _refused_for_depth(await client.patch(url, json={"pid": target[21]}, headers=dev_auth))
    parents = await session.execute(select(ApiGroup.pid).where(ApiGroup.id == moved[0]))
    assert parents.scalar_one() == ROOT_PID

    # level 21 + 11 levels = 32: just fits
    fits = await client.patch(url, json={"pid": target[20]}, headers=dev_auth)
    assert fits.status_code == 200, fits.text
    assert fits.json()["data"]["pid"] == target[20]
    # the leaf is now at level 32: nothing more below it, nor below a group moved there
    _refused_for_depth(
        await client.post(
            f"{API}/apis/groups",
            json={"app_id": app["id"], "pid": moved[-1], "title": "below"},
            headers=dev_auth,
        )
    )
    leaf = await make_group(client, dev_auth, app["id"])
    _refused_for_depth(
        await client.patch(
            f"{API}/apis/groups/{leaf['id']}", json={"pid": moved[-1]}, headers=dev_auth
        )
    )
    fits_leaf = await client.patch(
        f"{API}/apis/groups/{leaf['id']}", json={"pid": moved[-2]}, headers=dev_auth
    )
    assert fits_leaf.status_code == 200, fits_leaf.text


async def test_a_tree_deeper_than_the_bound_still_answers(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    depth = 400
    chain = await _chain(session, app["id"], depth, title="level-with-a-longish-title-")
    sibling = (await _chain(session, app["id"], 1, under=chain[40], title="zzz aside"))[0]
    api = await make_api(client, dev_auth, app["id"], group_id=chain[-1], request_url="/deep")

    answer = await client.get(
        f"{API}/apis/groups/tree", params={"app_id": app["id"]}, headers=reader_auth
    )

    assert answer.status_code == 200, answer.text
    seen: list[tuple[dict[str, Any], int]] = []
    pending = [(node, 1) for node in answer.json()["data"]]
    while pending:
        node, level = pending.pop()
        seen.append((node, level))
        pending.extend((child, level + 1) for child in node["children"])
    assert sorted(node["id"] for node, _ in seen) == sorted([*chain, sibling])
    assert max(level for _, level in seen) == MAX_GROUP_DEPTH + 1
    # deeper groups hang, in depth-first order, under their ancestor at the deepest level
    # shown, and keep their real parent in `pid`
    anchor = next(node for node, level in seen if node["id"] == chain[MAX_GROUP_DEPTH - 1])
    flattened = [child["id"] for child in anchor["children"]]
    assert flattened == [*chain[MAX_GROUP_DEPTH:], sibling]
    assert all(child["children"] == [] for child in anchor["children"])
    by_id = {node["id"]: node for node, _ in seen}
    assert all(by_id[chain[n]]["pid"] == chain[n - 1] for n in range(1, depth))

    # the export tags name at most MAX_GROUP_DEPTH titles: its size grows with the depth,
    # not with its square
    document = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=reader_auth)
    assert document.status_code == 200, document.text
    tags = [tag["name"] for tag in document.json()["tags"]]
    assert len(tags) == len(set(tags)) == depth + 1
    assert all(name.count(" / ") <= MAX_GROUP_DEPTH for name in tags)
    deepest = document.json()["paths"]["/deep"]["get"]["tags"][0]
    assert deepest.startswith("… / ")
    assert deepest.endswith(f"level-with-a-longish-title-{depth - 1}")
    assert deepest.count(" / ") == MAX_GROUP_DEPTH
    title_bytes = 32
    assert len(document.content) < depth * (MAX_GROUP_DEPTH + 2) * (title_bytes + 3) + 100_000
    assert api["group_id"] == chain[-1]

    # nothing can be added below the legacy depth, nor moved into it
    _refused_for_depth(
        await client.post(
            f"{API}/apis/groups",
            json={"app_id": app["id"], "pid": chain[-1], "title": "deeper"},
            headers=dev_auth,
        )
    )
    # but the deep part can be moved up, a subtree of at most MAX_GROUP_DEPTH levels at a time
    lifted = await client.patch(
        f"{API}/apis/groups/{chain[depth - MAX_GROUP_DEPTH]}", json={"pid": 0}, headers=dev_auth
    )
    assert lifted.status_code == 200, lifted.text
    _refused_for_depth(
        await client.patch(f"{API}/apis/groups/{chain[300]}", json={"pid": 0}, headers=dev_auth)
    )


async def test_the_tree_and_the_export_survive_cycles_written_into_the_database(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    ring = await _chain(session, app["id"], 3, title="ring")
    looped = await session.get(ApiGroup, ring[0])
    assert looped is not None
    looped.pid = ring[-1]
    selfish = ApiGroup(app_id=app["id"], pid=ROOT_PID, title="self")
    session.add(selfish)
    await session.flush()
    selfish.pid = selfish.id
    await session.commit()
    # hangs from the ring and comes first by title: the ring still starts at its own member
    hanger = (await _chain(session, app["id"], 1, under=ring[1], title="a hanger"))[0]
    await make_api(client, dev_auth, app["id"], group_id=ring[1], request_url="/ring")

    tree = await client.get(
        f"{API}/apis/groups/tree", params={"app_id": app["id"]}, headers=reader_auth
    )

    assert tree.status_code == 200, tree.text
    roots = tree.json()["data"]
    # the real tops first, then each ring from its first member by title
    assert [node["title"] for node in roots] == ["self", "ring0"]
    assert roots[0]["children"] == []
    assert [child["title"] for child in roots[1]["children"]] == ["ring1"]
    ring1 = roots[1]["children"][0]
    assert [(child["id"], child["title"]) for child in ring1["children"]] == [
        (hanger, "a hanger0"),
        (ring[2], "ring2"),
    ]
    assert ring1["children"][1]["children"] == []

    document = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=reader_auth)
    assert document.status_code == 200, document.text
    assert document.json()["paths"]["/ring"]["get"]["tags"] == ["ring0 / ring1"]
    # a ring has no bottom: nothing is created or moved into it, and neither is a 500
    other = await make_group(client, dev_auth, app["id"])
    _refused_for_depth(
        await client.patch(
            f"{API}/apis/groups/{other['id']}", json={"pid": ring[2]}, headers=dev_auth
        )
    )
    _refused_for_depth(
        await client.post(
            f"{API}/apis/groups",
            json={"app_id": app["id"], "pid": ring[0], "title": "in the ring"},
            headers=dev_auth,
        )
    )


async def _levels(live_app: FastAPI, app_id: int) -> int:
    """The deepest level of the app's tree as the database has it now."""
    async with live_app.state.database.transaction(write=False) as session:
        rows = await session.execute(
            select(ApiGroup.id, ApiGroup.pid).where(
                ApiGroup.app_id == app_id, ApiGroup.deleted_at.is_(None)
            )
        )
        parents = {int(group_id): int(pid) for group_id, pid in rows}
    deepest = 0
    for start in parents:
        current, level = start, 0
        while current in parents:
            current, level = parents[current], level + 1
            assert level <= len(parents), "cycle"
        deepest = max(deepest, level)
    return deepest


async def _status(request: Coroutine[Any, Any, httpx.Response]) -> int:
    return (await request).status_code


async def test_a_create_and_a_move_at_once_never_pass_the_bound(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    async with live_app.state.database.transaction() as session:
        chain = await _chain(session, app["id"], MAX_GROUP_DEPTH - 2)

    for round_ in range(4):
        top = await make_group(live_client, auth, app["id"], title=f"top {round_}")
        below = await make_group(live_client, auth, app["id"], pid=top["id"], title="below")
        # each alone fits: `top` with `below` under level 30 reaches 32, a group under
        # `below` at the root reaches 3; both together would reach 33

        codes = await asyncio.gather(
            _status(
                live_client.patch(
                    f"{API}/apis/groups/{top['id']}", json={"pid": chain[-1]}, headers=auth
                )
            ),
            _status(
                live_client.post(
                    f"{API}/apis/groups",
                    json={"app_id": app["id"], "pid": below["id"], "title": "new"},
                    headers=auth,
                )
            ),
        )
        assert sorted(codes) in ([200, 422], [201, 422]), codes
        assert await _levels(live_app, app["id"]) <= MAX_GROUP_DEPTH
        back = await live_client.patch(
            f"{API}/apis/groups/{top['id']}", json={"pid": ROOT_PID}, headers=auth
        )
        assert back.status_code == 200, back.text
