"""`/apps/{id}/components` and `/apps/{id}/components/{kind}/{name}`: the Components Object and
one component, read, written once the document is valid, deleted while nothing refers to it."""

from __future__ import annotations

import copy
from typing import Any

import httpx
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log
from tests.catalog.helpers import API, make_api, make_app
from tests.imports.test_import_http import PETSTORE, import_json

Auth = dict[str, str]
OWNER = {"type": "object", "properties": {"pets": {"$ref": "#/components/schemas/Pet"}}}


async def imported_app(client: httpx.AsyncClient, auth: Auth) -> int:
    response = await import_json(client, auth, PETSTORE)
    assert response.status_code == 201, response.text
    app_id: int = response.json()["data"]["app"]["id"]
    return app_id


async def exported(client: httpx.AsyncClient, auth: Auth, app_id: int) -> Any:
    response = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def url(app_id: int, kind: str | None = None, name: str | None = None) -> str:
    tail = f"/{kind}/{name}" if kind is not None else ""
    return f"{API}/apps/{app_id}/components{tail}"


async def test_components_are_read_whole_and_one_by_one(
    client: httpx.AsyncClient, reader_auth: Auth, dev_auth: Auth
) -> None:
    app_id = await imported_app(client, dev_auth)
    whole = await client.get(url(app_id), headers=reader_auth)
    assert whole.status_code == 200, whole.text
    assert whole.json()["data"] == PETSTORE["components"]
    pet = await client.get(url(app_id, "schemas", "Pet"), headers=reader_auth)
    assert pet.json()["data"] == PETSTORE["components"]["schemas"]["Pet"]
    missing = await client.get(url(app_id, "schemas", "Cat"), headers=reader_auth)
    assert missing.status_code == 404, missing.text
    assert (await client.get(url(app_id, "widgets", "Pet"), headers=dev_auth)).status_code == 422
    assert (await client.get(url(app_id, "schemas", "a b"), headers=dev_auth)).status_code == 422
    empty = await make_app(client, dev_auth)
    assert (await client.get(url(empty["id"]), headers=dev_auth)).json()["data"] == {}
    assert (await client.get(url(999_999), headers=dev_auth)).status_code == 404


async def test_one_component_is_created_then_replaced_exported_and_audited(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id = await imported_app(client, dev_auth)
    created = await client.put(url(app_id, "schemas", "Owner"), json=OWNER, headers=dev_auth)
    assert created.status_code == 201, created.text
    assert created.json()["data"] == OWNER
    replaced_owner = {**OWNER, "description": "Who holds pets"}
    replaced = await client.put(
        url(app_id, "schemas", "Owner"), json=replaced_owner, headers=dev_auth
    )
    assert replaced.status_code == 200, replaced.text
    document = await exported(client, dev_auth, app_id)
    assert list(document["components"]["schemas"]) == ["Pet", "Owner"]
    assert document["components"]["schemas"]["Owner"] == replaced_owner
    # a boolean schema is a schema
    assert (
        await client.put(url(app_id, "schemas", "Anything"), json=True, headers=dev_auth)
    ).status_code == 201
    audits = (
        await session.execute(
            select(Log.action, Log.detail)
            .where(Log.target_id == app_id, Log.action.like("app.component%"))
            .order_by(Log.id)
        )
    ).all()
    assert [tuple(row) for row in audits] == [
        ("app.component_create", {"kind": "schemas", "name": "Owner"}),
        ("app.component_replace", {"kind": "schemas", "name": "Owner"}),
        ("app.component_create", {"kind": "schemas", "name": "Anything"}),
    ]


async def test_the_whole_components_object_is_replaced_once_the_document_is_valid(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id = await imported_app(client, dev_auth)
    components = copy.deepcopy(PETSTORE["components"])
    components["schemas"]["Owner"] = OWNER
    response = await client.put(url(app_id), json=components, headers=dev_auth)
    assert response.status_code == 200, response.text
    assert (await exported(client, dev_auth, app_id))["components"] == components
    detail = await session.scalar(
        select(Log.detail).where(Log.action == "app.components_replace", Log.target_id == app_id)
    )
    assert detail == {"changed": ["schemas"]}
    # without Pet, the operations' references resolve nowhere: named where they are
    refused = await client.put(
        url(app_id), json={"securitySchemes": components["securitySchemes"]}, headers=dev_auth
    )
    assert refused.status_code == 422, refused.text
    problems = refused.json()["data"]
    assert {problem["type"] for problem in problems} == {"ref.unresolved"}
    assert all(problem["field"] == "" for problem in problems)
    assert any(
        "/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref"
        in problem["message"]
        for problem in problems
    )
    assert (await exported(client, dev_auth, app_id))["components"] == components


async def test_an_invalid_component_is_422_with_pointers_into_it(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app_id = await imported_app(client, dev_auth)
    cases: list[tuple[str, Any, str, str]] = [
        ("schemas", {"type": "nope"}, "/type", "openapi.invalid"),
        ("responses", {"content": {}}, "", "openapi.invalid"),
        (
            "schemas",
            {"properties": {"cat": {"$ref": "#/components/schemas/Cat"}}},
            "/properties/cat/$ref",
            "ref.unresolved",
        ),
        (
            "schemas",
            {"properties": {"cat": {"$ref": "file:///etc/passwd"}}},
            "/properties/cat/$ref",
            "ref.external",
        ),
    ]
    for kind, component, field, problem_type in cases:
        response = await client.put(url(app_id, kind, "Broken"), json=component, headers=dev_auth)
        assert response.status_code == 422, (component, response.text)
        found = [(problem["field"], problem["type"]) for problem in response.json()["data"]]
        assert found == [(field, problem_type)], component
    assert (
        await client.put(url(app_id, "responses", "X"), json=True, headers=dev_auth)
    ).status_code == 422
    assert (await exported(client, dev_auth, app_id)) == PETSTORE


async def test_a_component_still_referred_to_is_not_deleted(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app_id = await imported_app(client, dev_auth)
    refused = await client.delete(url(app_id, "schemas", "Pet"), headers=dev_auth)
    assert refused.status_code == 409, refused.text
    places = refused.json()["data"]["references"]
    assert places == [
        "/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref",
        "/paths/~1pets/post/requestBody/content/application~1json/schema/$ref",
        "/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema/$ref",
    ]
    assert places[0] in refused.json()["message"]
    scheme = await client.delete(url(app_id, "securitySchemes", "key"), headers=dev_auth)
    assert scheme.status_code == 409, scheme.text
    assert scheme.json()["data"]["references"] == ["/paths/~1pets/post/security/0"]
    assert (await exported(client, dev_auth, app_id)) == PETSTORE


async def test_a_component_nothing_refers_to_is_deleted(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id = await imported_app(client, dev_auth)
    await client.put(url(app_id, "schemas", "Owner"), json=OWNER, headers=dev_auth)
    # Owner refers to Pet; Pet refers to itself: neither blocks the delete of Owner
    deleted = await client.delete(url(app_id, "schemas", "Owner"), headers=dev_auth)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["message"] == "Component deleted."
    assert (await client.get(url(app_id, "schemas", "Owner"), headers=dev_auth)).status_code == 404
    assert (await exported(client, dev_auth, app_id)) == PETSTORE
    again = await client.delete(url(app_id, "schemas", "Owner"), headers=dev_auth)
    assert again.status_code == 404, again.text
    detail = await session.scalar(
        select(Log.detail).where(Log.action == "app.component_delete", Log.target_id == app_id)
    )
    assert detail == {"kind": "schemas", "name": "Owner"}


async def test_an_original_app_given_a_component_keeps_its_apis_in_the_export(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth, title="Shop")
    api = await make_api(client, dev_auth, app["id"], request_url="/orders")
    error = {"type": "object", "properties": {"message": {"type": "string"}}}
    created = await client.put(url(app["id"], "schemas", "Error"), json=error, headers=dev_auth)
    assert created.status_code == 201, created.text
    document = await exported(client, dev_auth, app["id"])
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["components"]["schemas"] == {"Error": error}
    assert document["paths"]["/orders"]["get"]["summary"] == api["title"]
    assert document["info"]["title"] == "Shop"


async def test_only_writers_change_components(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app_id = await imported_app(client, dev_auth)
    for response in (
        await client.put(url(app_id), json={}, headers=reader_auth),
        await client.put(url(app_id, "schemas", "Owner"), json=OWNER, headers=reader_auth),
        await client.delete(url(app_id, "schemas", "Pet"), headers=reader_auth),
    ):
        assert response.status_code == 403, response.text
    assert (await client.get(url(app_id), headers={})).status_code == 401
    missing = await client.put(url(999_999, "schemas", "Owner"), json=OWNER, headers=dev_auth)
    assert missing.status_code == 404, missing.text
