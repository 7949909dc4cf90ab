"""The strict check of a mock request: parameters and body against the description, 422
problem+json with one entry per error; without strict, a bad request is answered."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apidock.mocking.answers import MockAnswer, MockDocument, MockRequest
from apidock.mocking.validators import SchemaValidators

OK = {"responses": {"200": {"description": "", "content": {"text/plain": {"example": "ok"}}}}}
COMPONENTS = {
    "parameters": {
        "PetId": {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}
    },
    "schemas": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            },
        },
        "Tag": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    },
    "requestBodies": {
        "Pet": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
        }
    },
}


def build(operation: dict[str, Any], path: str = "/pets/{petId}", **item: Any) -> MockDocument:
    paths = {path: {"post": {**OK, **operation}, **item}}
    return MockDocument.build({"openapi": "3.1.0", "paths": paths, "components": COMPONENTS})


def send(
    mocked: MockDocument,
    path: str = "/pets/1",
    *,
    query: bytes = b"",
    body: bytes = b"",
    strict: bool = True,
    **headers: str,
) -> MockAnswer:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return mocked.answer(MockRequest("POST", path, query, named, body, strict))


def errors_of(answer: MockAnswer) -> list[tuple[str, str]]:
    assert answer.status == 422, answer
    assert dict(answer.headers)["content-type"] == "application/problem+json"
    found = json.loads(answer.body)
    assert found["status"] == 422
    assert "POST /pets/{petId}" in found["detail"]
    return [(error["location"], error["message"]) for error in found["errors"]]


def locations(answer: MockAnswer) -> list[str]:
    return [location for location, _ in errors_of(answer)]


def query_parameter(schema: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"parameters": [{"name": "page", "in": "query", "schema": schema, **members}]}


def test_a_good_request_is_answered() -> None:
    mocked = build({"parameters": [{"$ref": "#/components/parameters/PetId"}]})
    assert send(mocked).status == 200


def test_path_parameters_by_reference_are_converted_and_validated() -> None:
    mocked = build({"parameters": [{"$ref": "#/components/parameters/PetId"}]})
    assert errors_of(send(mocked, "/pets/abc"))[0][0] == "path.petId"
    assert "integer" in errors_of(send(mocked, "/pets/1.5"))[0][1]


def test_without_strict_a_bad_request_is_answered_as_a_good_one() -> None:
    mocked = build({"parameters": [{"$ref": "#/components/parameters/PetId"}]})
    assert send(mocked, "/pets/abc", strict=False).status == 200
    assert send(mocked, "/pets/abc", strict=False, prefer="validate=true").status == 422


def test_a_required_query_parameter_that_is_missing() -> None:
    mocked = build(query_parameter({"type": "integer"}, required=True))
    assert errors_of(send(mocked)) == [("query.page", "The query parameter page is required")]
    assert send(mocked, query=b"page=2").status == 200
    assert locations(send(mocked, query=b"page=two")) == ["query.page"]


@pytest.mark.parametrize(
    ("schema", "members", "query", "valid"),
    [
        ({"type": "integer", "minimum": 1}, {}, b"page=0", False),
        ({"type": "number"}, {}, b"page=1.5e3", True),
        ({"type": "number"}, {}, b"page=nan", False),
        ({"type": "boolean"}, {}, b"page=true", True),
        ({"type": "boolean"}, {}, b"page=yes", False),
        ({"type": ["integer", "null"]}, {}, b"page=null", True),
        ({"type": ["string", "integer"], "maxLength": 2}, {}, b"page=123", False),
        ({"type": "string", "format": "date"}, {}, b"page=2024-02-30", False),
        ({"type": "string", "format": "date"}, {}, b"page=2024-02-29", True),
        ({"type": "array", "items": {"type": "integer"}}, {}, b"page=1&page=2", True),
        ({"type": "array", "items": {"type": "integer"}}, {}, b"page=1&page=x", False),
        ({"type": "array", "maxItems": 1}, {"explode": False}, b"page=1,2", False),
        ({"type": "array", "items": {"type": "integer"}}, {"explode": False}, b"page=1,2", True),
        (
            {"type": "array", "items": {"type": "integer"}},
            {"style": "pipeDelimited", "explode": False},
            b"page=1|2",
            True,
        ),
        (
            {"type": "array", "items": {"type": "integer"}},
            {"style": "spaceDelimited", "explode": False},
            b"page=1%202",
            True,
        ),
        (
            {"type": "object", "properties": {"size": {"type": "integer"}}},
            {"style": "deepObject"},
            b"page[size]=x",
            False,
        ),
        (
            {"type": "object", "properties": {"size": {"type": "integer"}}, "required": ["size"]},
            {},
            b"size=3",
            True,
        ),
        ({"allOf": [{"type": "integer"}]}, {}, b"page=3", True),
        ({"$ref": "#/components/schemas/Pet/properties/name"}, {}, b"page=", False),
    ],
)
def test_query_values_are_read_by_style_and_converted_by_type(
    schema: dict[str, Any], members: dict[str, Any], query: bytes, valid: bool
) -> None:
    answer = send(build(query_parameter(schema, **members)), query=query)
    assert (answer.status == 200) is valid, answer.body
    if not valid:
        assert locations(answer) == ["query.page"]


def test_header_and_cookie_parameters() -> None:
    parameters = [
        {"name": "X-Id", "in": "header", "required": True, "schema": {"type": "integer"}},
        {"name": "session", "in": "cookie", "required": True, "schema": {"minLength": 3}},
        {"name": "Accept", "in": "header", "required": True, "schema": {"const": "never"}},
    ]
    mocked = build({"parameters": parameters})
    assert locations(send(mocked)) == ["header.X-Id", "cookie.session"]
    assert locations(send(mocked, x_id="a", cookie="session=abcd")) == ["header.X-Id"]
    assert locations(send(mocked, x_id="1", cookie="other=1; session=ab")) == ["cookie.session"]
    assert send(mocked, x_id="1", cookie="session=abc").status == 200


def test_path_level_parameters_are_overridden_by_the_operation_by_name_and_location() -> None:
    path_level = [
        {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}},
        {"name": "petId", "in": "query", "schema": {"type": "integer"}},
    ]
    operation = [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}]
    mocked = build({"parameters": operation}, parameters=path_level)
    assert send(mocked, "/pets/abc").status == 200
    assert locations(send(mocked, "/pets/abc", query=b"petId=x")) == ["query.petId"]


def test_path_parameter_styles() -> None:
    label = [{"name": "petId", "in": "path", "style": "label", "schema": {"type": "integer"}}]
    matrix = [
        {
            "name": "petId",
            "in": "path",
            "style": "matrix",
            "explode": True,
            "schema": {"type": "array", "items": {"type": "integer"}},
        }
    ]
    assert send(build({"parameters": label}), "/pets/.5").status == 200
    assert send(build({"parameters": matrix}), "/pets/;petId=3;petId=4").status == 200
    assert locations(send(build({"parameters": matrix}), "/pets/;petId=x")) == ["path.petId"]


def test_a_parameter_described_by_json_content() -> None:
    content = {"application/json": {"schema": {"type": "object", "required": ["a"]}}}
    mocked = build({"parameters": [{"name": "filter", "in": "query", "content": content}]})
    assert send(mocked, query=b"filter=%7B%22a%22%3A1%7D").status == 200
    assert locations(send(mocked, query=b"filter=%7B%7D")) == ["query.filter"]


def body_operation() -> dict[str, Any]:
    return {"requestBody": {"$ref": "#/components/requestBodies/Pet"}}


def test_a_required_body_that_is_missing() -> None:
    assert errors_of(send(build(body_operation()))) == [("body", "A request body is required")]


def test_a_body_that_is_not_json() -> None:
    answer = send(build(body_operation()), body=b"{nope", content_type="application/json")
    assert locations(answer) == ["body"]


def test_body_errors_are_at_the_pointer_of_the_failing_value() -> None:
    body = {"name": "", "tags": [{"name": "a"}, {"name": 3}, {}]}
    answer = send(build(body_operation()), body=json.dumps(body).encode())
    assert sorted(locations(answer)) == ["body/name", "body/tags/1/name", "body/tags/2"]
    assert locations(send(build(body_operation()), body=b"[]")) == ["body"]
    assert send(build(body_operation()), body=b'{"name": "Rex"}').status == 200


def test_a_content_type_the_body_does_not_document() -> None:
    answer = send(build(body_operation()), body=b"<pet/>", content_type="application/xml")
    assert errors_of(answer) == [
        (
            "header.Content-Type",
            "application/xml is not a media type of the request body; it takes application/json",
        )
    ]
    answer = send(
        build(body_operation()), body=b'{"name":"a"}', content_type="application/json; v=1"
    )
    assert answer.status == 200


def test_form_and_text_bodies() -> None:
    schema = {
        "type": "object",
        "properties": {"age": {"type": "integer"}, "ids": {"type": "array", "maxItems": 2}},
    }
    content = {
        "application/x-www-form-urlencoded": {"schema": schema},
        "text/*": {"schema": {"type": "string", "maxLength": 3}},
        "application/octet-stream": {"schema": {"type": "integer"}},
    }
    mocked = build({"requestBody": {"content": content}})
    form = "application/x-www-form-urlencoded"
    assert send(mocked, body=b"age=3&ids=1&ids=2", content_type=form).status == 200
    assert locations(send(mocked, body=b"age=x", content_type=form)) == ["body/age"]
    assert locations(send(mocked, body=b"ids=1&ids=2&ids=3", content_type=form)) == ["body/ids"]
    assert send(mocked, body=b"abc", content_type="text/plain").status == 200
    assert locations(send(mocked, body=b"abcd", content_type="text/csv")) == ["body"]
    assert locations(send(mocked, body=b"\xff", content_type="text/plain")) == ["body"]
    # a binary body is not read
    assert send(mocked, body=b"\xff", content_type="application/octet-stream").status == 200


def test_security_is_checked_before_the_request() -> None:
    mocked = MockDocument.build(
        {
            "paths": {"/pets/{petId}": {"post": {**OK, **body_operation()}}},
            "components": {
                **COMPONENTS,
                "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
            },
            "security": [{"key": []}],
        }
    )
    assert send(mocked).status == 401
    assert send(mocked, x_key="k").status == 422


def test_errors_are_bounded() -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    content = {"application/json": {"schema": schema}}
    answer = send(build({"requestBody": {"content": content}}), body=json.dumps([1] * 500).encode())
    assert len(errors_of(answer)) == 50


def test_a_schema_that_does_not_compile_leaves_its_value_unchecked() -> None:
    broken = {"$ref": "#/components/schemas/Missing"}
    mocked = build(query_parameter(broken))
    assert send(mocked, query=b"page=x").status == 200


def test_validators_are_compiled_once_per_schema() -> None:
    validators = SchemaValidators({"components": COMPONENTS})
    first = validators.at("/components/schemas/Pet")
    assert first is not None
    assert validators.at("/components/schemas/Pet") is first
