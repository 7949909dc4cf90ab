"""Validation of OpenAPI 3.1 documents: the problems and their pointers, the checks beyond the
JSON Schema, agreement with openapi-spec-validator, nothing fetched, the compiled-once cache."""

from __future__ import annotations

import copy
import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions import validation
from apidock.descriptions.loading import MAX_PROBLEMS
from apidock.descriptions.problems import Problem
from apidock.descriptions.validation import MAX_DEPTH, validate_openapi31


def _document() -> dict[str, Any]:
    """A valid 3.1 document using what 3.1 added: webhooks, pathItems, type unions, `$defs`,
    `prefixItems`, `const`, `examples` arrays, a `$ref` with siblings, `jsonSchemaDialect`."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "Orders", "version": "3.0.0", "summary": "Orders and their events"},
        "servers": [{"url": "https://api.example.com"}],
        "tags": [{"name": "orders"}, {"name": "events"}],
        "paths": {
            "/orders": {
                "get": {
                    "operationId": "listOrders",
                    "tags": ["orders"],
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "responses": {
                        "200": {
                            "description": "A page",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Order"},
                                    },
                                    "examples": {"none": {"value": []}},
                                }
                            },
                        }
                    },
                },
                "post": {
                    "operationId": "createOrder",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Order"}}
                        },
                    },
                    "responses": {"201": {"description": "Created"}},
                    "callbacks": {
                        "paid": {
                            "{$request.body#/callback}": {
                                "post": {
                                    "operationId": "orderPaid",
                                    "responses": {"204": {"description": "Seen"}},
                                }
                            }
                        }
                    },
                },
            },
            "/orders/{id}": {"$ref": "#/components/pathItems/Order"},
        },
        "webhooks": {
            "orderShipped": {
                "post": {
                    "operationId": "orderShipped",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Order"}}
                        }
                    },
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Order": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*$"},
                        "note": {"type": ["string", "null"], "default": None},
                        "total": {"type": "number", "exclusiveMinimum": 0, "default": 1},
                        "kind": {"const": "order"},
                        "point": {"type": "array", "prefixItems": [{"type": "number"}] * 2},
                        "lines": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Paid/$defs/money"},
                        },
                        "status": {"$ref": "#/components/schemas/Status", "description": "now"},
                    },
                    "examples": [{"id": "a1", "kind": "order"}],
                },
                "Status": {"type": "string", "enum": ["new", "paid"], "default": "new"},
                "Paid": {
                    "allOf": [{"$ref": "#/components/schemas/Order"}],
                    "required": ["id", "total"],
                    "$defs": {"money": {"type": "number"}},
                },
            },
            "parameters": {
                "Limit": {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "default": 20},
                },
                "Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            },
            "pathItems": {
                "Order": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "get": {
                        "operationId": "getOrder",
                        "responses": {"200": {"description": "The order"}},
                    },
                }
            },
        },
    }


def _problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(problem.pointer, problem.type) for problem in validate_openapi31(document)]


def test_a_valid_document_has_no_problem_and_is_not_changed() -> None:
    document = _document()
    before = copy.deepcopy(document)
    assert validate_openapi31(document) == []
    assert document == before


def test_a_response_without_description_is_a_problem_at_the_response() -> None:
    document = _document()
    del document["paths"]["/orders"]["get"]["responses"]["200"]["description"]
    [problem] = validate_openapi31(document)
    assert problem.pointer == "/paths/~1orders/get/responses/200"
    assert problem.type == "openapi.invalid"
    assert '"description" is a required property' in problem.message


def test_paths_of_the_wrong_type_is_a_problem_at_paths() -> None:
    document = _document()
    document["paths"] = ["/orders"]
    [problem] = validate_openapi31(document)
    assert problem == Problem("/paths", 'an array is not of type "object"', "openapi.invalid")


def test_a_body_parameter_is_a_problem_at_its_in() -> None:
    document = _document()
    body = {"name": "order", "in": "body", "schema": {"type": "object"}}
    document["paths"]["/orders"]["post"]["parameters"] = [body]
    assert _problems(document) == [("/paths/~1orders/post/parameters/0/in", "openapi.invalid")]


def test_an_unknown_member_is_a_problem_at_the_member() -> None:
    document = _document()
    document["info"]["owner"] = "me"
    # A decimal-looking name keeps its own spelling in the pointer ("007", not 7).
    document["paths"]["/orders"]["get"]["responses"]["007"] = {"description": "odd"}
    assert _problems(document) == [
        ("/info/owner", "openapi.invalid"),
        ("/paths/~1orders/get/responses/007", "openapi.invalid"),
    ]


def test_schema_objects_are_checked_by_the_dialect_at_any_depth() -> None:
    document = _document()
    order = document["components"]["schemas"]["Order"]
    order["properties"]["point"]["prefixItems"][1] = {"type": 12}
    order["properties"]["note"]["discriminator"] = {"mapping": {}}
    problems = {p.pointer: p for p in validate_openapi31(document)}
    assert sorted(problems) == [
        "/components/schemas/Order/properties/note/discriminator",
        "/components/schemas/Order/properties/point/prefixItems/1/type",
    ]
    assert {p.type for p in problems.values()} == {"openapi.invalid"}
    at = "/components/schemas/Order/properties/"
    assert (
        "12 is not any of the forms allowed here"
        in problems[at + "point/prefixItems/1/type"].message
    )
    assert "propertyName" in problems[at + "note/discriminator"].message


def test_only_json_schema_2020_12_or_the_oas_dialect_is_accepted() -> None:
    document = _document()
    document["jsonSchemaDialect"] = "https://json-schema.org/draft/2020-12/schema"
    document["components"]["schemas"]["Status"]["$schema"] = (
        "https://spec.openapis.org/oas/3.1/dialect/2024-11-10"
    )
    assert validate_openapi31(document) == []
    document["components"]["schemas"]["Status"]["$schema"] = (
        "http://json-schema.org/draft-07/schema#"
    )
    document["jsonSchemaDialect"] = "https://example.com/my-dialect"
    assert _problems(document) == [
        ("/jsonSchemaDialect", "openapi.dialect.unsupported"),
        ("/components/schemas/Status/$schema", "openapi.dialect.unsupported"),
    ]


def test_operation_ids_are_unique_across_paths_callbacks_and_webhooks() -> None:
    """ "Unique among all operations described in the API": openapi-spec-validator looks at
    those of `paths` only, this at every one written."""
    document = _document()
    document["webhooks"]["orderShipped"]["post"]["operationId"] = "listOrders"
    callback = document["paths"]["/orders"]["post"]["callbacks"]["paid"]
    callback["{$request.body#/callback}"]["post"]["operationId"] = "getOrder"
    problems = validate_openapi31(document)
    # The first one written keeps its id: `getOrder` of the callback comes before the one of
    # `components.pathItems`, which is then the duplicate.
    assert [(p.pointer, p.type) for p in problems] == [
        ("/webhooks/orderShipped/post/operationId", "openapi.operation_id.duplicate"),
        ("/components/pathItems/Order/get/operationId", "openapi.operation_id.duplicate"),
    ]
    assert problems[0].message.endswith("operation at /paths/~1orders/get")
    assert problems[1].message.endswith("/callbacks/paid/{$request.body#~1callback}/post")


def test_path_template_parameters_are_declared_and_declared_ones_are_in_the_template() -> None:
    document = _document()
    paths = document["paths"]
    paths["/orders/{id}/lines/{line}"] = {
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "get": {
            "parameters": [
                {"name": "line", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {"200": {"description": "A line"}},
        },
        "delete": {
            "parameters": [
                {"name": "lien", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {"204": {"description": "Gone"}},
        },
    }
    paths["/shops/{shop}"] = {"$ref": "#/components/pathItems/Order"}
    assert _problems(document) == [
        (
            "/paths/~1orders~1{id}~1lines~1{line}/delete/parameters/0",
            "openapi.path_parameter.unknown",
        ),
        ("/paths/~1orders~1{id}~1lines~1{line}/delete", "openapi.path_parameter.undeclared"),
        ("/paths/~1shops~1{shop}/$ref", "openapi.path_parameter.unknown"),
        ("/paths/~1shops~1{shop}/$ref", "openapi.path_parameter.undeclared"),
    ]


def test_a_path_parameter_must_be_required_with_content_as_with_schema() -> None:
    document = _document()
    document["components"]["parameters"]["Id"] = {
        "name": "id",
        "in": "path",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
    assert _problems(document) == [("/components/parameters/Id", "openapi.path_parameter.optional")]
    document["components"]["parameters"]["Id"] = {
        "name": "id",
        "in": "path",
        "schema": {"type": "string"},
    }
    # The JSON Schema of OpenAPI says it of a parameter with a schema: said once.
    [problem] = validate_openapi31(document)
    assert (problem.pointer, problem.type) == ("/components/parameters/Id", "openapi.invalid")


def test_duplicate_parameters_and_tags_are_problems() -> None:
    document = _document()
    listing = document["paths"]["/orders"]["get"]
    listing["parameters"].append({"name": "limit", "in": "query", "schema": {"type": "integer"}})
    listing["parameters"].append({"name": "limit", "in": "header", "schema": {"type": "integer"}})
    document["tags"].append({"name": "orders", "description": "again"})
    assert _problems(document) == [
        ("/tags/2/name", "openapi.tag.duplicate"),
        ("/paths/~1orders/get/parameters/1", "openapi.parameter.duplicate"),
    ]


def test_defaults_are_valid_against_their_schema_through_refs() -> None:
    document = _document()
    schemas = document["components"]["schemas"]
    schemas["Status"]["default"] = "lost"
    schemas["Order"]["properties"]["status"]["default"] = "paid"
    schemas["Order"]["properties"]["total"]["default"] = 0
    schemas["Order"]["properties"]["kind"] = {"$ref": "#/components/schemas/Status", "default": "x"}
    problems = validate_openapi31(document)
    assert [(p.pointer, p.type) for p in problems] == [
        ("/components/schemas/Order/properties/total/default", "openapi.default.invalid"),
        ("/components/schemas/Order/properties/kind/default", "openapi.default.invalid"),
        ("/components/schemas/Status/default", "openapi.default.invalid"),
    ]
    assert "0 is less than or equal to the minimum of 0" in problems[0].message
    assert '"x" is not one of' in problems[1].message


def test_patterns_must_compile_as_ecma_and_python_regular_expressions() -> None:
    """`\\p{L}` is ECMA-262 (valid JSON Schema) but not Python's `re`: openapi-spec-validator
    refuses it, so it is told apart from an expression no engine takes."""
    document = _document()
    order = document["components"]["schemas"]["Order"]
    order["properties"]["note"]["pattern"] = "[a-"
    order["patternProperties"] = {"^x-(": {"type": "string"}, "^\\p{Lu}": {}}
    order["properties"]["id"]["pattern"] = "^\\p{L}[\\p{L}0-9]*$"
    assert _problems(document) == [
        ("/components/schemas/Order/patternProperties/^x-(", "openapi.pattern.invalid"),
        ("/components/schemas/Order/patternProperties/^\\p{Lu}", "openapi.pattern.unsupported"),
        ("/components/schemas/Order/properties/id/pattern", "openapi.pattern.unsupported"),
        ("/components/schemas/Order/properties/note/pattern", "openapi.pattern.invalid"),
    ]


def test_all_of_required_names_must_be_defined_somewhere() -> None:
    document = _document()
    paid = document["components"]["schemas"]["Paid"]
    assert validate_openapi31(document) == []  # "total" comes through the $ref
    paid["required"] = ["id", "receipt", "total"]
    assert _problems(document) == [
        ("/components/schemas/Paid/required", "openapi.required.undefined")
    ]
    paid["allOf"].append({"properties": {"receipt": {"type": "string"}}})
    assert validate_openapi31(document) == []


def test_a_document_nested_too_deep_is_one_problem_not_a_crash() -> None:
    document = _document()
    node = document["components"]["schemas"]["Order"]
    for _ in range(10_000):
        node["not"] = {}
        node = node["not"]
    [problem] = validate_openapi31(document)
    assert problem.type == "openapi.too_deep"
    assert problem.pointer.startswith("/components/schemas/Order/not/not/")
    assert problem.pointer.count("/") == MAX_DEPTH


def test_the_number_of_problems_is_bounded() -> None:
    document = _document()
    document["info"].update({f"extra{i}": i for i in range(MAX_PROBLEMS + 50)})
    assert len(validate_openapi31(document)) == MAX_PROBLEMS


def _spec_validator_accepts(document: dict[str, Any]) -> bool:
    class Local(OpenAPIV31SpecValidator):
        resolver_handlers = {}  # noqa: RUF012 - no file, no URL: nothing to resolve outside

    try:
        return next(iter(Local(document).iter_errors()), None) is None
    except Exception:  # it raises on some invalid documents (an unknown `type` name)
        return False


def _variants() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "valid", _document()
    changes: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
        ("no description", lambda d: d["paths"]["/orders"]["post"]["responses"]["201"].clear()),
        ("body", lambda d: d["components"]["parameters"]["Limit"].update({"in": "body"})),
        ("type", lambda d: d["components"]["schemas"]["Status"].update({"type": "text"})),
        (
            "duplicate id",
            lambda d: d["paths"]["/orders"]["post"].update(operationId="getOrder"),
        ),
        ("default", lambda d: d["components"]["schemas"]["Status"].update(default=1)),
        (
            "undeclared",
            lambda d: d["paths"].update(
                {"/a/{b}": {"get": {"responses": {"200": {"description": "a"}}}}}
            ),
        ),
        (
            "python regex",
            lambda d: d["components"]["schemas"]["Status"].update(pattern="^\\p{L}+$"),
        ),
    ]
    for name, change in changes:
        document = _document()
        change(document)
        yield name, document


@pytest.mark.parametrize(("name", "document"), list(_variants()))
def test_the_verdict_is_openapi_spec_validators(name: str, document: dict[str, Any]) -> None:
    assert (validate_openapi31(document) == []) is _spec_validator_accepts(document), name


class _Counting(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - one listener per test, reset by the fixture

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = json.dumps({"type": "string"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    """A tiny HTTP server on 127.0.0.1 that records every request; stopped at the end."""
    _Counting.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_nothing_is_fetched_whatever_the_document_names(listener: str) -> None:
    with urllib.request.urlopen(f"{listener}/probe", timeout=5) as answer:  # noqa: S310
        assert answer.status == 200
    assert _Counting.requests == ["/probe"]  # the listener does count what reaches it
    # What the checks of `default`s compile: a `$ref`, a `$schema`, a relative `$ref` under
    # an `$id`, each naming the listener.
    compiled = _document()
    compiled["jsonSchemaDialect"] = f"{listener}/dialect"
    schemas = compiled["components"]["schemas"]
    schemas["Remote"] = {"$ref": f"{listener}/schema", "default": "x"}
    schemas["Meta"] = {"$schema": f"{listener}/meta", "type": "string", "default": 1}
    schemas["Based"] = {"$id": f"{listener}/base/", "$ref": "a.json", "default": 2}
    compiled["paths"]["/remote"] = {"$ref": f"{listener}/path"}
    compiled["paths"]["/orders"]["get"]["parameters"].append({"$ref": f"{listener}/parameter"})
    # What a registry of the document would crawl and prefetch: a `$ref` in a `$defs`.
    crawled = _document()
    crawled["$defs"] = {"remote": {"$ref": f"{listener}/defs"}}
    crawled["components"]["schemas"]["Order"]["properties"]["id"]["default"] = 1
    for document in (compiled, crawled):
        problems = validate_openapi31(document)
        assert problems  # the dialect, the `$defs`: still checked, only not fetched
    assert _Counting.requests == ["/probe"]


def test_the_validator_is_compiled_once_even_by_concurrent_first_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = validation.document_validator()
    assert validation.document_validator() is compiled
    calls = []
    compile_once = validation._compile

    def counting() -> Any:
        calls.append(1)
        return compile_once()

    monkeypatch.setattr(validation, "_compiled", None)
    monkeypatch.setattr(validation, "_compile", counting)
    document = _document()
    results: list[list[Problem]] = []
    threads = [
        threading.Thread(target=lambda: results.append(validate_openapi31(document)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [[]] * 8
    assert calls == [1]
