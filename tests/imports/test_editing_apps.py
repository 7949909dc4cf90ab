"""`GET/PATCH /apps/{id}` with the description's app-level parts: servers, security, tags,
external docs, the `info` extras and the JSON Schema dialect, checked in the whole document."""

from __future__ import annotations

from typing import Any

import httpx
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log
from tests.catalog.helpers import API, make_api, make_app
from tests.imports.test_import_http import PETSTORE, import_json

Auth = dict[str, str]

PARTS: dict[str, Any] = {
    "summary": "Pets, sold",
    "terms_of_service": "https://pets.example.com/terms",
    "contact": {"name": "Pet desk", "email": "desk@pets.example.com"},
    "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
    "servers": [
        {"url": "https://{region}.pets.example.com", "variables": {"region": {"default": "eu"}}}
    ],
    "security": [{"key": []}],
    "tags": [{"name": "pets", "externalDocs": {"url": "https://pets.example.com/docs/pets"}}],
    "external_docs": {"url": "https://pets.example.com/docs"},
    "json_schema_dialect": "https://spec.openapis.org/oas/3.1/dialect/base",
}


async def imported_app(client: httpx.AsyncClient, auth: Auth, document: Any = PETSTORE) -> Any:
    response = await import_json(client, auth, document)
    assert response.status_code == 201, response.text
    return response.json()["data"]["app"]


async def exported(client: httpx.AsyncClient, auth: Auth, app_id: int) -> Any:
    response = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def patch(client: httpx.AsyncClient, auth: Auth, app_id: int, **body: Any) -> httpx.Response:
    return await client.patch(f"{API}/apps/{app_id}", json=body, headers=auth)


async def test_an_apps_read_and_list_carry_its_parts_null_when_absent(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth)
    assert (app["servers"], app["tags"]) == (PETSTORE["servers"], PETSTORE["tags"])
    assert (app["summary"], app["security"], app["license"]) == (None, None, None)
    read = (await client.get(f"{API}/apps/{app['id']}", headers=dev_auth)).json()["data"]
    assert read == app
    listed = (await client.get(f"{API}/apps", headers=dev_auth)).json()["data"]["apps"]
    assert [item for item in listed if item["id"] == app["id"]] == [app]
    original = await make_app(client, dev_auth)
    assert (original["servers"], original["json_schema_dialect"]) == (None, None)


async def test_parts_written_are_read_exported_and_audited(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app = await imported_app(client, dev_auth)
    response = await patch(client, dev_auth, app["id"], **PARTS)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert {name: data[name] for name in PARTS} == PARTS
    document = await exported(client, dev_auth, app["id"])
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["info"] == {
        "title": "Pet store",
        "version": "2.0.1",
        "x-audience": "public",
        "summary": PARTS["summary"],
        "termsOfService": PARTS["terms_of_service"],
        "contact": PARTS["contact"],
        "license": PARTS["license"],
    }
    assert (document["servers"], document["security"]) == (PARTS["servers"], PARTS["security"])
    assert document["tags"] == PARTS["tags"]
    assert document["externalDocs"] == PARTS["external_docs"]
    assert document["jsonSchemaDialect"] == PARTS["json_schema_dialect"]
    [detail] = (
        await session.scalars(
            select(Log.detail).where(Log.action == "app.update", Log.target_id == app["id"])
        )
    ).all()
    assert detail == {"changed": sorted(PARTS)}
    # the app's security is that of its operations without their own: need_auth follows
    apis = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    need_auth = {api["request_url"]: api["need_auth"] for api in apis.json()["data"]["apis"]}
    assert need_auth == {"/pets": True, "/pets/{petId}": True}
    # null removes a part; `security: []` is kept as "explicitly none"
    removed = await patch(client, dev_auth, app["id"], servers=None, summary=None, security=[])
    assert removed.status_code == 200, removed.text
    document = await exported(client, dev_auth, app["id"])
    # no servers of its own: the export names the app's mock as its server
    assert [server["url"] for server in document["servers"]] == [f"/mock/{app['slug']}"]
    assert "summary" not in document["info"]
    assert document["security"] == []
    apis = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    need_auth = {
        (api["request_method"], api["request_url"]): api["need_auth"]
        for api in apis.json()["data"]["apis"]
    }
    assert need_auth == {
        ("GET", "/pets"): False,
        ("POST", "/pets"): True,
        ("GET", "/pets/{petId}"): False,
    }


async def test_invalid_parts_are_422_with_pointers_into_the_body(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"license": {"url": "https://x.example"}}, "/license", "openapi.invalid"),
        ({"servers": [{"description": "no url"}]}, "/servers/0", "openapi.invalid"),
        ({"security": [{"nokey": []}]}, "/security/0/nokey", "openapi.security.undeclared"),
        ({"external_docs": {"url": 3}}, "/external_docs/url", "openapi.invalid"),
        ({"tags": [{"name": "a"}, {"name": "a"}]}, "/tags/1/name", "openapi.tag.duplicate"),
        (
            {"json_schema_dialect": "http://json-schema.org/draft-07/schema#"},
            "/json_schema_dialect",
            "openapi.dialect.unsupported",
        ),
    ]
    for body, field, kind in cases:
        response = await patch(client, dev_auth, app["id"], **body)
        assert response.status_code == 422, (body, response.text)
        found = [(problem["field"], problem["type"]) for problem in response.json()["data"]]
        assert found == [(field, kind)], body
    assert (await exported(client, dev_auth, app["id"])) == PETSTORE


async def test_an_original_app_gains_a_description_and_keeps_its_apis(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth, title="Shop", auth_type="bearer")
    api = await make_api(client, dev_auth, app["id"], request_url="/orders", need_auth=True)
    servers = [{"url": "https://shop.example.com"}]
    response = await patch(client, dev_auth, app["id"], servers=servers)
    assert response.status_code == 200, response.text
    document = await exported(client, dev_auth, app["id"])
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["servers"] == servers
    assert document["paths"]["/orders"]["get"]["summary"] == api["title"]
    assert document["paths"]["/orders"]["get"]["security"] == [{"bearerAuth": []}]
    # the document's title follows the app's while it is the app's title
    await patch(client, dev_auth, app["id"], title="Shop floor")
    assert (await exported(client, dev_auth, app["id"]))["info"]["title"] == "Shop floor"


async def test_an_app_imported_with_flaws_can_still_be_edited(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    flawed = {
        "openapi": "3.1.0",
        "info": {"title": "Flawed", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {}}}}},
        "components": {"schemas": {"Bad": {"type": "nope"}}},
    }
    app = await imported_app(client, dev_auth, flawed)
    response = await patch(client, dev_auth, app["id"], summary="Still editable")
    assert response.status_code == 200, response.text
    # but what is written must itself be valid
    again = await client.put(
        f"{API}/apps/{app['id']}/components/schemas/Bad", json={"type": "nope"}, headers=dev_auth
    )
    assert again.status_code == 422, again.text
    assert again.json()["data"][0]["field"] == "/type"


async def test_only_writers_change_an_app(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth)
    refused = await patch(client, reader_auth, app["id"], summary="No")
    assert refused.status_code == 403, refused.text
    assert (await patch(client, dev_auth, 999_999, summary="No")).status_code == 404
    for body in ({"servers": {"url": "x"}}, {"contact": "desk"}, {"summary": 3}):
        assert (await patch(client, dev_auth, app["id"], **body)).status_code == 422, body
