"""The contract check of one answer: status, Content-Type and headers, each rule of SPEC with a
hand-made document, and the acceptance list's seeded faults, each found alone. The helpers here
(documents and answers) serve the other contract tests too."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from apidock.contracts.checks import ContractChecker, Failure, Observed

JSON = "application/json"


def observed(
    status: int = 200,
    body: bytes = b"",
    content_type: str | None = JSON,
    elapsed_ms: float = 5.0,
    **headers: str,
) -> Observed:
    """An answer; keyword headers are named with `_` for `-` (`x_request_id`)."""
    named = {name.replace("_", "-").lower(): value for name, value in headers.items()}
    if content_type is not None:
        named["content-type"] = content_type
    return Observed(status=status, headers=named, body=body, elapsed_ms=elapsed_ms)


def shop() -> dict[str, Any]:
    """A small API whose answers the seeded faults break, one way each."""
    item_ref = {"$ref": "#/components/schemas/Item"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1"},
        "paths": {
            "/items/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {
                    "operationId": "getItem",
                    "responses": {
                        "200": {
                            "description": "An item",
                            "headers": {
                                "X-Request-Id": {"$ref": "#/components/headers/RequestId"},
                                "X-Rate-Remaining": {"schema": {"type": "integer"}},
                            },
                            "content": {JSON: {"schema": item_ref}},
                        },
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                },
                "delete": {"responses": {"204": {"description": "Gone"}}},
            },
            "/items": {
                "get": {
                    "responses": {
                        "2XX": {
                            "description": "Items",
                            "content": {
                                JSON: {"schema": {"type": "array", "items": item_ref}},
                            },
                        },
                        "default": {
                            "description": "Any error",
                            "content": {"application/*": {"schema": {"type": "object"}}},
                        },
                    }
                }
            },
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                    },
                },
                "Tag": {
                    "type": "object",
                    "properties": {"label": {"type": "string"}},
                },
            },
            "headers": {
                "RequestId": {"required": True, "schema": {"type": "string", "minLength": 8}}
            },
            "responses": {
                "NotFound": {
                    "description": "Not found",
                    "content": {
                        "application/problem+json": {
                            "schema": {
                                "type": "object",
                                "required": ["title"],
                                "properties": {"title": {"type": "string"}},
                            }
                        }
                    },
                }
            },
        },
    }


def with_operation(operation: dict[str, Any], **components: Any) -> dict[str, Any]:
    """A document of one operation, `GET /thing`, with the given components."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "One", "version": "1"},
        "paths": {"/thing": {"get": operation}},
        "components": components,
    }


def answering(schema: Any, media_type: str = JSON, **components: Any) -> dict[str, Any]:
    """A document whose `GET /thing` answers 200 with `schema` as `media_type`."""
    content = {media_type: {"schema": schema}}
    return with_operation(
        {"responses": {"200": {"description": "", "content": content}}}, **components
    )


ITEM = orjson.dumps({"id": 1, "name": "pen", "tags": [{"label": "blue"}]})
GOOD_HEADERS = {"x_request_id": "req-12345678"}


def found(failures: list[Failure]) -> list[tuple[str, str | None]]:
    return [(failure.check, failure.pointer) for failure in failures]


@pytest.fixture(scope="module")
def checker() -> ContractChecker:
    return ContractChecker.build(shop())


def test_a_correct_answer_passes(checker: ContractChecker) -> None:
    answer = observed(200, ITEM, x_request_id="req-12345678", x_rate_remaining="10")
    assert checker.check("GET", "/items/{id}", answer) == []
    assert checker.check("get", "/items/{id}", answer, strict=True) == []


# The seeded faults of the acceptance list: each is exactly its failures.


def test_seeded_wrong_type_is_one_schema_failure_at_its_pointer(checker: ContractChecker) -> None:
    body = orjson.dumps({"id": "one", "name": "pen"})
    failures = checker.check("GET", "/items/{id}", observed(200, body, **GOOD_HEADERS))
    assert found(failures) == [("schema", "/id")]
    assert '"one" is not of type "integer"' in failures[0].message


def test_seeded_missing_required_property(checker: ContractChecker) -> None:
    body = orjson.dumps({"id": 1})
    failures = checker.check("GET", "/items/{id}", observed(200, body, **GOOD_HEADERS))
    assert found(failures) == [("schema", "")]
    assert '"name" is a required property' in failures[0].message


def test_seeded_undocumented_status_is_only_a_status_failure(checker: ContractChecker) -> None:
    failures = checker.check("GET", "/items/{id}", observed(500, b"<html>", "text/html"))
    assert found(failures) == [("status", None)]
    assert "500 is not documented for GET /items/{id}" in failures[0].message
    assert "200, 404" in failures[0].message


def test_seeded_wrong_content_type_is_only_a_content_type_failure(
    checker: ContractChecker,
) -> None:
    answer = observed(200, b"id=nope", "text/html; charset=utf-8", **GOOD_HEADERS)
    failures = checker.check("GET", "/items/{id}", answer)
    assert found(failures) == [("content-type", None)]
    assert "text/html" in failures[0].message
    assert JSON in failures[0].message


def test_seeded_missing_documented_header(checker: ContractChecker) -> None:
    failures = checker.check("GET", "/items/{id}", observed(200, ITEM))
    assert found(failures) == [("header", "X-Request-Id")]
    assert "missing" in failures[0].message


def test_seeded_undeclared_property_is_flagged_under_strict_only(
    checker: ContractChecker,
) -> None:
    body = orjson.dumps({"id": 1, "name": "pen", "colour": "red", "tags": [{"label": "a", "x": 1}]})
    answer = observed(200, body, **GOOD_HEADERS)
    assert checker.check("GET", "/items/{id}", answer) == []
    failures = checker.check("GET", "/items/{id}", answer, strict=True)
    assert found(failures) == [("schema", "/colour"), ("schema", "/tags/0/x")]
    assert '"colour" is not a property' in failures[0].message


# Status


def test_a_status_is_documented_by_its_range_then_by_default(checker: ContractChecker) -> None:
    listed = orjson.dumps([{"id": 1, "name": "a"}])
    assert checker.check("GET", "/items", observed(206, listed)) == []
    # default documents any other status; its range media type takes problem+json
    problem = orjson.dumps({"title": "teapot"})
    assert checker.check("GET", "/items", observed(418, problem, "application/problem+json")) == []
    failures = checker.check("GET", "/items", observed(418, b"[]", "application/json"))
    assert found(failures) == [("schema", "")]


def test_a_status_range_may_be_lower_case() -> None:
    document = with_operation(
        {
            "responses": {
                "4xx": {"description": ""},
                "200": {"description": "", "content": {JSON: {"schema": {"type": "integer"}}}},
            }
        }
    )
    checker = ContractChecker.build(document)
    assert checker.check("GET", "/thing", observed(404, b"", None)) == []
    assert checker.check("GET", "/thing", observed(200, b"7")) == []
    assert found(checker.check("GET", "/thing", observed(200, b'"7"'))) == [("schema", "")]
    assert found(checker.check("GET", "/thing", observed(302, b"", None))) == [("status", None)]


def test_an_operation_without_responses_documents_no_status() -> None:
    checker = ContractChecker.build(with_operation({}))
    failures = checker.check("GET", "/thing", observed(200, b"", None))
    assert found(failures) == [("status", None)]
    assert "documented: none" in failures[0].message


def test_an_unknown_operation_is_a_status_failure(checker: ContractChecker) -> None:
    assert found(checker.check("POST", "/items", observed())) == [("status", None)]
    assert found(checker.check("GET", "/nowhere", observed())) == [("status", None)]


# Content-Type


def test_media_type_parameters_are_ignored_and_ranges_cover(checker: ContractChecker) -> None:
    answer = observed(200, ITEM, "Application/JSON; charset=UTF-8", **GOOD_HEADERS)
    assert checker.check("GET", "/items/{id}", answer) == []
    # `application/*` (default response) takes any application type, and so validates JSON
    assert checker.check("GET", "/items", observed(503, b"{}", "application/vnd.x+json")) == []
    failures = checker.check("GET", "/items", observed(503, b"{}", "text/plain"))
    assert found(failures) == [("content-type", None)]


def test_an_exact_media_type_wins_over_a_range() -> None:
    content = {
        "application/*": {"schema": {"type": "string"}},
        JSON: {"schema": {"type": "integer"}},
    }
    document = with_operation({"responses": {"200": {"description": "", "content": content}}})
    checker = ContractChecker.build(document)
    assert checker.check("GET", "/thing", observed(200, b"3")) == []
    assert found(checker.check("GET", "/thing", observed(200, b'"3"'))) == [("schema", "")]


def test_no_content_type_with_a_body_is_a_content_type_failure(checker: ContractChecker) -> None:
    failures = checker.check("GET", "/items/{id}", observed(200, ITEM, None, **GOOD_HEADERS))
    assert found(failures) == [("content-type", None)]
    assert "no Content-Type" in failures[0].message


def test_no_documented_content_takes_an_empty_body_only(checker: ContractChecker) -> None:
    assert checker.check("GET", "/thing", observed()) != []  # not an operation here
    document = with_operation({"responses": {"202": {"description": "Accepted"}}})
    accepted = ContractChecker.build(document)
    assert accepted.check("GET", "/thing", observed(202, b"", None)) == []
    assert accepted.check("GET", "/thing", observed(202, b"", JSON)) == []
    failures = accepted.check("GET", "/thing", observed(202, b'{"a":1}'))
    assert found(failures) == [("content-type", None)]
    assert "documents no content" in failures[0].message


def test_head_204_and_304_have_no_content_to_check(checker: ContractChecker) -> None:
    assert checker.check("DELETE", "/items/{id}", observed(204, b"", None)) == []
    document = with_operation(
        {"responses": {"304": {"description": "", "content": {JSON: {"schema": {}}}}}}
    )
    assert ContractChecker.build(document).check("GET", "/thing", observed(304, b"", None)) == []
    head = dict(shop())
    head["paths"] = {"/items/{id}": {"head": shop()["paths"]["/items/{id}"]["get"]}}
    answer = observed(200, b"", JSON, **GOOD_HEADERS)
    assert ContractChecker.build(head).check("HEAD", "/items/{id}", answer) == []
    # a HEAD answer's headers are still checked
    failures = ContractChecker.build(head).check("HEAD", "/items/{id}", observed(200, b""))
    assert found(failures) == [("header", "X-Request-Id")]


# Headers


def test_documented_headers_are_typed_by_their_schema(checker: ContractChecker) -> None:
    good = observed(200, ITEM, x_request_id="req-12345678", x_rate_remaining="42")
    assert checker.check("GET", "/items/{id}", good) == []
    bad = observed(200, ITEM, x_request_id="short", x_rate_remaining="many")
    failures = checker.check("GET", "/items/{id}", bad)
    assert found(failures) == [("header", "X-Request-Id"), ("header", "X-Rate-Remaining")]
    assert "X-Rate-Remaining" in failures[1].message
    assert '"many" is not of type "integer"' in failures[1].message


def test_header_names_compare_case_insensitively() -> None:
    document = shop()
    checker = ContractChecker.build(document)
    answer = Observed(200, {"Content-Type": JSON, "X-REQUEST-ID": "req-12345678"}, ITEM, 1.0)
    assert checker.check("GET", "/items/{id}", answer) == []


def test_header_arrays_objects_booleans_and_content() -> None:
    headers = {
        "X-List": {"schema": {"type": "array", "items": {"type": "integer"}}},
        "X-Flag": {"schema": {"type": "boolean"}},
        "X-Pair": {
            "explode": True,
            "schema": {
                "type": "object",
                "properties": {"a": {"type": "integer"}},
                "required": ["a"],
            },
        },
        "X-Json": {"content": {JSON: {"schema": {"type": "object", "required": ["k"]}}}},
        "Content-Type": {"required": True, "schema": {"const": "never checked here"}},
    }
    document = with_operation({"responses": {"200": {"description": "", "headers": headers}}})
    checker = ContractChecker.build(document)
    good = observed(
        200, b"", None, x_list="1, 2,3", x_flag="true", x_pair="a=1,b=x", x_json='{"k": 1}'
    )
    assert checker.check("GET", "/thing", good) == []
    bad = observed(200, b"", None, x_list="1,two", x_flag="yes", x_pair="b=1", x_json="{")
    assert found(checker.check("GET", "/thing", bad)) == [
        ("header", "X-List"),
        ("header", "X-Flag"),
        ("header", "X-Pair"),
        ("header", "X-Json"),
    ]


def test_headers_are_checked_whatever_the_content_type(checker: ContractChecker) -> None:
    failures = checker.check("GET", "/items/{id}", observed(200, b"<p>", "text/html"))
    assert found(failures) == [("content-type", None), ("header", "X-Request-Id")]
