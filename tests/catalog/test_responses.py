"""Response fields and examples: dot paths, parent types, size bounds, permissions."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.responses_service import parent_paths
from apidock.apis.schemas import EXAMPLE_BODY_MAX_BYTES
from tests.catalog.helpers import API, log_rows, make_api, make_app, make_field, post

Auth = dict[str, str]


def test_parent_paths_name_the_container_each_ancestor_must_be() -> None:
    assert parent_paths("data.items[].id") == [("data", "object"), ("data.items", "array")]
    assert parent_paths("tags[]") == [("tags", "array")]
    assert parent_paths("id") == []


async def _api(client: httpx.AsyncClient, auth: Auth) -> int:
    app = await make_app(client, auth)
    return int((await make_api(client, auth, app["id"]))["id"])


async def test_fields_crud_and_audit(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    api_id = await _api(client, dev_auth)
    await make_field(client, dev_auth, api_id, "data", "object")
    await make_field(client, dev_auth, api_id, "data.items", "array")
    field = await make_field(client, dev_auth, api_id, "data.items[].id", "integer")
    assert len(await log_rows(session, "api_response.create", field["id"])) == 1
    listed = await client.get(
        f"{API}/apis/responses", params={"api_id": api_id}, headers=reader_auth
    )
    assert [f["field"] for f in listed.json()["data"]["responses"]] == [
        "data",
        "data.items",
        "data.items[].id",
    ]
    url = f"{API}/apis/responses/{field['id']}"
    assert (await client.get(url, headers=reader_auth)).json()["data"]["data_type"] == "integer"
    changed = await client.patch(
        url, json={"nullable": True, "description": "the id"}, headers=dev_auth
    )
    assert changed.status_code == 200
    assert changed.json()["data"]["nullable"] is True
    assert (await client.delete(url, headers=dev_auth)).status_code == 200
    assert (await client.get(url, headers=reader_auth)).status_code == 404
    assert len(await log_rows(session, "api_response.delete", field["id"])) == 1


async def test_field_rules(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    api_id = await _api(client, dev_auth)
    await make_field(client, dev_auth, api_id, "data", "object")
    scalar = await make_field(client, dev_auth, api_id, "data.count", "integer")
    items = await make_field(client, dev_auth, api_id, "data.items", "array")
    await make_field(client, dev_auth, api_id, "data.items[].id", "string")

    async def create(field: str, data_type: str = "string") -> int:
        response = await client.post(
            f"{API}/apis/responses",
            json={"api_id": api_id, "field": field, "data_type": data_type},
            headers=dev_auth,
        )
        return response.status_code

    assert await create("data.count") == 409
    assert await create("data.count.value") == 422  # under a scalar
    assert await create("data.items.id") == 422  # an array has elements, not properties
    assert await create("data.count[].x") == 422
    assert await create("data..x") == 422
    assert await create("data.x y") == 422
    assert await create("data.x", "date") == 422
    assert await create("data.more[].name") == 201  # undeclared parents are implied
    # a field with fields under it keeps its kind, and is not deleted from under them
    retyped = await client.patch(
        f"{API}/apis/responses/{items['id']}", json={"data_type": "object"}, headers=dev_auth
    )
    assert retyped.status_code == 422
    deleted = await client.delete(f"{API}/apis/responses/{items['id']}", headers=dev_auth)
    assert deleted.status_code == 409
    renamed = await client.patch(
        f"{API}/apis/responses/{scalar['id']}", json={"field": "data.items"}, headers=dev_auth
    )
    assert renamed.status_code == 409
    missing_api = await client.post(
        f"{API}/apis/responses",
        json={"api_id": 999999, "field": "x", "data_type": "string"},
        headers=dev_auth,
    )
    assert missing_api.status_code == 422


async def test_examples_crud_bounds_and_audit(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    api_id = await _api(client, dev_auth)
    example = await post(
        client, "/apis/examples", dev_auth, api_id=api_id, title="ok", body='{"id": 1}'
    )
    assert len(await log_rows(session, "api_example.create", example["id"])) == 1
    url = f"{API}/apis/examples/{example['id']}"
    listed = await client.get(
        f"{API}/apis/examples", params={"api_id": api_id}, headers=reader_auth
    )
    assert [e["id"] for e in listed.json()["data"]["examples"]] == [example["id"]]
    too_big = "x" * (EXAMPLE_BODY_MAX_BYTES + 1)
    big = await client.post(
        f"{API}/apis/examples",
        json={"api_id": api_id, "title": "big", "body": too_big},
        headers=dev_auth,
    )
    assert big.status_code == 422
    assert (await client.patch(url, json={"body": too_big}, headers=dev_auth)).status_code == 422
    changed = await client.patch(url, json={"title": "renamed"}, headers=dev_auth)
    assert changed.json()["data"]["title"] == "renamed"
    assert (await client.get(url, headers=reader_auth)).json()["data"]["body"] == '{"id": 1}'
    assert (await client.delete(url, headers=dev_auth)).status_code == 200
    assert (await client.get(url, headers=reader_auth)).status_code == 404
    assert len(await log_rows(session, "api_example.delete", example["id"])) == 1


async def test_permissions_and_missing(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    api_id = await _api(client, dev_auth)
    field = await make_field(client, dev_auth, api_id, "id", "integer")
    example = await post(client, "/apis/examples", dev_auth, api_id=api_id, title="e")
    for kind, item, body in (
        ("responses", field, {"api_id": api_id, "field": "x", "data_type": "string"}),
        ("examples", example, {"api_id": api_id, "title": "x"}),
    ):
        url = f"{API}/apis/{kind}/{item['id']}"
        assert (await client.get(f"{API}/apis/{kind}")).status_code == 401
        assert (await client.get(url)).status_code == 401
        assert (
            await client.post(f"{API}/apis/{kind}", json=body, headers=reader_auth)
        ).status_code == 403
        assert (await client.patch(url, json={}, headers=reader_auth)).status_code == 403
        assert (await client.delete(url, headers=reader_auth)).status_code == 403
        assert (
            await client.get(f"{API}/apis/{kind}/999999", headers=reader_auth)
        ).status_code == 404
