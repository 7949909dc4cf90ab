"""APIs: path templates, unique routes per app, structured headers, filters, permissions."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiStatus
from tests.catalog.helpers import API, log_rows, make_api, make_app, make_group

Auth = dict[str, str]

HEADER = {"name": "X-Request-Id", "required": True, "description": "trace", "example": "abc"}


async def test_create_stores_headers_as_json_text_and_status_as_integer(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    group = await make_group(client, dev_auth, app["id"])
    api = await make_api(
        client,
        dev_auth,
        app["id"],
        group_id=group["id"],
        request_url="/users/{user_id}/posts/{post_id}",
        request_method="patch",
        request_header=[HEADER],
        need_auth=True,
        status="released",
    )
    assert api["request_method"] == "PATCH"
    assert api["request_header"] == [HEADER]
    assert (api["status"], api["need_auth"], api["group_id"]) == ("released", True, group["id"])
    stored = await session.scalar(select(Api).where(Api.id == api["id"]))
    assert stored is not None
    assert stored.status == ApiStatus.RELEASED
    assert json.loads(stored.request_header or "") == [HEADER]
    assert len(await log_rows(session, "api.create", api["id"])) == 1


async def test_request_url_must_be_a_path_template(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    for url in (
        "users",
        "https://example.com/users",
        "//example.com/users",
        "/users/{id",
        "/users/id}",
        "/users/{{id}}",
        "/users/{1id}",
        "/users/{}",
        "/users/{id}/{id}",
        "/users?page=1",
        "/users#top",
        "/us ers",
    ):
        response = await client.post(
            f"{API}/apis",
            json={"app_id": app["id"], "title": "t", "request_url": url, "request_method": "GET"},
            headers=dev_auth,
        )
        assert response.status_code == 422, url


async def test_bad_bodies_are_refused(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    other_group = await make_group(client, dev_auth, (await make_app(client, dev_auth))["id"])
    base = {"app_id": app["id"], "title": "t", "request_url": "/x", "request_method": "GET"}
    for extra in (
        {"request_method": "FETCH"},
        {"status": "retired"},
        {"group_id": other_group["id"]},
        {"app_id": 999999},
        {"request_header": [HEADER, HEADER | {"name": "x-request-id"}]},
        {"request_header": [{"name": "bad name"}]},
    ):
        response = await client.post(f"{API}/apis", json=base | extra, headers=dev_auth)
        assert response.status_code == 422, extra


async def test_method_and_url_are_unique_within_an_app(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    first = await make_api(client, dev_auth, app["id"], request_url="/a", request_method="GET")
    body = {"app_id": app["id"], "title": "t", "request_url": "/a", "request_method": "GET"}
    assert (await client.post(f"{API}/apis", json=body, headers=dev_auth)).status_code == 409
    # another method, or another app, is fine
    await make_api(client, dev_auth, app["id"], request_url="/a", request_method="POST")
    await make_api(client, dev_auth, (await make_app(client, dev_auth))["id"], request_url="/a")
    second = await make_api(client, dev_auth, app["id"], request_url="/b")
    clash = await client.patch(
        f"{API}/apis/{second['id']}", json={"request_url": "/a"}, headers=dev_auth
    )
    assert clash.status_code == 409
    # a deleted API frees its route
    assert (await client.delete(f"{API}/apis/{first['id']}", headers=dev_auth)).status_code == 200
    assert (await client.post(f"{API}/apis", json=body, headers=dev_auth)).status_code == 201


async def test_list_filters(client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    group = await make_group(client, dev_auth, app["id"])
    grouped = await make_api(
        client, dev_auth, app["id"], group_id=group["id"], title="List orders", status="released"
    )
    posted = await make_api(client, dev_auth, app["id"], request_method="POST")
    await make_api(client, dev_auth, app["id"], status="deprecated")

    async def ids(**params: object) -> list[int]:
        response = await client.get(
            f"{API}/apis", params={"app_id": app["id"], **params}, headers=reader_auth
        )
        assert response.status_code == 200
        return [api["id"] for api in response.json()["data"]["apis"]]

    assert len(await ids()) == 3
    assert await ids(group_id=group["id"]) == [grouped["id"]]
    assert await ids(method="post") == [posted["id"]]
    assert await ids(status="released") == [grouped["id"]]
    assert await ids(q="ORDERS") == [grouped["id"]]
    bad = await client.get(f"{API}/apis", params={"status": "gone"}, headers=reader_auth)
    assert bad.status_code == 422


async def test_update_moves_between_groups_and_audits(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    group = await make_group(client, dev_auth, app["id"])
    api = await make_api(client, dev_auth, app["id"])
    url = f"{API}/apis/{api['id']}"
    moved = await client.patch(
        url, json={"group_id": group["id"], "status": "deprecated"}, headers=dev_auth
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["data"]["group_id"], moved.json()["data"]["status"]) == (
        group["id"],
        "deprecated",
    )
    ungrouped = await client.patch(url, json={"group_id": None}, headers=dev_auth)
    assert ungrouped.json()["data"]["group_id"] is None
    assert (await client.patch(url, json={"title": None}, headers=dev_auth)).status_code == 422
    assert (await client.patch(url, json={"app_id": 1}, headers=dev_auth)).status_code == 422
    assert len(await log_rows(session, "api.update", api["id"])) == 2
    read = await client.get(url, headers=reader_auth)
    assert read.json()["data"]["status"] == "deprecated"


async def test_permissions_and_missing(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"])
    url = f"{API}/apis/{api['id']}"
    assert (await client.get(f"{API}/apis")).status_code == 401
    assert (await client.get(url)).status_code == 401
    body = {"app_id": app["id"], "title": "t", "request_url": "/z", "request_method": "GET"}
    assert (await client.post(f"{API}/apis", json=body, headers=reader_auth)).status_code == 403
    assert (await client.patch(url, json={"title": "y"}, headers=reader_auth)).status_code == 403
    assert (await client.delete(url, headers=reader_auth)).status_code == 403
    assert (await client.get(f"{API}/apis/999999", headers=reader_auth)).status_code == 404
    assert (await client.delete(f"{API}/apis/999999", headers=dev_auth)).status_code == 404
