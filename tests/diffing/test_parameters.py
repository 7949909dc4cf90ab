"""Parameters: added, removed, required or optional, deprecated, inherited from the path item,
matched through renamed path templates, and their schemas handed to the schema comparison."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing import walk as walk_module
from apidock.diffing.changes import Change
from apidock.diffing.walk import DiffPolicy
from tests.diffing.walk_builders import (
    FUTURE,
    PAST,
    POLICY,
    Case,
    case_id,
    diff,
    document,
    operation,
    rule_ids,
)

STRICT = DiffPolicy(today=POLICY.today, min_sunset_days_stable=30)


def parameter(name: str = "limit", where: str = "query", **members: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "schema": {"type": "integer"}, **members}


def with_parameters(
    *parameters: dict[str, Any], path_level: tuple[dict[str, Any], ...] = ()
) -> dict[str, Any]:
    item: dict[str, Any] = {"get": operation(parameters=list(parameters))}
    if path_level:
        item["parameters"] = list(path_level)
    return document({"/pets": item})


plain = with_parameters()
limit = with_parameters(parameter())
required_limit = with_parameters(parameter(required=True))
deprecated_limit = with_parameters(parameter(deprecated=True))


def deprecated_until(sunset: Any) -> dict[str, Any]:
    return with_parameters(parameter(deprecated=True, **{"x-sunset": sunset}))


def pet_by(name: str, *parameters: dict[str, Any]) -> dict[str, Any]:
    return document({f"/pets/{{{name}}}": {"get": operation(parameters=list(parameters))}})


CASES = [
    Case("new-required-request-parameter", plain, required_limit, near_new=limit),
    Case("new-optional-request-parameter", plain, limit, near_new=required_limit),
    Case(
        "new-request-path-parameter",
        pet_by("id"),
        pet_by("id", parameter("id", "path", required=True)),
        near_old=pet_by("id", parameter("id", "path", required=True)),
        near_new=pet_by("petId", parameter("petId", "path", required=True)),
    ),
    Case(
        "new-required-request-default-parameter-to-existing-path",
        plain,
        with_parameters(path_level=(parameter("X-Tenant", "header", required=True),)),
        near_new=with_parameters(parameter("X-Tenant", "header", required=True)),
    ),
    Case(
        "new-optional-request-default-parameter-to-existing-path",
        plain,
        with_parameters(path_level=(parameter(),)),
        near_new=limit,
    ),
    Case(
        "request-parameter-removed",
        limit,
        plain,
        near_new=with_parameters(path_level=(parameter(),)),
    ),
    Case(
        "request-parameter-removed-with-deprecation",
        deprecated_limit,
        plain,
        near_old=limit,
        near_new=plain,
    ),
    Case(
        "request-parameter-removed-before-sunset",
        deprecated_until(FUTURE),
        plain,
        near_old=deprecated_until(PAST),
        near_new=plain,
    ),
    Case(
        "request-parameter-sunset-parse",
        deprecated_until("soon"),
        plain,
        near_old=deprecated_until(PAST),
        near_new=plain,
    ),
    Case(
        "request-parameter-became-required",
        limit,
        required_limit,
        near_new=with_parameters(parameter(required=False)),
    ),
    Case("request-parameter-became-optional", required_limit, limit, near_new=required_limit),
    Case("request-parameter-deprecated", limit, deprecated_limit, near_new=limit),
    Case("request-parameter-deprecated", limit, deprecated_until(FUTURE), near_new=limit),
    Case("request-parameter-reactivated", deprecated_limit, limit, near_new=deprecated_limit),
    Case(
        "request-parameter-deprecated-sunset-missing",
        limit,
        deprecated_limit,
        near_new=deprecated_until("2025-08-01"),
        policy=STRICT,
    ),
    Case(
        "request-parameter-sunset-date-too-small",
        limit,
        deprecated_until(PAST),
        near_new=deprecated_until(FUTURE),
    ),
    Case(
        "request-parameter-sunset-parse",
        limit,
        deprecated_until("Q3"),
        near_new=deprecated_until(FUTURE),
    ),
    Case(
        "request-parameter-sunset-deleted",
        deprecated_until(FUTURE),
        deprecated_limit,
        near_new=limit,
    ),
    Case(
        "request-parameter-sunset-date-changed-too-small",
        deprecated_until(FUTURE),
        deprecated_until(PAST),
        near_new=deprecated_until("2025-10-01"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_rule(case: Case) -> None:
    case.check()


def test_moving_a_parameter_to_the_path_item_changes_nothing() -> None:
    assert diff(limit, with_parameters(path_level=(parameter(),))) == []


def test_an_operation_parameter_overrides_the_path_items() -> None:
    old = with_parameters(path_level=(parameter(),))
    new = with_parameters(parameter(required=True), path_level=(parameter(),))
    assert rule_ids(old, new) == ["request-parameter-became-required"]


def test_header_names_match_case_insensitively() -> None:
    old = with_parameters(parameter("X-Trace", "header"))
    assert diff(old, with_parameters(parameter("x-trace", "header"))) == []


def test_same_name_in_another_place_is_another_parameter() -> None:
    old = with_parameters(parameter("id", "query"))
    new = with_parameters(parameter("id", "cookie"))
    assert sorted(rule_ids(old, new)) == [
        "new-optional-request-parameter",
        "request-parameter-removed",
    ]


def test_a_renamed_path_template_matches_parameters_by_position() -> None:
    old = pet_by("id", parameter("id", "path", required=True))
    new = pet_by("petId", parameter("petId", "path", required=True, deprecated=True))
    (change,) = diff(old, new)
    assert (change.id, change.operation) == ("request-parameter-deprecated", "GET /pets/{id}")


def test_a_shared_parameter_is_reported_where_it_lives_for_each_operation() -> None:
    def shared(required: bool) -> dict[str, Any]:
        reference = {"$ref": "#/components/parameters/Limit"}
        return document(
            {
                "/pets": {"get": operation(parameters=[reference])},
                "/toys": {"get": operation(parameters=[reference])},
            },
            components={"parameters": {"Limit": parameter(required=required)}},
        )

    changes = diff(shared(False), shared(True))
    assert [(c.id, c.operation, c.pointer) for c in changes] == [
        ("request-parameter-became-required", "GET /pets", "/components/parameters/Limit/required"),
        ("request-parameter-became-required", "GET /toys", "/components/parameters/Limit/required"),
    ]


class Recorder:
    """Stands in for the schema comparison: records each call, answers one marker change."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(
        self,
        place: str,
        operation: str | None,
        old: Any,
        old_schema: Any,
        old_pointer: str,
        new: Any,
        new_schema: Any,
        new_pointer: str,
        *,
        name: str | None = None,
        media_type: str | None = None,
        required: bool = False,
        form_exploded: bool = False,
    ) -> list[Change]:
        self.calls.append(
            (
                place,
                operation,
                old_schema,
                old_pointer,
                new_schema,
                new_pointer,
                name,
                media_type,
                required,
                form_exploded,
            )
        )
        return [
            Change.of(
                "api-schema-removed", operation=operation, pointer=new_pointer, message="marker"
            )
        ]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    found = Recorder()
    monkeypatch.setattr(walk_module, "compare_schemas", found)
    return found


def test_parameter_schemas_go_to_the_schema_comparison(recorder: Recorder) -> None:
    header = parameter("X-Id", "header", schema={"$ref": "#/components/schemas/Id"})
    old = with_parameters(parameter(), header)
    old["components"] = {"schemas": {"Id": {"type": "string"}}}
    new = with_parameters(parameter(), {**header, "required": True})
    new["components"] = old["components"]
    diff(old, new)
    picked = (0, 1, 3, 5, 6, 7, 8, 9)
    assert [tuple(call[index] for index in picked) for call in recorder.calls] == [
        (
            "request-parameter",
            "GET /pets",
            "/paths/~1pets/get/parameters/0/schema",
            "/paths/~1pets/get/parameters/0/schema",
            "limit",
            None,
            False,
            True,  # a query parameter is form/explode unless it says otherwise
        ),
        (
            "request-header",
            "GET /pets",
            "/components/schemas/Id",
            "/components/schemas/Id",
            "X-Id",
            None,
            True,
            False,
        ),
    ]
    assert recorder.calls[1][2] == {"type": "string"}


def test_content_parameters_compare_each_media_type(recorder: Recorder) -> None:
    json_filter = {
        "name": "filter",
        "in": "query",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    plain_filter = {"name": "filter", "in": "query", "schema": {"type": "string"}}
    diff(with_parameters(json_filter), with_parameters(json_filter))
    diff(with_parameters(json_filter), with_parameters(plain_filter))
    assert [(call[3], call[5], call[7], call[9]) for call in recorder.calls] == [
        ("/paths/~1pets/get/parameters/0/content/application~1json/schema",) * 2
        + ("application/json", False),  # a media type's serialization is its own
        (
            "/paths/~1pets/get/parameters/0/content/application~1json/schema",
            "/paths/~1pets/get/parameters/0/schema",
            "application/json",
            False,
        ),
    ]


def test_a_shared_schema_is_compared_once_and_reported_on_every_operation(
    recorder: Recorder,
) -> None:
    reference = {"$ref": "#/components/parameters/Limit"}
    doc = document(
        {f"/p{index}": {"get": operation(parameters=[reference])} for index in range(3)},
        components={"parameters": {"Limit": parameter()}},
    )
    changes = diff(doc, doc)
    assert len(recorder.calls) == 1
    assert [c.operation for c in changes] == ["GET /p0", "GET /p1", "GET /p2"]
    assert {c.pointer for c in changes} == {"/components/parameters/Limit/schema"}


def test_parameters_of_a_sunset_parameter_removed_after_it_say_nothing() -> None:
    assert diff(deprecated_until(PAST), plain) == []


def test_parameter_removal_is_a_warning() -> None:
    (change,) = diff(limit, plain)
    assert (change.level, change.pointer) == ("warning", "/paths/~1pets/get/parameters/0")
