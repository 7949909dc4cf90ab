"""The fixes of a lenient import on an OpenAPI 3.1 document, each one reported where it was."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from apidock.descriptions.intake import take_in
from apidock.descriptions.lenient import make_lenient_fixes
from apidock.descriptions.lenient_schemas import REPORTED
from apidock.descriptions.problems import Report
from apidock.descriptions.refs_walk import walk

DOCUMENTS = Path(__file__).parent.parent / "documents" / "openapi-3.1"


def openapi(paths: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **members}


def fixed(document: dict[str, Any], **options: Any) -> Report:
    report = Report()
    make_lenient_fixes(document, report, **options)
    return report


def entries(problems: list[Any]) -> list[str]:
    return [problem.pointer for problem in problems]


def test_a_clean_document_is_left_alone() -> None:
    document = openapi(
        {
            "/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "get": {"operationId": "getPet", "tags": ["pets"], "deprecated": False},
            }
        }
    )
    before = repr(document)
    report = fixed(document)
    assert report.warnings == report.lost == []
    assert repr(document) == before


def test_duplicate_operation_ids_get_the_next_free_name() -> None:
    document = openapi(
        {
            "/a": {"get": {"operationId": "getPet"}, "put": {"operationId": "getPet"}},
            "/b": {"get": {"operationId": "getPet"}, "post": {"operationId": "getPet_2"}},
        },
        webhooks={"hook": {"post": {"operationId": "getPet"}}},
    )
    report = fixed(document)
    assert [document["paths"]["/a"][m]["operationId"] for m in ("get", "put")] == [
        "getPet",
        "getPet_3",
    ]
    assert document["paths"]["/b"]["get"]["operationId"] == "getPet_4"
    assert document["paths"]["/b"]["post"]["operationId"] == "getPet_2"
    assert document["webhooks"]["hook"]["post"]["operationId"] == "getPet_5"
    assert entries(report.warnings) == [
        "/paths/~1a/put/operationId",
        "/paths/~1b/get/operationId",
        "/webhooks/hook/post/operationId",
    ]
    assert "'getPet_3'" in report.warnings[0].message


def test_keywords_of_the_wrong_type_are_kept_or_dropped() -> None:
    operation: dict[str, Any] = {
        "tags": "pets",
        "summary": 12,
        "description": None,
        "operationId": True,
        "deprecated": "yes",
        "parameters": {"name": "limit"},
        "responses": ["200"],
    }
    document = openapi(
        {
            "/a": {"get": operation, "post": {"tags": ["a", 2, {"x": 1}], "deprecated": "TRUE"}},
            "/b": {"summary": 1.5, "parameters": ["limit", {"name": "q", "in": "query"}]},
        },
        info={"title": 7, "version": 1.0},
        tags=["pets", {"name": 3}],
    )
    report = fixed(document)
    assert operation == {"tags": ["pets"], "summary": "12", "operationId": "true"}
    assert document["paths"]["/a"]["post"] == {"tags": ["a", "2"], "deprecated": True}
    assert document["paths"]["/b"] == {
        "summary": "1.5",
        "parameters": [{"name": "q", "in": "query"}],
    }
    assert document["info"] == {"title": "7", "version": "1.0"}
    assert document["tags"] == [{"name": "pets"}, {"name": "3"}]
    assert entries(report.warnings) == [
        "/info/title",
        "/info/version",
        "/tags/0",
        "/tags/1/name",
        "/paths/~1a/get/summary",
        "/paths/~1a/get/operationId",
        "/paths/~1a/get/tags",
        "/paths/~1a/post/deprecated",
        "/paths/~1a/post/tags/1",
        "/paths/~1b/summary",
    ]
    assert entries(report.lost) == [
        "/paths/~1a/get/description",
        "/paths/~1a/get/deprecated",
        "/paths/~1a/get/parameters",
        "/paths/~1a/get/responses",
        "/paths/~1a/post/tags/2",
        "/paths/~1b/parameters/0",
    ]
    assert "quote it" in report.warnings[1].message


def test_parameter_booleans_given_as_strings() -> None:
    parameters = [
        {"name": "a", "in": "query", "required": "true"},
        {"name": "b", "in": "query", "required": "False", "explode": "maybe"},
    ]
    document = openapi({"/a": {"get": {"parameters": parameters}}})
    report = fixed(document)
    assert parameters == [
        {"name": "a", "in": "query", "required": True},
        {"name": "b", "in": "query", "required": False},
    ]
    assert entries(report.warnings) == [
        "/paths/~1a/get/parameters/0/required",
        "/paths/~1a/get/parameters/1/required",
    ]
    assert entries(report.lost) == ["/paths/~1a/get/parameters/1/explode"]


def test_undeclared_template_parameters_are_declared_where_missing() -> None:
    document = openapi(
        {
            "/pets/{id}": {"get": {}, "delete": {}},
            "/owners/{owner}/pets/{pet}": {
                "parameters": [{"$ref": "#/components/parameters/Owner"}],
                "get": {"parameters": [{"name": "pet", "in": "path", "required": True}]},
                "put": {},
            },
            "/none": {},
        },
        components={"parameters": {"Owner": {"name": "owner", "in": "path", "required": True}}},
    )
    report = fixed(document)
    declared = {"in": "path", "required": True, "schema": {"type": "string"}}
    assert document["paths"]["/pets/{id}"]["parameters"] == [{"name": "id", **declared}]
    assert "parameters" not in document["paths"]["/pets/{id}"]["get"]
    owners = document["paths"]["/owners/{owner}/pets/{pet}"]
    assert len(owners["parameters"]) == 1
    assert len(owners["get"]["parameters"]) == 1
    assert owners["put"]["parameters"] == [{"name": "pet", **declared}]
    assert entries(report.warnings) == [
        "/paths/~1pets~1{id}",
        "/paths/~1owners~1{owner}~1pets~1{pet}/put",
    ]


def test_path_parameters_are_made_required() -> None:
    document = openapi(
        {
            "/a/{x}/{y}": {
                "parameters": [{"name": "x", "in": "path"}],
                "get": {"parameters": [{"name": "y", "in": "path", "required": False}]},
            }
        },
        components={"parameters": {"Z": {"name": "z", "in": "path", "required": "no"}}},
    )
    report = fixed(document)
    item = document["paths"]["/a/{x}/{y}"]
    assert item["parameters"][0]["required"] is True
    assert item["get"]["parameters"][0]["required"] is True
    assert document["components"]["parameters"]["Z"]["required"] is True
    assert entries(report.warnings) == [
        "/components/parameters/Z",
        "/paths/~1a~1{x}~1{y}/parameters/0",
        "/paths/~1a~1{x}~1{y}/get/parameters/0/required",
    ]
    assert entries(report.lost) == ["/components/parameters/Z/required"]


def test_reports_name_places_in_the_document_as_sent() -> None:
    document = openapi({"/a": {"get": {"operationId": "x"}, "put": {"operationId": "x"}}})
    report = fixed(document, source_pointer=lambda p: "/source" + p)
    assert entries(report.warnings) == ["/source/paths/~1a/put/operationId"]


def test_callbacks_are_walked_without_recursion_and_their_braces_are_not_templates() -> None:
    depth = 1_000
    operation: dict[str, Any] = {"operationId": "cb"}
    document = openapi({"/start": {"post": operation}})
    for _ in range(depth):
        inner: dict[str, Any] = {"operationId": "cb"}
        operation["callbacks"] = {"c": {"{$request.body#/url}": {"post": inner}}}
        operation = inner
    report = fixed(document)
    assert operation["operationId"] == f"cb_{depth + 1}"
    assert len(report.warnings) == depth
    assert "parameters" not in operation


def test_boolean_required_on_property_schemas() -> None:
    pet: dict[str, Any] = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer", "required": True},
            "name": {"type": "string", "required": True},
            "tag": {"type": "string", "required": False},
            "owner": {
                "type": "object",
                "required": True,
                "properties": {"nick": {"type": "string", "required": True}},
            },
        },
        "example": {"required": True},
    }
    document = openapi(
        {},
        components={"schemas": {"Pet": pet, "Loose": {"required": True}, "One": {"required": "a"}}},
    )
    report = fixed(document)
    assert pet["required"] == ["id", "name", "owner"]
    assert pet["properties"]["owner"]["required"] == ["nick"]
    assert all("required" not in pet["properties"][n] for n in ("id", "name", "tag"))
    assert pet["example"] == {"required": True}
    assert document["components"]["schemas"]["Loose"] == {}
    assert document["components"]["schemas"]["One"] == {"required": ["a"]}
    assert entries(report.lost) == ["/components/schemas/Loose/required"]
    assert entries(report.warnings) == [
        "/components/schemas/One/required",
        "/components/schemas/Pet/properties/id/required",
        "/components/schemas/Pet/properties/name/required",
        "/components/schemas/Pet/properties/tag/required",
        "/components/schemas/Pet/properties/owner/required",
        "/components/schemas/Pet/properties/owner/properties/nick/required",
    ]


def test_many_duplicates_take_linear_time() -> None:
    paths = {f"/p{i}": {"get": {"operationId": "same"}} for i in range(20_000)}
    document = openapi(paths)
    started = time.thread_time()  # CPU time: a busy machine's other processes do not count
    report = fixed(document)
    assert time.thread_time() - started < 5
    assert len(report.warnings) == 19_999
    assert paths["/p19999"]["get"]["operationId"] == "same_20000"


def test_a_media_type_written_as_a_schema_reference_gets_it_as_its_schema() -> None:
    content = {
        "application/json": {"$ref": "#/components/schemas/Pet"},
        "application/xml": {"$ref": "#/components/schemas/Pet", "schema": {}},
        "text/plain": {"$ref": "#/components/responses/Other"},
    }
    document = openapi(
        {"/a": {"get": {"responses": {"200": {"description": "d", "content": content}}}}},
        components={"schemas": {"Pet": {"type": "object"}}},
    )
    report = fixed(document)
    assert content == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
        "application/xml": {"$ref": "#/components/schemas/Pet", "schema": {}},
        "text/plain": {"$ref": "#/components/responses/Other"},
    }
    assert entries(report.warnings) == [
        "/paths/~1a/get/responses/200/content/application~1json/$ref"
    ]


def test_nullable_in_a_31_document_becomes_null_in_the_type_one_warning_per_schema() -> None:
    data = {"nullable": True, "properties": {"nullable": {"nullable": True}}}
    pet: dict[str, Any] = {
        "type": "object",
        "properties": {
            "nullable": {"type": "string", "nullable": True},
            "status": {"type": "string", "enum": ["a"], "nullable": True},
            "loose": {"nullable": True},
            "never": {"type": "integer", "nullable": False},
            "owner": {"$ref": "#/components/schemas/Owner", "description": "d", "nullable": True},
            "either": {
                "allOf": [{"type": "object"}],
                "properties": {"n": {"required": True}},
                "nullable": True,
            },
        },
        "example": data,
        "default": data,
        "enum": [data],
        "const": data,
        "x-data": data,
    }
    document = openapi({}, components={"schemas": {"Pet": pet, "Owner": {"type": "object"}}})
    report = fixed(document)
    properties = pet["properties"]
    assert properties["nullable"] == {"type": ["string", "null"]}
    assert properties["status"] == {"type": ["string", "null"], "enum": ["a", None]}
    assert properties["loose"] == {}
    assert properties["never"] == {"type": "integer"}
    assert properties["owner"] == {
        "description": "d",
        "anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}],
    }
    # wrapped once its property's boolean `required` went to its list, which moves with it
    inner = {"allOf": [{"type": "object"}], "properties": {"n": {}}, "required": ["n"]}
    assert properties["either"] == {"anyOf": [inner, {"type": "null"}]}
    assert all(pet[key] is data for key in ("example", "default", "const", "x-data"))
    assert data == {"nullable": True, "properties": {"nullable": {"nullable": True}}}
    nullables = [p for p in report.warnings if p.type == "schema.nullable"]
    at = "/components/schemas/Pet/properties/"
    assert entries(nullables) == [
        f"{at}{name}/nullable"
        for name in ("nullable", "status", "loose", "never", "owner", "either")
    ]
    assert "enum" in nullables[1].message
    assert "anyOf" in nullables[4].message


def test_nullable_warnings_past_the_first_ones_are_counted_in_one_entry() -> None:
    schemas = {f"S{i}": {"type": "string", "nullable": True} for i in range(REPORTED + 7)}
    schemas["Last"] = {"nullable": False}
    report = fixed(openapi({}, components={"schemas": schemas}))
    assert all(schema.get("type") in (["string", "null"], None) for schema in schemas.values())
    assert entries(report.warnings) == [
        *(f"/components/schemas/S{i}/nullable" for i in range(REPORTED)),
        f"/components/schemas/S{REPORTED}/nullable",
    ]
    summary = report.warnings[-1].message
    assert summary.startswith("and 8 more schemas with nullable")
    assert "type: 7" in summary
    assert "dropped: 1" in summary


def test_nullable_in_deeply_nested_schemas_is_fixed_without_recursion() -> None:
    root: dict[str, Any] = {"type": "array", "nullable": True}
    schema = root
    for _ in range(10_000):
        schema["items"] = {"type": "array", "nullable": True}
        schema = schema["items"]
    report = fixed(openapi({}, components={"schemas": {"Deep": root}}))
    assert schema == {"type": ["array", "null"]}
    assert len(report.warnings) == REPORTED + 1


def test_real_31_documents_keep_no_nullable_keyword() -> None:
    documents = {}
    for name, fixes in (
        ("readme-api.json", REPORTED + 1),  # 498 of them
        ("readme-schema-types.yaml", 3),
        ("scalar-galaxy.yaml", 1),
    ):
        intake = take_in((DOCUMENTS / name).read_bytes(), media_type=None)
        schemas = [node for node, shape, _, _ in walk(intake.document, "openapi") if shape.schema]
        assert not any("nullable" in schema for schema in schemas), name
        nullables = [p for p in intake.report.warnings if p.type == "schema.nullable"]
        assert len(nullables) == fixes, name
        documents[name] = intake.document
    # a property named `nullable` is a name: kept, and its own `nullable: true` applied
    body = documents["readme-schema-types.yaml"]["paths"]["/anything/strings"]["post"]
    schema = body["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["nullable"]["type"] == ["string", "null"]
