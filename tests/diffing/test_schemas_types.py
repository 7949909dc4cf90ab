"""Types, formats, lists of types and the oneOf wrapping: which rule each change triggers, at
each place, and the near change that does not (nullability: `test_schemas_nullability`)."""

from __future__ import annotations

import pytest

from apidock.diffing.schemas import SchemaPlace
from tests.diffing.test_schemas_support import Case, check, family, prop, ref

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
OBJECT = {"type": "object"}
NULLABLE_STRING = {"type": ["string", "null"]}
ADDRESS = {"Address": {"type": "object", "properties": {"street": STRING}}}
TWO_TYPES = {"oneOf": [STRING, INTEGER]}


def _types(place: SchemaPlace, level: str) -> list[Case]:
    """type-changed / -generalized (and, for a response, -specialized) at one place."""
    direction = place.split("-", 1)[0]
    rule = f"{direction}-{level}-type"
    wrap = prop if level == "property" else (lambda schema: schema)
    generalized = "breaking" if direction == "response" else "info"
    cases = [
        Case(
            f"{rule}-changed",
            place,
            wrap(STRING),
            wrap(INTEGER),
            (f"{rule}-changed",),
            (f"{rule}-generalized", f"{rule}-specialized", f"{rule}-compatible"),
        ),
        Case(
            f"{rule}-generalized ({generalized})",
            place,
            wrap(INTEGER),
            wrap(NUMBER),
            (f"{rule}-generalized",),
            (f"{rule}-changed",),
        ),
    ]
    if direction == "response":
        cases.append(
            Case(
                f"{rule}-specialized",
                place,
                wrap(NUMBER),
                wrap(INTEGER),
                (f"{rule}-specialized",),
                (f"{rule}-changed", f"{rule}-generalized"),
            )
        )
    return cases


CASES: list[Case] = [
    *_types("request-body", "body"),
    *_types("request-body", "property"),
    *_types("response-body", "body"),
    *_types("response-body", "property"),
    Case(
        "an object read as text is a string: compatible (request, XML)",
        "request-body",
        OBJECT,
        STRING,
        ("request-body-type-compatible",),
        ("request-body-type-changed",),
        options={"media_type": "application/xml"},
    ),
    Case(
        "the same swap in JSON is a change",
        "request-body",
        OBJECT,
        STRING,
        ("request-body-type-changed",),
        ("request-body-type-compatible",),
    ),
    Case(
        "request-property-type-compatible",
        "request-body",
        prop(OBJECT),
        prop(STRING),
        ("request-property-type-compatible",),
        options={"media_type": "text/xml"},
    ),
    Case(
        "response-body-type-compatible",
        "response-body",
        STRING,
        OBJECT,
        ("response-body-type-compatible",),
        ("response-body-type-changed",),
        options={"media_type": "application/xml"},
    ),
    Case(
        "the same swap in a JSON response is a change",
        "response-body",
        prop(STRING),
        prop(OBJECT),
        ("response-property-type-changed",),
        ("response-property-type-compatible",),
        options={"media_type": "application/problem+json"},
    ),
    Case(
        "response-property-type-compatible",
        "response-body",
        prop(STRING),
        prop(OBJECT),
        ("response-property-type-compatible",),
        ("response-property-type-specialized",),
        options={"media_type": "application/xml"},
    ),
    Case(
        "a wider format generalizes a request",
        "request-body",
        prop({"type": "string", "format": "date"}),
        prop({"type": "string", "format": "date-time"}),
        ("request-property-type-generalized",),
        ("request-property-type-changed",),
    ),
    Case(
        "a narrower format changes it",
        "request-body",
        prop({"type": "string", "format": "date-time"}),
        prop({"type": "string", "format": "date"}),
        ("request-property-type-changed",),
    ),
    Case(
        "a dropped type constraint generalizes a request",
        "request-body",
        prop(STRING),
        prop({}),
        ("request-property-type-generalized",),
        ("request-property-type-changed",),
    ),
    Case(
        "a type list that gained a member generalizes a request",
        "request-body",
        prop(STRING),
        prop({"type": ["string", "integer"]}),
        ("request-property-type-generalized",),
        ("request-property-type-changed",),
    ),
    Case(
        "request-parameter-type-changed",
        "request-parameter",
        INTEGER,
        {"type": "boolean"},
        ("request-parameter-type-changed",),
    ),
    Case(
        "a parameter is text: anything may become a string",
        "request-parameter",
        INTEGER,
        STRING,
        ("request-parameter-type-generalized",),
        ("request-parameter-type-changed",),
    ),
    Case(
        "a header's schema is a parameter's",
        "request-header",
        STRING,
        INTEGER,
        ("request-parameter-type-changed",),
    ),
    Case(
        "request-parameter-property-type-specialized: breaks as JSON and as text",
        "request-parameter",
        prop(STRING),
        prop(INTEGER),
        ("request-parameter-property-type-specialized",),
        ("request-parameter-property-type-generalized",),
    ),
    Case(
        "request-parameter-property-type-changed: breaks as JSON only, a warning",
        "request-parameter",
        prop(INTEGER),
        prop(STRING),
        ("request-parameter-property-type-changed",),
        ("request-parameter-property-type-specialized",),
    ),
    Case(
        "request-parameter-property-type-generalized",
        "request-parameter",
        prop(INTEGER),
        prop(NUMBER),
        ("request-parameter-property-type-generalized",),
        ("request-parameter-property-type-changed",),
    ),
    Case(
        "response-header-type-compatible: a header is text",
        "response-header",
        STRING,
        INTEGER,
        ("response-header-type-compatible",),
        ("response-header-type-changed",),
    ),
    Case(
        "response-header-type-generalized",
        "response-header",
        INTEGER,
        NUMBER,
        ("response-header-type-generalized",),
        ("response-header-type-specialized",),
    ),
    Case(
        "response-header-type-specialized",
        "response-header",
        NUMBER,
        INTEGER,
        ("response-header-type-specialized",),
        ("response-header-type-generalized",),
    ),
    Case(
        "response-header-type-changed: a dropped format a client parses",
        "response-header",
        {"type": "string", "format": "date-time"},
        INTEGER,
        ("response-header-type-changed",),
        ("response-header-type-compatible",),
    ),
    *family("list-of-types-widened", STRING, TWO_TYPES),
    *family("list-of-types-narrowed", TWO_TYPES, STRING),
    *family("list-of-types-widened", TWO_TYPES, {"anyOf": [INTEGER, STRING]}, present=False),
    *family("list-of-types-narrowed", TWO_TYPES, {"anyOf": [INTEGER, STRING]}, present=False),
    Case(
        "a list of types is no oneOf member added, nor a type change",
        "request-body",
        prop(STRING),
        prop(TWO_TYPES),
        ("request-property-list-of-types-widened",),
        (
            "request-property-list-of-types-narrowed",
            "request-property-one-of-added",
            "request-property-type-changed",
        ),
    ),
    Case(
        "a oneOf of objects is no list of types",
        "response-body",
        prop(STRING),
        prop({"oneOf": [prop(STRING), prop(INTEGER)]}),
        ("response-property-one-of-added",),
        ("response-property-list-of-types-widened", "response-property-list-of-types-narrowed"),
    ),
    Case(
        "request-parameter-list-of-types-widened",
        "request-parameter",
        STRING,
        TWO_TYPES,
        ("request-parameter-list-of-types-widened",),
        ("request-parameter-list-of-types-narrowed", "request-parameter-type-changed"),
    ),
    Case(
        "request-parameter-list-of-types-narrowed",
        "request-parameter",
        TWO_TYPES,
        INTEGER,
        ("request-parameter-list-of-types-narrowed",),
        ("request-parameter-list-of-types-widened",),
    ),
    Case(
        "request-parameter-property-list-of-types-widened",
        "request-header",
        prop(STRING),
        prop(TWO_TYPES),
        ("request-parameter-property-list-of-types-widened",),
        ("request-parameter-property-list-of-types-narrowed",),
    ),
    Case(
        "request-parameter-property-list-of-types-narrowed",
        "request-parameter",
        prop({"anyOf": [STRING, INTEGER, {"type": "boolean"}]}),
        prop({"anyOf": [STRING, INTEGER]}),
        ("request-parameter-property-list-of-types-narrowed",),
        ("request-parameter-property-list-of-types-widened",),
    ),
    Case(
        "request-body-wrapped-in-one-of",
        "request-body",
        {"type": "object", "properties": {"cat": STRING, "dog": STRING}},
        {
            "oneOf": [
                {"type": "object", "properties": {"cat": STRING}},
                {"type": "object", "properties": {"dog": STRING}},
            ]
        },
        ("request-body-wrapped-in-one-of",),
        ("request-property-removed", "request-body-one-of-added", "request-body-type-changed"),
    ),
    Case(
        "response-body-wrapped-in-one-of",
        "response-body",
        {"type": "object", "properties": {"cat": STRING}, "required": ["cat"]},
        {"oneOf": [{"type": "object", "properties": {"cat": STRING}}, ref("Address")]},
        ("response-body-wrapped-in-one-of",),
        ("response-required-property-removed",),
        new_components=ADDRESS,
    ),
    Case(
        "alternatives without the old properties are no wrapping: they were removed",
        "request-body",
        {"type": "object", "properties": {"cat": STRING}},
        {"oneOf": [{"type": "object", "properties": {"dog": STRING}}, INTEGER]},
        ("request-property-removed", "request-body-one-of-added"),
        ("request-body-wrapped-in-one-of", "response-body-wrapped-in-one-of"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_type_rules(case: Case) -> None:
    check(case)
