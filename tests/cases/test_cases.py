"""`/apis/{id}/cases` and `/cases/{id}`: cases made, listed, read, changed and deleted, each
checked against its API when written, names unique per API, every change audited."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.cases.models import ContractCase
from apidock.logs.models import Log
from tests.cases.conftest import Auth, create, fields, made, one
from tests.catalog.helpers import API, make_api, make_app


async def test_a_case_is_made_read_listed_changed_and_deleted(
    client: httpx.AsyncClient, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    api = pets["POST /pets"]
    request = {
        "query": {"verbose": "{{flag}}"},
        "headers": {"Authorization": "Bearer {{token}}"},
        "example": "cat",
    }
    expect = {"status": 201, "max_ms": 500}
    response = await create(client, dev_auth, api["id"], request=request, expect=expect)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Case created."
    created = response.json()["data"]
    assert created == created | {
        "api_id": api["id"],
        "name": "adds a cat",
        "request": {"path": {}, **request},
        "expect": expect,
        "contract": True,
        "follow_redirects": False,
    }
    read = await client.get(one(created["id"]), headers=dev_auth)
    assert read.json()["data"] == created

    other = await made(
        client, dev_auth, api["id"], name="a body of its own", request={"body": None}
    )
    assert other["request"] == {"path": {}, "query": {}, "headers": {}, "body": None}
    assert other["expect"] == {}
    listed = await client.get(f"{API}/apis/{api['id']}/cases", headers=dev_auth)
    page = listed.json()["data"]
    assert [case["id"] for case in page["cases"]] == [other["id"], created["id"]]
    assert (page["total"], page["page"]) == (2, 1)
    paged = await client.get(
        f"{API}/apis/{api['id']}/cases", params={"per_page": 1, "page": 2}, headers=dev_auth
    )
    assert [case["id"] for case in paged.json()["data"]["cases"]] == [created["id"]]

    patched = await client.patch(
        one(created["id"]),
        json={"request": {"body": {"name": "Felix"}}, "contract": False, "follow_redirects": True},
        headers=dev_auth,
    )
    assert patched.status_code == 200, patched.text
    data = patched.json()["data"]
    assert data["request"] == {"path": {}, "query": {}, "headers": {}, "body": {"name": "Felix"}}
    assert (data["contract"], data["follow_redirects"], data["expect"]) == (False, True, expect)

    assert (await client.delete(one(created["id"]), headers=dev_auth)).status_code == 200
    for method in ("GET", "PATCH", "DELETE"):
        gone = await client.request(method, one(created["id"]), json={}, headers=dev_auth)
        assert gone.status_code == 404, method
        assert gone.json()["message"] == "Case not found"


async def test_path_parameters_are_those_of_the_template(
    client: httpx.AsyncClient, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    api = pets["GET /pets/{petId}"]
    assert (
        await create(client, dev_auth, api["id"], request={"path": {"petId": "7"}})
    ).status_code == 201
    missing = await create(client, dev_auth, api["id"], name="none", request={})
    assert fields(missing) == ["/request/path"]
    assert "petId" in missing.json()["data"][0]["message"]
    extra = await create(
        client, dev_auth, api["id"], name="extra", request={"path": {"petId": "1", "a/b": "2"}}
    )
    assert fields(extra) == ["/request/path/a~1b"]


async def test_an_example_is_one_the_operation_documents(
    client: httpx.AsyncClient, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    api = pets["POST /pets"]
    for name in ("cat", "dog"):
        case = await made(client, dev_auth, api["id"], name=name, request={"example": name})
        assert case["request"]["example"] == name
    unknown = await create(client, dev_auth, api["id"], name="cow", request={"example": "cow"})
    assert fields(unknown) == ["/request/example"]
    assert "cat, dog" in unknown.json()["data"][0]["message"]
    # through a $ref to the app's components
    order = pets["POST /orders"]
    assert (
        await create(client, dev_auth, order["id"], request={"example": "small"})
    ).status_code == 201
    # an operation without a request body documents none
    show = pets["GET /pets/{petId}"]
    none = await create(
        client, dev_auth, show["id"], request={"path": {"petId": "1"}, "example": "cat"}
    )
    assert fields(none) == ["/request/example"]


async def test_an_api_without_an_operation_takes_bodies_not_examples(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"], request_url="/things/{id}")
    body = {"path": {"id": "1"}, "body": [1, "two", {"three": None}]}
    case = await made(client, dev_auth, api["id"], request=body)
    assert case["request"]["body"] == [1, "two", {"three": None}]
    refused = await create(
        client, dev_auth, api["id"], name="ex", request={"path": {"id": "1"}, "example": "x"}
    )
    assert fields(refused) == ["/request/example"]


async def test_names_are_unique_per_live_api(
    client: httpx.AsyncClient, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    api, other_api = pets["POST /pets"], pets["POST /orders"]
    first = await made(client, dev_auth, api["id"])
    assert (await create(client, dev_auth, api["id"])).status_code == 409
    assert (await create(client, dev_auth, api["id"], name="Adds a cat")).status_code == 201
    assert (await create(client, dev_auth, other_api["id"])).status_code == 201
    second = await made(client, dev_auth, api["id"], name="second")
    renamed = await client.patch(one(second["id"]), json={"name": "adds a cat"}, headers=dev_auth)
    assert renamed.status_code == 409
    assert (await client.delete(one(first["id"]), headers=dev_auth)).status_code == 200
    assert (await create(client, dev_auth, api["id"])).status_code == 201


async def test_fields_that_are_never_null_refuse_null(
    client: httpx.AsyncClient, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    case = await made(client, dev_auth, pets["POST /pets"]["id"])
    for name in ("name", "request", "expect", "contract", "follow_redirects"):
        refused = await client.patch(one(case["id"]), json={name: None}, headers=dev_auth)
        assert refused.status_code == 422, (name, refused.text)


async def test_readers_read_writers_write(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth, pets: dict[str, Any]
) -> None:
    api = pets["POST /pets"]
    case = await made(client, dev_auth, api["id"])
    assert (await client.get(one(case["id"]), headers=reader_auth)).status_code == 200
    listing = f"{API}/apis/{api['id']}/cases"
    assert (await client.get(listing, headers=reader_auth)).status_code == 200
    for refused in (
        await create(client, reader_auth, api["id"], name="other"),
        await client.patch(one(case["id"]), json={"name": "x"}, headers=reader_auth),
        await client.delete(one(case["id"]), headers=reader_auth),
    ):
        assert refused.status_code == 403
        assert refused.json()["message"] == "Requires permission: read_docs, write_docs"
    for anonymous in (await client.get(listing), await client.get(one(case["id"]))):
        assert anonymous.status_code == 401


async def test_a_deleted_api_or_app_takes_its_cases_along(
    client: httpx.AsyncClient, admin_auth: Auth, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    api, other = pets["POST /pets"], pets["POST /orders"]
    case = await made(client, dev_auth, api["id"])
    other_case = await made(client, dev_auth, other["id"])
    assert (await create(client, dev_auth, 999_999)).status_code == 404
    assert (await client.get(f"{API}/apis/999999/cases", headers=dev_auth)).status_code == 404
    assert (await client.get(one(999_999), headers=dev_auth)).status_code == 404

    assert (await client.delete(f"{API}/apis/{api['id']}", headers=dev_auth)).status_code == 200
    assert (await client.get(one(case["id"]), headers=dev_auth)).status_code == 404
    assert (await client.get(f"{API}/apis/{api['id']}/cases", headers=dev_auth)).status_code == 404
    assert (await create(client, dev_auth, api["id"], name="new")).status_code == 404
    assert (await client.get(one(other_case["id"]), headers=dev_auth)).status_code == 200

    app_url = f"{API}/apps/{pets['app']['id']}"
    assert (await client.delete(app_url, headers=admin_auth)).status_code == 200
    for method in ("GET", "PATCH", "DELETE"):
        gone = await client.request(method, one(other_case["id"]), json={}, headers=dev_auth)
        assert gone.status_code == 404, method


async def test_every_change_is_audited(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession, pets: dict[str, Any]
) -> None:
    api = pets["POST /pets"]
    case = await made(client, dev_auth, api["id"], request={"headers": {"X-Key": "plain-value"}})
    await client.patch(
        one(case["id"]), json={"name": "renamed", "contract": True}, headers=dev_auth
    )
    await client.delete(one(case["id"]), headers=dev_auth)
    rows = (
        await session.scalars(select(Log).where(Log.target_type == "case").order_by(Log.id))
    ).all()
    assert [(row.action, row.target_id, row.detail) for row in rows] == [
        ("case.create", case["id"], {"api_id": api["id"], "name": "adds a cat"}),
        ("case.update", case["id"], {"api_id": api["id"], "changed": ["name"]}),
        ("case.delete", case["id"], None),
    ]
    assert "plain-value" not in repr([row.detail for row in rows])


async def test_an_api_holds_a_bounded_number_of_cases(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession, pets: dict[str, Any]
) -> None:
    api = pets["POST /pets"]
    session.add_all(
        ContractCase(api_id=api["id"], name=f"case {i}", request={}, expect={}) for i in range(1000)
    )
    await session.commit()
    full = await create(client, dev_auth, api["id"], name="one more")
    assert full.status_code == 409
    assert "at most 1000" in full.json()["message"]
