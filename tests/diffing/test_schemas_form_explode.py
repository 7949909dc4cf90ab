"""A parameter serialized form/explode that became an array of what it was: generalized, as
oasdiff judges it (`?tag=a` is also the array `["a"]`), and the near changes its checker's
tests keep breaking (a path parameter, items that refuse more, a narrower item type)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.diffing.test_schemas_support import Case, check, compare, ref

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
GENERALIZED, CHANGED = "request-parameter-type-generalized", "request-parameter-type-changed"
FORM_EXPLODED = {"form_exploded": True}


def array(items: Any) -> dict[str, Any]:
    return {"type": "array", "items": items}


def widened(name: str, old: Any, new: Any, **members: Any) -> Case:
    return Case(name, "request-parameter", old, new, (GENERALIZED,), (CHANGED,), **members)


def still_breaking(name: str, old: Any, new: Any, **members: Any) -> Case:
    return Case(name, "request-parameter", old, new, (CHANGED,), (GENERALIZED,), **members)


CASES = [
    widened("a scalar to an array of it", STRING, array(STRING), options=FORM_EXPLODED),
    widened(
        "a list of scalar types to an array of strings (text carries them all)",
        {"type": ["string", "integer"]},
        array(STRING),
        options=FORM_EXPLODED,
    ),
    widened(
        "an integer to an array of numbers",
        INTEGER,
        array({"type": "number"}),
        options=FORM_EXPLODED,
    ),
    widened(
        "a scalar to a nullable array of it",
        STRING,
        {"type": ["array", "null"], "items": STRING},
        options=FORM_EXPLODED,
    ),
    widened(
        "a nullable scalar to a nullable array of nullable items",
        {"type": ["string", "null"]},
        {"type": ["array", "null"], "items": {"type": ["string", "null"]}},
        options=FORM_EXPLODED,
    ),
    widened(
        "annotations aside, and the items through a $ref",
        {"type": "string", "format": "uuid", "description": "the tag"},
        {"type": "array", "items": ref("Tag")},
        new_components={"Tag": {"type": "string", "format": "uuid", "title": "Tag"}},
        options=FORM_EXPLODED,
    ),
    still_breaking("not serialized form/explode (a path parameter)", STRING, array(STRING)),
    still_breaking(
        "items narrower than the old types",
        {"type": ["string", "integer"]},
        array(INTEGER),
        options=FORM_EXPLODED,
    ),
    still_breaking(
        "items that refuse values the scalar took",
        STRING,
        array({"type": "string", "pattern": "^[a-z]+$"}),
        options=FORM_EXPLODED,
    ),
    still_breaking(
        "items of the old types that refuse more",
        {"type": ["string", "integer"]},
        array({"type": "string", "pattern": "^[a-z]+$"}),
        options=FORM_EXPLODED,
    ),
    still_breaking(
        "items whose other keywords differ at all (oasdiff asks for the same ones)",
        {"type": "string", "maxLength": 8},
        array(STRING),
        options=FORM_EXPLODED,
    ),
    still_breaking("an array without items", STRING, {"type": "array"}, options=FORM_EXPLODED),
    still_breaking(
        "an untyped schema was no scalar",
        {"minLength": 1},
        array({"minLength": 1}),
        options=FORM_EXPLODED,
    ),
    still_breaking(
        "a scalar to an object is no array", STRING, {"type": "object"}, options=FORM_EXPLODED
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_form_exploded_widening(case: Case) -> None:
    check(case)


def test_the_message_says_why_the_widening_is_safe() -> None:
    [change] = compare(
        "request-parameter", {"type": ["string", "integer"]}, array(STRING), form_exploded=True
    )
    assert change.message == (
        "the request parameter `limit` type changed from `string, integer` to `array` "
        "(serialized form/explode: one value is an array of one)"
    )
    assert change.pointer.endswith("/schema/type")
