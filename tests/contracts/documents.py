"""Hand-made OpenAPI 3.1 documents the contract tests judge answers against."""

from __future__ import annotations

from typing import Any

from apidock.contracts.checks import Observed

JSON = "application/json"


def observed(
    status: int = 200,
    body: bytes = b"",
    content_type: str | None = JSON,
    elapsed_ms: float = 5.0,
    **headers: str,
) -> Observed:
    """An answer; keyword headers are named with `_` for `-` (`x_request_id`)."""
    named = {name.replace("_", "-").lower(): value for name, value in headers.items()}
    if content_type is not None:
        named["content-type"] = content_type
    return Observed(status=status, headers=named, body=body, elapsed_ms=elapsed_ms)


def shop() -> dict[str, Any]:
    """A small API whose answers the seeded faults break, one way each."""
    item_ref = {"$ref": "#/components/schemas/Item"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1"},
        "paths": {
            "/items/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {
                    "operationId": "getItem",
                    "responses": {
                        "200": {
                            "description": "An item",
                            "headers": {
                                "X-Request-Id": {"$ref": "#/components/headers/RequestId"},
                                "X-Rate-Remaining": {"schema": {"type": "integer"}},
                            },
                            "content": {JSON: {"schema": item_ref}},
                        },
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                },
                "delete": {"responses": {"204": {"description": "Gone"}}},
            },
            "/items": {
                "get": {
                    "responses": {
                        "2XX": {
                            "description": "Items",
                            "content": {
                                JSON: {"schema": {"type": "array", "items": item_ref}},
                            },
                        },
                        "default": {
                            "description": "Any error",
                            "content": {"application/*": {"schema": {"type": "object"}}},
                        },
                    }
                }
            },
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                    },
                },
                "Tag": {
                    "type": "object",
                    "properties": {"label": {"type": "string"}},
                },
            },
            "headers": {
                "RequestId": {"required": True, "schema": {"type": "string", "minLength": 8}}
            },
            "responses": {
                "NotFound": {
                    "description": "Not found",
                    "content": {
                        "application/problem+json": {
                            "schema": {
                                "type": "object",
                                "required": ["title"],
                                "properties": {"title": {"type": "string"}},
                            }
                        }
                    },
                }
            },
        },
    }


def with_operation(operation: dict[str, Any], **components: Any) -> dict[str, Any]:
    """A document of one operation, `GET /thing`, with the given components."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "One", "version": "1"},
        "paths": {"/thing": {"get": operation}},
        "components": components,
    }


def answering(schema: Any, media_type: str = JSON, **components: Any) -> dict[str, Any]:
    """A document whose `GET /thing` answers 200 with `schema` as `media_type`."""
    content = {media_type: {"schema": schema}}
    return with_operation(
        {"responses": {"200": {"description": "", "content": content}}}, **components
    )
