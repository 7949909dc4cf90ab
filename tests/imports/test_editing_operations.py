"""`GET/PATCH /apis/{id}` with `operation`: the whole Operation Object read and replaced, checked
in the app's whole document, the catalog's columns following it, the export showing it."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log
from tests.catalog.helpers import API, make_api, make_app
from tests.imports.test_import_http import PETSTORE, import_json

Auth = dict[str, str]
UNDECLARED = "openapi.security.undeclared"


async def imported(client: httpx.AsyncClient, auth: Auth) -> tuple[int, dict[str, int]]:
    """PETSTORE imported: the app's id, and its APIs' ids by `METHOD path`."""
    response = await import_json(client, auth, PETSTORE)
    assert response.status_code == 201, response.text
    app_id = response.json()["data"]["app"]["id"]
    listed = await client.get(f"{API}/apis", params={"app_id": app_id}, headers=auth)
    apis = listed.json()["data"]["apis"]
    return app_id, {f"{api['request_method']} {api['request_url']}": api["id"] for api in apis}


async def exported(client: httpx.AsyncClient, auth: Auth, app_id: int) -> Any:
    response = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def patch(client: httpx.AsyncClient, auth: Auth, api_id: int, **body: Any) -> httpx.Response:
    return await client.patch(f"{API}/apis/{api_id}", json=body, headers=auth)


async def last_audit(session: AsyncSession, api_id: int) -> Any:
    statement = (
        select(Log.detail)
        .where(Log.action == "api.update", Log.target_id == api_id)
        .order_by(Log.id.desc())
    )
    return (await session.scalars(statement)).first()


async def test_one_api_reads_its_operation_and_the_list_only_the_catalog_columns(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app_id, ids = await imported(client, dev_auth)
    read = await client.get(f"{API}/apis/{ids['GET /pets/{petId}']}", headers=dev_auth)
    assert read.status_code == 200, read.text
    assert read.json()["data"]["operation"] == PETSTORE["paths"]["/pets/{petId}"]["get"]
    listed = await client.get(f"{API}/apis", params={"app_id": app_id}, headers=dev_auth)
    assert all("operation" not in api for api in listed.json()["data"]["apis"])
    original = await make_api(client, dev_auth, (await make_app(client, dev_auth))["id"])
    assert original["operation"] is None


async def test_a_replaced_operation_is_exported_and_the_columns_follow_it(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth)
    api_id = ids["GET /pets"]
    operation = {
        "operationId": "listPets",
        "summary": "All the pets",
        "description": "Every pet, a page at a time",
        "deprecated": True,
        "security": [{"key": []}],
        "responses": {"200": {"description": "The pets"}, "404": {"description": "None"}},
    }
    response = await patch(client, dev_auth, api_id, operation=operation)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["operation"] == operation
    assert (data["title"], data["description"]) == ("All the pets", operation["description"])
    assert (data["status"], data["need_auth"]) == ("deprecated", True)
    assert (await exported(client, dev_auth, app_id))["paths"]["/pets"]["get"] == operation
    assert await last_audit(session, api_id) == {
        "changed": ["description", "need_auth", "operation", "status", "title"]
    }
    # without a summary the title is the operationId; not deprecated, a deprecated API is
    # released again
    plain = {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}
    data = (await patch(client, dev_auth, api_id, operation=plain)).json()["data"]
    assert (data["title"], data["description"], data["status"]) == ("listPets", None, "released")
    assert data["need_auth"] is False


async def test_title_description_and_status_of_a_described_api_write_its_operation(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app_id, ids = await imported(client, dev_auth)
    api_id = ids["GET /pets/{petId}"]
    response = await patch(
        client, dev_auth, api_id, title="Show a pet", description="By id", status="deprecated"
    )
    assert response.status_code == 200, response.text
    operation = response.json()["data"]["operation"]
    assert (operation["summary"], operation["description"]) == ("Show a pet", "By id")
    assert operation["deprecated"] is True
    shown = (await exported(client, dev_auth, app_id))["paths"]["/pets/{petId}"]["get"]
    assert shown == operation
    again = await patch(client, dev_auth, api_id, description=None, status="developing")
    data = again.json()["data"]
    assert {"description", "deprecated"}.isdisjoint(data["operation"])
    assert (data["description"], data["status"]) == (None, "developing")


async def test_an_original_api_given_an_operation_becomes_described(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app = await make_app(client, dev_auth, title="Shop")
    api = await make_api(client, dev_auth, app["id"], request_url="/orders/{id}")
    before = await exported(client, dev_auth, app["id"])
    assert before["paths"]["/orders/{id}"]["get"]["summary"] == api["title"]
    operation = {
        "summary": "One order",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "responses": {"200": {"description": "The order"}},
    }
    response = await patch(client, dev_auth, api["id"], operation=operation)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["title"] == "One order"
    document = await exported(client, dev_auth, app["id"])
    assert document["paths"]["/orders/{id}"]["get"] == operation
    assert document["info"]["title"] == "Shop"
    assert (await last_audit(session, api["id"]))["changed"] == ["operation", "title"]


def _without_description(operation: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(operation)
    del changed["responses"]["200"]["description"]
    return changed


async def test_an_invalid_operation_is_422_with_pointers_into_it_and_nothing_changes(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app_id, ids = await imported(client, dev_auth)
    api_id = ids["GET /pets/{petId}"]
    stored = PETSTORE["paths"]["/pets/{petId}"]["get"]
    cases: list[tuple[dict[str, Any], str, str]] = [
        (_without_description(stored), "/responses/200", "openapi.invalid"),
        (
            {**stored, "responses": {"200": {"$ref": "#/components/responses/Missing"}}},
            "/responses/200/$ref",
            "ref.unresolved",
        ),
        (
            {**stored, "responses": {"200": {"$ref": "https://127.0.0.1:9/pets.json"}}},
            "/responses/200/$ref",
            "ref.external",
        ),
        ({**stored, "security": [{"nokey": []}]}, "/security/0/nokey", UNDECLARED),
        # the same operationId as another operation, which comes before it
        ({**stored, "operationId": "listPets"}, "/operationId", "openapi.operation_id.duplicate"),
    ]
    for operation, field, kind in cases:
        response = await patch(client, dev_auth, api_id, operation=operation)
        assert response.status_code == 422, (field, response.text)
        problems = response.json()["data"]
        assert [(problem["field"], problem["type"]) for problem in problems] == [(field, kind)]
    # a path parameter the operation no longer declares, once moved away from its path item
    moved = await patch(client, dev_auth, ids["GET /pets"], request_url="/owners/{ownerId}")
    assert moved.status_code == 422, moved.text
    [problem] = moved.json()["data"]
    assert problem["field"] == ""
    assert "/paths/~1owners~1{ownerId}/get" in problem["message"]
    read = await client.get(f"{API}/apis/{api_id}", headers=dev_auth)
    assert read.json()["data"]["operation"] == stored
    assert (await exported(client, dev_auth, app_id)) == PETSTORE


async def test_need_auth_of_a_described_api_follows_its_security(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    _, ids = await imported(client, dev_auth)
    refused = await patch(client, dev_auth, ids["POST /pets"], need_auth=False)
    assert refused.status_code == 422, refused.text
    assert refused.json()["data"][0]["field"] == "body.need_auth"
    agreed = await patch(client, dev_auth, ids["POST /pets"], need_auth=True)
    assert agreed.status_code == 200, agreed.text


async def test_permissions_missing_apis_and_hostile_operations(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    _, ids = await imported(client, dev_auth)
    api_id = ids["GET /pets"]
    operation = {"responses": {"200": {"description": "ok"}}}
    assert (await patch(client, reader_auth, api_id, operation=operation)).status_code == 403
    assert (await client.get(f"{API}/apis/{api_id}", headers=reader_auth)).status_code == 200
    assert (await patch(client, dev_auth, 999_999, operation=operation)).status_code == 404
    assert (await patch(client, dev_auth, api_id, operation=None)).status_code == 422
    assert (await patch(client, dev_auth, api_id, operation=[1])).status_code == 422
    deep: dict[str, Any] = {}
    for _ in range(500):
        deep = {"x-deep": deep}
    refused = await patch(client, dev_auth, api_id, operation=deep)
    assert refused.status_code == 422, refused.text
    assert "deeper" in refused.json()["data"][0]["message"]
    for raw in ('{"operation": {"x-n": 1e400}}', '{"operation": {"x-n": NaN}}'):
        response = await client.patch(
            f"{API}/apis/{api_id}",
            content=raw,
            headers={**dev_auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (raw, response.text)
    nul = json.dumps({"operation": {"summary": "a\x00b", **operation}})
    response = await client.patch(
        f"{API}/apis/{api_id}",
        content=nul,
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
