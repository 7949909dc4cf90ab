"""Responses: statuses, media types and their names, a schema appearing or going, headers,
shared responses and the schemas handed to the schema comparison."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing import walk as walk_module
from apidock.diffing.changes import Change
from apidock.diffing.media import contained, pair_media_types, parse_media_type
from apidock.diffing.responses import status_class
from tests.diffing.walk_builders import Case, case_id, diff, document, operation, rule_ids, single

OBJECT = {"type": "object"}


def with_responses(**responses: Any) -> dict[str, Any]:
    return single(responses=responses)


def ok(*names: str, **headers: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if names:
        response["content"] = {name: {"schema": OBJECT} for name in names}
    if headers:
        response["headers"] = headers
    return response


json_ok = with_responses(**{"200": ok("application/json")})
rate = {"schema": {"type": "integer"}}
required_rate = {"schema": {"type": "integer"}, "required": True}

CASES = [
    Case(
        "response-success-status-added",
        json_ok,
        with_responses(**{"200": ok("application/json"), "201": ok()}),
        near_new=with_responses(**{"200": ok("application/json"), "404": ok()}),
    ),
    Case(
        "response-success-status-removed",
        with_responses(**{"200": ok("application/json"), "2XX": ok()}),
        json_ok,
        near_new=with_responses(**{"200": ok("application/json"), "2xx": ok()}),
    ),
    Case(
        "response-non-success-status-added",
        json_ok,
        with_responses(**{"200": ok("application/json"), "4XX": ok()}),
        near_new=with_responses(**{"200": ok("application/json"), "default": ok()}),
    ),
    Case(
        "response-non-success-status-removed",
        with_responses(**{"200": ok("application/json"), "404": ok()}),
        json_ok,
        near_new=with_responses(**{"200": ok("application/json"), "404": ok("application/json")}),
    ),
    Case(
        "response-media-type-added",
        json_ok,
        with_responses(**{"200": ok("application/json", "application/xml")}),
        near_new=with_responses(**{"200": ok("application/problem+json")}),
    ),
    Case(
        "response-media-type-removed",
        with_responses(**{"200": ok("application/json", "text/csv")}),
        json_ok,
        near_new=with_responses(**{"200": ok("application/json", "text/csv;header=present")}),
    ),
    Case(
        "response-media-type-name-changed",
        json_ok,
        with_responses(**{"200": ok("application/json; charset=utf-8")}),
        near_new=with_responses(**{"200": ok("application/problem+json")}),
    ),
    Case(
        "response-media-type-name-generalized",
        with_responses(**{"200": ok("application/problem+json")}),
        json_ok,
        near_old=json_ok,
        near_new=with_responses(**{"200": ok("application/problem+json")}),
    ),
    Case(
        "response-media-type-name-specialized",
        json_ok,
        with_responses(**{"200": ok("application/problem+json")}),
        near_new=with_responses(**{"200": ok("application/json; charset=utf-8")}),
    ),
    Case(
        "response-body-media-type-schema-added",
        with_responses(**{"200": {"description": "ok", "content": {"application/json": {}}}}),
        json_ok,
        near_new=with_responses(
            **{"200": {"description": "ok", "content": {"application/json": {}}}}
        ),
    ),
    Case(
        "response-body-media-type-schema-removed",
        json_ok,
        with_responses(**{"200": {"description": "ok", "content": {"application/json": {}}}}),
        near_new=json_ok,
    ),
    Case(
        "response-header-added",
        with_responses(**{"200": ok()}),
        with_responses(**{"200": ok(**{"X-Rate": rate})}),
        near_new=with_responses(**{"200": ok()}),
    ),
    Case(
        "required-response-header-removed",
        with_responses(**{"200": ok(**{"X-Rate": required_rate})}),
        with_responses(**{"200": ok()}),
        near_new=with_responses(**{"200": ok(**{"x-rate": required_rate})}),
    ),
    Case(
        "optional-response-header-removed",
        with_responses(**{"200": ok(**{"X-Rate": rate})}),
        with_responses(**{"200": ok()}),
        near_old=with_responses(**{"200": ok(**{"X-Rate": required_rate})}),
        near_new=with_responses(**{"200": ok()}),
    ),
    Case(
        "response-header-became-optional",
        with_responses(**{"200": ok(**{"X-Rate": required_rate})}),
        with_responses(**{"200": ok(**{"X-Rate": rate})}),
        near_old=with_responses(**{"200": ok(**{"X-Rate": rate})}),
        near_new=with_responses(**{"200": ok(**{"X-Rate": required_rate})}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_rule(case: Case) -> None:
    case.check()


def test_removing_a_success_breaks_and_a_failure_is_info() -> None:
    old = with_responses(**{"200": ok(), "404": ok()})
    levels = {c.id: c.level for c in diff(old, with_responses(**{"201": ok()}))}
    assert levels == {
        "response-success-status-removed": "breaking",
        "response-non-success-status-removed": "info",
        "response-success-status-added": "info",
    }


@pytest.mark.parametrize(
    ("status", "family"),
    [
        ("200", "success"),
        ("299", "success"),
        ("2XX", "success"),
        ("2xx", "success"),
        ("302", "non-success"),
        ("5XX", "non-success"),
        ("default", None),
        ("6XX", None),
        ("", None),
    ],
)
def test_status_families(status: str, family: str | None) -> None:
    assert status_class(status) == family


def test_a_shared_response_change_is_reported_on_every_operation() -> None:
    def shared(headers: dict[str, Any]) -> dict[str, Any]:
        reference = {"$ref": "#/components/responses/Error"}
        return document(
            {
                "/pets": {"get": operation(responses={"400": reference})},
                "/toys": {"delete": operation(responses={"400": reference})},
            },
            components={"responses": {"Error": ok("application/json", **headers)}},
        )

    changes = diff(shared({"X-Id": required_rate}), shared({}))
    assert [(c.id, c.operation, c.pointer) for c in changes] == [
        (
            "required-response-header-removed",
            "GET /pets",
            "/components/responses/Error/headers/X-Id",
        ),
        (
            "required-response-header-removed",
            "DELETE /toys",
            "/components/responses/Error/headers/X-Id",
        ),
    ]


def test_shared_headers_are_followed() -> None:
    def shared(required: bool) -> dict[str, Any]:
        return document(
            {
                "/pets": {
                    "get": operation(
                        responses={"200": ok(**{"X-Rate": {"$ref": "#/components/headers/Rate"}})}
                    )
                }
            },
            components={"headers": {"Rate": {"schema": {"type": "integer"}, "required": required}}},
        )

    (change,) = diff(shared(True), shared(False))
    assert (change.id, change.pointer) == (
        "response-header-became-optional",
        "/components/headers/Rate/required",
    )


def test_response_and_header_schemas_go_to_the_schema_comparison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, ...]] = []

    def record(
        place: str, operation: str | None, *args: Any, name: str | None = None, **more: Any
    ) -> list[Change]:
        calls.append((place, operation, args[2], name, more["media_type"]))
        return []

    monkeypatch.setattr(walk_module, "compare_schemas", record)
    doc = with_responses(**{"200": ok("application/json", **{"X-Rate": rate})})
    diff(doc, doc)
    assert calls == [
        (
            "response-header",
            "GET /pets",
            "/paths/~1pets/get/responses/200/headers/X-Rate/schema",
            "X-Rate",
            None,
        ),
        (
            "response-body",
            "GET /pets",
            "/paths/~1pets/get/responses/200/content/application~1json/schema",
            None,
            "application/json",
        ),
    ]


def test_media_type_names() -> None:
    parsed = parse_media_type('Application/Problem+JSON; Charset="utf-8"')
    assert parsed is not None
    assert (parsed.type, parsed.subtype, parsed.suffixes, parsed.parameters) == (
        "application",
        "problem",
        ("json",),
        (("charset", "utf-8"),),
    )
    assert parse_media_type("json") is None
    assert parse_media_type("application/") is None
    assert parse_media_type("a/b; nonsense") is None
    assert contained("application/json", "application/problem+json")
    assert not contained("application/problem+json", "application/json")
    assert contained("image/svg+xml", "image/svg+xml+zip")
    assert not contained("text/plain", "application/json")
    assert not contained("*/*", "application/json")


def test_media_type_pairing_is_bounded() -> None:
    old = [f"application/a{index}+json" for index in range(3000)]
    new = [f"application/b{index}+xml" for index in range(3000)]
    pairs, removed, added = pair_media_types(old, new)
    assert pairs == []
    assert (len(removed), len(added)) == (3000, 3000)


def test_a_renamed_response_media_type_is_reported_once() -> None:
    new = with_responses(**{"200": ok("application/problem+json")})
    assert rule_ids(json_ok, new) == ["response-media-type-name-specialized"]
