"""Groups: the tree per app, moves without cycles, deletion with and without cascade."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.groups.models import ApiGroup
from tests.catalog.helpers import API, log_rows, make_api, make_app, make_group

Auth = dict[str, str]


async def test_create_read_list_and_tree(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    root = await make_group(client, dev_auth, app["id"], title="B root")
    child = await make_group(client, dev_auth, app["id"], pid=root["id"], title="child")
    other_root = await make_group(client, dev_auth, app["id"], title="A root")
    assert child["pid"] == root["id"]
    assert len(await log_rows(session, "group.create", child["id"])) == 1

    read = await client.get(f"{API}/apis/groups/{child['id']}", headers=reader_auth)
    assert read.status_code == 200
    assert read.json()["data"]["title"] == "child"

    roots = await client.get(
        f"{API}/apis/groups", params={"app_id": app["id"], "pid": 0}, headers=reader_auth
    )
    assert [g["id"] for g in roots.json()["data"]["groups"]] == [other_root["id"], root["id"]]

    tree = await client.get(
        f"{API}/apis/groups/tree", params={"app_id": app["id"]}, headers=reader_auth
    )
    assert tree.status_code == 200
    nodes = tree.json()["data"]
    assert [node["id"] for node in nodes] == [other_root["id"], root["id"]]
    assert [node["id"] for node in nodes[1]["children"]] == [child["id"]]
    assert (await client.get(f"{API}/apis/groups/tree", headers=reader_auth)).status_code == 422


async def test_parent_must_be_in_the_same_app(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    elsewhere = await make_group(client, dev_auth, (await make_app(client, dev_auth))["id"])
    for body in (
        {"app_id": app["id"], "title": "x", "pid": elsewhere["id"]},
        {"app_id": app["id"], "title": "x", "pid": 999999},
        {"app_id": 999999, "title": "x"},
        {"app_id": app["id"], "title": ""},
    ):
        response = await client.post(f"{API}/apis/groups", json=body, headers=dev_auth)
        assert response.status_code == 422, body
    group = await make_group(client, dev_auth, app["id"])
    moved = await client.patch(
        f"{API}/apis/groups/{group['id']}", json={"pid": elsewhere["id"]}, headers=dev_auth
    )
    assert moved.status_code == 422


async def test_sibling_titles_are_unique(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    await make_group(client, dev_auth, app["id"], title="Users")
    again = await client.post(
        f"{API}/apis/groups", json={"app_id": app["id"], "title": "Users"}, headers=dev_auth
    )
    assert again.status_code == 409


async def test_moves_refuse_cycles(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    top = await make_group(client, dev_auth, app["id"])
    middle = await make_group(client, dev_auth, app["id"], pid=top["id"])
    bottom = await make_group(client, dev_auth, app["id"], pid=middle["id"])
    url = f"{API}/apis/groups/{top['id']}"
    for pid in (top["id"], middle["id"], bottom["id"]):
        response = await client.patch(url, json={"pid": pid}, headers=dev_auth)
        assert response.status_code == 409, pid
    moved = await client.patch(
        f"{API}/apis/groups/{bottom['id']}",
        json={"pid": 0, "title": "now a root"},
        headers=dev_auth,
    )
    assert moved.status_code == 200
    assert (moved.json()["data"]["pid"], moved.json()["data"]["title"]) == (0, "now a root")
    assert len(await log_rows(session, "group.update", bottom["id"])) == 1
    null = await client.patch(url, json={"pid": None}, headers=dev_auth)
    assert null.status_code == 422


async def test_delete_refuses_a_group_that_holds_things(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    parent = await make_group(client, dev_auth, app["id"])
    await make_group(client, dev_auth, app["id"], pid=parent["id"])
    holder = await make_group(client, dev_auth, app["id"])
    await make_api(client, dev_auth, app["id"], group_id=holder["id"])
    empty = await make_group(client, dev_auth, app["id"])
    for group in (parent, holder):
        response = await client.delete(f"{API}/apis/groups/{group['id']}", headers=dev_auth)
        assert response.status_code == 409
    assert (
        await client.delete(f"{API}/apis/groups/{empty['id']}", headers=dev_auth)
    ).status_code == 200
    assert len(await log_rows(session, "group.delete", empty["id"])) == 1
    gone = await client.get(f"{API}/apis/groups/{empty['id']}", headers=dev_auth)
    assert gone.status_code == 404


async def test_cascade_delete_hides_subgroups_and_apis(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    top = await make_group(client, dev_auth, app["id"])
    below = await make_group(client, dev_auth, app["id"], pid=top["id"])
    api = await make_api(client, dev_auth, app["id"], group_id=below["id"])
    response = await client.delete(
        f"{API}/apis/groups/{top['id']}", params={"cascade": "true"}, headers=dev_auth
    )
    assert response.status_code == 200
    assert (
        await client.get(f"{API}/apis/groups/{below['id']}", headers=dev_auth)
    ).status_code == 404
    assert (await client.get(f"{API}/apis/{api['id']}", headers=dev_auth)).status_code == 404
    # soft: the rows are still there, marked deleted
    rows = (await session.scalars(select(ApiGroup).where(ApiGroup.app_id == app["id"]))).all()
    assert len(rows) == 2
    assert all(row.deleted_at is not None for row in rows)
    stored_api = await session.scalar(select(Api).where(Api.id == api["id"]))
    assert stored_api is not None
    assert stored_api.deleted_at is not None


async def test_permissions_and_missing(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    group = await make_group(client, dev_auth, app["id"])
    url = f"{API}/apis/groups/{group['id']}"
    assert (await client.get(f"{API}/apis/groups")).status_code == 401
    assert (await client.get(url)).status_code == 401
    create = await client.post(
        f"{API}/apis/groups", json={"app_id": app["id"], "title": "x"}, headers=reader_auth
    )
    assert create.status_code == 403
    assert (await client.patch(url, json={"title": "y"}, headers=reader_auth)).status_code == 403
    assert (await client.delete(url, headers=reader_auth)).status_code == 403
    assert (await client.get(f"{API}/apis/groups/999999", headers=reader_auth)).status_code == 404
    missing = await client.patch(f"{API}/apis/groups/999999", json={"title": "y"}, headers=dev_auth)
    assert missing.status_code == 404
