"""Enums, `x-extensible-enum`, `const`, defaults and patterns: which rule each change
triggers, at each place, and the near change that does not."""

from __future__ import annotations

import pytest

from tests.diffing.test_schemas_support import Case, check, compare, family, ids, prop

AB = {"type": "string", "enum": ["a", "b"]}
A = {"type": "string", "enum": ["a"]}
PLAIN = {"type": "string"}


def _extensible(*values: str) -> dict[str, object]:
    return {"type": "string", "x-extensible-enum": list(values)}


CASES: list[Case] = [
    Case("request-body-became-enum", "request-body", PLAIN, A, ("request-body-became-enum",)),
    Case(
        "request-property-became-enum",
        "request-body",
        prop(PLAIN),
        prop(A),
        ("request-property-became-enum",),
        ("request-property-enum-value-added",),
    ),
    Case(
        "an enum that was there already did not become one",
        "request-body",
        prop(A),
        prop(AB),
        ("request-property-enum-value-added",),
        ("request-property-became-enum", "request-body-became-enum"),
    ),
    Case(
        "request-parameter-became-enum",
        "request-parameter",
        PLAIN,
        A,
        ("request-parameter-became-enum",),
        ("request-header-property-became-enum",),
    ),
    Case(
        "a parameter's enum that was there already did not become one",
        "request-parameter",
        A,
        AB,
        ("request-parameter-enum-value-added",),
        ("request-parameter-became-enum",),
    ),
    Case(
        "a header's enum: both rules, as oasdiff",
        "request-header",
        PLAIN,
        A,
        ("request-parameter-became-enum", "request-header-property-became-enum"),
    ),
    Case(
        "request-header-property-became-enum",
        "request-header",
        prop(PLAIN),
        prop(A),
        ("request-header-property-became-enum",),
    ),
    Case(
        "a header's enum that gained a value did not become one",
        "request-header",
        prop(A),
        prop(AB),
        ("request-parameter-property-enum-value-added",),
        ("request-header-property-became-enum",),
    ),
    Case(
        "request-body-enum-value-removed",
        "request-body",
        AB,
        A,
        ("request-body-enum-value-removed",),
    ),
    Case(
        "request-property-enum-value-removed",
        "request-body",
        prop(AB),
        prop(A),
        ("request-property-enum-value-removed",),
        ("request-read-only-property-enum-value-removed",),
    ),
    Case(
        "request-read-only-property-enum-value-removed",
        "request-body",
        prop({**AB, "readOnly": True}),
        prop({**A, "readOnly": True}),
        ("request-read-only-property-enum-value-removed",),
        ("request-property-enum-value-removed",),
    ),
    Case(
        "request-property-enum-value-added",
        "request-body",
        prop(A),
        prop(AB),
        ("request-property-enum-value-added",),
        ("request-property-enum-value-removed", "request-body-enum-value-removed"),
    ),
    Case(
        "an enum dropped accepts everything: no value removed",
        "request-body",
        prop(AB),
        prop(PLAIN),
        (),
        ("request-property-enum-value-removed",),
    ),
    Case(
        "1 and 1.0 are the same enum value",
        "request-body",
        prop({"enum": [1, 2]}),
        prop({"enum": [1.0, 2]}),
        (),
        ("request-property-enum-value-removed", "request-property-enum-value-added"),
    ),
    Case(
        "true is not 1",
        "request-body",
        prop({"enum": [1]}),
        prop({"enum": [True]}),
        ("request-property-enum-value-removed", "request-property-enum-value-added"),
    ),
    Case(
        "the null an import adds beside nullable is the nullability's",
        "request-body",
        prop(A),
        prop({"type": ["string", "null"], "enum": ["a", None]}),
        ("request-property-became-nullable",),
        ("request-property-enum-value-added",),
    ),
    Case(
        "request-parameter-enum-value-removed",
        "request-parameter",
        AB,
        A,
        ("request-parameter-enum-value-removed",),
        ("request-parameter-enum-value-added",),
    ),
    Case(
        "request-parameter-enum-value-added",
        "request-parameter",
        A,
        AB,
        ("request-parameter-enum-value-added",),
        ("request-parameter-enum-value-removed",),
    ),
    Case(
        "request-parameter-property-enum-value-removed",
        "request-parameter",
        prop(AB),
        prop(A),
        ("request-parameter-property-enum-value-removed",),
        ("request-parameter-property-enum-value-added",),
    ),
    Case(
        "request-parameter-property-enum-value-added",
        "request-header",
        prop(A),
        prop(AB),
        ("request-parameter-property-enum-value-added",),
        ("request-parameter-property-enum-value-removed",),
    ),
    Case(
        "response-property-enum-value-added (a warning)",
        "response-body",
        prop(A),
        prop(AB),
        ("response-property-enum-value-added",),
        ("response-write-only-property-enum-value-added",),
    ),
    Case(
        "response-write-only-property-enum-value-added",
        "response-body",
        prop({**A, "writeOnly": True}),
        prop({**AB, "writeOnly": True}),
        ("response-write-only-property-enum-value-added",),
        ("response-property-enum-value-added",),
    ),
    Case(
        "response-property-enum-value-removed",
        "response-body",
        prop(AB),
        prop(A),
        ("response-property-enum-value-removed",),
        ("response-mediatype-enum-value-removed",),
    ),
    Case(
        "response-mediatype-enum-value-removed",
        "response-body",
        AB,
        A,
        ("response-mediatype-enum-value-removed",),
        ("response-property-enum-value-removed",),
    ),
    Case(
        "request-property-x-extensible-enum-value-removed",
        "request-body",
        prop(_extensible("a", "b")),
        prop(_extensible("a")),
        ("request-property-x-extensible-enum-value-removed",),
    ),
    Case(
        "an x-extensible-enum that gained a value lost none",
        "request-body",
        prop(_extensible("a")),
        prop(_extensible("a", "b")),
        (),
        ("request-property-x-extensible-enum-value-removed",),
    ),
    Case(
        "request-parameter-x-extensible-enum-value-removed",
        "request-parameter",
        _extensible("a", "b"),
        _extensible("b"),
        ("request-parameter-x-extensible-enum-value-removed",),
    ),
    Case(
        "a read-only property's x-extensible-enum is not the request's",
        "request-body",
        prop({**_extensible("a", "b"), "readOnly": True}),
        prop({**_extensible("a"), "readOnly": True}),
        (),
        ("request-property-x-extensible-enum-value-removed",),
    ),
    Case(
        "a parameter's x-extensible-enum that lost nothing",
        "request-parameter",
        _extensible("a"),
        _extensible("b", "a"),
        (),
        ("request-parameter-x-extensible-enum-value-removed",),
    ),
    *family("const-added", PLAIN, {"const": "x"}),
    *family("const-removed", {"const": "x"}, PLAIN),
    *family("const-changed", {"const": "x"}, {"const": "y"}),
    *family("const-changed", {"const": 1}, {"const": 1.0}, present=False),
    *family("const-removed", {"const": None}, {"const": None}, present=False),
    *family("const-added", {"const": "x"}, {"const": "y"}, present=False),
    *family("default-value-added", PLAIN, {"default": "x"}),
    *family("default-value-removed", {"default": "x"}, PLAIN),
    *family("default-value-changed", {"default": "x"}, {"default": "y"}),
    *family("default-value-changed", {"default": [1]}, {"default": [1]}, present=False),
    *family("default-value-added", {"default": "x"}, {"default": "y"}, present=False),
    *family("default-value-removed", {"default": "x"}, {"default": "y"}, present=False),
    Case(
        "request-parameter-default-value-added",
        "request-parameter",
        PLAIN,
        {**PLAIN, "default": "a"},
        ("request-parameter-default-value-added",),
    ),
    Case(
        "request-parameter-default-value-removed",
        "request-parameter",
        {**PLAIN, "default": "a"},
        PLAIN,
        ("request-parameter-default-value-removed",),
    ),
    Case(
        "request-parameter-default-value-changed",
        "request-header",
        {**PLAIN, "default": "a"},
        {**PLAIN, "default": "b"},
        ("request-parameter-default-value-changed",),
    ),
    Case(
        "a required parameter's default is never used",
        "request-parameter",
        {**PLAIN, "default": "a"},
        {"type": "string"},
        (),
        (
            "request-parameter-default-value-changed",
            "request-parameter-default-value-added",
            "request-parameter-default-value-removed",
        ),
        options={"required": True},
    ),
    Case(
        "request-property-pattern-added",
        "request-body",
        prop(PLAIN),
        prop({**PLAIN, "pattern": "^a"}),
        ("request-property-pattern-added",),
        ("request-property-pattern-changed",),
    ),
    Case(
        "request-property-pattern-removed",
        "request-body",
        prop({**PLAIN, "pattern": "^a"}),
        prop(PLAIN),
        ("request-property-pattern-removed",),
        ("request-property-pattern-added",),
    ),
    Case(
        "request-property-pattern-changed",
        "request-body",
        prop({**PLAIN, "pattern": "^a"}),
        prop({**PLAIN, "pattern": "^b"}),
        ("request-property-pattern-changed",),
        ("request-property-pattern-generalized", "request-property-pattern-removed"),
    ),
    Case(
        "request-property-pattern-generalized",
        "request-body",
        prop({**PLAIN, "pattern": "^a"}),
        prop({**PLAIN, "pattern": ".*"}),
        ("request-property-pattern-generalized",),
        ("request-property-pattern-changed",),
    ),
    Case(
        "request-parameter-pattern-added",
        "request-parameter",
        PLAIN,
        {**PLAIN, "pattern": "^[0-9]+$"},
        ("request-parameter-pattern-added",),
        ("request-parameter-pattern-removed",),
    ),
    Case(
        "request-parameter-pattern-removed",
        "request-parameter",
        {**PLAIN, "pattern": "^[0-9]+$"},
        PLAIN,
        ("request-parameter-pattern-removed",),
        ("request-parameter-pattern-added",),
    ),
    Case(
        "request-parameter-pattern-changed",
        "request-header",
        {**PLAIN, "pattern": "^a"},
        {**PLAIN, "pattern": "^b"},
        ("request-parameter-pattern-changed",),
        ("request-parameter-pattern-generalized",),
    ),
    Case(
        "request-parameter-pattern-generalized",
        "request-parameter",
        {**PLAIN, "pattern": "^a"},
        {**PLAIN, "pattern": ".*"},
        ("request-parameter-pattern-generalized",),
        ("request-parameter-pattern-changed",),
    ),
    Case(
        "response-property-pattern-added",
        "response-body",
        prop(PLAIN),
        prop({**PLAIN, "pattern": "^a"}),
        ("response-property-pattern-added",),
        ("response-property-pattern-removed", "response-property-pattern-changed"),
    ),
    Case(
        "response-property-pattern-removed",
        "response-body",
        prop({**PLAIN, "pattern": "^a"}),
        prop(PLAIN),
        ("response-property-pattern-removed",),
        ("response-property-pattern-added",),
    ),
    Case(
        "response-property-pattern-changed (even to .*)",
        "response-body",
        prop({**PLAIN, "pattern": "^a"}),
        prop({**PLAIN, "pattern": ".*"}),
        ("response-property-pattern-changed",),
        ("response-property-pattern-added",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_value_rules(case: Case) -> None:
    check(case)


def test_each_removed_value_is_its_own_change_pointed_at_in_the_old_document() -> None:
    changes = compare("request-body", prop({"enum": ["a", "b", "c"]}), prop({"enum": ["b"]}))
    assert ids(changes) == {"request-property-enum-value-removed"}
    assert [change.pointer.rsplit("/", 2)[-2:] for change in changes] == [
        ["enum", "0"],
        ["enum", "2"],
    ]
    assert [change.message for change in changes] == [
        "request property `p` lost the enum value `a`",
        "request property `p` lost the enum value `c`",
    ]
