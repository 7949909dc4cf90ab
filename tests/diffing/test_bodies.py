"""Request bodies: added, required or optional, media types added, removed or paired, a
schema appearing or going, and the schemas handed to the schema comparison."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing import walk as walk_module
from apidock.diffing.changes import Change
from tests.diffing.walk_builders import Case, case_id, diff, document, operation, single

OBJECT = {"type": "object"}


def with_body(
    content: dict[str, Any] | None = None, *, required: bool | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"content": content or {"application/json": {"schema": OBJECT}}}
    if required is not None:
        body["required"] = required
    return single(method="post", requestBody=body)


no_body = single(method="post")
json_body = with_body()
required_body = with_body(required=True)

CASES = [
    Case("request-body-added-required", no_body, required_body, near_new=json_body),
    Case("request-body-added-optional", no_body, json_body, near_new=required_body),
    Case("request-body-removed", json_body, no_body, near_new=with_body({"text/plain": {}})),
    Case(
        "request-body-became-required", json_body, required_body, near_new=with_body(required=False)
    ),
    Case("request-body-became-optional", required_body, json_body, near_new=required_body),
    Case(
        "request-body-media-type-added",
        json_body,
        with_body({"application/json": {"schema": OBJECT}, "text/csv": {}}),
        near_new=with_body({"application/json; charset=utf-8": {"schema": OBJECT}}),
    ),
    Case(
        "request-body-media-type-removed",
        with_body({"application/json": {"schema": OBJECT}, "text/csv": {}}),
        json_body,
        near_new=with_body(
            {"application/json": {"schema": OBJECT}, "text/csv; header=present": {}}
        ),
    ),
    Case(
        "request-body-media-type-schema-added",
        with_body({"application/json": {}}),
        json_body,
        near_new=with_body({"application/json": {"example": {}}}),
    ),
    Case(
        "request-body-media-type-schema-removed",
        json_body,
        with_body({"application/json": {}}),
        near_new=json_body,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_rule(case: Case) -> None:
    case.check()


def test_a_shared_request_body_is_followed_and_reported_on_each_operation() -> None:
    def shared(required: bool) -> dict[str, Any]:
        reference = {"$ref": "#/components/requestBodies/Pet"}
        return document(
            {
                "/pets": {
                    "post": operation(requestBody=reference),
                    "put": operation(requestBody=reference),
                }
            },
            components={
                "requestBodies": {
                    "Pet": {"required": required, "content": {"application/json": {}}}
                }
            },
        )

    changes = diff(shared(False), shared(True))
    assert [(c.id, c.operation, c.pointer) for c in changes] == [
        ("request-body-became-required", "PUT /pets", "/components/requestBodies/Pet/required"),
        ("request-body-became-required", "POST /pets", "/components/requestBodies/Pet/required"),
    ]


def test_removing_a_media_type_points_into_the_old_document() -> None:
    old = with_body({"application/json": {"schema": OBJECT}, "application/xml": {}})
    (change,) = diff(old, json_body)
    assert change.pointer == "/paths/~1pets/post/requestBody/content/application~1xml"


def test_body_schemas_go_to_the_schema_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str | None, str, str, str]] = []

    def record(place: str, operation: str | None, *args: Any, **kwargs: Any) -> list[Change]:
        calls.append((place, operation, args[2], args[5], kwargs["media_type"]))
        return []

    monkeypatch.setattr(walk_module, "compare_schemas", record)
    old = with_body({"application/json": {"schema": OBJECT}})
    new = with_body({"application/merge-patch+json": {"schema": OBJECT}})
    diff(old, new)
    assert calls == [
        (
            "request-body",
            "POST /pets",
            "/paths/~1pets/post/requestBody/content/application~1json/schema",
            "/paths/~1pets/post/requestBody/content/application~1merge-patch+json/schema",
            "application/merge-patch+json",
        )
    ]
