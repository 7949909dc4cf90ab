"""The contract check of one answer: status, Content-Type, body schema and headers, each rule of
SPEC with a hand-made document, and the acceptance list's seeded faults, each found alone."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from apidock.contracts.checks import ContractChecker, Failure, Observed
from tests.contracts.documents import JSON, answering, observed, shop, with_operation

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
    assert "No Content-Type" in failures[0].message


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


# Schema


def test_invalid_json_is_one_schema_failure_at_the_root(checker: ContractChecker) -> None:
    for body in (b"{", b"", b"NaN", b"\xef\xbb\xbf{}", b'{"id": 1,}'):
        failures = checker.check("GET", "/items/{id}", observed(200, body, **GOOD_HEADERS))
        assert found(failures) == [("schema", "")], body
        assert "not valid JSON" in failures[0].message


def test_one_failure_per_validation_error_each_at_its_pointer(checker: ContractChecker) -> None:
    body = orjson.dumps([{"id": 1, "name": 2}, {"name": "b", "tags": [{"label": 3}]}])
    failures = checker.check("GET", "/items", observed(200, body))
    assert sorted(found(failures), key=str) == sorted(
        [("schema", "/0/name"), ("schema", "/1"), ("schema", "/1/tags/0/label")], key=str
    )


def test_pointers_escape_slash_and_tilde_and_keep_numeric_names() -> None:
    schema = {
        "type": "object",
        "properties": {"a/b~c": {"type": "integer"}, "007": {"type": "integer"}},
    }
    checker = ContractChecker.build(answering(schema))
    body = orjson.dumps({"a/b~c": "x", "007": "y"})
    assert sorted(found(checker.check("GET", "/thing", observed(200, body)))) == [
        ("schema", "/007"),
        ("schema", "/a~1b~0c"),
    ]


def test_refs_resolve_into_components_with_recursion() -> None:
    tree = {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
        },
    }
    checker = ContractChecker.build(
        answering({"$ref": "#/components/schemas/Tree"}, schemas={"Tree": tree})
    )
    good = {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]}
    assert checker.check("GET", "/thing", observed(200, orjson.dumps(good))) == []
    bad = {"value": 1, "children": [{"value": 2, "children": [{"value": "3"}]}]}
    failures = checker.check("GET", "/thing", observed(200, orjson.dumps(bad)))
    assert found(failures) == [("schema", "/children/0/children/0/value")]


def test_2020_12_keywords_are_enforced() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"const": "head"}],
        "items": {"type": ["integer", "null"]},
        "unevaluatedItems": False,
        "minItems": 2,
    }
    checker = ContractChecker.build(answering(schema))
    assert checker.check("GET", "/thing", observed(200, b'["head", 1, null]')) == []
    assert found(checker.check("GET", "/thing", observed(200, b'["tail", 1]'))) == [
        ("schema", "/0")
    ]
    assert found(checker.check("GET", "/thing", observed(200, b'["head", "x"]'))) == [
        ("schema", "/1")
    ]


def test_formats_are_annotations_not_assertions() -> None:
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    checker = ContractChecker.build(answering(schema))
    # a date-time without its offset, as many real APIs send it, passes
    assert checker.check("GET", "/thing", observed(200, b'{"at": "2024-01-01T10:00:00"}')) == []


def test_additional_properties_false_is_one_failure_per_member() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    checker = ContractChecker.build(answering(schema))
    failures = checker.check("GET", "/thing", observed(200, b'{"a": 1, "b": 2, "c": 3}'))
    assert found(failures) == [("schema", "/b"), ("schema", "/c")]


def test_text_bodies_are_judged_as_strings() -> None:
    checker = ContractChecker.build(answering({"type": "string", "maxLength": 3}, "text/plain"))
    assert checker.check("GET", "/thing", observed(200, b"abc", "text/plain")) == []
    too_long = checker.check("GET", "/thing", observed(200, b"abcd", "text/plain"))
    assert found(too_long) == [("schema", "")]
    latin = observed(200, "é".encode("latin-1"), "text/plain; charset=latin-1")
    assert checker.check("GET", "/thing", latin) == []
    broken = checker.check("GET", "/thing", observed(200, b"\xff\xfe\xfd", "text/plain"))
    assert found(broken) == [("schema", "")]
    assert "utf-8" in broken[0].message


def test_media_types_that_are_not_read_are_not_validated() -> None:
    checker = ContractChecker.build(answering({"type": "integer"}, "image/png"))
    assert checker.check("GET", "/thing", observed(200, b"\x89PNG", "image/png")) == []


def test_a_media_type_without_schema_accepts_any_body() -> None:
    document = with_operation({"responses": {"200": {"description": "", "content": {JSON: {}}}}})
    assert ContractChecker.build(document).check("GET", "/thing", observed(200, b"{")) == []


def test_a_schema_that_cannot_compile_is_reported_not_passed() -> None:
    checker = ContractChecker.build(answering({"$ref": "#/components/schemas/Missing"}))
    failures = checker.check("GET", "/thing", observed(200, b"{}"))
    assert found(failures) == [("schema", None)]
    assert "cannot be compiled" in failures[0].message
    assert "not checked" in failures[0].message


def test_nothing_is_fetched_for_a_remote_reference() -> None:
    checker = ContractChecker.build(answering({"$ref": "https://example.invalid/schema.json"}))
    failures = checker.check("GET", "/thing", observed(200, b"{}"))
    assert found(failures) == [("schema", None)]


def test_a_deep_body_is_refused_without_crashing() -> None:
    recursive = {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/Node"}}}
    checker = ContractChecker.build(
        answering({"$ref": "#/components/schemas/Node"}, schemas={"Node": recursive})
    )
    deep = b'{"c":' * 1000 + b"{}" + b"}" * 1000
    failures = checker.check("GET", "/thing", observed(200, deep), strict=True)
    assert found(failures) == [("schema", "")]
    assert "deeper than 256" in failures[0].message
    too_deep = b"[" * 100_000 + b"]" * 100_000
    failures = checker.check("GET", "/thing", observed(200, too_deep), strict=True)
    assert found(failures) == [("schema", "")]
    within = b'{"c":' * 200 + b"{}" + b"}" * 200
    assert checker.check("GET", "/thing", observed(200, within), strict=True) == []


def test_only_a_schema_that_may_recurse_has_its_body_measured() -> None:
    deep = b"[" * 1000 + b"]" * 1000
    flat = ContractChecker.build(answering({"type": "array", "items": {"type": "array"}}))
    assert flat.check("GET", "/thing", observed(200, deep)) == []
    money = {"$ref": "#/components/schemas/Money"}
    shared = answering(
        {"type": "object", "properties": {"a": money, "b": money}},
        schemas={"Money": {"type": "object"}},
    )
    body = b'{"a": {}, "b": {}, "c": ' + deep + b"}"
    assert ContractChecker.build(shared).check("GET", "/thing", observed(200, body)) == []
    nested = {"type": "array", "items": {"$ref": "#/components/schemas/Nested"}}
    for schemas in (
        {"Nested": nested},
        {"Nested": {"$ref": "#/components/schemas/Other"}, "Other": nested},
        {"Nested": {"$dynamicRef": "#meta"}},
    ):
        checker = ContractChecker.build(
            answering({"$ref": "#/components/schemas/Nested"}, schemas=schemas)
        )
        assert found(checker.check("GET", "/thing", observed(200, deep))) == [("schema", "")]


def test_failures_are_bounded() -> None:
    checker = ContractChecker.build(answering({"type": "array", "items": {"type": "string"}}))
    failures = checker.check("GET", "/thing", observed(200, orjson.dumps(list(range(10_000)))))
    assert 0 < len(failures) <= 100
    assert all(failure.check == "schema" for failure in failures)


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


# Strict


def strict_failures(schema: Any, body: Any, **components: Any) -> list[tuple[str, str | None]]:
    checker = ContractChecker.build(answering(schema, **components))
    answer = observed(200, orjson.dumps(body))
    assert checker.check("GET", "/thing", answer) == []  # the plain check passes each body
    return found(checker.check("GET", "/thing", answer, strict=True))


def test_strict_counts_a_property_declared_in_any_all_of_member() -> None:
    base = {"type": "object", "properties": {"id": {"type": "integer"}}}
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"type": "object", "properties": {"name": {"type": "string"}}},
        ]
    }
    body = {"id": 1, "name": "a", "extra": True}
    assert strict_failures(schema, body, schemas={"Base": base}) == [("schema", "/extra")]


def test_strict_follows_the_one_of_branch_that_holds() -> None:
    schema = {
        "oneOf": [
            {"type": "object", "required": ["cat"], "properties": {"cat": {"type": "string"}}},
            {"type": "object", "required": ["dog"], "properties": {"dog": {"type": "string"}}},
        ]
    }
    assert strict_failures(schema, {"dog": "rex", "cat": 1}) == [("schema", "/cat")]
    assert strict_failures(schema, {"cat": "tom"}) == []


def test_strict_spares_schemas_that_say_something_of_other_members() -> None:
    for keyword, value in (
        ("additionalProperties", True),
        ("additionalProperties", {"type": "integer"}),
        ("patternProperties", {"^x-": {}}),
        ("unevaluatedProperties", True),
    ):
        schema = {"type": "object", "properties": {"a": {}}, keyword: value}
        assert strict_failures(schema, {"a": 1, "x-b": 2}) == [], keyword


def test_strict_spares_objects_whose_schema_declares_no_properties() -> None:
    assert strict_failures({"type": "object"}, {"anything": 1}) == []
    assert strict_failures({}, {"anything": 1}) == []


def test_strict_walks_items_prefix_items_and_additional_properties() -> None:
    inner = {"type": "object", "properties": {"a": {}}}
    schema = {
        "type": "object",
        "properties": {
            "list": {"type": "array", "items": inner},
            "pair": {"type": "array", "prefixItems": [inner], "items": False},
            "map": {"type": "object", "additionalProperties": inner},
        },
    }
    body = {"list": [{"a": 1}, {"b": 2}], "pair": [{"c": 3}], "map": {"k": {"a": 1, "d": 4}}}
    assert strict_failures(schema, body) == [
        ("schema", "/list/1/b"),
        ("schema", "/pair/0/c"),
        ("schema", "/map/k/d"),
    ]


def test_strict_takes_then_or_else_as_if_decides() -> None:
    schema = {
        "type": "object",
        "properties": {"kind": {}},
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"properties": {"alpha": {}}},
        "else": {"properties": {"beta": {}}},
    }
    assert strict_failures(schema, {"kind": "a", "alpha": 1, "beta": 2}) == [("schema", "/beta")]
    assert strict_failures(schema, {"kind": "b", "alpha": 1, "beta": 2}) == [("schema", "/alpha")]


def test_strict_survives_a_self_referencing_schema() -> None:
    loop = {"$ref": "#/components/schemas/Loop", "properties": {"a": {}}}
    assert strict_failures(
        {"$ref": "#/components/schemas/Loop"}, {"a": 1, "b": 2}, schemas={"Loop": loop}
    ) == [("schema", "/b")]


def test_strict_does_not_flag_a_member_twice() -> None:
    checker = ContractChecker.build(answering({"properties": {"a": {"type": "string"}}}))
    failures = checker.check("GET", "/thing", observed(200, b'{"a": 1, "b": 2}'), strict=True)
    assert found(failures) == [("schema", "/a"), ("schema", "/b")]
