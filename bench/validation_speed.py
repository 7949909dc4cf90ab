"""How long checking an OpenAPI 3.1 document takes: openapi-spec-validator 0.9 against
`apidock.descriptions.validation.validate_openapi31`, on generated documents of about 1 MB
(250 operations) and 10 MB (2,500 operations). Issue 14 gives a whole import (parse, convert,
validate, store) twice openapi-spec-validator's time on the first; this shows what the
validation part leaves of it. Not a test: run it by hand.

    .venv/bin/python bench/validation_speed.py [--rounds 3] [--sizes 250,2500]

The documents are made here, deterministically: resources with their schemas (`$ref`s,
`allOf`, nullable type unions, enums, defaults, patterns), list/create/read/update/delete
operations with shared and inline parameters, request bodies and responses with named
examples and headers, error responses from components, tags and security. A 3.0 twin of each
(`nullable`, boolean `exclusiveMaximum`) times the 3.0 to 3.1 conversion too. Nothing is
fetched: openapi-spec-validator gets handlers that refuse every address.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, cast

from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator.schemas import get_validator_backend

from apidock.descriptions.from_openapi30 import convert_openapi30
from apidock.descriptions.problems import Report
from apidock.descriptions.validation import document_validator, validate_openapi31

LOREM = (
    "Returns the items the caller may read, newest first. Filters combine with AND; an unknown "
    "filter is a 422. The answer is paginated: follow `next` until it is null. Rate limits "
    "apply per token (see the `X-RateLimit-*` headers). "
)


def _refuse(uri: str) -> Any:
    raise RuntimeError(f"the benchmark fetches nothing: {uri}")


class RefusingSpecValidator(OpenAPIV31SpecValidator):
    """openapi-spec-validator's 3.1 validator with no way to read a file or a URL."""

    resolver_handlers = cast(Any, dict.fromkeys(("<all_urls>", "http", "https", "file"), _refuse))


def _nullable(schema: dict[str, Any], openapi30: bool) -> dict[str, Any]:
    if openapi30:
        return {**schema, "nullable": True}
    return {**schema, "type": [schema["type"], "null"]}


def _resource_schemas(index: int, openapi30: bool) -> dict[str, Any]:
    name = f"Resource{index}"
    properties: dict[str, Any] = {
        "id": {"type": "integer", "format": "int64", "readOnly": True, "description": "Its id."},
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\s].*$"},
        "status": {
            "type": "string",
            "enum": ["active", "inactive", "archived"],
            "default": "active",
        },
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": 20},
        "owner": {"$ref": "#/components/schemas/User"},
        "created_at": {"type": "string", "format": "date-time", "readOnly": True},
        "score": _nullable({"type": "number", "minimum": 0}, openapi30),
        "meta": {"type": "object", "additionalProperties": {"type": "string"}},
        "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
    }
    properties["score"].update(
        {"maximum": 100, "exclusiveMaximum": True} if openapi30 else {"exclusiveMaximum": 100}
    )
    for field in range(12 + index % 7):
        properties[f"attribute_{field}"] = [
            {"type": "string", "description": f"Attribute {field} of {name}, free text."},
            {"type": "integer", "minimum": 0, "maximum": 10_000, "default": 0},
            {"type": "boolean", "default": False, "description": "A flag."},
            {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "Either."},
            _nullable({"type": "string", "format": "date"}, openapi30),
        ][field % 5]
    return {
        name: {
            "type": "object",
            "description": f"A resource of kind {index}. " + LOREM,
            "required": ["id", "name"],
            "properties": properties,
        },
        f"{name}Input": {
            "allOf": [
                {"$ref": f"#/components/schemas/{name}"},
                {"type": "object", "properties": {"note": {"type": "string"}}},
            ],
            "required": ["name"],
        },
        f"{name}Page": {
            "type": "object",
            "required": ["data", "page"],
            "properties": {
                "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                "page": {"type": "integer", "minimum": 1},
                "next": _nullable({"type": "string", "format": "uri"}, openapi30),
            },
        },
    }


def _example(index: int, item: int) -> dict[str, Any]:
    return {
        "id": item,
        "name": f"resource {index}-{item}",
        "status": "active",
        "tags": ["blue", "green", "red"],
        "owner": {"id": 7, "email": "ann@example.com", "name": "Ann Example"},
        "created_at": "2024-05-01T12:00:00Z",
        "score": 41.5,
        "meta": {"region": "eu-west", "tier": "gold"},
        "links": [{"href": f"https://api.example.com/r/{item}", "rel": "self"}],
        **{f"attribute_{field}": field for field in range(12)},
    }


def _ok(schema: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "OK",
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/RequestId"}},
        "content": {
            "application/json": {
                "schema": schema,
                "examples": {
                    name: {"summary": f"The {name} case", "value": value}
                    for name, value in examples.items()
                },
            }
        },
    }


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}


def _paths(index: int, resources: int) -> dict[str, Any]:
    name = f"Resource{index}"
    ref = {"$ref": f"#/components/schemas/{name}"}
    version = index // resources + 1
    base = f"/v{version}/resources{index % resources}"
    tag = [f"tag{index % 10}"]
    page = [_example(index, item) for item in range(1, 16)]
    many = {
        "first": {"data": page, "page": 1, "next": f"https://api.example.com{base}?page=2"},
        "last": {"data": page[:6], "page": 2, "next": None},
    }
    return {
        base: {
            "get": {
                "operationId": f"list{index}",
                "summary": f"List {name}",
                "description": LOREM * 2,
                "tags": tag,
                "parameters": [
                    {"$ref": "#/components/parameters/Page"},
                    {"$ref": "#/components/parameters/PerPage"},
                    {
                        "name": "q",
                        "in": "query",
                        "description": "Search text, at most 200 characters.",
                        "schema": {"type": "string", "maxLength": 200},
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["active", "inactive"]},
                    },
                ],
                "responses": {
                    "200": _ok({"$ref": f"#/components/schemas/{name}Page"}, many),
                    **_errors("400", "401"),
                },
            },
            "post": {
                "operationId": f"create{index}",
                "summary": f"Create a {name}",
                "description": LOREM,
                "tags": tag,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{name}Input"},
                            "examples": {"minimal": {"value": {"name": "new"}}},
                        }
                    },
                },
                "responses": {
                    "201": _ok(ref, {"created": _example(index, 3)}),
                    **_errors("400", "401", "422"),
                },
                "security": [{"bearer": ["write"]}],
            },
        },
        base + "/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {
                "operationId": f"get{index}",
                "summary": f"Read a {name}",
                "description": LOREM,
                "tags": tag,
                "responses": {
                    "200": _ok(ref, {"one": _example(index, 4)}),
                    **_errors("401", "404"),
                },
            },
            "patch": {
                "operationId": f"update{index}",
                "tags": tag,
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": {
                    "200": _ok(ref, {"updated": _example(index, 5)}),
                    **_errors("400", "404", "422"),
                },
            },
            "delete": {
                "operationId": f"delete{index}",
                "tags": tag,
                "responses": {"204": {"description": "Deleted"}, **_errors("401", "404")},
            },
        },
    }


def make_document(operations: int, *, openapi30: bool = False) -> dict[str, Any]:
    """A realistic document with `operations` operations (a multiple of 5), about 4 KB each."""
    resources = max(1, operations // 5)
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for index in range(operations // 5):
        if index < resources:
            schemas.update(_resource_schemas(index, openapi30))
        else:
            schemas[f"Resource{index}"] = {
                "$ref": f"#/components/schemas/Resource{index % resources}"
            }
            for suffix in ("Input", "Page"):
                target = f"#/components/schemas/Resource{index % resources}{suffix}"
                schemas[f"Resource{index}{suffix}"] = {"$ref": target}
        paths.update(_paths(index, resources))
    schemas["User"] = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string", "format": "email"},
            "name": {"type": "string"},
        },
    }
    schemas["Link"] = {
        "type": "object",
        "properties": {"href": {"type": "string"}, "rel": {"type": "string"}},
    }
    schemas["Error"] = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object"}},
        },
    }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.0.3" if openapi30 else "3.1.0",
        "info": {"title": "Generated", "version": "1.0.0", "description": LOREM},
        "servers": [{"url": "https://api.example.com"}],
        "tags": [{"name": f"tag{i}", "description": f"Tag {i}"} for i in range(10)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "Id": {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                },
                "Page": {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "default": 1},
                },
                "PerPage": {
                    "name": "per_page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
            },
            "headers": {
                "RequestId": {"description": "The request's id", "schema": {"type": "string"}}
            },
            "responses": {
                f"Error{status}": {"description": f"Error {status}", **error}
                for status in ("400", "401", "404", "422")
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _median(rounds: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The median CPU time of `work` over `rounds` runs, and its last result. CPU time of this
    process, not wall time: on a shared machine the other processes' load stays out of it."""
    times, result = [], None
    for _ in range(rounds):
        start = time.process_time()
        result = work()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def _measure(operations: int, rounds: int) -> None:
    document = make_document(operations)
    text = json.dumps(document)
    document30 = make_document(operations, openapi30=True)
    copies = [copy.deepcopy(document30) for _ in range(rounds)]
    parse, _ = _median(rounds, lambda: json.loads(text))
    ours, problems = _median(rounds, lambda: validate_openapi31(document))
    theirs, errors = _median(rounds, lambda: list(RefusingSpecValidator(document).iter_errors()))
    convert, converted = _median(rounds, lambda: convert_openapi30(document30, Report()))
    in_place, _ = _median(rounds, lambda: convert_openapi30(copies.pop(), Report(), in_place=True))
    if problems or errors or validate_openapi31(converted):
        raise SystemExit(f"a generated document is not valid: {problems[:3]} {errors[:3]}")
    print(
        f"{operations} operations, {len(text) / 1e6:.2f} MB: "
        f"openapi-spec-validator {theirs:.3f} s; validate_openapi31 {ours:.3f} s "
        f"({ours / theirs:.1%} of it); json.loads {parse:.3f} s; "
        f"convert_openapi30 of its 3.0 twin {convert:.3f} s ({in_place:.3f} s in place)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="250,2500", help="operation counts, comma-separated")
    args = parser.parse_args()
    start = time.process_time()
    document_validator()
    compiled = time.process_time() - start
    print(f"compiling the OpenAPI 3.1 schemas (once per process): {compiled:.3f} s")
    print("times: the median CPU seconds of this process over the rounds")
    print(f"openapi-spec-validator backend: {get_validator_backend()}")
    for operations in (int(size) for size in args.sizes.split(",")):
        _measure(operations, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
