"""A readOnly property of a request, rule by rule as oasdiff's checkers read it: the rules
with a `request-read-only-property-` variant take it, the ones whose checker skips a readOnly
property say nothing, and every other rule speaks of it as of any property (a pattern, a
bound raised, an enum value added, a default, nullability, a deprecation). Below a readOnly
property API Dock keeps the skipped rules quiet too. An empty pattern is no pattern."""

from __future__ import annotations

from typing import Any

import pytest

from tests.diffing.test_schemas_support import Case, check, prop

STRING = {"type": "string"}


def read_only(**keywords: Any) -> dict[str, Any]:
    return prop({"type": "string", "readOnly": True, **keywords})


def reported(rule: str, old: Any, new: Any, *absent: str) -> Case:
    return Case(f"{rule} of a readOnly property", "request-body", old, new, (rule,), absent)


def quiet(name: str, old: Any, new: Any, *absent: str) -> Case:
    return Case(f"{name} of a readOnly property says nothing", "request-body", old, new, (), absent)


def inside_read_only(schema: dict[str, Any]) -> dict[str, Any]:
    return prop({"type": "object", "readOnly": True, "properties": {"q": schema}})


CASES = [
    reported("request-property-pattern-added", read_only(), read_only(pattern="^[a-z]+$")),
    reported(
        "request-property-pattern-changed",
        read_only(pattern="^[a-z]+$"),
        read_only(pattern=".+"),
    ),
    reported("request-property-pattern-removed", read_only(pattern="^a"), read_only()),
    reported(
        "request-property-max-length-increased",
        read_only(maxLength=5),
        read_only(maxLength=10),
        "request-read-only-property-max-length-increased",
    ),
    reported(
        "request-read-only-property-max-length-decreased",
        read_only(maxLength=10),
        read_only(maxLength=5),
        "request-property-max-length-decreased",
    ),
    reported(
        "request-read-only-property-enum-value-removed",
        read_only(enum=["a", "b"]),
        read_only(enum=["a"]),
        "request-property-enum-value-removed",
    ),
    reported(
        "request-property-enum-value-added", read_only(enum=["a"]), read_only(enum=["a", "b"])
    ),
    reported("request-property-became-enum", read_only(), read_only(enum=["a"])),
    reported(
        "request-property-default-value-changed", read_only(default="a"), read_only(default="b")
    ),
    reported("request-property-min-length-increased", read_only(), read_only(minLength=2)),
    reported(
        "request-property-became-nullable",
        read_only(),
        prop({"type": ["string", "null"], "readOnly": True}),
    ),
    reported("request-property-deprecated", read_only(), read_only(deprecated=True)),
    quiet(
        "a type changed",
        read_only(),
        prop({"type": "integer", "readOnly": True}),
        "request-property-type-changed",
    ),
    quiet(
        "a type generalized",
        prop({"type": "integer", "readOnly": True}),
        prop({"type": "number", "readOnly": True}),
        "request-property-type-generalized",
    ),
    quiet(
        "a maxLength set", read_only(), read_only(maxLength=5), "request-property-max-length-set"
    ),
    quiet(
        "a maximum set",
        prop({"type": "integer", "readOnly": True}),
        prop({"type": "integer", "readOnly": True, "maximum": 5}),
        "request-property-max-set",
    ),
    quiet(
        "a minItems raised",
        prop({"type": "array", "readOnly": True, "minItems": 1}),
        prop({"type": "array", "readOnly": True, "minItems": 2}),
        "request-property-min-items-increased",
    ),
    Case(
        "what is below a readOnly property: a pattern is reported",
        "request-body",
        inside_read_only(STRING),
        inside_read_only({**STRING, "pattern": "^a"}),
        ("request-property-pattern-added",),
    ),
    Case(
        "what is below a readOnly property: its type is not",
        "request-body",
        inside_read_only(STRING),
        inside_read_only({"type": "integer"}),
        (),
        ("request-property-type-changed",),
    ),
    Case(
        "a property that is not readOnly keeps the breaking rule",
        "request-body",
        prop({**STRING, "maxLength": 10}),
        prop({**STRING, "maxLength": 5}),
        ("request-property-max-length-decreased",),
        ("request-read-only-property-max-length-decreased",),
    ),
]

EMPTY_PATTERN_CASES = [
    Case(
        "a pattern where the pattern was empty was added",
        "request-body",
        prop({**STRING, "pattern": ""}),
        prop({**STRING, "pattern": "^\\w+$"}),
        ("request-property-pattern-added",),
        ("request-property-pattern-changed",),
    ),
    Case(
        "a pattern emptied was removed",
        "request-body",
        prop({**STRING, "pattern": "^\\w+$"}),
        prop({**STRING, "pattern": ""}),
        ("request-property-pattern-removed",),
        ("request-property-pattern-changed",),
    ),
    Case(
        "an empty pattern written or not is the same",
        "request-body",
        prop({**STRING, "pattern": ""}),
        prop(STRING),
        (),
        ("request-property-pattern-removed", "request-property-pattern-changed"),
    ),
    Case(
        "a parameter's emptied pattern was removed",
        "request-parameter",
        {**STRING, "pattern": "^a"},
        {**STRING, "pattern": ""},
        ("request-parameter-pattern-removed",),
        ("request-parameter-pattern-changed",),
    ),
    Case(
        "a response property's pattern where it was empty was added",
        "response-body",
        prop({**STRING, "pattern": ""}),
        prop({**STRING, "pattern": "^a"}),
        ("response-property-pattern-added",),
        ("response-property-pattern-changed",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_read_only_request_property_rules(case: Case) -> None:
    check(case)


@pytest.mark.parametrize("case", EMPTY_PATTERN_CASES, ids=str)
def test_an_empty_pattern_is_no_pattern(case: Case) -> None:
    check(case)
