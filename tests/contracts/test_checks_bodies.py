"""The contract check of a body: its schema (2020-12, references into the components, one failure
per error at its pointer), hostile bodies, and a strict run's undeclared members."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from apidock.contracts.checks import ContractChecker
from tests.contracts.test_checks import (
    GOOD_HEADERS,
    JSON,
    answering,
    found,
    observed,
    shop,
    with_operation,
)


@pytest.fixture(scope="module")
def checker() -> ContractChecker:
    return ContractChecker.build(shop())


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
