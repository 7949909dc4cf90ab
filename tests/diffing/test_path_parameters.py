"""Path parameters: paired by their positions in a renamed path template (as oasdiff pairs
them), the mistakes a document makes there, and the default of a path parameter."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing.parameters import Parameter, form_exploded
from tests.diffing.walk_builders import diff, document, operation, rule_ids

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}


def path_parameter(name: str, schema: Any = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or STRING}


def item(template: str, *parameters: dict[str, Any], **operations: Any) -> dict[str, Any]:
    """A document with the path `template`, its parameters at the path level."""
    path_item: dict[str, Any] = {"get": operation(), **operations}
    if parameters:
        path_item["parameters"] = list(parameters)
    return document({template: path_item})


def test_a_renamed_parameter_is_the_one_at_its_position_not_one_of_its_name() -> None:
    # the names changed places: by name each would change type, by position none did
    old = item("/a/{x}/{y}", path_parameter("x", INTEGER), path_parameter("y", BOOLEAN))
    new = item("/a/{y}/{x}", path_parameter("y", INTEGER), path_parameter("x", BOOLEAN))
    assert diff(old, new) == []
    by_name = item("/a/{x}/{y}", path_parameter("x", BOOLEAN), path_parameter("y", INTEGER))
    assert sorted(rule_ids(old, by_name)) == [
        "request-parameter-type-changed",
        "request-parameter-type-changed",
    ]


def test_a_template_renamed_to_the_name_its_parameter_had_is_no_removal() -> None:
    """oasdiff's `/api/test/{id}` → `/api/test/{testId}` (ApiAdded_DetectsModifiedPaths...):
    the old document declares `testId`, which its template does not name, and the import
    declared `{id}`; the new one names `testId`. `id` is `testId` (same position): only the
    parameter no template named is gone, as oasdiff reads it."""
    old = item("/api/test/{id}", path_parameter("testId"), path_parameter("id"))
    new = item("/api/test/{testId}", path_parameter("testId"), post=operation())
    changes = diff(old, new)
    assert [(c.id, c.operation, c.pointer) for c in changes] == [
        (
            "request-parameter-removed",
            "GET /api/test/{id}",
            "/paths/~1api~1test~1{id}/parameters/0",
        ),
        ("endpoint-added", "POST /api/test/{id}", "/paths/~1api~1test~1{testId}/post"),
    ]


def test_a_parameter_its_template_does_not_name_keeps_its_name() -> None:
    old = item("/a/{x}", path_parameter("x"), path_parameter("stray", INTEGER))
    new = item("/a/{y}", path_parameter("y"), path_parameter("stray", STRING))
    assert rule_ids(old, new) == ["request-parameter-type-generalized"]


def test_a_renamed_path_parameter_is_not_also_added() -> None:
    old = item("/a/{x}", path_parameter("x"))
    new = item("/a/{y}", path_parameter("y"))
    assert diff(old, new) == []
    assert rule_ids(old, item("/a/{y}", path_parameter("y"), path_parameter("z"))) == [
        "new-request-path-parameter"
    ]


def _with_default(template: str, name: str, where: str, default: str) -> dict[str, Any]:
    parameter = {"name": name, "in": where, "required": True}
    parameter["schema"] = {"type": "string", "default": default}
    return document({template: {"post": operation(parameters=[parameter])}})


def test_a_path_parameter_default_is_judged_though_it_is_required() -> None:
    """The import makes every path parameter required (the specification says it is);
    oasdiff judges the default of one written without `required` (its
    RequestParameterDefaultValueChangedAndRenamedParameter), and API Dock cannot tell."""
    old = _with_default("/groups/{group_id}", "group_id", "path", "2")
    new = _with_default("/groups/{groupId}", "groupId", "path", "1")
    [change] = diff(old, new)
    assert (change.id, change.operation) == (
        "request-parameter-default-value-changed",
        "POST /groups/{group_id}",
    )
    assert change.pointer == "/paths/~1groups~1{groupId}/post/parameters/0/schema/default"


def test_a_required_query_parameter_default_is_never_used() -> None:
    old = _with_default("/groups", "category", "query", "2")
    assert diff(old, _with_default("/groups", "category", "query", "1")) == []


@pytest.mark.parametrize(
    ("where", "members", "expected"),
    [
        ("query", {}, True),
        ("cookie", {}, True),
        ("query", {"style": "form"}, True),
        ("query", {"explode": False}, False),
        ("query", {"style": "spaceDelimited"}, False),
        ("query", {"style": "deepObject", "explode": True}, False),
        ("path", {}, False),
        ("header", {}, False),
        ("header", {"explode": True}, False),
        ("query", {"style": 3, "explode": "yes"}, True),  # not a style nor a flag: defaults
    ],
)
def test_form_explode_is_a_query_and_a_cookie_default(
    where: str, members: dict[str, Any], expected: bool
) -> None:
    node = {"name": "tag", "in": where, **members}
    parameter = Parameter(node, "/p", where, "tag", from_path_item=False)
    assert form_exploded(parameter) is expected
