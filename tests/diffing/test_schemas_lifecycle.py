"""Deprecated properties (with or without a sunset, a grace period met or not, reactivated)
and their stability level: which rule each change triggers, and the near change that does
not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from apidock.diffing.schemas import SchemaPlace
from tests.diffing.test_schemas_properties import USER, obj
from tests.diffing.test_schemas_support import Case, check, prop, ref

STRING = {"type": "string"}


def _deprecations() -> list[Case]:
    cases = []
    for direction in ("request", "response"):
        place: SchemaPlace = "request-body" if direction == "request" else "response-body"
        rule = f"{direction}-property-"
        rows: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
            ("deprecated", STRING, {**STRING, "deprecated": True}, {}),
            ("deprecated-with-sunset", STRING, _deprecated("2999-12-31"), {}),
            ("deprecated-sunset-invalid", STRING, _deprecated("next spring"), {}),
            ("sunset-date-too-small", STRING, _deprecated("2000-01-01"), {}),
            (
                "deprecated-sunset-missing",
                STRING,
                {**STRING, "deprecated": True},
                {"sunset_days": 30},
            ),
            ("reactivated", {**STRING, "deprecated": True}, STRING, {}),
        ]
        for suffix, old, new, options in rows:
            others = tuple(f"{rule}{other}" for other, *_ in rows if other != suffix)
            cases.append(
                Case(
                    f"{rule}{suffix}",
                    place,
                    prop(old),
                    prop(new),
                    (f"{rule}{suffix}",),
                    others,
                    options=options,
                )
            )
        cases.append(
            Case(
                f"{rule}deprecated: a grace period met",
                place,
                prop(STRING),
                prop(_deprecated("2030-03-01")),
                (f"{rule}deprecated-with-sunset",),
                (f"{rule}sunset-date-too-small",),
                options={"sunset_days": 30, "today": date(2030, 1, 1)},
            )
        )
        cases.append(
            Case(
                f"{rule}deprecated: a grace period not met",
                place,
                prop(STRING),
                prop(_deprecated("2030-01-15")),
                (f"{rule}sunset-date-too-small",),
                (f"{rule}deprecated-with-sunset",),
                options={"sunset_days": 30, "today": date(2030, 1, 1)},
            )
        )
        for old_level, new_level, change in (
            ("stable", "beta", "decreased"),
            (None, "alpha", "decreased"),
            ("beta", "stable", "increased"),
        ):
            stability = f"{rule}stability-{change}"
            opposite = f"{rule}stability-{'increased' if change == 'decreased' else 'decreased'}"
            cases.append(
                Case(
                    f"{stability} ({old_level} to {new_level})",
                    place,
                    prop(_stability(old_level)),
                    prop(_stability(new_level)),
                    (stability,),
                    (opposite,),
                )
            )
        cases.append(
            Case(
                f"{rule}stability: below the beta threshold, free to change",
                place,
                prop(_stability("alpha")),
                prop(_stability("draft")),
                (),
                (f"{rule}stability-decreased", f"{rule}stability-increased"),
            )
        )
    return cases


def _deprecated(sunset: str) -> dict[str, Any]:
    return {**STRING, "deprecated": True, "x-sunset": sunset}


def _stability(level: str | None) -> dict[str, Any]:
    return STRING if level is None else {**STRING, "x-stability-level": level}


CASES: list[Case] = [
    *_deprecations(),
    Case(
        "deprecated beside a $ref: the property is deprecated",
        "response-body",
        obj(owner=ref("User")),
        obj(owner={**ref("User"), "deprecated": True}),
        ("response-property-deprecated",),
        ("response-property-reactivated",),
        old_components=USER,
        new_components=USER,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_lifecycle_rules(case: Case) -> None:
    check(case)
