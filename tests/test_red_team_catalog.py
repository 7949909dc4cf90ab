"""Red-team variants of the catalog's fixed holes (issue 12, items 8-11 and 13-15), each shown
failing before its fix, on SQLite, PostgreSQL and MariaDB.

- Export (item 8): an example body of one string that never closes (a quote, then escaped
  quotes) made the nesting scan quadratic: 40 s for one 64 KiB body, holding the GIL. A
  catalog of any size was exported whole: now at most MAX_DOCUMENT_BYTES is read and sent
  (409 past it), a tag repeated by every API of its group included, and the text is encoded
  a path at a time, never held as one string and again as bytes.
- Collections a reader or every change walks whole (items 8, 9): an app holds at most
  MAX_GROUPS_PER_APP groups (the tree is answered unpaged) and an API MAX_FIELDS_PER_API
  response fields (each change checks against all of them), 409 past them, under parallel
  creates too.
- Races (item 11): a change checked the values its record had when the request loaded it,
  before the parent's lock. A rename and a move of one group at once made twin titles under
  one parent, a path change and a method change of one API twin routes, a rename and a
  retype of one field a string with fields under it. The record is now read again under the
  lock. (SQLite serialises whole write transactions, so there the tests pass either way.)
- Cascades (item 8's "huge app"): deleting an app or a group with more than 32,767 live APIs
  bound every id in one `IN (…)`, past what PostgreSQL (asyncpg) takes: 503, and the app
  could not be deleted. The ids now go in batches.
- Headers (items 13, 15): under a mount point (`root_path`) API answers, tokens included,
  lost `Cache-Control: no-store`; a 500 left without any of the headers every answer carries
  (Starlette's ServerErrorMiddleware sits outside `add_middleware`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apis.responses_service import MAX_FIELDS_PER_API
from apidock.apps.models import App
from apidock.apps.openapi_export import (
    EXAMPLE_MAX_NESTING,
    MAX_DOCUMENT_BYTES,
    DocumentTooLarge,
    ExportApi,
    ExportApp,
    ExportExample,
    ExportGroup,
    build_document,
    render_document,
)
from apidock.config import Settings
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.groups.tree import MAX_GROUP_DEPTH, MAX_GROUPS_PER_APP
from tests.catalog.helpers import API, make_api, make_app, make_field, make_group, post
from tests.factories import DEFAULT_PASSWORD, bearer, create_user, signed_in

Auth = dict[str, str]
PARALLEL = 8
# how long the requests of a race are given to read their record and queue on the lock
QUEUE_SECONDS = 0.5
# the body that took the quadratic scan 40 s: 129 brackets, then a string that never closes
UNCLOSED = "[" * (EXAMPLE_MAX_NESTING + 1) + '"' + '\\"' * 32_000
LINEAR_BOUND_SECONDS = 1.0
CASCADE_APIS = 40_000
EXPORT_BOUND_SECONDS = 10.0


@pytest.fixture
async def dev_auth(app: FastAPI, session: AsyncSession, settings: Settings) -> Auth:
    return bearer(app, await create_user(session, settings, role="Developer"))


@pytest.fixture
async def reader_auth(app: FastAPI, session: AsyncSession, settings: Settings) -> Auth:
    return bearer(app, await create_user(session, settings, role="User"))


# --- export ---------------------------------------------------------------------------------


def _one_api(*bodies: str) -> ExportApp:
    examples = [ExportExample(title=f"e{index}", body=body) for index, body in enumerate(bodies)]
    api = ExportApi(id=1, title="t", request_url="/x", request_method="GET", examples=examples)
    return ExportApp(title="T", version="1", apis=[api])


def _values(document: dict[str, Any]) -> list[Any]:
    media = document["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    return [example.get("value") for example in media["examples"].values()]


def test_a_string_that_never_closes_is_measured_in_linear_time() -> None:
    bodies = [UNCLOSED, UNCLOSED.replace("\\", "\\\\"), "[" * 100_000 + '"' + "\\" * 60_000]
    start = time.thread_time()
    document = build_document(_one_api(*bodies))
    assert time.thread_time() - start < LINEAR_BOUND_SECONDS
    assert _values(document) == bodies  # none is JSON: each stays the text it is


def test_the_nesting_bound_still_holds_for_json_and_for_brackets_in_strings() -> None:
    bound = EXAMPLE_MAX_NESTING
    inside = "[" * bound + '"' + "[" * 5_000 + '"' + "]" * bound
    bodies = [
        "[" * bound + "]" * bound,
        '{"a":' * (bound - 1) + "[]" + "}" * (bound - 1),
        "[" * (bound + 1) + "]" * (bound + 1),
        '{"a":' * bound + "[]" + "}" * bound,
        "[" * 100_000 + "]" * 100_000,
        inside,
        "1",
        '"[[["',
        "[NaN]",
    ]
    values = _values(build_document(_one_api(*bodies)))
    assert values[0] == json.loads(bodies[0])
    assert values[1] == json.loads(bodies[1])
    assert values[2:5] == bodies[2:5]
    assert values[5] == json.loads(inside)  # brackets in a string are no nesting
    assert values[6:] == [1, "[[[", "[NaN]"]
    json.dumps(values, allow_nan=False)


async def test_an_export_with_unclosed_strings_in_its_examples_is_quick(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"], request_url="/x")
    for index in range(3):
        body = UNCLOSED[: 60_000 - index]  # within MariaDB's TEXT
        await post(client, "/apis/examples", dev_auth, api_id=api["id"], title="b", body=body)

    start = time.process_time()  # this process's CPU: a stalled machine does not inflate it
    answer = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)

    assert answer.status_code == 200, answer.text
    assert time.process_time() - start < EXPORT_BOUND_SECONDS


def test_the_document_is_sent_in_pieces_that_join_into_what_json_dumps_makes() -> None:
    groups = [ExportGroup(id=1, pid=ROOT_PID, title="G"), ExportGroup(id=2, pid=1, title="H")]
    apis = [
        ExportApi(id=number, title="t", request_url=f"/p{number % 3}", request_method=method)
        for number, method in enumerate(["GET", "POST", "PUT", "DELETE", "PATCH"])
    ]
    app = ExportApp(title="T", version="1", auth_type="bearer", groups=groups, apis=apis)
    expected = json.dumps(
        build_document(app), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode()

    pieces = render_document(app)

    assert b"".join(pieces) == expected
    assert len(pieces) > 3  # a path at a time


def test_a_document_past_its_bound_is_given_up_while_it_is_encoded() -> None:
    # one group 32 levels deep with long titles: its tag, repeated by each API in it
    groups = [
        ExportGroup(id=level, pid=level - 1, title=f"{level:02d}" * 40)
        for level in range(1, MAX_GROUP_DEPTH + 1)
    ]
    apis = [
        ExportApi(id=n, title="t", request_url=f"/{n}", request_method="GET", group_id=32)
        for n in range(1_000)
    ]
    app = ExportApp(title="T", version="1", groups=groups, apis=apis)

    assert sum(map(len, render_document(app))) > 2_000_000
    with pytest.raises(DocumentTooLarge):
        render_document(app, max_bytes=2_000_000)


async def _deep_group(session: AsyncSession, app_id: int) -> int:
    """The deepest of MAX_GROUP_DEPTH groups under each other, each titled 80 characters."""
    pid = ROOT_PID
    for level in range(MAX_GROUP_DEPTH):
        group = ApiGroup(app_id=app_id, pid=pid, title=f"{level:02d}" * 40)
        session.add(group)
        await session.flush()
        pid = group.id
    return pid


async def test_an_app_whose_document_passes_the_bound_is_409_and_others_export(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    big = await make_app(client, dev_auth)
    small = await make_app(client, dev_auth)
    await make_api(client, dev_auth, small["id"])
    deepest = await _deep_group(session, big["id"])
    # little text each, but each operation names the 2.6 KB tag: over 32 MiB together
    count = MAX_DOCUMENT_BYTES // 2_500
    rows = [
        {"app_id": big["id"], "group_id": deepest, "title": "t", "request_url": f"/{n}"}
        | {"request_method": "GET"}
        for n in range(count)
    ]
    for start in range(0, count, 2_000):
        await session.execute(insert(Api), rows[start : start + 2_000])
    await session.commit()

    answer = await client.get(f"{API}/apps/{big['id']}/openapi.json", headers=reader_auth)
    assert answer.status_code == 409, answer.text[:300]
    assert "too large" in answer.json()["message"]
    other = await client.get(f"{API}/apps/{small['id']}/openapi.json", headers=reader_auth)
    assert other.status_code == 200, other.text
    assert int(other.headers["content-length"]) == len(other.content)


async def test_an_app_whose_stored_text_passes_the_bound_is_409_before_it_is_all_read(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    body = json.dumps(["x" * 60_000])
    count = MAX_DOCUMENT_BYTES // len(body) + 1
    per_api = 90
    for first in range(0, count, per_api):
        api = await make_api(client, dev_auth, app["id"])
        rows = [
            {"api_id": api["id"], "title": "e", "body": body}
            for _ in range(min(per_api, count - first))
        ]
        for start in range(0, len(rows), 10):
            await session.execute(insert(ApiExample), rows[start : start + 10])
    await session.commit()

    answer = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=reader_auth)

    assert answer.status_code == 409, answer.text[:300]
    assert "too large" in answer.json()["message"]


# --- collections bounded per parent ---------------------------------------------------------


async def _insert(live_app: FastAPI, model: Any, rows: list[dict[str, Any]]) -> None:
    """Rows written straight into the database, up to just below a cap."""
    async with live_app.state.database.transaction() as session:
        for start in range(0, len(rows), 500):
            await session.execute(insert(model), rows[start : start + 500])


async def _statuses(*sends: Awaitable[httpx.Response]) -> list[int]:
    return sorted(answer.status_code for answer in await asyncio.gather(*sends))


async def test_an_app_holds_at_most_its_groups_even_when_they_are_added_in_parallel(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    parent = await make_group(live_client, auth, app["id"])
    rows = [
        {"app_id": app["id"], "pid": parent["id"], "title": f"g{n}"}
        for n in range(MAX_GROUPS_PER_APP - 2)
    ]
    await _insert(live_app, ApiGroup, rows)

    codes = await _statuses(
        *(
            live_client.post(
                f"{API}/apis/groups",
                json={"app_id": app["id"], "pid": pid, "title": f"new{n}"},
                headers=auth,
            )
            for n, pid in enumerate([ROOT_PID, parent["id"]] * (PARALLEL // 2))
        )
    )

    assert codes == [201] + [409] * (PARALLEL - 1), codes
    other = await make_app(live_client, auth)
    await make_group(live_client, auth, other["id"])  # the bound is per app
    tree = await live_client.get(
        f"{API}/apis/groups/tree", params={"app_id": app["id"]}, headers=auth
    )
    assert tree.status_code == 200
    assert _nodes(tree.json()["data"]) == MAX_GROUPS_PER_APP


def _nodes(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + _nodes(node["children"]) for node in nodes)


async def test_an_api_holds_at_most_its_response_fields_even_when_added_in_parallel(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"])
    rows = [
        {"api_id": api["id"], "field": f"data.f{n}", "data_type": "string", "nullable": False}
        for n in range(MAX_FIELDS_PER_API - 1)
    ]
    await _insert(live_app, ApiResponse, rows)

    codes = await _statuses(
        *(
            live_client.post(
                f"{API}/apis/responses",
                json={"api_id": api["id"], "field": f"data.new{n}", "data_type": "string"},
                headers=auth,
            )
            for n in range(PARALLEL)
        )
    )

    assert codes == [201] + [409] * (PARALLEL - 1), codes
    # a change of a field already there is no new field
    field = await live_client.get(
        f"{API}/apis/responses", params={"api_id": api["id"], "q": "data.f7"}, headers=auth
    )
    (found,) = [item for item in field.json()["data"]["responses"] if item["field"] == "data.f7"]
    renamed = await live_client.patch(
        f"{API}/apis/responses/{found['id']}", json={"field": "data.g7"}, headers=auth
    )
    assert renamed.status_code == 200, renamed.text
    other = await make_api(live_client, auth, app["id"])
    await make_field(live_client, auth, other["id"], "data.x", "string")  # the bound is per API


async def test_a_cascade_through_more_apis_than_a_statement_takes_parameters(
    client: httpx.AsyncClient,
    session: AsyncSession,
    dev_auth: Auth,
    settings: Settings,
    app: FastAPI,
) -> None:
    deleter = bearer(app, await create_user(session, settings, role="Administrator"))
    catalog = await make_app(client, dev_auth)
    group = await make_group(client, dev_auth, catalog["id"])
    loose = await make_api(client, dev_auth, catalog["id"])
    await make_field(client, dev_auth, loose["id"], "data.id", "integer")
    # PostgreSQL and SQLite take at most 32,767 parameters in one statement
    rows = [
        {"app_id": catalog["id"], "group_id": group["id"], "title": "t", "request_url": f"/{n}"}
        | {"request_method": "GET"}
        for n in range(CASCADE_APIS)
    ]
    for start in range(0, len(rows), 5_000):
        await session.execute(insert(Api), rows[start : start + 5_000])
    await session.commit()

    in_group = await client.delete(
        f"{API}/apis/groups/{group['id']}", params={"cascade": "true"}, headers=dev_auth
    )
    assert in_group.status_code == 200, in_group.text
    whole = await client.delete(f"{API}/apps/{catalog['id']}", headers=deleter)
    assert whole.status_code == 200, whole.text
    left = await client.get(f"{API}/apis", params={"app_id": catalog["id"]}, headers=dev_auth)
    assert left.json()["data"]["total"] == 0
    fields = await client.get(
        f"{API}/apis/responses", params={"api_id": loose["id"]}, headers=dev_auth
    )
    assert fields.json()["data"]["total"] == 0


# --- races where a change checks the values it read before the parent's lock ---------------


@asynccontextmanager
async def _held(live_app: FastAPI, model: Any, row_id: int) -> AsyncIterator[None]:
    """The row lock of `model` `row_id` held while the block runs, then released.

    Requests started in the block read their record, then queue on the lock the test holds:
    each then checks with what it read before the others wrote. SQLite has no row lock; there
    the requests simply run in parallel (each write transaction begins IMMEDIATE).
    """
    engine = live_app.state.database.engine
    if engine.dialect.name == "sqlite":
        yield
        return
    async with engine.connect() as connection, connection.begin():
        await connection.execute(select(model.id).where(model.id == row_id).with_for_update())
        yield


async def _both(live_app: FastAPI, model: Any, row_id: int, *sends: Awaitable[Any]) -> list[int]:
    async with _held(live_app, model, row_id):
        tasks = [asyncio.ensure_future(send) for send in sends]
        await asyncio.sleep(QUEUE_SECONDS)  # each request has read its record and waits
    return [answer.status_code for answer in await asyncio.gather(*tasks)]


async def _live(live_app: FastAPI, statement: Any) -> list[Any]:
    async with live_app.state.database.transaction(write=False) as session:
        return list((await session.execute(statement)).all())


async def test_a_rename_and_a_move_of_one_group_at_once_make_no_twin_titles(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    parent = await make_group(live_client, auth, app["id"])
    await make_group(live_client, auth, app["id"], pid=parent["id"], title="Twin")
    moved = await make_group(live_client, auth, app["id"], title="Mover")
    url = f"{API}/apis/groups/{moved['id']}"

    codes = await _both(
        live_app,
        App,
        app["id"],
        live_client.patch(url, json={"title": "Twin"}, headers=auth),
        live_client.patch(url, json={"pid": parent["id"]}, headers=auth),
    )

    assert sorted(codes) == [200, 409], codes
    titles = await _live(
        live_app,
        select(ApiGroup.title).where(ApiGroup.pid == parent["id"], ApiGroup.deleted_at.is_(None)),
    )
    assert sorted(title for (title,) in titles) in (["Mover", "Twin"], ["Twin"]), titles


async def test_a_path_change_and_a_method_change_of_one_api_at_once_make_no_twin_routes(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    await make_api(live_client, auth, app["id"], request_url="/taken", request_method="POST")
    api = await make_api(live_client, auth, app["id"], request_url="/free", request_method="GET")
    url = f"{API}/apis/{api['id']}"

    codes = await _both(
        live_app,
        App,
        app["id"],
        live_client.patch(url, json={"request_url": "/taken"}, headers=auth),
        live_client.patch(url, json={"request_method": "POST"}, headers=auth),
    )

    assert sorted(codes) == [200, 409], codes
    routes = await _live(
        live_app,
        select(Api.request_method, Api.request_url).where(
            Api.app_id == app["id"], Api.deleted_at.is_(None)
        ),
    )
    assert len(set(routes)) == len(routes) == 2, routes


async def test_a_rename_and_a_retype_of_one_field_at_once_keep_its_children_under_an_object(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"])
    await make_field(live_client, auth, api["id"], "data.user.id", "integer")
    field = await make_field(live_client, auth, api["id"], "data.other", "object")
    url = f"{API}/apis/responses/{field['id']}"

    codes = await _both(
        live_app,
        Api,
        api["id"],
        live_client.patch(url, json={"field": "data.user"}, headers=auth),
        live_client.patch(url, json={"data_type": "string"}, headers=auth),
    )

    assert sorted(codes) == [200, 422], codes
    (stored,) = await _live(
        live_app,
        select(ApiResponse.field, ApiResponse.data_type).where(ApiResponse.id == field["id"]),
    )
    assert tuple(stored) != ("data.user", "string"), stored


# --- headers --------------------------------------------------------------------------------


async def test_api_answers_under_a_mount_point_are_never_cached(
    app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, settings)
    transport = httpx.ASGITransport(app=app, root_path="/dock", client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        login = await client.post(
            "/dock/api/v1/login", json={"name": user.name, "password": DEFAULT_PASSWORD}
        )
        token = login.json()["data"]["access_token"]
        me = await client.get("/dock/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        page = await client.get("/dock/docs")
    for answer in (login, me):
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store", answer.request.url
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert page.status_code == 200
    assert "cache-control" not in page.headers  # a page, not an API answer


async def test_a_server_error_carries_the_headers_of_every_answer(app: FastAPI) -> None:
    async def fail() -> None:
        raise RuntimeError("a fault no handler expects")

    app.add_api_route("/api/v1/red-team-fault", fail)
    app.add_api_route("/red-team-fault", fail)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api_fault = await client.get("/api/v1/red-team-fault")
        page_fault = await client.get("/red-team-fault")
    for answer in (api_fault, page_fault):
        assert answer.status_code == 500
        assert answer.json()["message"] == "Internal server error"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        csp = answer.headers["content-security-policy"]
        assert csp == "default-src 'none'; frame-ancestors 'none'"
    assert api_fault.headers["cache-control"] == "no-store"
