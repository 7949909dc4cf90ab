"""The views of an import's APIs built at their first read, on every database: an import
writes no rows of the flat routes and marks its APIs stale; a list, a search, a read by id
and a write build what they show, once, keeping the ids of the rows that stay; a list across
APIs builds only what its page shows, within a bound per request; the migration marks the
described APIs stored before it."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock import migrations
from apidock.apis import views_lazy
from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.config import Settings
from tests.catalog.helpers import API, make_field
from tests.factories import signed_in
from tests.imports.test_import_http import PETSTORE, import_json
from tests.imports.test_views_fields import USERS, fields_of, imported
from tests.migrations.conftest import MakeEngine, make_engine, server  # noqa: F401  (fixtures)

Auth = dict[str, str]
PETSTORE_FIELDS = {
    "listPets": {"[]", "[].id", "[].name", "[].children", "[].children[]"},
    "createPet": set(),
    "showPet": {"id", "name", "children", "children[]"},
}


async def stale_of(session: AsyncSession, app_id: int) -> dict[int, bool]:
    rows = await session.execute(
        select(Api.id, Api.views_stale).where(Api.app_id == app_id, Api.deleted_at.is_(None))
    )
    return {api_id: bool(stale) for api_id, stale in rows}


async def live_count(session: AsyncSession, model: type[ApiResponse | ApiExample]) -> int:
    table: Any = model
    statement = select(func.count()).select_from(model).where(table.deleted_at.is_(None))
    return await session.scalar(statement) or 0


async def listed(client: httpx.AsyncClient, auth: Auth, **params: Any) -> httpx.Response:
    response = await client.get(f"{API}/apis/responses", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response


async def test_an_import_writes_no_rows_and_marks_every_api_it_writes(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, PETSTORE)
    assert set((await stale_of(session, app_id)).values()) == {True}
    assert await live_count(session, ApiResponse) == 0
    assert await live_count(session, ApiExample) == 0
    # a replacing import marks the APIs it writes too
    smaller = {**PETSTORE, "paths": {"/pets/{petId}": PETSTORE["paths"]["/pets/{petId}"]}}
    replaced = await import_json(client, dev_auth, smaller, app_id=app_id)
    assert replaced.status_code == 200, replaced.text
    marks = await stale_of(session, app_id)
    assert len(marks) == 1
    assert set(marks.values()) == {True}
    assert ids["showPet"] not in marks


async def test_a_reimport_is_read_as_its_new_view(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, USERS)
    assert set(await fields_of(client, dev_auth, ids["getUser"])) == {
        "data",
        "data.id",
        "data.owner",
        "data.owner.name",
    }
    assert (await stale_of(session, app_id))[ids["getUser"]] is False
    changed = copy.deepcopy(USERS)
    changed["components"]["schemas"]["Owner"]["properties"] = {"email": {"type": "string"}}
    response = await import_json(client, dev_auth, changed, app_id=app_id)
    assert response.status_code == 200, response.text
    marks = await stale_of(session, app_id)
    assert set(marks.values()) == {True}
    rows = await session.execute(select(Api.id, Api.operation).where(Api.id.in_(marks)))
    new_ids = {operation["operationId"]: api_id for api_id, operation in rows}
    assert set(await fields_of(client, dev_auth, new_ids["getUser"])) == {
        "data",
        "data.id",
        "data.owner",
        "data.owner.email",
    }
    assert set(await fields_of(client, dev_auth, new_ids["listOwners"])) == {"[]", "[].email"}
    # the replaced APIs' rows went with them
    assert await fields_of(client, dev_auth, ids["getUser"]) == {}


async def test_a_rebuild_of_an_unchanged_operation_keeps_the_ids(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, PETSTORE)
    api_id = ids["showPet"]
    before = await fields_of(client, dev_auth, api_id)
    examples = await client.get(f"{API}/apis/examples", params={"api_id": api_id}, headers=dev_auth)
    (rex,) = examples.json()["data"]["examples"]
    stored = await session.get(Api, api_id)
    assert stored is not None
    updated_at = stored.updated_at
    # marked stale as an import marks it, leaving its updated_at (the column's onupdate would
    # stamp the time of this test's own statement)
    await session.execute(
        update(Api).where(Api.id == api_id).values(views_stale=True, updated_at=updated_at)
    )
    await session.commit()

    after = await fields_of(client, dev_auth, api_id)
    assert {path: row["id"] for path, row in after.items()} == {
        path: row["id"] for path, row in before.items()
    }
    again = await client.get(f"{API}/apis/examples", params={"api_id": api_id}, headers=dev_auth)
    assert [example["id"] for example in again.json()["data"]["examples"]] == [rex["id"]]
    await session.refresh(stored)
    # built, and the API itself unchanged by the build
    assert (stored.views_stale, stored.updated_at) == (False, updated_at)
    assert await live_count(session, ApiResponse) == len(before)


async def test_a_read_by_id_shows_the_current_view(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, USERS)
    api_id = ids["getUser"]
    rows = await fields_of(client, dev_auth, api_id)
    # the operation changed by a write that left the view stale
    operation = copy.deepcopy(USERS["paths"]["/users/{id}"]["get"])
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    data = schema["properties"]["data"]
    del data["properties"]["owner"]
    data["properties"]["id"]["description"] = "The user's number"
    await session.execute(
        update(Api).where(Api.id == api_id).values(operation=operation, views_stale=True)
    )
    await session.commit()

    read = await client.get(f"{API}/apis/responses/{rows['data.id']['id']}", headers=dev_auth)
    assert read.status_code == 200, read.text
    assert read.json()["data"]["description"] == "The user's number"
    for path in ("data.owner", "data.owner.name"):
        gone = await client.get(f"{API}/apis/responses/{rows[path]['id']}", headers=dev_auth)
        assert gone.status_code == 404, path
    assert set(await fields_of(client, dev_auth, api_id)) == {"data", "data.id"}


async def test_a_write_through_the_flat_route_builds_the_view_first(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, USERS)
    api_id = ids["getUser"]
    created = await make_field(client, dev_auth, api_id, "data.email", "string")
    fields = await fields_of(client, dev_auth, api_id)
    assert set(fields) == {"data", "data.id", "data.email", "data.owner", "data.owner.name"}
    assert fields["data.email"]["id"] == created["id"]
    assert await live_count(session, ApiResponse) == 5
    # the example too, once: the view was built before the write was merged into it
    example = await client.post(
        f"{API}/apis/examples",
        json={"api_id": ids["listOwners"], "title": "None", "body": "[]"},
        headers=dev_auth,
    )
    assert example.status_code == 201, example.text
    assert await live_count(session, ApiExample) == 2


async def test_a_list_across_apis_builds_only_what_its_page_shows(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    pets_id, pets = await imported(client, dev_auth, session, PETSTORE)
    users_id, users = await imported(client, dev_auth, session, USERS)

    first = (await listed(client, dev_auth, per_page=2)).json()["data"]
    assert {row["api_id"] for row in first["responses"]} == {pets["listPets"]}
    # the rows of listPets alone: the other APIs are not counted, and it says so
    assert (first["total"], first["total_is_estimate"]) == (5, True)
    assert first["next"] is not None
    marks = await stale_of(session, pets_id) | await stale_of(session, users_id)
    assert [api_id for api_id, stale in marks.items() if not stale] == [pets["listPets"]]

    # every page, in order, is the list the APIs' own lists make
    shown: list[tuple[int, str]] = []
    page = 1
    while True:
        data = (await listed(client, dev_auth, per_page=3, page=page)).json()["data"]
        shown += [(row["api_id"], row["field"]) for row in data["responses"]]
        if data["next"] is None:
            break
        page += 1
    assert data["total_is_estimate"] is False
    assert data["total"] == len(shown) == 9 + 6
    expected = {(pets[name], path) for name, paths in PETSTORE_FIELDS.items() for path in paths}
    for name in ("getUser", "listOwners"):
        expected |= {(users[name], path) for path in await fields_of(client, dev_auth, users[name])}
    assert set(shown) == expected
    # by API first
    assert [api_id for api_id, _ in shown] == sorted(api_id for api_id, _ in shown)


async def test_a_search_across_apis_finds_the_fields_of_apis_never_read(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    _, pets = await imported(client, dev_auth, session, PETSTORE)
    _, users = await imported(client, dev_auth, session, USERS)
    found = (await listed(client, dev_auth, q="name")).json()["data"]
    assert {(row["api_id"], row["field"]) for row in found["responses"]} == {
        (pets["listPets"], "[].name"),
        (pets["showPet"], "name"),
        (users["getUser"], "data.owner.name"),
        (users["listOwners"], "[].name"),
    }
    assert found["total_is_estimate"] is False


async def test_a_list_needing_more_than_a_request_builds_answers_503_and_goes_on(
    client: httpx.AsyncClient,
    dev_auth: Auth,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app_id, ids = await imported(client, dev_auth, session, PETSTORE)
    monkeypatch.setattr(views_lazy, "MAX_ROWS_PER_READ", 1)
    busy = await client.get(f"{API}/apis/responses", headers=dev_auth)
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"]
    # what it built stays: the next request goes on from there
    assert await stale_of(session, app_id) == {
        ids["listPets"]: False,
        ids["createPet"]: True,
        ids["showPet"]: True,
    }
    done = await client.get(f"{API}/apis/responses", headers=dev_auth)
    assert done.status_code == 200, done.text
    assert done.json()["data"]["total"] == 9
    assert set((await stale_of(session, app_id)).values()) == {False}


async def test_concurrent_first_reads_build_one_set_of_rows(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Developer")
    response = await import_json(live_client, auth, USERS)
    assert response.status_code == 201, response.text
    app_id = response.json()["data"]["app"]["id"]
    async with live_app.state.database.transaction(write=False) as session:
        rows = await session.execute(select(Api.id, Api.operation).where(Api.app_id == app_id))
        ids = {operation["operationId"]: api_id for api_id, operation in rows}

    async def read(path: str, **params: Any) -> httpx.Response:
        return await live_client.get(f"{API}{path}", params=params, headers=auth)

    answers = await asyncio.gather(
        *(read("/apis/responses", api_id=ids["getUser"]) for _ in range(3)),
        *(read("/apis/examples", api_id=ids["getUser"]) for _ in range(2)),
        read("/apis/responses"),
    )
    assert [answer.status_code for answer in answers] == [200] * 6, [a.text for a in answers]
    by_api = [
        {(row["field"], row["id"]) for row in answer.json()["data"]["responses"]}
        for answer in answers[:3]
    ]
    assert by_api[0] == by_api[1] == by_api[2]
    assert {field for field, _ in by_api[0]} == {"data", "data.id", "data.owner", "data.owner.name"}
    examples = [answer.json()["data"]["examples"] for answer in answers[3:5]]
    assert examples[0] == examples[1]
    assert [example["title"] for example in examples[0]] == ["Ann"]
    async with live_app.state.database.transaction(write=False) as session:
        per_path = await session.execute(
            select(ApiResponse.api_id, ApiResponse.field, func.count())
            .where(ApiResponse.deleted_at.is_(None))
            .group_by(ApiResponse.api_id, ApiResponse.field)
        )
        assert {count for _, _, count in per_path} == {1}
        assert await live_count(session, ApiExample) == 1


BEFORE = "8b7e4c2d9a10"
LAZY = "9d1f3b5a7c42"


async def test_the_migration_marks_the_described_apis_stored_before_it(
    make_engine: MakeEngine,  # noqa: F811  (the fixture imported above)
) -> None:
    engine = await make_engine("main")
    await migrations.upgrade(engine, BEFORE)
    apis = sa.table(
        "apis",
        *(sa.column(name) for name in ("id", "app_id", "title", "request_url")),
        sa.column("request_method"),
        sa.column("operation", sa.JSON()),
        sa.column("deleted_at", sa.DateTime()),
    )
    apps = sa.table("apps", *(sa.column(name) for name in ("id", "title", "slug", "version")))
    operation = {"responses": {"200": {"description": "OK"}}}
    async with engine.begin() as connection:
        await connection.execute(apps.insert().values(id=1, title="Shop", slug="shop", version="1"))
        common = {"app_id": 1, "title": "An API", "request_method": "GET"}
        deleted = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        described = {**common, "operation": operation}
        await connection.execute(
            apis.insert(),
            [
                {**described, "id": 1, "request_url": "/a", "deleted_at": None},
                {**described, "id": 3, "request_url": "/c", "deleted_at": deleted},
            ],
        )
        # one of the original's routes: no operation (SQL NULL, as the column was added)
        await connection.execute(apis.insert().values(**common, id=2, request_url="/b"))

    await migrations.upgrade(engine, LAZY)
    async with engine.connect() as connection:
        marks = await connection.execute(sa.text("SELECT id, views_stale FROM apis ORDER BY id"))
        assert [(api_id, bool(stale)) for api_id, stale in marks] == [
            (1, True),
            (2, False),
            (3, False),
        ]
    await migrations.downgrade(engine, BEFORE)
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {column["name"] for column in sa.inspect(sync).get_columns("apis")}
        )
    assert "views_stale" not in columns
