"""Users of each seeded role, with their bearer headers (the catalog's fixtures); an imported
app whose operations document request examples; and the requests the case tests make."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.catalog.conftest import (  # noqa: F401  (fixtures)
    admin,
    admin_auth,
    dev_auth,
    developer,
    reader,
    reader_auth,
)
from tests.catalog.helpers import API

Auth = dict[str, str]

PETS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1.0.0"},
    "paths": {
        "/pets": {
            "post": {
                "operationId": "addPet",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"type": "object"},
                            "examples": {"cat": {"value": {"name": "Tom"}}},
                        },
                        "application/xml": {"examples": {"dog": {"value": "<pet/>"}}},
                    }
                },
                "responses": {"201": {"description": "Added"}},
            }
        },
        "/pets/{petId}": {
            "get": {
                "operationId": "showPet",
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "A pet"}},
            }
        },
        "/orders": {
            "post": {
                "operationId": "order",
                "requestBody": {"$ref": "#/components/requestBodies/Order"},
                "responses": {"201": {"description": "Ordered"}},
            }
        },
    },
    "components": {
        "requestBodies": {
            "Order": {
                "content": {"application/json": {"examples": {"small": {"value": {"count": 1}}}}}
            }
        }
    },
}


@pytest.fixture
async def pets(
    client: httpx.AsyncClient,
    dev_auth: Auth,  # noqa: F811  (the fixture imported above)
) -> dict[str, Any]:
    """The imported app and its APIs by "METHOD path"."""
    imported = await client.post(
        f"{API}/apps/import",
        content=json.dumps(PETS),
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    app = imported.json()["data"]["app"]
    listed = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    apis = {
        f"{api['request_method']} {api['request_url']}": api
        for api in listed.json()["data"]["apis"]
    }
    return {"app": app, **apis}


async def create(client: httpx.AsyncClient, auth: Auth, of_api: int, **body: Any) -> httpx.Response:
    return await client.post(
        f"{API}/apis/{of_api}/cases", json={"name": "adds a cat"} | body, headers=auth
    )


async def made(client: httpx.AsyncClient, auth: Auth, of_api: int, **body: Any) -> Any:
    response = await create(client, auth, of_api, **body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def one(case_id: int) -> str:
    return f"{API}/cases/{case_id}"


def fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [item["field"] for item in response.json()["data"]]
