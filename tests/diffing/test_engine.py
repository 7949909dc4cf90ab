"""The whole walk: its order, every rule of the walk tested, reference loops that end, hostile
input that never raises, a cost that grows linearly with the paths, and a shared schema's
change reported wherever it is used."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from apidock.diffing import (
    bodies,
    headers,
    lifecycle,
    operations,
    parameters,
    paths,
    responses,
    security,
)
from apidock.diffing import document as document_rules
from apidock.diffing.changes import Change
from apidock.diffing.engine import diff_documents, ordered
from tests.diffing import (
    test_bodies,
    test_document,
    test_parameters,
    test_paths,
    test_responses,
    test_security,
)
from tests.diffing.walk_builders import HOSTILE_NODES, diff, document, operation, single


def test_every_rule_of_the_walk_has_a_pair_and_a_near_pair() -> None:
    declared = {
        rule
        for module in (
            bodies,
            document_rules,
            headers,
            lifecycle,
            operations,
            parameters,
            paths,
            responses,
            security,
        )
        for rule in module.RULES
    }
    tested = {
        case.rule
        for module in (
            test_bodies,
            test_document,
            test_parameters,
            test_paths,
            test_responses,
            test_security,
        )
        for case in module.CASES
    }
    assert declared - tested == set()


def test_order_is_by_path_then_method_then_pointer() -> None:
    old = document(
        {"/b": {"get": operation(), "delete": operation()}, "/a": {"post": operation()}},
        webhooks={"w": {}},
    )
    changes = diff(old, document())
    assert [c.operation for c in changes] == [None, "POST /a", "GET /b", "DELETE /b"]


def test_repeats_are_dropped() -> None:
    change = Change.of(
        "endpoint-added", operation="GET /a", pointer="/paths/~1a/get", message="added"
    )
    assert ordered([change, change]) == [change]


def test_a_document_compared_with_itself_after_a_round_trip_says_nothing() -> None:
    doc = single(parameters=[{"name": "q", "in": "query", "schema": {"type": "string"}}])
    assert diff(doc, json.loads(json.dumps(doc))) == []


LOOPS = {
    "parameters": {
        "A": {"$ref": "#/components/parameters/B"},
        "B": {"$ref": "#/components/parameters/A"},
    },
    "responses": {"A": {"$ref": "#/components/responses/A"}},
    "requestBodies": {
        "A": {"$ref": "#/components/requestBodies/B"},
        "B": {"$ref": "#/components/requestBodies/A"},
    },
    "headers": {"A": {"$ref": "#/components/headers/A"}},
    "securitySchemes": {"A": {"$ref": "#/components/securitySchemes/A"}},
    "pathItems": {"A": {"$ref": "#/components/pathItems/A"}},
}


def looped(extra: dict[str, Any]) -> dict[str, Any]:
    get = operation(
        parameters=[{"$ref": "#/components/parameters/A"}],
        requestBody={"$ref": "#/components/requestBodies/A"},
        responses={
            "200": {"$ref": "#/components/responses/A"},
            "201": {"description": "x", "headers": {"X": {"$ref": "#/components/headers/A"}}},
        },
        **extra,
    )
    return document(
        {"/loop": {"get": get}, "/item": {"$ref": "#/components/pathItems/A"}}, components=LOOPS
    )


def test_reference_loops_in_components_end() -> None:
    assert diff(looped({}), looped({})) == []
    assert [c.id for c in diff(looped({}), looped({"deprecated": True}))] == ["endpoint-deprecated"]


@pytest.mark.parametrize("node", HOSTILE_NODES, ids=repr)
def test_nodes_of_the_wrong_type_read_as_absent(node: Any) -> None:
    good = single(parameters=[{"name": "q", "in": "query", "schema": {"type": "string"}}])
    for pointer in (
        ("paths",),
        ("paths", "/pets"),
        ("paths", "/pets", "get"),
        ("paths", "/pets", "get", "parameters"),
        ("paths", "/pets", "get", "parameters", 0),
        ("paths", "/pets", "get", "responses"),
        ("paths", "/pets", "get", "responses", "200"),
        ("info",),
        ("components",),
    ):
        hostile = copy.deepcopy(good)
        parent: Any = hostile
        for token in pointer[:-1]:
            parent = parent[token]
        parent[pointer[-1]] = node
        for old, new in ((good, hostile), (hostile, good), (hostile, hostile)):
            assert isinstance(diff(old, new), list)


def test_documents_without_paths_or_not_objects_at_all() -> None:
    assert diff({}, {}) == []
    assert [c.id for c in diff({}, single())] == ["endpoint-added"]
    assert [c.id for c in diff(single(), {"openapi": "3.1.0"})] == [
        "api-path-removed-without-deprecation"
    ]
    assert diff_documents([], "nonsense") == []  # type: ignore[arg-type]


def _many_paths(count: int, *, required: bool) -> dict[str, Any]:
    shared = {"$ref": "#/components/parameters/Limit"}
    return document(
        {
            f"/items{index}/{{id}}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": operation(
                    parameters=[shared],
                    responses={
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Item"}
                                }
                            },
                        }
                    },
                ),
                "post": operation(
                    requestBody={"content": {"application/json": {"schema": {"type": "object"}}}}
                ),
            }
            for index in range(count)
        },
        components={
            "parameters": {
                "Limit": {
                    "name": "limit",
                    "in": "query",
                    "required": required,
                    "schema": {"type": "integer"},
                }
            },
            "schemas": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}},
        },
    )


def _calls_made(work: Callable[[], object]) -> int:
    """How many Python and C functions `work` calls: a measure of cost that does not depend on
    the machine's speed."""
    count = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def test_cost_grows_linearly_with_the_paths() -> None:
    def cost(count: int) -> int:
        old, new = _many_paths(count, required=False), _many_paths(count, required=True)
        renamed = {path.replace("{id}", "{itemId}"): item for path, item in new["paths"].items()}
        return _calls_made(lambda: diff_documents(old, {**new, "paths": renamed}))

    small, large = cost(200), cost(800)
    assert large < 4.6 * small


def test_many_paths_report_a_shared_change_on_each_operation() -> None:
    changes = diff(_many_paths(2000, required=False), _many_paths(2000, required=True))
    assert len(changes) == 2000
    assert {c.pointer for c in changes} == {"/components/parameters/Limit/required"}


def _pets_api(pet: dict[str, Any]) -> dict[str, Any]:
    """Two operations and two statuses returning the shared `Pet`."""
    returned = {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}
    responses = {"200": {"description": "ok", "content": returned}}
    return document(
        {
            "/pets": {"get": operation(responses=responses)},
            "/pets/{id}": {
                "get": operation(
                    parameters=[
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    responses={**responses, "201": {"description": "made", "content": returned}},
                )
            },
        },
        components={"schemas": {"Pet": pet}},
    )


def test_a_shared_schema_change_is_reported_on_every_operation_and_status() -> None:
    old = _pets_api(
        {
            "type": "object",
            "properties": {"name": {"type": "string"}, "tag": {"type": "string"}},
            "required": ["name"],
        }
    )
    new = _pets_api({"type": "object", "properties": {"tag": {"type": "string"}}})
    removed = [c for c in diff(old, new) if c.id == "response-required-property-removed"]
    assert [(c.operation, c.pointer) for c in removed] == [
        ("GET /pets", "/components/schemas/Pet/properties/name"),
        ("GET /pets/{id}", "/components/schemas/Pet/properties/name"),
        ("GET /pets/{id}", "/components/schemas/Pet/properties/name"),
    ]
    assert all(
        c.message.endswith(f"(response `{status}`)")
        for c, status in zip(removed, ("200", "200", "201"), strict=True)
    )
    assert all(c.level == "breaking" for c in removed)


def test_member_names_that_are_not_strings_are_left_out() -> None:
    odd: dict[Any, Any] = {1: "one", None: {}, "x": {}}
    hostile = single(
        responses={
            **odd,
            "200": {"description": "ok", "content": {**odd, "a/b": {}}, "headers": odd},
        },
        security=[{**odd, "key": []}],
        tags=[1, None, "pets"],
    )
    hostile["webhooks"] = odd
    hostile["components"] = {
        "schemas": odd,
        "securitySchemes": {**odd, "k": {"flows": {**odd, "implicit": {"scopes": odd}}}},
    }
    for old, new in ((hostile, single()), (single(), hostile), (hostile, hostile)):
        assert isinstance(diff(old, new), list)


def test_a_huge_unreadable_value_is_quoted_short() -> None:
    sunset: dict[str, Any] = {"x-sunset": {"when": "x" * 100_000}}
    old = single(deprecated=True, **sunset)
    (change,) = diff(old, document())
    assert change.id == "api-path-sunset-parse"
    assert len(change.message) < 300
