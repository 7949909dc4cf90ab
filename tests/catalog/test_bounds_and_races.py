"""Bounds, uniqueness under concurrency, and literal text search in the catalog, on every
database.

- Ids in the catalog's filters are bounded (the cross-route walk is tests/test_integer_bounds.py).
- Parallel identical creates, and parallel changes into the same name, leave exactly one row:
  one request succeeds and every other one is told 409, never 500 or 503 (real connections,
  `live_app`). A delete racing a create under what it deletes leaves nothing live inside.
- `q` and the users' `name` filter match `%`, `_`, `/` and `\\` as the characters they are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiResponse
from apidock.apps.models import App
from apidock.config import Settings
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.schemas import MAX_ID
from tests.catalog.helpers import API, make_api, make_app, make_field, make_group, post
from tests.factories import bearer, create_user, signed_in

Auth = dict[str, str]
PARALLEL = 12


# --- bounds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name", "low"),
    [("/apis/groups", "pid", 0), ("/apis/responses", "api_id", 1), ("/apis/examples", "api_id", 1)],
)
async def test_the_catalog_filters_refuse_ids_past_the_integer_columns(
    client: httpx.AsyncClient, admin_auth: Auth, path: str, name: str, low: int
) -> None:
    for value in (2**63, 10**20, MAX_ID + 1, low - 1):
        response = await client.get(f"{API}{path}", params={name: value}, headers=admin_auth)
        assert response.status_code == 422, (value, response.text)
        assert [item["field"] for item in response.json()["data"]] == [f"query.{name}"]
    for value in (low, MAX_ID):
        response = await client.get(f"{API}{path}", params={name: value}, headers=admin_auth)
        assert response.status_code == 200, (value, response.text)


# --- races ----------------------------------------------------------------------------------


async def _codes(send: Callable[[int], Awaitable[httpx.Response]], count: int = PARALLEL) -> Any:
    answers = await asyncio.gather(*(send(index) for index in range(count)))
    return [answer.status_code for answer in answers]


def _assert_one_winner(codes: list[int], success: int) -> None:
    assert sorted(codes) == [success] + [409] * (len(codes) - 1), codes


async def _count(live_app: FastAPI, model: Any, *conditions: Any) -> int:
    async with live_app.state.database.transaction(write=False) as session:
        counted = await session.scalar(
            select(func.count()).select_from(model).where(model.deleted_at.is_(None), *conditions)
        )
    return int(counted or 0)


async def test_parallel_identical_groups_make_one_group(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    parent = await make_group(live_client, auth, app["id"])
    for pid in (ROOT_PID, parent["id"]):
        body = {"app_id": app["id"], "pid": pid, "title": "Twin"}

        async def create(_: int, body: dict[str, Any] = body) -> httpx.Response:
            return await live_client.post(f"{API}/apis/groups", json=body, headers=auth)

        _assert_one_winner(await _codes(create), 201)
        stored = await _count(live_app, ApiGroup, ApiGroup.app_id == app["id"], ApiGroup.pid == pid)
        assert stored == (2 if pid == ROOT_PID else 1)  # the parent and one twin at the root


async def test_parallel_identical_apis_make_one_api(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    body = {"app_id": app["id"], "title": "Twin", "request_url": "/twins", "request_method": "GET"}

    async def create(_: int) -> httpx.Response:
        return await live_client.post(f"{API}/apis", json=body, headers=auth)

    _assert_one_winner(await _codes(create), 201)
    assert await _count(live_app, Api, Api.app_id == app["id"]) == 1


async def test_parallel_identical_response_fields_make_one_field(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"])
    body = {"api_id": api["id"], "field": "data.twin", "data_type": "string"}

    async def create(_: int) -> httpx.Response:
        return await live_client.post(f"{API}/apis/responses", json=body, headers=auth)

    _assert_one_winner(await _codes(create), 201)
    assert await _count(live_app, ApiResponse, ApiResponse.api_id == api["id"]) == 1


async def test_parallel_renames_of_groups_into_one_title_leave_one(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    groups = [await make_group(live_client, auth, app["id"]) for _ in range(PARALLEL)]

    async def rename(index: int) -> httpx.Response:
        url = f"{API}/apis/groups/{groups[index]['id']}"
        return await live_client.patch(url, json={"title": "Same"}, headers=auth)

    _assert_one_winner(await _codes(rename), 200)
    assert await _count(live_app, ApiGroup, ApiGroup.title == "Same") == 1


async def test_parallel_moves_of_same_titled_groups_under_one_parent_leave_one(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    parents = [await make_group(live_client, auth, app["id"]) for _ in range(PARALLEL)]
    kids = [
        await make_group(live_client, auth, app["id"], pid=parent["id"], title="Kid")
        for parent in parents
    ]

    async def move(index: int) -> httpx.Response:
        url = f"{API}/apis/groups/{kids[index]['id']}"
        return await live_client.patch(url, json={"pid": ROOT_PID}, headers=auth)

    _assert_one_winner(await _codes(move), 200)
    at_root = await _count(live_app, ApiGroup, ApiGroup.pid == ROOT_PID, ApiGroup.title == "Kid")
    assert at_root == 1


async def test_parallel_changes_of_apis_into_one_route_leave_one(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    apis = [await make_api(live_client, auth, app["id"]) for _ in range(PARALLEL)]

    async def change(index: int) -> httpx.Response:
        # half change the path only, half the path and the method into the same route
        body = {"request_url": "/same"} | ({"request_method": "GET"} if index % 2 else {})
        return await live_client.patch(f"{API}/apis/{apis[index]['id']}", json=body, headers=auth)

    _assert_one_winner(await _codes(change), 200)
    assert await _count(live_app, Api, Api.request_url == "/same") == 1


async def test_parallel_method_changes_into_one_route_leave_one(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    methods = ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
    apis = [
        await make_api(live_client, auth, app["id"], request_url="/one", request_method=method)
        for method in methods
    ]

    async def change(index: int) -> httpx.Response:
        url = f"{API}/apis/{apis[index]['id']}"
        return await live_client.patch(url, json={"request_method": "GET"}, headers=auth)

    _assert_one_winner(await _codes(change, len(methods)), 200)
    assert await _count(live_app, Api, Api.request_method == "GET") == 1


async def test_parallel_renames_of_fields_into_one_path_leave_one(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"])
    fields = [
        await make_field(live_client, auth, api["id"], f"data.f{index}", "string")
        for index in range(PARALLEL)
    ]

    async def rename(index: int) -> httpx.Response:
        url = f"{API}/apis/responses/{fields[index]['id']}"
        return await live_client.patch(url, json={"field": "data.same"}, headers=auth)

    _assert_one_winner(await _codes(rename), 200)
    assert await _count(live_app, ApiResponse, ApiResponse.field == "data.same") == 1


async def test_parallel_creates_and_renames_into_one_name_leave_one_of_each_kind(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"])
    half = PARALLEL // 2
    groups = [await make_group(live_client, auth, app["id"]) for _ in range(half)]
    apis = [await make_api(live_client, auth, app["id"]) for _ in range(half)]
    fields = [
        await make_field(live_client, auth, api["id"], f"data.g{index}", "string")
        for index in range(half)
    ]
    sends: list[Awaitable[httpx.Response]] = []
    for index in range(half):
        sends += [
            live_client.post(
                f"{API}/apis/groups", json={"app_id": app["id"], "title": "Mix"}, headers=auth
            ),
            live_client.patch(
                f"{API}/apis/groups/{groups[index]['id']}", json={"title": "Mix"}, headers=auth
            ),
            live_client.post(
                f"{API}/apis",
                json={"app_id": app["id"], "title": "Mix", "request_url": "/mix"}
                | {"request_method": "GET"},
                headers=auth,
            ),
            live_client.patch(
                f"{API}/apis/{apis[index]['id']}", json={"request_url": "/mix"}, headers=auth
            ),
            live_client.post(
                f"{API}/apis/responses",
                json={"api_id": api["id"], "field": "data.mix", "data_type": "string"},
                headers=auth,
            ),
            live_client.patch(
                f"{API}/apis/responses/{fields[index]['id']}",
                json={"field": "data.mix"},
                headers=auth,
            ),
        ]
    codes = [answer.status_code for answer in await asyncio.gather(*sends)]
    assert set(codes) <= {200, 201, 409}, codes
    assert len([code for code in codes if code != 409]) == 3, codes
    assert await _count(live_app, ApiGroup, ApiGroup.title == "Mix") == 1
    assert await _count(live_app, Api, Api.request_url == "/mix") == 1
    assert await _count(live_app, ApiResponse, ApiResponse.field == "data.mix") == 1


async def test_parallel_identical_apps_make_one_app(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    # the unique indexes on title and slug settle this race; the answer is still 409
    auth = await signed_in(live_app, settings, "Administrator")

    async def create(_: int) -> httpx.Response:
        return await live_client.post(f"{API}/apps", json={"title": "Twin app"}, headers=auth)

    _assert_one_winner(await _codes(create), 201)
    async with live_app.state.database.transaction(write=False) as session:
        stored = await session.scalar(
            select(func.count()).select_from(App).where(App.title == "Twin app")
        )
    assert stored == 1


# --- literal search -------------------------------------------------------------------------

SPECIAL = {"%": "100% done", "_": "snake_case", "/": "either/or", "\\": "back\\slash"}
PLAIN = "plain words"


async def _listed(
    client: httpx.AsyncClient, auth: Auth, path: str, key: str, name: str, query: str
) -> set[str]:
    response = await client.get(f"{API}{path}", params={query: name, "per_page": 100}, headers=auth)
    assert response.status_code == 200, response.text
    return {row[key] for row in response.json()["data"][path.rsplit("/", 1)[-1]]}


@pytest.mark.parametrize("char", list(SPECIAL))
async def test_app_search_matches_like_wildcards_literally(
    client: httpx.AsyncClient, admin_auth: Auth, char: str
) -> None:
    for index, title in enumerate([*SPECIAL.values(), PLAIN]):
        await make_app(client, admin_auth, title=title, slug=f"search-{index}")
    found = await _listed(client, admin_auth, "/apps", "title", char, "q")
    assert found == {SPECIAL[char]}
    assert await _listed(client, admin_auth, "/apps", "title", char * 2, "q") == set()


@pytest.mark.parametrize("char", list(SPECIAL))
async def test_api_search_matches_like_wildcards_literally(
    client: httpx.AsyncClient, admin_auth: Auth, char: str
) -> None:
    app = await make_app(client, admin_auth)
    for index, title in enumerate([*SPECIAL.values(), PLAIN]):
        await make_api(
            client,
            admin_auth,
            app["id"],
            title=f"API {index}",
            description=title,
            request_url=f"/search/{index}",
        )
    # every URL holds '/': for it, a fragment only the description holds
    query = "r/o" if char == "/" else char
    found = await _listed(client, admin_auth, "/apis", "description", query, "q")
    assert found == {SPECIAL[char]}
    assert await _listed(client, admin_auth, "/apis", "description", char * 2, "q") == set()


async def test_api_search_finds_a_percent_in_the_url_literally(
    client: httpx.AsyncClient, admin_auth: Auth
) -> None:
    app = await make_app(client, admin_auth)
    encoded = await make_api(client, admin_auth, app["id"], request_url="/files/a%20b")
    await make_api(client, admin_auth, app["id"], request_url="/files/a20b")
    await make_api(client, admin_auth, app["id"], request_url="/files/a_b")
    found = await _listed(client, admin_auth, "/apis", "request_url", "a%20", "q")
    assert found == {encoded["request_url"]}
    assert await _listed(client, admin_auth, "/apis", "request_url", "a_b", "q") == {"/files/a_b"}
    # the escape character itself: the URLs hold single slashes only
    assert await _listed(client, admin_auth, "/apis", "request_url", "//", "q") == set()


@pytest.mark.parametrize("char", list(SPECIAL))
async def test_response_field_search_matches_like_wildcards_literally(
    client: httpx.AsyncClient, admin_auth: Auth, char: str
) -> None:
    app = await make_app(client, admin_auth)
    api = await make_api(client, admin_auth, app["id"])
    for index, text in enumerate([*SPECIAL.values(), PLAIN]):
        await post(
            client,
            "/apis/responses",
            admin_auth,
            api_id=api["id"],
            field=f"field{index}",
            data_type="string",
            description=text,
        )
    found = await _listed(client, admin_auth, "/apis/responses", "description", char, "q")
    assert found == {SPECIAL[char]}
    underscored = await post(
        client, "/apis/responses", admin_auth, api_id=api["id"], field="a_b", data_type="string"
    )
    assert await _listed(client, admin_auth, "/apis/responses", "field", "a_b", "q") == {
        underscored["field"]
    }


@pytest.mark.parametrize("char", list(SPECIAL))
async def test_user_name_search_matches_like_wildcards_literally(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    app: FastAPI,
    char: str,
) -> None:
    admin = await create_user(session, settings, role="Administrator", name="searcher")
    names = {"%": "per%cent", "_": "under_score", "/": "sla/sh", "\\": "back\\sl"}
    for name in [*names.values(), "plainname"]:
        await create_user(session, settings, name=name)
    auth = bearer(app, admin)
    assert await _listed(client, auth, "/users", "name", char, "name") == {names[char]}
    assert await _listed(client, auth, "/users", "name", char * 2, "name") == set()


# --- a delete racing a create under what it deletes ---------------------------------------

ROUNDS = 6


async def _live_ids(live_app: FastAPI, model: Any, *conditions: Any) -> set[int]:
    async with live_app.state.database.transaction(write=False) as session:
        rows = await session.scalars(
            select(model.id).where(model.deleted_at.is_(None), *conditions)
        )
        return set(rows)


async def test_a_group_deleted_while_things_are_added_to_it_leaves_nothing_live_inside(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    for round_ in range(ROUNDS):
        group = await make_group(live_client, auth, app["id"])
        codes = [
            answer.status_code
            for answer in await asyncio.gather(
                live_client.delete(
                    f"{API}/apis/groups/{group['id']}", params={"cascade": "true"}, headers=auth
                ),
                live_client.post(
                    f"{API}/apis/groups",
                    json={"app_id": app["id"], "pid": group["id"], "title": f"Sub {round_}"},
                    headers=auth,
                ),
                live_client.post(
                    f"{API}/apis",
                    json={"app_id": app["id"], "group_id": group["id"], "title": "In it"}
                    | {"request_url": f"/in/{round_}", "request_method": "GET"},
                    headers=auth,
                ),
            )
        ]
        assert codes[0] == 200, codes
        assert set(codes[1:]) <= {201, 422}, codes
        assert await _live_ids(live_app, ApiGroup, ApiGroup.pid == group["id"]) == set()
        assert await _live_ids(live_app, Api, Api.group_id == group["id"]) == set()


async def test_an_app_deleted_while_things_are_added_to_it_leaves_nothing_live_inside(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    for _ in range(ROUNDS):
        app = await make_app(live_client, auth)
        codes = [
            answer.status_code
            for answer in await asyncio.gather(
                live_client.delete(f"{API}/apps/{app['id']}", headers=auth),
                live_client.post(
                    f"{API}/apis/groups", json={"app_id": app["id"], "title": "G"}, headers=auth
                ),
                live_client.post(
                    f"{API}/apis",
                    json={"app_id": app["id"], "title": "A", "request_url": "/a"}
                    | {"request_method": "GET"},
                    headers=auth,
                ),
            )
        ]
        assert codes[0] == 200, codes
        assert set(codes[1:]) <= {201, 422}, codes
        assert await _live_ids(live_app, ApiGroup, ApiGroup.app_id == app["id"]) == set()
        assert await _live_ids(live_app, Api, Api.app_id == app["id"]) == set()


async def test_an_api_deleted_while_a_field_is_added_leaves_no_live_field(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    for _ in range(ROUNDS):
        api = await make_api(live_client, auth, app["id"])
        codes = [
            answer.status_code
            for answer in await asyncio.gather(
                live_client.delete(f"{API}/apis/{api['id']}", headers=auth),
                live_client.post(
                    f"{API}/apis/responses",
                    json={"api_id": api["id"], "field": "data", "data_type": "object"},
                    headers=auth,
                ),
            )
        ]
        assert codes[0] == 200, codes
        assert codes[1] in {201, 422}, codes
        assert await _live_ids(live_app, ApiResponse, ApiResponse.api_id == api["id"]) == set()


@pytest.mark.parametrize("deleted", ["app", "group"])
async def test_a_cascade_delete_while_a_field_is_added_leaves_no_live_field(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings, deleted: str
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    for _ in range(ROUNDS):
        app = await make_app(live_client, auth)
        group = await make_group(live_client, auth, app["id"])
        api = await make_api(live_client, auth, app["id"], group_id=group["id"])
        url = (
            f"{API}/apps/{app['id']}"
            if deleted == "app"
            else f"{API}/apis/groups/{group['id']}?cascade=true"
        )
        codes = [
            answer.status_code
            for answer in await asyncio.gather(
                live_client.delete(url, headers=auth),
                live_client.post(
                    f"{API}/apis/responses",
                    json={"api_id": api["id"], "field": "data", "data_type": "object"},
                    headers=auth,
                ),
            )
        ]
        assert codes[0] == 200, codes
        assert codes[1] in {201, 422}, codes
        assert await _live_ids(live_app, ApiResponse, ApiResponse.api_id == api["id"]) == set()
