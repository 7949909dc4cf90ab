"""The mock's answer to a request, on hand-made documents: which response, which media type,
which body, in SPEC's order, and the mock's own problems (RFC 9457)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apidock.mocking.answers import MockAnswer, MockDocument, MockRequest


def build(operation: dict[str, Any], method: str = "get", **members: Any) -> MockDocument:
    paths = {"/things": {method: operation}}
    return MockDocument.build({"openapi": "3.1.0", "paths": paths, **members})


def send(
    mocked: MockDocument, path: str = "/things", method: str = "GET", **headers: str
) -> MockAnswer:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return mocked.answer(MockRequest(method, path, b"", named, b""))


def header(answer: MockAnswer, name: str) -> str | None:
    found = [value for key, value in answer.headers if key == name]
    assert len(found) <= 1, answer.headers
    return found[0] if found else None


def problem_of(answer: MockAnswer, status: int) -> dict[str, Any]:
    assert answer.status == status, answer
    assert header(answer, "content-type") == "application/problem+json"
    assert answer.source == "error"
    found: dict[str, Any] = json.loads(answer.body)
    assert found["status"] == status
    assert found["type"] == "about:blank"
    assert isinstance(found["title"], str)
    assert isinstance(found["detail"], str)
    return found


def example(value: Any, media_type: str = "application/json") -> dict[str, Any]:
    return {"description": "", "content": {media_type: {"example": value}}}


def by_code(*codes: str) -> MockDocument:
    return build({"responses": {code: example({"code": code}) for code in codes}})


@pytest.mark.parametrize(
    ("codes", "status", "chosen"),
    [
        (("404", "201", "200", "default"), 200, "200"),
        (("default", "204", "202"), 202, "202"),
        (("400", "2XX", "201"), 201, "201"),
        (("400", "2XX"), 200, "2XX"),
        (("400", "default", "500"), 200, "default"),
        (("500", "404", "302"), 302, "302"),
        (("5XX", "4XX"), 400, "4XX"),
        (("101", "404"), 404, "404"),
    ],
)
def test_the_response_answered_by_default(codes: tuple[str, ...], status: int, chosen: str) -> None:
    answer = send(by_code(*codes))
    assert answer.status == status
    assert json.loads(answer.body) == {"code": chosen}


def test_an_operation_without_responses_answers_200_with_nothing() -> None:
    answer = send(build({}))
    assert (answer.status, answer.headers, answer.body) == (200, (), b"")


def test_a_documented_code_asked_for() -> None:
    mocked = by_code("200", "404", "4XX", "default")
    assert json.loads(send(mocked, prefer="code=404").body) == {"code": "404"}
    answer = send(mocked, prefer="code=409")
    assert (answer.status, json.loads(answer.body)) == (409, {"code": "4XX"})
    answer = send(mocked, prefer="code=503")
    assert (answer.status, json.loads(answer.body)) == (503, {"code": "default"})
    answer = send(mocked, x_mock_response_code="404")
    assert (answer.status, json.loads(answer.body)) == (404, {"code": "404"})


def test_a_code_that_is_not_documented_is_400_listing_those_that_are() -> None:
    mocked = by_code("200", "404")
    found = problem_of(send(mocked, prefer="code=500"), 400)
    assert found["documented"] == ["200", "404"]
    # an extension among the responses is data, not a response
    extended = build({"responses": {"x-500": example(1), "200": example(2)}})
    assert problem_of(send(extended, prefer="code=500"), 400)["documented"] == ["200"]
    assert "500" in found["detail"]


def test_an_informational_code_is_never_the_answer() -> None:
    problem_of(send(by_code("101", "200"), prefer="code=101"), 400)


def test_an_unreadable_preference_is_400() -> None:
    assert "code" in problem_of(send(by_code("200"), prefer="code=abc"), 400)["detail"]


NAMED = {
    "responses": {
        "200": {
            "description": "",
            "content": {
                "application/json": {
                    "examples": {
                        "far": {"externalValue": "https://example.com/far.json"},
                        "cat": {"value": {"name": "Tom"}},
                        "dog": {"$ref": "#/components/examples/Dog"},
                    },
                    "example": {"name": "unnamed"},
                },
                "application/xml": {"examples": {"bird": {"value": "<bird/>"}}},
            },
        },
        "404": {
            "description": "",
            "content": {"application/json": {"examples": {"lost": {"value": {"error": 1}}}}},
        },
    }
}
COMPONENTS = {"components": {"examples": {"Dog": {"value": {"name": "Rex"}}}}}


def test_the_first_named_example_with_a_value_and_its_name_as_source() -> None:
    answer = send(build(NAMED, **COMPONENTS))
    assert (answer.status, answer.body, answer.source) == (200, b'{"name":"Tom"}', "cat")


def test_an_example_asked_by_name_through_a_reference() -> None:
    answer = send(build(NAMED, **COMPONENTS), prefer="example=dog")
    assert (answer.body, answer.source) == (b'{"name":"Rex"}', "dog")
    answer = send(build(NAMED, **COMPONENTS), x_mock_response_name="dog")
    assert answer.source == "dog"


def test_an_example_asked_by_name_is_found_in_its_response_and_media_type() -> None:
    mocked = build(NAMED, **COMPONENTS)
    answer = send(mocked, prefer="example=lost")
    assert (answer.status, answer.body) == (404, b'{"error":1}')
    answer = send(mocked, prefer="example=bird")
    assert header(answer, "content-type") == "application/xml"
    assert answer.body == b"<bird/>"
    problem_of(send(mocked, prefer="example=bird", accept="application/json"), 406)


def test_an_example_that_is_not_documented_is_400_listing_those_that_are() -> None:
    found = problem_of(send(build(NAMED, **COMPONENTS), prefer="example=fish"), 400)
    assert found["documented"] == ["far", "cat", "dog", "bird", "lost"]
    found = problem_of(send(build(NAMED, **COMPONENTS), prefer="code=200, example=lost"), 400)
    assert "lost" not in found["documented"]


def test_an_example_with_only_an_external_value_is_never_fetched() -> None:
    found = problem_of(send(build(NAMED, **COMPONENTS), prefer="example=far"), 400)
    assert "externalValue" in found["detail"]


def media(**members: Any) -> MockDocument:
    content = {"application/json": members}
    return build({"responses": {"200": {"description": "", "content": content}}}, **SCHEMAS)


SCHEMAS = {
    "components": {
        "schemas": {
            "Status": {"type": "string", "examples": ["on"], "default": "off"},
            "Plain": {"type": "string", "format": "email"},
        }
    }
}


@pytest.mark.parametrize(
    ("members", "body", "source"),
    [
        ({"example": 1, "schema": {"example": 2}}, 1, "example"),
        ({"example": None}, None, "example"),
        ({"schema": {"examples": [3, 4], "example": 5}}, 3, "example"),
        ({"schema": {"examples": [], "example": 5}}, 5, "example"),
        ({"schema": {"default": 6, "const": 7}}, 6, "generated"),
        ({"schema": {"const": 7, "enum": [8]}}, 7, "generated"),
        ({"schema": {"enum": [8, 9]}}, 8, "generated"),
        ({"schema": {"$ref": "#/components/schemas/Status"}}, "on", "example"),
        ({"schema": {"$ref": "#/components/schemas/Status", "default": "x"}}, "x", "generated"),
        ({"examples": {"a": {"summary": "no value"}}, "example": 10}, 10, "example"),
    ],
)
def test_the_body_in_spec_order(members: dict[str, Any], body: Any, source: str) -> None:
    answer = send(media(**members))
    assert (json.loads(answer.body), answer.source) == (body, source)


def test_a_media_type_with_neither_example_nor_schema_has_no_body() -> None:
    answer = send(media())
    assert (answer.status, answer.headers, answer.body) == (200, (), b"")


def test_no_documented_content_is_an_empty_body_without_content_type() -> None:
    mocked = build({"responses": {"200": {"description": ""}, "201": {"content": {}}}})
    assert send(mocked).headers == ()
    assert send(mocked, prefer="code=201").body == b""


def test_responses_media_types_and_examples_by_reference() -> None:
    components = {
        "responses": {"Ok": {"$ref": "#/components/responses/Real"}, "Real": example(1)},
    }
    mocked = build(
        {"responses": {"200": {"$ref": "#/components/responses/Ok"}}}, components=components
    )
    assert send(mocked).body == b"1"


def test_a_reference_that_resolves_nowhere_is_read_as_missing() -> None:
    mocked = build({"responses": {"200": {"$ref": "#/components/responses/Gone"}}})
    answer = send(mocked)
    assert (answer.status, answer.body) == (200, b"")


def test_a_ref_inside_an_example_or_an_extension_is_data() -> None:
    value = {"$ref": "#/components/examples/Dog", "x-data": {"$ref": "#/nowhere"}}
    answer = send(build({"responses": {"200": example(value)}}, **COMPONENTS))
    assert json.loads(answer.body) == value


@pytest.mark.parametrize(
    ("media_type", "value", "body", "content_type"),
    [
        ("application/json", {"a": [1, "é"]}, '{"a":[1,"é"]}'.encode(), "application/json"),
        ("application/problem+json", "x", b'"x"', "application/problem+json"),
        ("application/json; charset=utf-8", "x", b'"x"', "application/json; charset=utf-8"),
        ("text/plain", "héllo", "héllo".encode(), "text/plain; charset=utf-8"),
        ("text/csv; charset=utf-8", "a,b", b"a,b", "text/csv; charset=utf-8"),
        ("text/plain", {"a": 1}, b'{"a":1}', "text/plain; charset=utf-8"),
        ("application/octet-stream", "raw", b"raw", "application/octet-stream"),
        ("application/xml", "<a/>", b"<a/>", "application/xml"),
        ("*/*", "x", b'"x"', "application/json"),
        ("application/json", 2**70, str(2**70).encode(), "application/json"),
        ("application/json", "\ud800", b'"\\ud800"', "application/json"),
    ],
)
def test_bodies_are_encoded_by_media_type(
    media_type: str, value: Any, body: bytes, content_type: str
) -> None:
    answer = send(build({"responses": {"200": example(value, media_type)}}))
    assert (answer.body, header(answer, "content-type")) == (body, content_type)


def test_the_media_type_by_accept() -> None:
    content = {"application/json": {"example": 1}, "application/xml": {"example": "<a/>"}}
    mocked = build({"responses": {"200": {"content": content}}})
    assert send(mocked).body == b"1"
    assert send(mocked, accept="*/*").body == b"1"
    assert send(mocked, accept="application/xml").body == b"<a/>"
    assert send(mocked, accept="text/html, application/*;q=0.5").body == b"1"


def test_no_acceptable_media_type_is_406_listing_the_documented_ones() -> None:
    content = {"application/json": {"example": 1}, "application/xml": {"example": "<a/>"}}
    answer = send(build({"responses": {"200": {"content": content}}}), accept="image/png")
    found = problem_of(answer, 406)
    assert found["available"] == ["application/json", "application/xml"]


def test_a_documented_range_answers_the_type_the_request_names() -> None:
    content = {"application/*": {"example": "x"}}
    answer = send(build({"responses": {"200": {"content": content}}}), accept="application/xml")
    assert (header(answer, "content-type"), answer.body) == ("application/xml", b"x")
    answer = send(build({"responses": {"200": {"content": content}}}))
    assert (header(answer, "content-type"), answer.body) == ("application/json", b'"x"')


def test_204_and_304_carry_no_body_even_when_content_is_documented() -> None:
    for code in ("204", "304"):
        answer = send(build({"responses": {code: example(1)}}))
        assert (answer.status, answer.body, header(answer, "content-type")) == (
            int(code),
            b"",
            None,
        )


def test_head_is_answered_like_get_without_a_body() -> None:
    mocked = build({"responses": {"200": example([1, 2])}})
    answer = send(mocked, method="HEAD")
    assert (answer.status, answer.body) == (200, b"")
    assert header(answer, "content-type") == "application/json"


def test_a_documented_head_is_answered_as_documented() -> None:
    paths = {"/things": {"get": {"responses": {"200": example(1)}}, "head": by_head()}}
    answer = MockDocument.build({"paths": paths}).answer(
        MockRequest("HEAD", "/things", b"", {}, b"")
    )
    assert (answer.status, header(answer, "x-head")) == (202, "yes")


def by_head() -> dict[str, Any]:
    return {"responses": {"202": {"headers": {"X-Head": {"example": "yes"}}}}}


def test_an_undocumented_method_is_405_with_allow() -> None:
    paths = {
        "/things": {"get": {}, "post": {}, "x-put": {}, "parameters": []},
        "/{any}": {"delete": {}},
    }
    mocked = MockDocument.build({"paths": paths})
    for method in ("PUT", "OPTIONS", "X-PUT", "PARAMETERS", "BREW"):
        answer = send(mocked, method=method)
        found = problem_of(answer, 405)
        # the specification's order of methods, HEAD answered because GET is documented
        assert header(answer, "allow") == "GET, POST, DELETE, HEAD"
        assert found["allowed"] == ["GET", "POST", "DELETE", "HEAD"]


def test_the_most_specific_path_with_the_method_answers() -> None:
    paths = {"/pets/mine": {"get": {}}, "/pets/{id}": {"delete": {"responses": {"204": {}}}}}
    assert send(MockDocument.build({"paths": paths}), "/pets/mine", "DELETE").status == 204


def test_a_path_without_operations_is_no_route() -> None:
    paths = {"/things": {"summary": "none", "parameters": []}, "/{other}": {"put": {}}}
    problem_of(send(MockDocument.build({"paths": {"/things": paths["/things"]}})), 404)
    answer = send(MockDocument.build({"paths": paths}))
    problem_of(answer, 405)
    assert header(answer, "allow") == "PUT"


def test_no_documented_path_is_404() -> None:
    problem_of(send(by_code("200"), "/other"), 404)
    problem_of(send(MockDocument.build({"openapi": "3.1.0"}), "/"), 404)


def test_a_base_path_of_the_servers_is_accepted() -> None:
    mocked = build({"responses": {"200": example(1)}}, servers=[{"url": "https://x.io/v1"}])
    assert send(mocked, "/v1/things").body == b"1"


@pytest.mark.parametrize("path", ["/..", "/%2e", "/%zz", "/a%00", "/" + "%FF"])
def test_a_path_that_cannot_be_one_is_400(path: str) -> None:
    problem_of(send(by_code("200"), path), 400)


def test_the_same_static_answer_is_served_from_the_cache() -> None:
    mocked = build({"responses": {"200": example({"a": 1})}})
    first, second = send(mocked), send(mocked)
    assert first.body is second.body
    assert send(mocked, accept="application/json").body is first.body
