"""OpenAPI 3.0 to 3.1: each rule of the conversion, where it applies and where it must not,
the report's entries, and real-looking 3.0 documents that come out valid 3.1."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions.from_openapi30 import convert_openapi30, copy_json
from apidock.descriptions.problems import Report
from apidock.descriptions.validation import validate_openapi31


def _document(**schemas: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Test", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def _convert(document: dict[str, Any]) -> tuple[dict[str, Any], Report]:
    report = Report()
    return convert_openapi30(document, report), report


def _schema(schema: dict[str, Any]) -> tuple[Any, Report]:
    converted, report = _convert(_document(S=schema))
    return converted["components"]["schemas"]["S"], report


def _warned(report: Report) -> list[str]:
    return [problem.pointer for problem in report.warnings]


def test_the_version_becomes_3_1_0_and_the_rest_is_kept_in_order() -> None:
    document = _document(Pet={"type": "object", "x-order": [3, 1, 2]})
    document["x-top"] = {"nullable": True}
    converted, report = _convert(document)
    assert converted["openapi"] == "3.1.0"
    assert list(converted) == ["openapi", "info", "paths", "components", "x-top"]
    assert converted["x-top"] == {"nullable": True}
    assert converted["components"] == document["components"]
    assert report.warnings == []
    assert report.lost == []


def test_the_input_is_not_changed_and_shares_nothing_with_the_output() -> None:
    document = _document(A={"type": "string", "nullable": True, "enum": ["a"]})
    before = copy.deepcopy(document)
    converted, _ = _convert(document)
    assert document == before
    converted["components"]["schemas"]["A"]["enum"].append("b")
    converted["info"]["title"] = "changed"
    assert document == before


def test_nullable_with_a_type_becomes_a_type_union() -> None:
    assert _schema({"type": "string", "nullable": True, "maxLength": 3}) == (
        {"type": ["string", "null"], "maxLength": 3},
        Report(),
    )
    assert _schema({"type": ["integer"], "nullable": True})[0] == {"type": ["integer", "null"]}


def test_nullable_false_is_dropped_and_untyped_nullable_needs_no_union() -> None:
    assert _schema({"type": "string", "nullable": False})[0] == {"type": "string"}
    # No type: null was allowed already (OpenAPI 3.0.3), nothing to report.
    converted, report = _schema({"nullable": True, "minLength": 1})
    assert converted == {"minLength": 1}
    assert report.warnings == []


def test_nullable_with_an_enum_adds_null_to_it_with_a_warning() -> None:
    converted, report = _schema({"type": "string", "enum": ["a", "b"], "nullable": True})
    assert converted == {"type": ["string", "null"], "enum": ["a", "b", None]}
    assert _warned(report) == ["/components/schemas/S/enum"]
    already, quiet = _schema({"type": "string", "enum": ["a", None], "nullable": True})
    assert already["enum"] == ["a", None]
    assert quiet.warnings == []


def test_nullable_beside_a_ref_wraps_the_schema_in_any_of_with_null() -> None:
    converted, report = _schema(
        {"$ref": "#/components/schemas/T", "nullable": True, "description": "maybe a T"}
    )
    assert converted == {
        "description": "maybe a T",
        "anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}],
    }
    assert _warned(report) == ["/components/schemas/S/nullable"]
    assert "anyOf" in report.warnings[0].message


def test_nullable_with_all_of_and_no_type_is_wrapped_but_with_a_type_is_a_union() -> None:
    converted, report = _schema(
        {"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": True, "default": None}
    )
    assert converted == {
        "default": None,
        "anyOf": [{"allOf": [{"$ref": "#/components/schemas/T"}]}, {"type": "null"}],
    }
    assert _warned(report) == ["/components/schemas/S/nullable"]
    typed, quiet = _schema({"type": "object", "oneOf": [{"type": "object"}], "nullable": True})
    assert typed == {"type": ["object", "null"], "oneOf": [{"type": "object"}]}
    assert quiet.warnings == []


def test_boolean_exclusive_bounds_become_numbers() -> None:
    assert _schema({"minimum": 1, "exclusiveMinimum": True, "maximum": 9})[0] == {
        "exclusiveMinimum": 1,
        "maximum": 9,
    }
    assert _schema({"maximum": 9.5, "exclusiveMaximum": True})[0] == {"exclusiveMaximum": 9.5}
    assert _schema({"minimum": 1, "exclusiveMinimum": False})[0] == {"minimum": 1}
    # `true` with no bound to make exclusive meant nothing; a number is 3.1's form already.
    assert _schema({"exclusiveMaximum": True})[0] == {}
    assert _schema({"exclusiveMinimum": 0})[0] == {"exclusiveMinimum": 0}


def test_example_and_binary_formats_are_kept() -> None:
    upload = {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "example": {"file": "..."},
    }
    document = _document()
    document["paths"] = {
        "/upload": {
            "post": {
                "requestBody": {
                    "content": {
                        "multipart/form-data": {"schema": upload},
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "base64"}
                        },
                    }
                },
                "responses": {"204": {"description": "stored"}},
            }
        }
    }
    converted, report = _convert(document)
    assert converted["paths"] == document["paths"]
    assert report.warnings == []
    assert validate_openapi31(converted) == []


def test_ref_siblings_are_kept_and_a_constraining_one_is_reported() -> None:
    annotated, quiet = _schema({"$ref": "#/components/schemas/T", "description": "d", "x-a": 1})
    assert annotated == {"$ref": "#/components/schemas/T", "description": "d", "x-a": 1}
    assert quiet.warnings == []
    constrained, report = _schema({"$ref": "#/components/schemas/T", "maxLength": 2})
    assert constrained == {"$ref": "#/components/schemas/T", "maxLength": 2}
    assert _warned(report) == ["/components/schemas/S"]
    assert "maxLength" in report.warnings[0].message


def test_reference_object_siblings_other_than_summary_and_description_are_lost() -> None:
    document = _document()
    document["components"]["parameters"] = {
        "Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    }
    document["paths"] = {
        "/a/{id}": {
            "parameters": [
                {"$ref": "#/components/parameters/Id", "description": "which", "required": True}
            ],
            "get": {
                "responses": {
                    "200": {"$ref": "#/components/responses/Ok", "x-note": "kept?"},
                }
            },
        }
    }
    document["components"]["responses"] = {"Ok": {"description": "OK"}}
    converted, report = _convert(document)
    item = converted["paths"]["/a/{id}"]
    assert item["parameters"] == [{"$ref": "#/components/parameters/Id", "description": "which"}]
    assert item["get"]["responses"]["200"] == {"$ref": "#/components/responses/Ok"}
    assert [problem.pointer for problem in report.lost] == [
        "/paths/~1a~1{id}/parameters/0/required",
        "/paths/~1a~1{id}/get/responses/200/x-note",
    ]
    assert validate_openapi31(converted) == []


def test_data_positions_are_never_converted() -> None:
    data = {"type": "string", "nullable": True, "exclusiveMinimum": True, "minimum": 1}
    schema = {
        "type": "object",
        "x-schema": data,
        "example": data,
        "default": data,
        "enum": [data],
        "properties": {"data": {"type": "object", "example": {"nullable": True}}},
    }
    converted, report = _schema(copy.deepcopy(schema))
    assert converted == schema
    assert report.warnings == []


def test_every_schema_position_is_converted() -> None:
    nullable = {"type": "integer", "nullable": True}
    union = {"type": ["integer", "null"]}
    document = _document(
        S={
            "type": "object",
            "properties": {"p": nullable},
            "additionalProperties": nullable,
            "patternProperties": {"^x": nullable},
            "items": nullable,
            "prefixItems": [nullable],
            "allOf": [nullable],
            "anyOf": [nullable],
            "oneOf": [nullable],
            "not": nullable,
        }
    )
    media = {"application/json": {"schema": nullable}}
    document["components"]["parameters"] = {"P": {"name": "p", "in": "query", "schema": nullable}}
    document["components"]["headers"] = {"H": {"schema": nullable}}
    document["components"]["requestBodies"] = {"B": {"content": media}}
    document["paths"] = {
        "/a": {
            "post": {
                "parameters": [{"name": "q", "in": "query", "content": media}],
                "responses": {"200": {"description": "ok", "content": media}},
                "callbacks": {
                    "done": {
                        "{$request.body#/url}": {
                            "post": {
                                "requestBody": {"content": media},
                                "responses": {"200": {"description": "ok"}},
                            }
                        }
                    }
                },
            }
        }
    }
    converted, _ = _convert(document)
    text = json.dumps(converted)
    assert "nullable" not in text
    assert text.count(json.dumps(union)) == text.count('"integer"') == 15
    assert validate_openapi31(converted) == []


def test_pointers_are_into_the_3_0_document_even_inside_a_wrapped_schema() -> None:
    schema = {"allOf": [{"type": "string", "enum": ["a"], "nullable": True}], "nullable": True}
    converted, report = _schema(schema)
    assert converted["anyOf"][0]["allOf"][0]["enum"] == ["a", None]
    assert _warned(report) == [
        "/components/schemas/S/nullable",
        "/components/schemas/S/allOf/0/enum",
    ]


def _chain(schema: dict[str, Any]) -> list[Any]:
    """The types down a chain of `not`s, without recursion (`==` on it would recurse)."""
    types = []
    while "not" in schema:
        schema = schema["not"]
        types.append(schema.get("type"))
    return types


def test_copy_json_and_the_conversion_take_any_depth() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(10_000):
        node["not"] = {"type": "string", "nullable": True}
        node = node["not"]
    copied = copy_json(deep)
    assert copied is not deep
    assert _chain(copied) == ["string"] * 10_000
    converted, _ = _schema(deep)
    assert _chain(converted) == [["string", "null"]] * 10_000
    assert _chain(deep) == ["string"] * 10_000


PETS = {
    "openapi": "3.0.3",
    "info": {
        "title": "Pet shop",
        "version": "2.1.0",
        "description": "Pets, their owners and their photos.",
        "license": {"name": "MIT"},
    },
    "servers": [
        {"url": "https://{region}.pets.example/v2", "variables": {"region": {"default": "eu"}}}
    ],
    "tags": [{"name": "pets"}, {"name": "owners"}],
    "paths": {
        "/pets": {
            "get": {
                "tags": ["pets"],
                "operationId": "listPets",
                "parameters": [
                    {"$ref": "#/components/parameters/Limit"},
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["cat", "dog"], "nullable": True},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page of pets",
                        "headers": {"X-Next": {"schema": {"type": "string", "nullable": True}}},
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Pet"},
                                },
                                "example": [{"id": 1, "name": "Rex", "kind": "dog", "owner": None}],
                            }
                        },
                    },
                    "default": {"$ref": "#/components/responses/Problem"},
                },
            },
            "post": {
                "tags": ["pets"],
                "operationId": "createPet",
                "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
                "responses": {
                    "201": {
                        "description": "Created",
                        "links": {
                            "self": {
                                "operationId": "getPet",
                                "parameters": {"id": "$response.body#/id"},
                            }
                        },
                    },
                    "422": {"$ref": "#/components/responses/Problem"},
                },
                "security": [{"oauth": ["pets:write"]}],
            },
        },
        "/pets/{id}": {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {
                        "type": "integer",
                        "format": "int64",
                        "minimum": 0,
                        "exclusiveMinimum": True,
                    },
                }
            ],
            "get": {
                "operationId": "getPet",
                "responses": {
                    "200": {
                        "description": "The pet",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    },
                    "404": {"$ref": "#/components/responses/Problem"},
                },
            },
            "put": {
                "operationId": "uploadPhoto",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "photo": {"type": "string", "format": "binary"},
                                    "caption": {
                                        "type": "string",
                                        "nullable": True,
                                        "maxLength": 140,
                                    },
                                },
                            },
                            "encoding": {"photo": {"contentType": "image/png, image/jpeg"}},
                        }
                    }
                },
                "responses": {"204": {"description": "Stored"}},
                "callbacks": {
                    "resized": {
                        "{$request.query.callback}": {
                            "post": {
                                "requestBody": {
                                    "content": {
                                        "application/json": {
                                            "schema": {"$ref": "#/components/schemas/Photo"}
                                        }
                                    }
                                },
                                "responses": {"200": {"description": "Seen"}},
                            }
                        }
                    }
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "discriminator": {"propertyName": "kind"},
                "properties": {
                    "id": {"type": "integer", "format": "int64", "readOnly": True},
                    "name": {"type": "string", "example": "Rex"},
                    "kind": {"type": "string"},
                    "weight": {
                        "type": "number",
                        "minimum": 0,
                        "exclusiveMinimum": True,
                        "maximum": 200,
                    },
                    "owner": {"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": True},
                    "photos": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}},
                },
            },
            "NewPet": {
                "allOf": [
                    {"$ref": "#/components/schemas/Pet"},
                    {
                        "type": "object",
                        "properties": {"chip": {"type": "string", "nullable": True}},
                    },
                ]
            },
            "Owner": {
                "type": "object",
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "phone": {"type": "string", "pattern": "^\\+[0-9 ]+$", "nullable": True},
                },
            },
            "Photo": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "format": "uri"},
                    "width": {"type": "integer"},
                },
            },
            "Problem": {
                "type": "object",
                "properties": {"title": {"type": "string"}, "status": {"type": "integer"}},
            },
        },
        "parameters": {
            "Limit": {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
            }
        },
        "requestBodies": {
            "NewPet": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/NewPet"},
                        "examples": {
                            "rex": {"summary": "A dog", "value": {"name": "Rex", "kind": "dog"}}
                        },
                    }
                },
            }
        },
        "responses": {
            "Problem": {
                "description": "Something went wrong",
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            }
        },
        "securitySchemes": {
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://auth.pets.example/authorize",
                        "tokenUrl": "https://auth.pets.example/token",
                        "scopes": {"pets:write": "change pets"},
                    }
                },
            }
        },
    },
}

PATENTS = {
    "openapi": "3.0.1",
    "info": {"title": "Patent search", "version": "1.0.0"},
    "servers": [{"url": "/api"}],
    "paths": {
        "/datasets": {
            "get": {
                "operationId": "listDatasets",
                "responses": {
                    "200": {
                        "description": "The datasets",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "total": {"type": "integer"},
                                        "apis": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {
                                                    "key": {"type": "string"},
                                                    "url": {"type": "string", "nullable": True},
                                                },
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/{dataset}/{version}/records": {
            "post": {
                "operationId": "searchRecords",
                "parameters": [
                    {
                        "name": "version",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "default": "v1"},
                    },
                    {
                        "name": "dataset",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["criteria"],
                                "properties": {
                                    "criteria": {"type": "string", "default": "*:*"},
                                    "start": {"type": "integer", "minimum": 0, "default": 0},
                                    "rows": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": 1000,
                                        "exclusiveMaximum": False,
                                        "default": 100,
                                    },
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": {
                        "description": "Matching records",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": {"type": "object"},
                                    },
                                }
                            }
                        },
                    },
                    "404": {"description": "No such dataset"},
                },
            }
        },
    },
}


@pytest.mark.parametrize("document", [PETS, PATENTS], ids=["pets", "patents"])
def test_real_looking_3_0_documents_convert_to_valid_3_1(document: dict[str, Any]) -> None:
    class Local(OpenAPIV31SpecValidator):
        resolver_handlers = {}  # noqa: RUF012 - no file, no URL: nothing to resolve outside

    converted, report = _convert(document)
    assert validate_openapi31(converted) == []
    assert list(Local(converted).iter_errors()) == []
    assert report.lost == []
    assert all(problem.pointer.startswith(("/paths", "/components")) for problem in report.warnings)
