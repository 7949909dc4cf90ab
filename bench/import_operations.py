"""The operations and shared components of bench/import_document.py's documents.

Five operations a resource: list (shared paging parameters by `$ref`, inline filters, a page
example), create (an idempotency header, a named body example), read, update (JSON and merge
patch bodies) and delete; the path parameter at the Path Item. Errors are shared responses by
`$ref`; rate-limit headers shared headers; the resource examples are components/examples by
`$ref`. Security: a bearer token, or OAuth client credentials with a read, write and admin
scope a resource.
"""

from __future__ import annotations

import random
from typing import Any

from import_schemas import STATUSES, example_of, pascal, ref, sentence


def _errors(*statuses: str) -> dict[str, Any]:
    names = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound", "409": "Conflict",
             "422": "Invalid", "429": "RateLimited"}  # fmt: skip
    return {status: ref("responses", names[status]) for status in statuses} | {
        "default": ref("responses", "Unexpected")
    }


def _json(schema_name: str, examples: dict[str, Any]) -> dict[str, Any]:
    """A JSON media type; an example given as a str is a `$ref` to components/examples."""
    return {
        "application/json": {
            "schema": ref("schemas", schema_name),
            "examples": {
                key: ref("examples", value)
                if isinstance(value, str)
                else {"summary": key.replace("_", " "), "value": value}
                for key, value in examples.items()
            },
        }
    }


def _rate_headers() -> dict[str, Any]:
    return {name: ref("headers", name) for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining")}


def _operation(
    rng: random.Random, operation_id: str, summary: str, tag: str, scopes: list[str]
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": sentence(rng, rng.randint(12, 30)),
        "tags": [tag],
        "security": [{"bearer": []}, {"oauth": scopes}],
    }
    if rng.random() < 0.04:
        operation["deprecated"] = True
    if rng.random() < 0.2:
        operation["x-internal-owner"] = rng.choice(("team-core", "team-growth", "team-ops"))
    return operation


def collection(
    rng: random.Random, name: str, noun: str, tag: str, example: Any, schemas: dict[str, Any]
) -> dict[str, Any]:
    scope = name.lower()
    listing = _operation(rng, f"list{name}s", f"List {noun}s", tag, [f"{scope}:read"])
    listing["parameters"] = [
        ref("parameters", "Limit"),
        ref("parameters", "Cursor"),
        ref("parameters", "Expand"),
        {
            "name": "status",
            "in": "query",
            "description": f"Only the {noun}s in this status.",
            "schema": {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}},
            "style": "form",
            "explode": False,
        },
        {
            "name": "created_after",
            "in": "query",
            "schema": {"type": "string", "format": "date-time"},
        },
    ]
    page = {"has_more": True, "next_cursor": "c2Vjb25kLXBhZ2U", "data": [example]}
    listing["responses"] = {
        "200": {
            "description": f"A page of {noun}s, newest first.",
            "headers": _rate_headers(),
            "content": _json(f"{name}Page", {"first_page": page}),
        }
    } | _errors("400", "401", "429")
    creating = _operation(rng, f"create{name}", f"Create a {noun}", tag, [f"{scope}:write"])
    body = example_of(schemas[f"{name}Create"], schemas, rng)
    creating["parameters"] = [ref("parameters", "IdempotencyKey")]
    creating["requestBody"] = {
        "required": True,
        "content": _json(f"{name}Create", {"new": body}),
    }
    creating["responses"] = {
        "201": {
            "description": f"The {noun}, created.",
            "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
            "content": _json(name, {"created": name}),
        }
    } | _errors("400", "401", "409", "422", "429")
    return {"get": listing, "post": creating}


def item(rng: random.Random, name: str, noun: str, tag: str) -> dict[str, Any]:
    scope = name.lower()
    reading = _operation(rng, f"get{name}", f"Get a {noun}", tag, [f"{scope}:read"])
    reading["parameters"] = [ref("parameters", "Expand")]
    reading["responses"] = {
        "200": {
            "description": f"The {noun}.",
            "headers": _rate_headers(),
            "content": _json(name, {"found": name}),
        }
    } | _errors("401", "404", "429")
    updating = _operation(rng, f"update{name}", f"Update a {noun}", tag, [f"{scope}:write"])
    change = {"name": "Renamed", "status": "paused"}
    updating["requestBody"] = {
        "required": True,
        "content": _json(f"{name}Update", {"rename": change})
        | {"application/merge-patch+json": {"schema": ref("schemas", f"{name}Update")}},
    }
    updating["responses"] = {
        "200": {"description": f"The {noun}, updated.", "content": _json(name, {"updated": name})}
    } | _errors("400", "401", "404", "409", "422")
    deleting = _operation(rng, f"delete{name}", f"Delete a {noun}", tag, [f"{scope}:admin"])
    deleting["responses"] = {"204": {"description": f"The {noun} is deleted."}} | _errors(
        "401", "404"
    )
    return {
        "parameters": [
            {
                "name": f"{noun}_id",
                "in": "path",
                "required": True,
                "description": f"The {noun}'s id.",
                "schema": {"type": "string", "format": "uuid"},
            },
        ],
        "get": reading,
        "patch": updating,
        "delete": deleting,
    }


def shared_parameters() -> dict[str, Any]:
    return {
        "Limit": {"name": "limit", "in": "query", "description": "Items on a page.",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
        "Cursor": {"name": "cursor", "in": "query", "description": "From `next_cursor`.",
                   "schema": {"type": "string", "maxLength": 200}},
        "Expand": {"name": "expand", "in": "query", "description": "Related objects to inline.",
                   "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 5}},
        "IdempotencyKey": {"name": "Idempotency-Key", "in": "header",
                           "description": "Repeats of a request with the same key are no-ops.",
                           "schema": {"type": "string", "maxLength": 64}},
    }  # fmt: skip


def shared_headers() -> dict[str, Any]:
    return {
        "X-RateLimit-Limit": {"description": "Requests allowed a minute.",
                              "schema": {"type": "integer"}},
        "X-RateLimit-Remaining": {"description": "Requests left this minute.",
                                  "schema": {"type": "integer"}},
    }  # fmt: skip


def shared_responses() -> dict[str, Any]:
    said = {
        "BadRequest": "The request could not be read.",
        "Unauthorized": "No valid token.",
        "NotFound": "No such object, or not visible to the caller.",
        "Conflict": "The object changed meanwhile, or the key is taken.",
        "Invalid": "A field is invalid; `details` says which.",
        "RateLimited": "Too many requests; retry after `Retry-After` seconds.",
        "Unexpected": "An error on our side.",
    }
    responses: dict[str, Any] = {}
    for name, description in said.items():
        error = {"code": name.lower(), "message": description, "request_id": "req_123"}
        responses[name] = {
            "description": description,
            "content": {
                "application/json": {
                    "schema": ref("schemas", "Error"),
                    "example": error,
                }
            },
        }
    responses["RateLimited"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return responses


def security_schemes(resources: list[tuple[str, str]]) -> dict[str, Any]:
    scopes: dict[str, str] = {}
    for domain, noun in resources:
        scope = (pascal(domain) + pascal(noun)).lower()
        for suffix in ("read", "write", "admin"):
            scopes[f"{scope}:{suffix}"] = f"{suffix.capitalize()} the {domain} {noun}s."
    return {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "oauth": {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "https://auth.example.com/oauth/token",
                    "scopes": scopes,
                }
            },
        },
    }
