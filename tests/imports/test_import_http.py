"""`POST /apps/import` end to end: a document in, an app, groups and APIs out, the export back."""

from __future__ import annotations

import json
from typing import Any

import httpx
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log
from tests.catalog.helpers import API

Auth = dict[str, str]

PETSTORE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Pet store", "version": "2.0.1", "x-audience": "public"},
    "servers": [{"url": "https://pets.example.com/v2"}],
    "tags": [{"name": "pets", "description": "Everything about pets"}],
    "paths": {
        "/pets": {
            "summary": "The pets",
            "get": {
                "operationId": "listPets",
                "tags": ["pets"],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}
                ],
                "responses": {
                    "200": {
                        "description": "A page of pets",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Pet"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createPet",
                "tags": ["pets"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                    },
                },
                "responses": {"201": {"description": "Created"}, "204": {"description": "No body"}},
                "security": [{"key": []}],
            },
        },
        "/pets/{petId}": {
            "parameters": [
                {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "showPet",
                "summary": "One pet",
                "responses": {
                    "200": {
                        "description": "The pet",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"},
                                "examples": {"rex": {"value": {"id": 1, "name": "Rex"}}},
                            }
                        },
                    },
                    "404": {"description": "No such pet"},
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                },
            }
        },
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
    },
    "x-owner": "team pets",
}


async def import_json(
    client: httpx.AsyncClient, auth: Auth, document: Any, **params: Any
) -> httpx.Response:
    return await client.post(
        f"{API}/apps/import",
        params=params,
        content=json.dumps(document),
        headers={**auth, "Content-Type": "application/json"},
    )


async def test_an_openapi_31_document_imports_whole_and_exports_the_same(
    client: httpx.AsyncClient, dev_auth: Auth, admin_auth: Auth, session: AsyncSession
) -> None:
    response = await import_json(client, dev_auth, PETSTORE)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    app = data["app"]
    assert (app["title"], app["slug"], app["version"]) == ("Pet store", "pet-store", "2.0.1")
    report = data["report"]
    assert report["format"] == "openapi-3.1.0"
    assert (report["operations"], report["schemas"], report["examples"]) == (3, 1, 1)
    assert report["lost"] == []

    exported = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)
    assert exported.status_code == 200, exported.text
    document = exported.json()
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document == PETSTORE

    # the catalog's own view: one API per operation, in the group of its first tag
    apis = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    listed = {(api["request_method"], api["request_url"]) for api in apis.json()["data"]["apis"]}
    assert listed == {("GET", "/pets"), ("POST", "/pets"), ("GET", "/pets/{petId}")}
    [audit] = (
        await session.scalars(
            select(Log).where(Log.action == "app.import", Log.target_id == app["id"])
        )
    ).all()
    counts = {"format": "openapi-3.1.0", "operations": 3, "schemas": 1, "examples": 1}
    assert audit.detail == counts
    logs = await client.get(f"{API}/logs", headers=admin_auth)
    [shown] = [log for log in logs.json()["data"]["logs"] if log["id"] == audit.id]
    assert (shown["action"], shown["target_type"], shown["detail"]) == ("app.import", "app", counts)


async def test_export_then_import_then_export_is_byte_identical_in_json_and_yaml(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    first = (await import_json(client, dev_auth, PETSTORE)).json()["data"]["app"]
    for syntax, media_type in (("json", "application/json"), ("yaml", "application/yaml")):
        url = f"{API}/apps/{first['id']}/openapi.{syntax}"
        exported = await client.get(url, headers=dev_auth)
        assert exported.headers["content-type"].startswith(media_type)
        again = await client.post(
            f"{API}/apps/import",
            params={"slug": f"again-{syntax}"},
            content=exported.content,
            headers={**dev_auth, "Content-Type": media_type},
        )
        assert again.status_code == 201, again.text
        second = again.json()["data"]["app"]
        assert second["title"] == f"Pet store (again-{syntax})"
        re_exported = await client.get(
            f"{API}/apps/{second['id']}/openapi.{syntax}", headers=dev_auth
        )
        assert re_exported.content == exported.content
    parsed = yaml.safe_load(exported.content)
    assert parsed["info"]["title"] == "Pet store"


async def test_replacing_keeps_the_id_and_slug(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = (await import_json(client, dev_auth, PETSTORE)).json()["data"]["app"]
    smaller = {**PETSTORE, "paths": {"/pets": PETSTORE["paths"]["/pets"]}}
    replaced = await import_json(client, dev_auth, smaller, app_id=app["id"])
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["data"]["app"]["id"] == app["id"]
    assert replaced.json()["data"]["app"]["slug"] == "pet-store"
    apis = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    assert len(apis.json()["data"]["apis"]) == 2


async def test_refusals(client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth) -> None:
    assert (await import_json(client, reader_auth, PETSTORE)).status_code == 403
    plain = await client.post(
        f"{API}/apps/import",
        content=b"openapi: 3.1.0",
        headers={**dev_auth, "Content-Type": "text/plain"},
    )
    assert plain.status_code == 415
    external = {
        **PETSTORE,
        "paths": {"/x": {"get": {"responses": {"200": {"$ref": "file:///etc/passwd"}}}}},
    }
    refused = await import_json(client, dev_auth, external)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["data"]
    assert problem["field"] == "/paths/~1x/get/responses/200/$ref"
    assert "file:///etc/passwd" in problem["message"]
    await import_json(client, dev_auth, PETSTORE)
    assert (await import_json(client, dev_auth, PETSTORE)).status_code == 409


async def test_a_document_in_a_form_field_is_read_by_its_content(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    text = yaml.safe_dump(PETSTORE, sort_keys=False)
    response = await client.post(
        f"{API}/apps/import",
        files={"file": ("whatever.json", text.encode(), "application/octet-stream")},
        headers=dev_auth,
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["report"]["operations"] == 3
