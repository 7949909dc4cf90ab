"""The walk of two schemas: recursion that terminates with the change inside the cycle found,
a component reached by two paths or by two operations, the cost linear in the schemas, and
hostile input that reads as nothing instead of failing."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing import schemas, schemas_values
from apidock.diffing.resolve import Side
from apidock.diffing.schemas import MAX_DEPTH, compare_schemas
from apidock.diffing.schemas_shape import form as shape_form
from tests.diffing.test_schemas_support import NEW_AT, OLD_AT, compare, document, ids, prop, ref

STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def tree(name_type: str) -> dict[str, Any]:
    return {
        "Tree": {
            "type": "object",
            "properties": {
                "name": {"type": name_type},
                "children": {"type": "array", "items": ref("Tree")},
            },
        }
    }


def mutual(x_type: str) -> dict[str, Any]:
    return {
        "A": {"type": "object", "properties": {"b": ref("B")}},
        "B": {"type": "object", "properties": {"x": {"type": x_type}, "a": ref("A")}},
        "C": {"type": "object", "properties": {"a": ref("A")}},
    }


class Counted:
    """Counts the nodes the comparison compares (to tell linear from exponential)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.nodes = 0
        original = schemas._Comparer._compare_node

        def counting(comparer: Any, node: Any, depth: int) -> Any:
            self.nodes += 1
            return original(comparer, node, depth)

        monkeypatch.setattr(schemas._Comparer, "_compare_node", counting)


def test_a_self_recursive_schema_terminates_with_its_change_found_once() -> None:
    changes = compare(
        "request-body",
        ref("Tree"),
        ref("Tree"),
        old_components=tree("string"),
        new_components=tree("integer"),
    )
    assert [(change.id, change.pointer, change.message) for change in changes] == [
        (
            "request-property-type-changed",
            "/components/schemas/Tree/properties/name/type",
            "request property `name` type changed from `string` to `integer`",
        )
    ]


def test_a_mutual_recursion_is_found_from_each_end_and_from_outside() -> None:
    old, new = Side(document(mutual("string"))), Side(document(mutual("integer")))

    def found(root: str) -> list[tuple[str, str]]:
        changes = compare_schemas(
            "response-body", f"GET /{root}", old, ref(root), "/r", new, ref(root), "/r"
        )
        return [(change.pointer, change.message) for change in changes]

    pointer = "/components/schemas/B/properties/x/type"
    # B first: A is compared inside B's cycle, and kept with a link back to B
    assert found("B") == [
        (pointer, "response property `x` type changed from `string` to `integer`")
    ]
    assert found("A") == [
        (pointer, "response property `b/x` type changed from `string` to `integer`")
    ]
    assert found("C") == [
        (pointer, "response property `a/b/x` type changed from `string` to `integer`")
    ]


def test_a_component_reached_by_two_paths_is_reported_once_at_the_shorter() -> None:
    user = {"type": "object", "properties": {"name": STRING}}
    pet = {
        "type": "object",
        "properties": {"home": prop(ref("User")), "owner": ref("User"), "vet": ref("User")},
    }
    changes = compare(
        "request-body",
        ref("Pet"),
        ref("Pet"),
        old_components={"Pet": pet, "User": user},
        new_components={"Pet": pet, "User": {"type": "object", "properties": {"name": INTEGER}}},
    )
    assert [(change.pointer, change.message) for change in changes] == [
        (
            "/components/schemas/User/properties/name/type",
            "request property `owner/name` type changed from `string` to `integer`",
        )
    ]


def test_a_component_under_two_operations_is_reported_for_each_and_compared_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counted = Counted(monkeypatch)
    old, new = Side(document(tree("string"))), Side(document(tree("integer")))
    first = compare_schemas(
        "request-body", "POST /a", old, ref("Tree"), "/a", new, ref("Tree"), "/a"
    )
    compared = counted.nodes
    second = compare_schemas(
        "request-body",
        "PUT /b",
        old,
        {"type": "array", "items": ref("Tree")},
        "/b",
        new,
        {"type": "array", "items": ref("Tree")},
        "/b",
    )
    assert [change.operation for change in first] == ["POST /a"]
    assert [(change.operation, change.message) for change in second] == [
        ("PUT /b", "request property `items/name` type changed from `string` to `integer`")
    ]
    assert first[0].pointer == second[0].pointer
    # only the new top: Tree below a top is known from the first call
    assert counted.nodes - compared == 1
    compared = counted.nodes
    third = compare_schemas(
        "request-body", "POST /c", old, ref("Tree"), "/c", new, ref("Tree"), "/c"
    )
    assert [change.operation for change in third] == ["POST /c"]
    assert counted.nodes == compared  # the same top again: nothing compared at all


def test_the_cost_follows_the_components_not_the_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    # L0 -> L1 twice -> L2 twice ...: 2**40 paths through 41 components
    def chain(leaf: str) -> dict[str, Any]:
        levels: dict[str, Any] = {
            f"L{level}": {
                "type": "object",
                "properties": {"left": ref(f"L{level + 1}"), "right": ref(f"L{level + 1}")},
            }
            for level in range(40)
        }
        levels["L40"] = {"type": leaf}
        return levels

    counted = Counted(monkeypatch)
    changes = compare(
        "response-body",
        ref("L0"),
        ref("L0"),
        old_components=chain("string"),
        new_components=chain("integer"),
    )
    assert [change.message for change in changes] == [
        f"response property `{'/'.join(['left'] * 40)}` type changed from `string` to `integer`"
    ]
    assert counted.nodes <= 41


def test_a_huge_enum_costs_its_length(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = shape_form

    def counting(value: Any, **options: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(value, **options)

    monkeypatch.setattr(schemas_values, "form", counting)
    size = 20_000
    old = prop({"enum": list(range(size))})
    new = prop({"enum": list(range(1, size + 1))})
    changes = compare("request-body", old, new)
    assert [change.id for change in changes] == [
        "request-property-enum-value-removed",
        "request-property-enum-value-added",
    ]
    assert calls <= 4 * size


def test_nesting_deeper_than_the_stack_bound_is_compared_in_steps() -> None:
    def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
        schema = leaf
        for _ in range(depth):
            schema = prop(schema)
        return schema

    shallow = compare("request-body", nested(10, STRING), nested(10, INTEGER))
    assert [change.message for change in shallow] == [
        f"request property `{'/'.join(['p'] * 10)}` type changed from `string` to `integer`"
    ]
    # 3,000 levels on one stack would pass Python's recursion limit many times over
    depth = 3_000
    assert depth > 10 * MAX_DEPTH
    [deep] = compare("request-body", nested(depth, STRING), nested(depth, INTEGER))
    assert deep.pointer.endswith("/properties/p" * depth + "/type")
    assert deep.message.count("p/") == depth - 1


@pytest.mark.parametrize(
    "hostile",
    [
        7,
        "string",
        None,
        [1, 2],
        True,
        False,
        {"type": 5, "enum": "a", "required": {"a": 1}, "properties": [], "allOf": {"x": 1}},
        {"$ref": "#/components/schemas/Nowhere"},
        {"$ref": "https://elsewhere.example/schema.json"},
        {"items": 3, "prefixItems": "x", "oneOf": [None, 3, {"$ref": 4}], "discriminator": 1},
        {"properties": {"a": None, "b": False, "c": {"$ref": "#/components/schemas/Loop"}}},
        {"maximum": "10", "minLength": -1, "pattern": 3, "x-stability-level": 4, "deprecated": 1},
    ],
)
@pytest.mark.parametrize(
    "place", ["request-body", "request-header", "response-body", "response-header"]
)
def test_hostile_schemas_compare_without_failing(hostile: Any, place: Any) -> None:
    loop = {"Loop": ref("Loop2"), "Loop2": ref("Loop")}
    for old, new in ((hostile, STRING), (STRING, hostile), (hostile, hostile)):
        changes = compare(place, old, new, old_components=loop, new_components=loop)
        assert all(change.pointer.startswith("/") for change in changes)
    assert compare(place, hostile, hostile, old_components=loop, new_components=loop) == []


def test_boolean_schemas_read_as_everything_and_nothing() -> None:
    assert ids(compare("request-body", True, STRING)) == {"request-body-type-changed"}
    assert ids(compare("request-body", STRING, True)) == {"request-body-type-generalized"}
    assert compare("request-body", True, {}) == []
    # no rule says "now accepts nothing": the pair is left alone rather than misread
    assert compare("request-body", prop(STRING), prop(False)) == []
    assert compare("response-body", False, prop(STRING)) == []


def test_the_same_comparison_twice_gives_the_same_changes() -> None:
    old = {"type": "object", "required": ["a"], "properties": {"a": STRING, "b": {"enum": [1, 2]}}}
    new = {"type": "object", "properties": {"a": INTEGER, "c": STRING, "b": {"enum": [2, 3]}}}
    first, second = compare("response-body", old, new), compare("response-body", old, new)
    assert first == second
    assert [change.id for change in first] == [
        "response-property-became-optional",
        "response-optional-property-added",
        "response-property-type-changed",
        "response-property-enum-value-removed",
        "response-property-enum-value-added",
    ]


def test_a_parameter_and_a_header_are_named_in_messages() -> None:
    [parameter] = compare("request-parameter", {"maximum": 10}, {"maximum": 5}, name="limit")
    assert parameter.message == "the request parameter `limit` maximum decreased from 10 to 5"
    [header] = compare("request-header", prop(STRING), prop(INTEGER), name="X-Trace")
    assert header.id == "request-parameter-property-type-specialized"
    assert header.message == (
        "property `p` of the request header `X-Trace` type changed from `string` to `integer`"
    )
    [response] = compare("response-header", STRING, {"type": ["string", "null"]}, name="ETag")
    assert response.message == "the response header `ETag` became nullable"


def test_subschemas_and_not_are_walked_as_oasdiff_walks_them_and_if_is_not() -> None:
    def under(keyword: str, leaf: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", keyword: prop(leaf)}

    walked = {
        keyword: [
            change.message
            for change in compare("request-body", under(keyword, STRING), under(keyword, INTEGER))
        ]
        for keyword in ("additionalProperties", "then", "not", "if")
    }
    assert walked == {
        "additionalProperties": [
            "request property `additionalProperties/p` type changed from `string` to `integer`"
        ],
        "then": ["request property `then/p` type changed from `string` to `integer`"],
        "not": ["request property `not/p` type changed from `string` to `integer`"],
        "if": [],
    }


def test_properties_added_and_removed_inside_not_are_reported_as_oasdiff_reports_them() -> None:
    def refusing(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
        inner = {"type": "object", "required": list(required), "properties": properties}
        return {"type": "object", "not": inner}

    old = refusing(("gone", "kept"), gone=STRING, kept={"type": "string", "maxLength": 10})
    new = refusing(("came", "kept"), came=STRING, kept={"type": "string", "maxLength": 5})
    changes = compare("request-body", old, new)
    assert [(change.id, change.pointer) for change in changes] == [
        ("request-property-removed", f"{OLD_AT}/not/properties/gone"),
        ("new-required-request-property", f"{NEW_AT}/not/properties/came"),
        ("request-property-max-length-decreased", f"{NEW_AT}/not/properties/kept/maxLength"),
    ]
    assert compare("request-body", old, old) == []
