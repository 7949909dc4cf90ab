"""Nullability in its three forms (a 3.0 `nullable`, a `"null"` type, a schema wrapped in a
`oneOf`/`anyOf` with a null branch): which rule each change triggers, at each place, and the
near change that does not."""

from __future__ import annotations

import pytest

from tests.diffing.test_schemas_support import Case, check, family, prop, ref
from tests.diffing.test_schemas_types import ADDRESS, INTEGER, NULLABLE_STRING, STRING

CASES: list[Case] = [
    *family("became-nullable", STRING, NULLABLE_STRING),
    *family("became-not-nullable", NULLABLE_STRING, STRING),
    *family("became-nullable", {}, NULLABLE_STRING, present=False),
    *family("became-not-nullable", NULLABLE_STRING, {}, present=False),
    Case(
        "a null-only type change is no type change",
        "request-body",
        prop(STRING),
        prop(NULLABLE_STRING),
        ("request-property-became-nullable",),
        ("request-property-type-generalized", "request-property-type-changed"),
    ),
    Case(
        "request-parameter-became-nullable",
        "request-parameter",
        STRING,
        NULLABLE_STRING,
        ("request-parameter-became-nullable",),
        (
            "request-parameter-became-not-nullable",
            "request-parameter-type-generalized",
            "request-parameter-type-changed",
        ),
    ),
    Case(
        "request-parameter-became-not-nullable",
        "request-header",
        NULLABLE_STRING,
        STRING,
        ("request-parameter-became-not-nullable",),
        ("request-parameter-became-nullable",),
    ),
    Case(
        "request-parameter-property-became-nullable",
        "request-parameter",
        prop(STRING),
        prop(NULLABLE_STRING),
        ("request-parameter-property-became-nullable",),
        ("request-parameter-property-became-not-nullable",),
    ),
    Case(
        "request-parameter-property-became-not-nullable",
        "request-parameter",
        prop(NULLABLE_STRING),
        prop(STRING),
        ("request-parameter-property-became-not-nullable",),
        ("request-parameter-property-became-nullable",),
    ),
    Case(
        "response-header-became-nullable",
        "response-header",
        STRING,
        NULLABLE_STRING,
        ("response-header-became-nullable",),
        (
            "response-header-became-not-nullable",
            "response-header-type-changed",
            "response-header-type-generalized",
        ),
    ),
    Case(
        "response-header-became-not-nullable",
        "response-header",
        NULLABLE_STRING,
        STRING,
        ("response-header-became-not-nullable",),
        ("response-header-became-nullable",),
    ),
    Case(
        "wrapping a $ref for null (oneOf) is only a nullability change",
        "request-body",
        prop(ref("Address")),
        prop({"oneOf": [{"type": "null"}, ref("Address")]}),
        ("request-property-became-nullable",),
        (
            "request-property-one-of-added",
            "request-property-type-changed",
            "request-property-type-generalized",
            "request-property-removed",
        ),
        old_components=ADDRESS,
        new_components=ADDRESS,
    ),
    Case(
        "the import's anyOf wrapping, in a response, unwrapped",
        "response-body",
        prop({"description": "maybe", "anyOf": [ref("Address"), {"type": "null"}]}),
        prop(ref("Address")),
        ("response-property-became-not-nullable",),
        ("response-property-any-of-removed", "response-optional-property-added"),
        old_components=ADDRESS,
        new_components=ADDRESS,
    ),
    Case(
        "a component wrapped for null and changed inside: both are reported",
        "request-body",
        prop(ref("Address")),
        prop({"anyOf": [ref("Address"), {"type": "null"}]}),
        ("request-property-became-nullable", "request-property-type-changed"),
        ("request-property-any-of-added", "request-property-removed"),
        old_components=ADDRESS,
        new_components={"Address": {"type": "object", "properties": {"street": INTEGER}}},
    ),
    Case(
        "a wrapping that also changes the schema is not a nullability change",
        "request-body",
        prop(ref("Address")),
        prop(
            {
                "oneOf": [
                    {"type": "null"},
                    {"type": "object", "properties": {"street": INTEGER}},
                ]
            }
        ),
        ("request-property-one-of-added",),
        ("request-property-became-nullable",),
        old_components=ADDRESS,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_nullability_rules(case: Case) -> None:
    check(case)
