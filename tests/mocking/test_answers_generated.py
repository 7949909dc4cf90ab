"""Generated answers: deterministic for a request, another for another seed, valid for their
schema; documented response headers; generation that gives up is a 500, never a crash."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest

from apidock.mocking.answers import MockAnswer, MockDocument, MockRequest

PET = {
    "type": "object",
    "required": ["id", "name", "born"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 2},
        "born": {"type": "string", "format": "date"},
        "friends": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
    },
}


def build(operation: dict[str, Any], **components: Any) -> MockDocument:
    return MockDocument.build(
        {
            "openapi": "3.1.0",
            "paths": {"/pets/{id}": {"get": operation, "post": operation}},
            "components": {"schemas": {"Pet": PET}, **components},
        }
    )


def send(
    mocked: MockDocument,
    path: str = "/pets/1",
    *,
    method: str = "GET",
    query: bytes = b"",
    body: bytes = b"",
    **headers: str,
) -> MockAnswer:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return mocked.answer(MockRequest(method, path, query, named, body))


def header(answer: MockAnswer, name: str) -> str | None:
    found = [value for key, value in answer.headers if key == name]
    return found[0] if found else None


def pet_response(**headers: Any) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Pet"}
    response = {"description": "", "content": {"application/json": {"schema": schema}}}
    return {"responses": {"200": {**response, "headers": headers}}}


def valid_pet(value: Any) -> bool:
    document = {"components": {"schemas": {"Pet": PET}}}
    registry = jsonschema_rs.Registry([("urn:test", document)])
    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": "urn:test#/components/schemas/Pet"}, registry=registry, validate_formats=True
    )
    return bool(validator.is_valid(value))


def test_a_generated_body_is_valid_and_the_same_for_the_same_request() -> None:
    mocked = build(pet_response())
    first = send(mocked)
    assert (first.status, first.source) == (200, "generated")
    assert valid_pet(json.loads(first.body))
    assert send(mocked).body == first.body
    assert send(build(pet_response())).body == first.body


def test_what_the_seed_is_made_of() -> None:
    mocked = build(pet_response())
    bodies = {
        send(mocked).body,
        send(mocked, "/pets/2").body,
        send(mocked, query=b"a=1").body,
        send(mocked, method="POST", body=b"{}").body,
        send(mocked, method="POST", body=b"[]").body,
        send(mocked, prefer="seed=1").body,
        send(mocked, prefer="seed=2").body,
    }
    assert len(bodies) == 7
    assert send(mocked, prefer="seed=2").body == send(mocked, prefer="seed=2").body
    # headers outside the seed do not change it
    assert send(mocked, accept="*/*", x_other="1").body == send(mocked).body


def test_dynamic_true_generates_even_when_an_example_is_documented() -> None:
    content = {"application/json": {"schema": {"type": "integer"}, "example": "static"}}
    mocked = build({"responses": {"200": {"content": content}}})
    assert send(mocked).body == b'"static"'
    assert send(mocked, prefer="dynamic=false").body == b'"static"'
    answer = send(mocked, prefer="dynamic=true")
    assert (isinstance(json.loads(answer.body), int), answer.source) == (True, "generated")


def test_generation_that_gives_up_is_a_500_naming_the_operation() -> None:
    unsatisfiable = {"type": "integer", "minimum": 10, "maximum": 1}
    content = {"application/json": {"schema": unsatisfiable}}
    operation = {"operationId": "getPet", "responses": {"200": {"content": content}}}
    answer = send(build(operation))
    assert answer.status == 500
    assert answer.source == "error"
    found = json.loads(answer.body)
    assert "GET /pets/{id} (getPet)" in found["detail"]


def test_a_huge_schema_is_cut_by_the_budget_fast() -> None:
    huge = {"type": "array", "minItems": 1_000_000, "items": {"type": "string"}}
    mocked = build({"responses": {"200": {"content": {"application/json": {"schema": huge}}}}})
    assert send(mocked).status == 500


def test_documented_headers_are_sent_with_their_values() -> None:
    headers = {
        "X-Rate-Limit": {"schema": {"type": "integer", "minimum": 5, "maximum": 9}},
        "X-Example": {"example": "given", "schema": {"type": "string"}},
        "X-Examples": {"examples": {"a": {"value": "first"}}},
        "X-Default": {"schema": {"type": "string", "default": "fallback"}},
        "X-List": {"example": [1, "two", True]},
        "X-Object": {"example": {"a": 1, "b": "x"}},
        "X-Exploded": {"example": {"a": 1, "b": "x"}, "explode": True},
        "X-Shared": {"$ref": "#/components/headers/Shared"},
        "X-Content": {"content": {"text/plain": {"schema": {"const": "by content"}}}},
        "X-Nothing": {"description": "no schema, no example"},
    }
    mocked = build(pet_response(**headers), headers={"Shared": {"example": "shared"}})
    answer = send(mocked)
    assert 5 <= int(header(answer, "x-rate-limit") or "") <= 9
    assert header(answer, "x-example") == "given"
    assert header(answer, "x-examples") == "first"
    assert header(answer, "x-default") == "fallback"
    assert header(answer, "x-list") == "1,two,true"
    assert header(answer, "x-object") == "a,1,b,x"
    assert header(answer, "x-exploded") == "a=1,b=x"
    assert header(answer, "x-shared") == "shared"
    assert header(answer, "x-content") == "by content"
    assert header(answer, "x-nothing") is None
    assert header(answer, "content-type") == "application/json"
    assert send(mocked).headers == answer.headers


def test_generated_headers_follow_the_seed() -> None:
    headers = {"X-Id": {"schema": {"type": "string", "format": "uuid"}}}
    mocked = build(pet_response(**headers))
    values = {header(send(mocked, prefer=f"seed={seed}"), "x-id") for seed in range(5)}
    assert len(values) == 5
    assert header(send(mocked, method="HEAD"), "x-id") == header(send(mocked), "x-id")


@pytest.mark.parametrize(
    "name",
    [
        "Set-Cookie",
        "Cache-Control",
        "Content-Length",
        "Content-Type",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Access-Control-Allow-Origin",
        "Connection",
        "Transfer-Encoding",
        "Content-Encoding",
        "Bad Name",
        "X-Ünicode",
        "",
    ],
)
def test_headers_the_mock_never_sends(name: str) -> None:
    answer = send(build(pet_response(**{name: {"example": "x"}})))
    assert [key for key, _ in answer.headers] == ["content-type"]


def test_a_header_value_cannot_split_or_add_a_header() -> None:
    headers = {"X-Evil": {"example": "a\r\nSet-Cookie: b=c\x00"}, "X-Text": {"example": "café ☕"}}
    answer = send(build(pet_response(**headers)))
    assert header(answer, "x-evil") == "aSet-Cookie: b=c"
    assert header(answer, "x-text") == "caf%C3%A9 %E2%98%95"
    for _, value in answer.headers:
        assert value.isascii()
        assert value.isprintable()
