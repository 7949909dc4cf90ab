"""OpenAPI 3.0 to 3.1: each rule of the conversion, where it applies and where it must not,
the report's entries, and real-looking 3.0 documents that come out valid 3.1."""

from __future__ import annotations

import copy
import json
from typing import Any

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


def test_in_place_converts_the_document_itself() -> None:
    document = _document(A={"type": "string", "nullable": True})
    converted = convert_openapi30(document, Report(), in_place=True)
    assert converted is document
    assert document["openapi"] == "3.1.0"
    assert document["components"]["schemas"]["A"] == {"type": ["string", "null"]}


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
