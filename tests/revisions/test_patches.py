"""RFC 6902 patches: applying `make_patch(old, new)` to `old` gives `new` back, key order and
all, with operations in proportion to the change, not to the document."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apidock.revisions.patches import PatchError, apply_patch, make_patch


def _exact(value: Any) -> str:
    """The value as text that tells key order, 1 from 1.0 and 1 from true apart."""
    return json.dumps(value)


def _round_trip(old: Any, new: Any) -> list[dict[str, Any]]:
    operations = make_patch(old, new)
    rebuilt = apply_patch(copy.deepcopy(old), json.loads(json.dumps(operations)))
    assert _exact(rebuilt) == _exact(new)
    return operations


PAIRS = [
    pytest.param({"a": 1}, {"a": 2}, [{"op": "replace", "path": "/a", "value": 2}], id="scalar"),
    pytest.param(
        {"a": 1}, {"a": 1, "b": [1]}, [{"op": "add", "path": "/b", "value": [1]}], id="add"
    ),
    pytest.param({"a": 1, "b": 2}, {"b": 2}, [{"op": "remove", "path": "/a"}], id="remove"),
    pytest.param(
        {"a/b": {"c~d": 1}},
        {"a/b": {"c~d": 2}},
        [{"op": "replace", "path": "/a~1b/c~0d", "value": 2}],
        id="escaped tokens",
    ),
    pytest.param(
        {"a": 1, "b": 2, "c": 3},
        {"a": 1, "c": 3, "b": 2},
        [{"op": "move", "from": "/b", "path": "/b"}],
        id="reordered member",
    ),
    pytest.param(
        {"a": 1, "c": 3},
        {"a": 1, "b": 2, "c": 3},
        [
            {"op": "add", "path": "/b", "value": 2},
            {"op": "move", "from": "/c", "path": "/c"},
        ],
        id="member inserted in the middle",
    ),
    pytest.param(
        [1, 2, 3, 4, 5],
        [1, 2, 9, 4, 5],
        [{"op": "replace", "path": "/2", "value": 9}],
        id="array item changed",
    ),
    pytest.param(
        [1, 2, 3],
        [1, 7, 8, 2, 3],
        [{"op": "add", "path": "/1", "value": 7}, {"op": "add", "path": "/2", "value": 8}],
        id="array items inserted",
    ),
    pytest.param(
        [1, 2, 3, 4],
        [1, 4],
        [{"op": "remove", "path": "/1"}, {"op": "remove", "path": "/1"}],
        id="array items removed",
    ),
    pytest.param({"a": 1}, [1], [{"op": "replace", "path": "", "value": [1]}], id="whole document"),
    pytest.param({"a": 1}, {"a": 1.0}, [{"op": "replace", "path": "/a", "value": 1.0}], id="1.0"),
    pytest.param(
        {"a": 1}, {"a": True}, [{"op": "replace", "path": "/a", "value": True}], id="true"
    ),
    pytest.param({"a": None}, {"a": None}, [], id="unchanged"),
]


@pytest.mark.parametrize(("old", "new", "expected"), PAIRS)
def test_a_patch_holds_only_the_change_and_rebuilds_the_new_document(
    old: Any, new: Any, expected: list[dict[str, Any]]
) -> None:
    assert _round_trip(old, new) == expected


def test_one_field_of_a_large_document_is_one_operation() -> None:
    paths = {
        f"/things/{n}": {"get": {"summary": f"thing {n}", "tags": ["a", "b"]}} for n in range(2000)
    }
    old: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
    }
    new = copy.deepcopy(old)
    new["paths"]["/things/1000"]["get"]["summary"] = "changed"

    assert _round_trip(old, new) == [
        {"op": "replace", "path": "/paths/~1things~11000/get/summary", "value": "changed"}
    ]


def test_a_nested_change_inside_equal_looking_numbers_is_left_to_the_caller_to_check() -> None:
    # `==` holds [1] equal to [true]: the patch misses it, which is why storage verifies
    # every patch against the document it must rebuild
    old, new = {"enum": [1]}, {"enum": [True]}
    rebuilt = apply_patch(copy.deepcopy(old), make_patch(old, new))
    assert _exact(rebuilt) != _exact(new)


@pytest.mark.parametrize(
    ("document", "operation"),
    [
        ({"a": 1}, {"op": "remove", "path": "/b"}),
        ({"a": [1]}, {"op": "replace", "path": "/a/3", "value": 1}),
        ({"a": [1]}, {"op": "add", "path": "/a/01", "value": 1}),
        ({"a": "text"}, {"op": "add", "path": "/a/b", "value": 1}),
        ({"a": 1}, {"op": "copy", "from": "/a", "path": "/b"}),
        ({"a": 1}, {"op": "remove", "path": "a"}),
    ],
)
def test_an_operation_that_does_not_fit_is_refused(
    document: dict[str, Any], operation: dict[str, Any]
) -> None:
    with pytest.raises(PatchError):
        apply_patch(document, [operation])


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from([0.5, 1.0])
    | st.text("ab/~", max_size=3),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text("ab/~", max_size=3), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(old=JSON_VALUES, new=JSON_VALUES)
def test_any_pair_of_json_values_round_trips_in_order(old: Any, new: Any) -> None:
    operations = make_patch(old, new)
    rebuilt = apply_patch(copy.deepcopy(old), operations)
    # what `==` confuses (1, 1.0, true) may survive a patch; everything else is rebuilt exactly
    if _exact(rebuilt) != _exact(new):
        assert rebuilt == new
    assert list(_keys(rebuilt)) == list(_keys(new))


def _keys(value: Any) -> Any:
    """Every object's keys, in order, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)
