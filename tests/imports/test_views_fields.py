"""`/apis/responses` of a described API on every database: the properties of its success
body's schema as fields, written through to the operation (and to a shared component where a
field is defined in one), shown in the export, with ids that stay."""

from __future__ import annotations

import copy
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis import views
from apidock.apis.models import Api, ApiResponse
from tests.catalog.helpers import API, log_rows, make_api, make_app, make_field
from tests.imports.test_import_http import PETSTORE, import_json

Auth = dict[str, str]
OWNER = "#/components/schemas/Owner"
USERS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Users", "version": "1.0.0"},
    "paths": {
        "/users/{id}": {
            "get": {
                "operationId": "getUser",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "The user",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "integer"},
                                                "owner": {"$ref": OWNER},
                                            },
                                        }
                                    },
                                },
                                "examples": {
                                    "ann": {"summary": "Ann", "value": {"data": {"id": 1}}}
                                },
                            }
                        },
                    },
                    "404": {"description": "No such user"},
                },
            }
        },
        "/owners": {
            "get": {
                "operationId": "listOwners",
                "responses": {
                    "200": {
                        "description": "The owners",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": OWNER}}
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {"Owner": {"type": "object", "properties": {"name": {"type": "string"}}}}
    },
}


async def imported(
    client: httpx.AsyncClient, auth: Auth, session: AsyncSession, document: Any
) -> tuple[int, dict[str, int]]:
    """`document` imported (its views built by their first read): the app's id and its APIs'
    ids by operationId."""
    response = await import_json(client, auth, document)
    assert response.status_code == 201, response.text
    app_id = response.json()["data"]["app"]["id"]
    rows = await session.execute(select(Api.id, Api.operation).where(Api.app_id == app_id))
    return app_id, {operation["operationId"]: api_id for api_id, operation in rows}


async def fields_of(client: httpx.AsyncClient, auth: Auth, api_id: int) -> dict[str, Any]:
    response = await client.get(
        f"{API}/apis/responses", params={"api_id": api_id, "per_page": 100}, headers=auth
    )
    assert response.status_code == 200, response.text
    return {field["field"]: field for field in response.json()["data"]["responses"]}


async def exported(client: httpx.AsyncClient, auth: Auth, app_id: int) -> Any:
    response = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def body_schema(document: Any, path: str) -> Any:
    response = document["paths"][path]["get"]["responses"]["200"]
    return response["content"]["application/json"]["schema"]


async def test_an_imported_api_lists_its_response_properties_as_fields(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, PETSTORE)
    one = await fields_of(client, reader_auth, ids["showPet"])
    assert {path: field["data_type"] for path, field in one.items()} == {
        "id": "integer",
        "name": "string",
        "children": "array",
        "children[]": "object",
    }
    assert {field["api_id"] for field in one.values()} == {ids["showPet"]}
    listed = await fields_of(client, reader_auth, ids["listPets"])
    assert set(listed) == {"[]", "[].id", "[].name", "[].children", "[].children[]"}
    assert await fields_of(client, reader_auth, ids["createPet"]) == {}
    found = await client.get(
        f"{API}/apis/responses",
        params={"api_id": ids["listPets"], "q": "child"},
        headers=reader_auth,
    )
    assert {field["field"] for field in found.json()["data"]["responses"]} == {
        "[].children",
        "[].children[]",
    }
    # ids are stable across a re-read, and across a rebuild of an unchanged operation
    api = await session.get(Api, ids["showPet"])
    assert api is not None
    await views.sync_views(session, api)
    await session.commit()
    again = await fields_of(client, reader_auth, ids["showPet"])
    assert {path: field["id"] for path, field in again.items()} == {
        path: field["id"] for path, field in one.items()
    }


async def test_an_import_alone_builds_the_views(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    response = await import_json(client, dev_auth, USERS)
    app_id = response.json()["data"]["app"]["id"]
    listed = await client.get(f"{API}/apis", params={"app_id": app_id}, headers=dev_auth)
    api_id = next(api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "getUser")
    assert set(await fields_of(client, dev_auth, api_id)) == {
        "data",
        "data.id",
        "data.owner",
        "data.owner.name",
    }


async def test_fields_added_changed_and_deleted_show_in_the_export(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, USERS)
    api_id = ids["getUser"]
    before = await fields_of(client, dev_auth, api_id)
    created = await make_field(client, dev_auth, api_id, "data.tags[]", "string")
    assert (created["field"], created["data_type"], created["nullable"]) == (
        "data.tags[]",
        "string",
        False,
    )
    assert len(await log_rows(session, "api_response.create", created["id"])) == 1
    data = body_schema(await exported(client, dev_auth, app_id), "/users/{id}")["properties"][
        "data"
    ]
    assert data["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert data["required"] == ["id"]

    url = f"{API}/apis/responses/{before['data.id']['id']}"
    changed = await client.patch(
        url, json={"nullable": True, "description": "The user's number"}, headers=dev_auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["nullable"] is True
    data = body_schema(await exported(client, dev_auth, app_id), "/users/{id}")["properties"][
        "data"
    ]
    assert data["properties"]["id"] == {
        "type": ["integer", "null"],
        "description": "The user's number",
    }
    renamed = await client.patch(url, json={"field": "data.userId"}, headers=dev_auth)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["data"]["id"] == before["data.id"]["id"]
    data = body_schema(await exported(client, dev_auth, app_id), "/users/{id}")["properties"][
        "data"
    ]
    assert list(data["properties"]) == ["owner", "tags", "userId"]
    assert data["required"] == ["userId"]
    retyped = await client.patch(url, json={"data_type": "string"}, headers=dev_auth)
    assert retyped.json()["data"]["data_type"] == "string"

    # the parent the path implied is a property of the schema now: a field of its own
    implied = (await fields_of(client, dev_auth, api_id))["data.tags"]
    assert implied["data_type"] == "array"
    for field_id in (created["id"], implied["id"]):
        deleted = await client.delete(f"{API}/apis/responses/{field_id}", headers=dev_auth)
        assert deleted.status_code == 200, deleted.text
        gone = await client.get(f"{API}/apis/responses/{field_id}", headers=dev_auth)
        assert gone.status_code == 404
    assert len(await log_rows(session, "api_response.delete", created["id"])) == 1
    document = await exported(client, dev_auth, app_id)
    assert "tags" not in body_schema(document, "/users/{id}")["properties"]["data"]["properties"]
    after = await fields_of(client, dev_auth, api_id)
    assert set(after) == {"data", "data.userId", "data.owner", "data.owner.name"}
    assert after["data.owner.name"]["id"] == before["data.owner.name"]["id"]


async def test_a_rename_keeps_the_ids_of_the_fields_under_it(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, USERS)
    before = await fields_of(client, dev_auth, ids["getUser"])
    moved = await client.patch(
        f"{API}/apis/responses/{before['data']['id']}", json={"field": "user"}, headers=dev_auth
    )
    assert moved.status_code == 200, moved.text
    after = await fields_of(client, dev_auth, ids["getUser"])
    assert {path: field["id"] for path, field in after.items()} == {
        path.replace("data", "user", 1): field["id"] for path, field in before.items()
    }
    assert list(
        body_schema(await exported(client, dev_auth, app_id), "/users/{id}")["properties"]
    ) == ["user"]


async def test_an_operation_written_again_keeps_the_ids_of_the_paths_that_remain(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, USERS)
    api_id = ids["getUser"]
    before = await fields_of(client, dev_auth, api_id)
    operation = copy.deepcopy(USERS["paths"]["/users/{id}"]["get"])
    data = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
        "data"
    ]
    del data["properties"]["owner"]
    data["properties"]["name"] = {"type": "string"}
    response = await client.patch(
        f"{API}/apis/{api_id}", json={"operation": operation}, headers=dev_auth
    )
    assert response.status_code == 200, response.text
    # what the operation PATCH does once apis/service.py calls it
    api = await session.get(Api, api_id, populate_existing=True)
    assert api is not None
    await views.sync_views(session, api)
    await session.commit()
    after = await fields_of(client, dev_auth, api_id)
    assert set(after) == {"data", "data.id", "data.name"}
    assert after["data"]["id"] == before["data"]["id"]
    assert after["data.id"]["id"] == before["data.id"]["id"]
    gone = await session.get(ApiResponse, before["data.owner"]["id"], populate_existing=True)
    assert gone is not None
    assert gone.deleted_at is not None


async def test_a_field_defined_in_a_shared_component_edits_the_component(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, USERS)
    owners_before = await fields_of(client, dev_auth, ids["listOwners"])
    added = await make_field(client, dev_auth, ids["getUser"], "data.owner.email", "string")
    document = await exported(client, dev_auth, app_id)
    assert document["components"]["schemas"]["Owner"]["properties"] == {
        "name": {"type": "string"},
        "email": {"type": "string"},
    }
    # every operation using the component sees the field, the others' ids unchanged
    owners = await fields_of(client, dev_auth, ids["listOwners"])
    assert set(owners) == {"[]", "[].name", "[].email"}
    assert owners["[].name"]["id"] == owners_before["[].name"]["id"]
    assert added["field"] == "data.owner.email"

    # what belongs to the reference stays beside it: its description, its nullability
    reference = (await fields_of(client, dev_auth, ids["getUser"]))["data.owner"]
    url = f"{API}/apis/responses/{reference['id']}"
    changed = await client.patch(
        url, json={"description": "Who owns it", "nullable": True}, headers=dev_auth
    )
    assert changed.status_code == 200, changed.text
    document = await exported(client, dev_auth, app_id)
    owner = body_schema(document, "/users/{id}")["properties"]["data"]["properties"]["owner"]
    assert owner == {"description": "Who owns it", "anyOf": [{"$ref": OWNER}, {"type": "null"}]}
    assert document["components"]["schemas"]["Owner"]["type"] == "object"
    assert (await fields_of(client, dev_auth, ids["listOwners"]))["[]"]["nullable"] is False

    # a reference is deleted as a reference: the component and its other uses stay
    deleted = await client.delete(url, headers=dev_auth)
    assert deleted.status_code == 200, deleted.text
    document = await exported(client, dev_auth, app_id)
    assert "owner" not in body_schema(document, "/users/{id}")["properties"]["data"]["properties"]
    assert "Owner" in document["components"]["schemas"]
    assert set(await fields_of(client, dev_auth, ids["listOwners"])) == {
        "[]",
        "[].name",
        "[].email",
    }


async def test_the_originals_refusals_hold_for_a_described_api(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, USERS)
    api_id = ids["getUser"]
    fields = await fields_of(client, dev_auth, api_id)

    async def create(field: str, data_type: str = "string") -> httpx.Response:
        body = {"api_id": api_id, "field": field, "data_type": data_type}
        return await client.post(f"{API}/apis/responses", json=body, headers=dev_auth)

    assert (await create("data.id")).status_code == 409
    assert (await create("data.id.x")).status_code == 422
    assert (await create("data.x", "date")).status_code == 422
    data_url = f"{API}/apis/responses/{fields['data']['id']}"
    retyped = await client.patch(data_url, json={"data_type": "string"}, headers=dev_auth)
    assert retyped.status_code == 422
    assert retyped.json()["data"][0]["field"] == "body.field"
    assert (await client.delete(data_url, headers=dev_auth)).status_code == 409
    taken = await client.patch(
        f"{API}/apis/responses/{fields['data.id']['id']}",
        json={"field": "data.owner"},
        headers=dev_auth,
    )
    assert taken.status_code == 409
    assert (
        await client.post(
            f"{API}/apis/responses",
            json={"api_id": api_id, "field": "x", "data_type": "string"},
            headers=reader_auth,
        )
    ).status_code == 403
    # nothing was written by the refusals
    assert await fields_of(client, dev_auth, api_id) == fields


async def test_an_original_api_keeps_its_rows_as_its_description(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"])
    await make_field(client, dev_auth, api["id"], "data.items[].id", "integer")
    read = await client.get(f"{API}/apis/{api['id']}", headers=dev_auth)
    assert read.json()["data"]["operation"] is None
    document = await exported(client, dev_auth, app["id"])
    schema = body_schema(document, api["request_url"])
    assert schema["properties"]["data"]["properties"]["items"]["items"] == {
        "type": "object",
        "properties": {"id": {"type": "integer"}},
    }
    for path in ("[]", "[].id"):
        root_array = await client.post(
            f"{API}/apis/responses",
            json={"api_id": api["id"], "field": path, "data_type": "object"},
            headers=dev_auth,
        )
        assert root_array.status_code == 422, path
    fields = await fields_of(client, dev_auth, api["id"])
    moved = await client.patch(
        f"{API}/apis/responses/{fields['data.items[].id']['id']}",
        json={"field": "[].id"},
        headers=dev_auth,
    )
    assert moved.status_code == 422
    assert set(await fields_of(client, dev_auth, api["id"])) == set(fields)


async def test_a_field_of_a_root_array_is_written_through_the_flat_route(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, PETSTORE)
    created = await make_field(client, dev_auth, ids["listPets"], "[].age", "integer")
    assert created["field"] == "[].age"
    document = await exported(client, dev_auth, app_id)
    # the array's items are a $ref: the field is the component's, shown by every use of it
    assert document["components"]["schemas"]["Pet"]["properties"]["age"] == {"type": "integer"}
    assert body_schema(document, "/pets") == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Pet"},
    }
    assert "[].age" in await fields_of(client, dev_auth, ids["listPets"])
    assert "age" in await fields_of(client, dev_auth, ids["showPet"])
    # a body with no schema yet becomes the root array the path says
    root = await make_field(client, dev_auth, ids["createPet"], "[]", "object")
    assert root["field"] == "[]"
    created_body = (await exported(client, dev_auth, app_id))["paths"]["/pets"]["post"]
    assert created_body["responses"]["201"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"type": "object"},
    }
    renamed = await client.patch(
        f"{API}/apis/responses/{created['id']}", json={"field": "[].years"}, headers=dev_auth
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["data"]["id"] == created["id"]
    for wrong in ("[][]", "[].[]", "[]age", "[].", "a.[]"):
        refused = await client.post(
            f"{API}/apis/responses",
            json={"api_id": ids["listPets"], "field": wrong, "data_type": "string"},
            headers=dev_auth,
        )
        assert refused.status_code == 422, wrong
