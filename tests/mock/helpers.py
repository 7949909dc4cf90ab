"""A described app with a mock key, and requests to its mock, for the mock's HTTP tests."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.catalog.helpers import API

Auth = dict[str, str]
SAME_404 = ("status", "content-type", "body")

SHOP: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "1.0.0"},
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}
                ],
                "responses": {
                    "200": {
                        "description": "Items",
                        "headers": {
                            "Set-Cookie": {"schema": {"type": "string"}, "example": "s=1"},
                            "Cache-Control": {
                                "schema": {"type": "string"},
                                "example": "max-age=60",
                            },
                            "X-Total": {"schema": {"type": "integer"}, "example": 2},
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Item"},
                                },
                                "example": [{"id": 1, "name": "cup"}, {"id": 2, "name": "pot"}],
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "addItem",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Added",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            },
        },
        "/items/{itemId}": {
            "get": {
                "operationId": "showItem",
                "parameters": [
                    {
                        "name": "itemId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "One item",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            }
        },
        "/page": {
            "get": {
                "operationId": "page",
                "responses": {
                    "200": {
                        "description": "A page",
                        "content": {
                            "text/html": {
                                "example": "<html><script>alert(document.cookie)</script></html>"
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "name": {"type": "string", "minLength": 1, "maxLength": 30},
                    "sku": {"type": "string", "format": "uuid"},
                },
            }
        }
    },
}


async def import_app(
    client: httpx.AsyncClient, auth: Auth, document: Any = SHOP, **params: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/apps/import",
        params=params,
        content=json.dumps(document),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    app: dict[str, Any] = response.json()["data"]["app"]
    return app


async def make_key(
    client: httpx.AsyncClient, auth: Auth, app_id: int, name: str = "front end"
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/apps/{app_id}/mock-keys", json={"name": name}, headers=auth
    )
    assert response.status_code == 201, response.text
    key: dict[str, Any] = response.json()["data"]
    return key


def keyed(key: str, **headers: str) -> dict[str, str]:
    return {"X-Mock-Key": key, **headers}


def shape_of_404(response: httpx.Response) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("content-type"), response.content
