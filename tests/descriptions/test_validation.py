"""Validation of OpenAPI 3.1 documents: the problems and their pointers, by the JSON Schema of
OpenAPI and by the checks beyond it (`test_validation_safety` has the bounds, the agreement
with openapi-spec-validator, nothing fetched, the compiled-once cache)."""

from __future__ import annotations

import copy
from typing import Any

from apidock.descriptions.problems import Problem
from apidock.descriptions.validation import validate_openapi31


def valid_document() -> dict[str, Any]:
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
    document = valid_document()
    before = copy.deepcopy(document)
    assert validate_openapi31(document) == []
    assert document == before


def test_a_response_without_description_is_a_problem_at_the_response() -> None:
    document = valid_document()
    del document["paths"]["/orders"]["get"]["responses"]["200"]["description"]
    [problem] = validate_openapi31(document)
    assert problem.pointer == "/paths/~1orders/get/responses/200"
    assert problem.type == "openapi.invalid"
    assert '"description" is a required property' in problem.message


def test_paths_of_the_wrong_type_is_a_problem_at_paths() -> None:
    document = valid_document()
    document["paths"] = ["/orders"]
    [problem] = validate_openapi31(document)
    assert problem == Problem("/paths", 'an array is not of type "object"', "openapi.invalid")


def test_a_body_parameter_is_a_problem_at_its_in() -> None:
    document = valid_document()
    body = {"name": "order", "in": "body", "schema": {"type": "object"}}
    document["paths"]["/orders"]["post"]["parameters"] = [body]
    assert _problems(document) == [("/paths/~1orders/post/parameters/0/in", "openapi.invalid")]


def test_an_unknown_member_is_a_problem_at_the_member() -> None:
    document = valid_document()
    document["info"]["owner"] = "me"
    # A decimal-looking name keeps its own spelling in the pointer ("007", not 7).
    document["paths"]["/orders"]["get"]["responses"]["007"] = {"description": "odd"}
    assert _problems(document) == [
        ("/info/owner", "openapi.invalid"),
        ("/paths/~1orders/get/responses/007", "openapi.invalid"),
    ]


def test_schema_objects_are_checked_by_the_dialect_at_any_depth() -> None:
    document = valid_document()
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
    document = valid_document()
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
    document = valid_document()
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
    document = valid_document()
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
    document = valid_document()
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
    document = valid_document()
    listing = document["paths"]["/orders"]["get"]
    listing["parameters"].append({"name": "limit", "in": "query", "schema": {"type": "integer"}})
    listing["parameters"].append({"name": "limit", "in": "header", "schema": {"type": "integer"}})
    document["tags"].append({"name": "orders", "description": "again"})
    assert _problems(document) == [
        ("/tags/2/name", "openapi.tag.duplicate"),
        ("/paths/~1orders/get/parameters/1", "openapi.parameter.duplicate"),
    ]


def test_defaults_are_valid_against_their_schema_through_refs() -> None:
    document = valid_document()
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
    document = valid_document()
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
    document = valid_document()
    paid = document["components"]["schemas"]["Paid"]
    assert validate_openapi31(document) == []  # "total" comes through the $ref
    paid["required"] = ["id", "receipt", "total"]
    assert _problems(document) == [
        ("/components/schemas/Paid/required", "openapi.required.undefined")
    ]
    paid["allOf"].append({"properties": {"receipt": {"type": "string"}}})
    assert validate_openapi31(document) == []
