"""Bounds: each keyword moved each way (decreased, increased, set, unset) at each place, and
the rule oasdiff has for that move there, if any; the moves it has none for report nothing.

The table is built: a row per keyword, place and move, expecting `<place's prefix><family>-
<move>` when that rule exists and none of the family's other moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apidock.diffing.changes import catalogue
from apidock.diffing.schemas import SchemaPlace
from tests.diffing.test_schemas_support import Case, check, compare, ids, prop

# keyword, family, a low and a high value
BOUNDS = (
    ("maximum", "max", 5, 10),
    ("exclusiveMaximum", "exclusive-max", 5, 10),
    ("minimum", "min", 5, 10),
    ("exclusiveMinimum", "exclusive-min", 5, 10),
    ("maxLength", "max-length", 5, 10),
    ("minLength", "min-length", 5, 10),
    ("minItems", "min-items", 5, 10),
    ("minContains", "min-contains", 1, 2),
    ("maxContains", "max-contains", 2, 3),
)
MOVES = ("decreased", "increased", "set", "unset")


def _readonly(schema: dict[str, Any]) -> dict[str, Any]:
    return prop({**schema, "readOnly": True})


def _writeonly(schema: dict[str, Any]) -> dict[str, Any]:
    return prop({**schema, "writeOnly": True})


def _as_is(schema: dict[str, Any]) -> dict[str, Any]:
    return schema


# place, how the bound's schema sits there, the prefix of its rules
WHERE: tuple[tuple[SchemaPlace, Callable[[dict[str, Any]], Any], str], ...] = (
    ("request-body", _as_is, "request-body-"),
    ("request-body", prop, "request-property-"),
    ("request-body", _readonly, "request-read-only-property-"),
    ("request-parameter", _as_is, "request-parameter-"),
    ("request-header", _as_is, "request-parameter-"),
    ("response-body", _as_is, "response-body-"),
    ("response-body", prop, "response-property-"),
    ("response-body", _writeonly, "response-write-only-property-"),
)


def _values(move: str, low: int, high: int) -> tuple[int | None, int | None]:
    return {
        "decreased": (high, low),
        "increased": (low, high),
        "set": (None, low),
        "unset": (low, None),
    }[move]


def _cases() -> list[Case]:
    known = catalogue()
    cases = []
    for keyword, family, low, high in BOUNDS:
        # an absent minLength is 0: it is never set nor unset, it increases or decreases
        moves = MOVES[:2] if keyword == "minLength" else MOVES
        for place, sits, prefix in WHERE:
            rules = {move: f"{prefix}{family}-{move}" for move in MOVES}
            for move in moves:
                old, new = _values(move, low, high)
                expected = rules[move] if rules[move] in known else None
                cases.append(
                    Case(
                        f"{place} {prefix}{family} {move}",
                        place,
                        sits({} if old is None else {keyword: old}),
                        sits({} if new is None else {keyword: new}),
                        present=(expected,) if expected else (),
                        absent=tuple(
                            rule for other, rule in rules.items() if other != move and rule in known
                        ),
                    )
                )
    return cases


CASES: list[Case] = [
    *_cases(),
    Case(
        "an absent minLength is 0: a new one increases it",
        "request-body",
        prop({"type": "string"}),
        prop({"type": "string", "minLength": 1}),
        ("request-property-min-length-increased",),
    ),
    Case(
        "and one removed from a response decreases it",
        "response-body",
        {"type": "string", "minLength": 3},
        {"type": "string"},
        ("response-body-min-length-decreased",),
    ),
    Case(
        "request-parameter-max-items-decreased",
        "request-parameter",
        {"type": "array", "maxItems": 10},
        {"type": "array", "maxItems": 5},
        ("request-parameter-max-items-decreased",),
        ("request-parameter-max-items-increased",),
    ),
    Case(
        "request-parameter-max-items-increased",
        "request-parameter",
        {"type": "array", "maxItems": 5},
        {"type": "array", "maxItems": 10},
        ("request-parameter-max-items-increased",),
        ("request-parameter-max-items-decreased",),
    ),
    Case(
        "a parameter's maxItems read on its items, as oasdiff reads it",
        "request-parameter",
        {"type": "array", "items": {"maxItems": 10}},
        {"type": "array", "items": {"maxItems": 5}},
        ("request-parameter-max-items-decreased",),
    ),
    Case(
        "a maxItems set has no rule",
        "request-parameter",
        {"type": "array"},
        {"type": "array", "maxItems": 5},
        (),
        ("request-parameter-max-items-decreased", "request-parameter-max-items-increased"),
    ),
    Case(
        "a boolean is no bound",
        "request-body",
        prop({"maximum": True}),
        prop({"maximum": 3}),
        ("request-property-max-set",),
        ("request-property-max-decreased", "request-property-max-increased"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bound_rules(case: Case) -> None:
    check(case)


def test_the_direction_decides_the_level() -> None:
    levels = catalogue()
    assert levels["request-property-max-decreased"] == "breaking"
    assert levels["request-property-max-increased"] == "info"
    assert levels["request-read-only-property-max-decreased"] == "info"
    assert levels["response-property-max-increased"] == "breaking"
    assert levels["request-property-max-set"] == "warning"


def test_the_message_names_the_bound_and_its_values() -> None:
    [change] = compare("request-body", prop({"maxLength": 10}), prop({"maxLength": 4}))
    assert change.message == "request property `p` maxLength decreased from 10 to 4"
    assert change.pointer.endswith("/properties/p/maxLength")
    assert ids(compare("request-body", prop({"maxLength": 4}), prop({"maxLength": 4}))) == set()
