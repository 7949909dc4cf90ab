"""Paths and operations: matching, added and removed endpoints, deprecation, sunset and
stability of operations, operationId and tags."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from apidock.diffing.lifecycle import sunset_date
from apidock.diffing.paths import match_paths
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
    single,
)

DEPRECATED: dict[str, Any] = {"deprecated": True}
STRICT = DiffPolicy(today=POLICY.today, min_sunset_days_stable=30)
two_methods = document({"/pets": {"get": operation(), "post": operation()}})


def with_post(**members: object) -> dict[str, object]:
    return document({"/pets": {"get": operation(), "post": operation(**members)}})


CASES = [
    Case("endpoint-added", document(), single(), near_new=document(), near_old=single()),
    Case("endpoint-added", single(), two_methods, near_new=single()),
    Case("api-path-removed-without-deprecation", single(), document(), near_new=single()),
    Case(
        "api-path-removed-with-deprecation",
        single(**DEPRECATED),
        document(),
        near_old=single(),
        near_new=document(),
    ),
    Case(
        "api-path-removed-before-sunset",
        single(**DEPRECATED, **{"x-sunset": FUTURE}),
        document(),
        near_old=single(**DEPRECATED, **{"x-sunset": PAST}),
        near_new=document(),
    ),
    Case(
        "api-path-sunset-parse",
        single(**DEPRECATED, **{"x-sunset": "next spring"}),
        document(),
        near_old=single(**DEPRECATED, **{"x-sunset": "2025-03-01T10:00:00Z"}),
        near_new=document(),
    ),
    Case("api-removed-without-deprecation", two_methods, single(), near_new=two_methods),
    Case(
        "api-removed-with-deprecation",
        with_post(**DEPRECATED),
        single(),
        near_old=two_methods,
        near_new=single(),
    ),
    Case(
        "api-removed-before-sunset",
        with_post(**DEPRECATED, **{"x-sunset": FUTURE}),
        single(),
        near_old=with_post(**DEPRECATED, **{"x-sunset": PAST}),
        near_new=single(),
    ),
    Case("endpoint-deprecated", single(), single(**DEPRECATED), near_new=single(deprecated=False)),
    Case(
        "endpoint-deprecated-with-sunset",
        single(),
        single(**DEPRECATED, **{"x-sunset": FUTURE}),
        near_new=single(**DEPRECATED),
    ),
    Case(
        "endpoint-reactivated",
        single(**DEPRECATED),
        single(),
        near_old=single(**DEPRECATED),
        near_new=single(**DEPRECATED, summary="still"),
    ),
    Case(
        "api-deprecated-sunset-missing",
        single(),
        single(**DEPRECATED),
        near_new=single(**DEPRECATED, **{"x-sunset": FUTURE}),
        policy=STRICT,
    ),
    Case(
        "api-deprecated-sunset-parse",
        single(),
        single(**DEPRECATED, **{"x-sunset": "31/12/2025"}),
        near_new=single(**DEPRECATED, **{"x-sunset": FUTURE}),
    ),
    Case(
        "api-sunset-date-too-small",
        single(),
        single(**DEPRECATED, **{"x-sunset": PAST}),
        near_new=single(**DEPRECATED, **{"x-sunset": FUTURE}),
    ),
    Case(
        "api-sunset-date-too-small",
        single(),
        single(**DEPRECATED, **{"x-sunset": "2025-06-20"}),
        near_new=single(**DEPRECATED, **{"x-sunset": "2025-07-20"}),
        policy=STRICT,
    ),
    Case(
        "sunset-deleted",
        single(**DEPRECATED, **{"x-sunset": FUTURE}),
        single(**DEPRECATED),
        near_new=single(),
    ),
    Case(
        "api-sunset-date-changed-too-small",
        single(**DEPRECATED, **{"x-sunset": FUTURE}),
        single(**DEPRECATED, **{"x-sunset": PAST}),
        near_new=single(**DEPRECATED, **{"x-sunset": "2025-09-01"}),
    ),
    Case(
        "api-path-sunset-parse",
        single(**DEPRECATED, **{"x-sunset": FUTURE}),
        single(**DEPRECATED, **{"x-sunset": "later"}),
        near_new=single(**DEPRECATED, **{"x-sunset": "2026-01-31"}),
    ),
    Case(
        "api-stability-decreased",
        single(**{"x-stability-level": "stable"}),
        single(**{"x-stability-level": "beta"}),
        near_new=single(),
    ),
    Case(
        "api-stability-increased",
        single(**{"x-stability-level": "beta"}),
        single(),
        near_new=single(**{"x-stability-level": "beta"}),
    ),
    Case(
        "api-invalid-stability-level",
        single(),
        single(summary="List", **{"x-stability-level": "experimental"}),
        near_new=single(summary="List", **{"x-stability-level": "beta"}),
    ),
    Case(
        "api-invalid-stability-level",
        two_methods,
        with_post(**{"x-stability-level": "experimental"}),
        near_new=with_post(**{"x-stability-level": "experimental"}),
        near_old=with_post(**{"x-stability-level": "experimental"}),
    ),
    Case("api-operation-id-added", single(), single(operationId="listPets"), near_new=single()),
    Case(
        "api-operation-id-removed",
        single(operationId="listPets"),
        single(operationId="getPets"),
        near_new=single(operationId="listPets"),
    ),
    Case(
        "api-operation-id-removed",
        single(operationId="listPets"),
        single(),
        near_new=single(operationId="listPets"),
    ),
    Case(
        "api-tag-added",
        single(tags=["pets"]),
        single(tags=["pets", "store"]),
        near_new=single(tags=["pets"]),
    ),
    Case(
        "api-tag-removed",
        single(tags=["pets", "store"]),
        single(tags=["pets"]),
        near_new=single(tags=["store", "pets"]),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_rule(case: Case) -> None:
    case.check()


def test_a_renamed_path_parameter_is_the_same_path() -> None:
    def pets(name: str) -> dict[str, object]:
        parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        return document({f"/pets/{{{name}}}": {"get": operation(parameters=[parameter])}})

    assert diff(pets("id"), pets("petId")) == []


def test_paths_pair_by_exact_name_before_template() -> None:
    pairs, removed, added = match_paths(["/a/{id}", "/b"], ["/a/{id}", "/a/{x}", "/c"])
    assert pairs == [("/a/{id}", "/a/{id}")]
    assert removed == ["/b"]
    assert added == ["/a/{x}", "/c"]


def test_ambiguous_templates_are_not_guessed() -> None:
    pairs, removed, added = match_paths(["/a/{x}", "/a/{y}"], ["/a/{z}"])
    assert pairs == []
    assert removed == ["/a/{x}", "/a/{y}"]
    assert added == ["/a/{z}"]


def test_removing_a_path_reports_each_operation() -> None:
    changes = diff(two_methods, document())
    assert [(c.id, c.operation, c.pointer) for c in changes] == [
        ("api-path-removed-without-deprecation", "GET /pets", "/paths/~1pets/get"),
        ("api-path-removed-without-deprecation", "POST /pets", "/paths/~1pets/post"),
    ]
    assert all(c.level == "breaking" for c in changes)


def test_removing_a_deprecated_path_is_info() -> None:
    (change,) = diff(single(**DEPRECATED), document())
    assert (change.id, change.level) == ("api-path-removed-with-deprecation", "info")


def test_removing_after_the_sunset_says_nothing() -> None:
    assert diff(with_post(**DEPRECATED, **{"x-sunset": PAST}), single()) == []


@pytest.mark.parametrize("level", ["alpha", "draft"])
def test_unstable_operations_may_change_and_go(level: str) -> None:
    unstable = single(**{"x-stability-level": level})
    required = {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
    assert diff(unstable, single(parameters=[required], **{"x-stability-level": level})) == []
    assert diff(unstable, document()) == []
    assert diff(with_post(**{"x-stability-level": level}), single()) == []


def test_a_lower_threshold_checks_alpha_operations() -> None:
    policy = DiffPolicy(today=POLICY.today, stability_threshold="alpha")
    alpha = with_post(**{"x-stability-level": "alpha"})
    assert rule_ids(alpha, single(), policy) == ["api-removed-without-deprecation"]


def test_becoming_alpha_reports_only_the_stability() -> None:
    required = {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
    new = single(parameters=[required], **{"x-stability-level": "alpha"})
    assert rule_ids(single(), new) == ["api-stability-decreased"]


def test_an_invalid_stability_on_a_removed_operation_is_reported_instead() -> None:
    old = with_post(**{"x-stability-level": "gamma"})
    assert rule_ids(old, single()) == ["api-invalid-stability-level"]


def test_deprecation_messages_carry_the_sunset() -> None:
    (change,) = diff(single(), single(**DEPRECATED, **{"x-sunset": "2026-02-01T00:00:00+02:00"}))
    assert change.id == "endpoint-deprecated-with-sunset"
    assert "2026-02-01" in change.message
    assert change.pointer == "/paths/~1pets/get/deprecated"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-12-31", date(2025, 12, 31)),
        ("2025-12-31T23:30:00Z", date(2025, 12, 31)),
        ("2025-12-31t23:30:00.5-05:00", date(2025, 12, 31)),
        (date(2025, 1, 2), date(2025, 1, 2)),
        ("2025-02-30", None),
        ("2025-12-31T23:30:00", None),
        ("31/12/2025", None),
        ("2025-12-31 ", None),
        (20251231, None),
        (None, None),
    ],
)
def test_sunset_dates_are_rfc_3339(value: object, day: date | None) -> None:
    assert sunset_date(value) == day
