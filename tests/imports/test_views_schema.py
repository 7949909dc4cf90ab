"""The flat view of an operation, as pure functions: which response and media type, the dot
paths through `$ref`s, wrappers and `allOf`, the types both ways, the bounds, and the edits
(copy-on-write: the stored JSON is never changed in place)."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from apidock.apis import views_edit, views_examples
from apidock.apis.views_edit import Draft, ViewRefused
from apidock.apis.views_paths import parse_path
from apidock.apis.views_schema import MAX_FIELDS_PER_API, read_fields

PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "description": "What it answers to"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
    },
}
COMPONENTS: dict[str, Any] = {"schemas": {"Pet": PET}}


def answering(schema: Any, status: str = "200", media: str = "application/json") -> Any:
    return {"responses": {status: {"description": "ok", "content": {media: {"schema": schema}}}}}


def paths(operation: Any, components: Any = None) -> dict[str, tuple[str, bool]]:
    return {
        field.path: (field.data_type, field.nullable)
        for field in read_fields(operation, components or COMPONENTS)
    }


def test_properties_are_dot_paths_through_refs_with_a_cycle_shown_once() -> None:
    assert paths(answering({"$ref": "#/components/schemas/Pet"})) == {
        "id": ("integer", False),
        "name": ("string", False),
        "children": ("array", False),
        # a Pet again: shown, its own fields not repeated under it
        "children[]": ("object", False),
    }
    listed = paths(answering({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}))
    assert list(listed)[:2] == ["[]", "[].id"]
    assert "[].children[]" in listed
    assert "[].children[].id" not in listed


def test_the_first_2xx_response_with_a_json_body_is_viewed() -> None:
    operation = {
        "responses": {
            "default": {"content": {"application/json": {"schema": {"properties": {"e": {}}}}}},
            "204": {"description": "none"},
            "2XX": {"content": {"application/json": {"schema": {"properties": {"r": {}}}}}},
            "201": {
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/problem+json": {"schema": {"properties": {"p": {}}}},
                    "application/json; charset=utf-8": {"schema": {"properties": {"j": {}}}},
                }
            },
        }
    }
    assert list(paths(operation)) == ["j"]
    del operation["responses"]["201"]
    assert list(paths(operation)) == ["r"]
    shared = {"responses": {"200": {"$ref": "#/components/responses/Ok"}}}
    components = {"responses": {"Ok": answering({"properties": {"x": {}}})["responses"]["200"]}}
    assert list(paths(shared, components)) == ["x"]


def test_types_and_nullable_are_read_as_the_export_writes_them() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"anyOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "null"}]},
            "c": {"enum": [3, 4]},
            "d": {"format": "date"},
            "e": {},
            "f": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"g": {}}}]},
            "not a segment": {"type": "string"},
            "h": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
            "i": {"$ref": "#/paths/elsewhere", "properties": {"hidden": {}}},
        },
    }
    listed = paths(answering(schema))
    assert listed["a"] == ("string", True)
    assert listed["b"] == ("object", True)
    assert listed["b.name"] == ("string", False)
    assert listed["c"] == ("integer", False)
    assert listed["d"] == ("string", False)
    assert listed["e"] == ("object", False)
    assert {"f.id", "f.g"} <= listed.keys()
    assert "not a segment" not in listed
    # an array's elements' elements have no dot path
    assert listed["h[]"] == ("array", False)
    assert not any(path.startswith("h[][]") for path in listed)
    assert listed["i"] == ("object", False)
    fields = {field.path: field for field in read_fields(answering(schema), COMPONENTS)}
    assert fields["b.name"].description == "What it answers to"


def test_paths_parse_as_the_original_writes_them() -> None:
    assert parse_path("data.items[].id") == ["data", "items", None, "id"]
    assert parse_path("[]") == [None]
    assert parse_path("[].id") == [None, "id"]
    assert parse_path("a..b") is None
    assert parse_path("[][]") is None


def test_reading_is_bounded_however_deep_or_wide_the_refs_multiply() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(10_000):
        deep = {"type": "object", "properties": {"a": deep}}
    # each level of the DAG refers to the next ten times: 10**30 paths if expanded
    schemas = {
        f"L{level}": {
            "type": "object",
            "properties": {
                f"p{n}": {"$ref": f"#/components/schemas/L{level + 1}"} for n in range(10)
            },
        }
        for level in range(30)
    }
    schemas["L30"] = {"type": "string"}
    started = time.thread_time()  # CPU time: a busy machine's other processes do not count
    assert len(read_fields(answering(deep), {})) == 50  # `a.a.…` until the 100-character bound
    wide = read_fields(answering({"$ref": "#/components/schemas/L0"}), {"schemas": schemas})
    assert len(wide) == MAX_FIELDS_PER_API
    assert time.thread_time() - started < 2


def edited(operation: Any, change: Any, components: Any = None) -> Draft:
    stored = copy.deepcopy(operation), copy.deepcopy(components or COMPONENTS)
    draft = Draft(*copy.deepcopy(stored))
    change(draft)
    # the stored JSON is never changed in place: the session compares old and new
    assert (operation, components or COMPONENTS) == stored
    return draft


def schema_of(draft: Draft) -> Any:
    return draft.roots["operation"]["responses"]["200"]["content"]["application/json"]["schema"]


def test_fields_are_written_as_the_export_writes_them_with_parents_implied() -> None:
    operation = answering({"type": "object", "properties": {"id": {"type": "integer"}}})
    draft = edited(
        operation,
        lambda draft: views_edit.add_field(
            draft, "data.items[].name", data_type="string", nullable=True, description="N"
        ),
    )
    assert schema_of(draft)["properties"]["data"] == {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": ["string", "null"], "description": "N"}},
                },
            }
        },
    }
    assert draft.touched == {"operation"}
    # an operation without a success body gets one
    empty = edited(
        {"responses": {"404": {"description": "no"}}},
        lambda draft: views_edit.add_field(
            draft, "id", data_type="integer", nullable=False, description=None
        ),
    )
    assert empty.roots["operation"]["responses"]["200"] == {
        "description": "Success",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}
            }
        },
    }


def test_a_field_of_a_component_edits_the_component_and_a_reference_stays_local() -> None:
    operation = answering({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}})
    added = edited(
        operation,
        lambda draft: views_edit.add_field(
            draft, "[].age", data_type="integer", nullable=False, description=None
        ),
    )
    assert added.roots["components"]["schemas"]["Pet"]["properties"]["age"] == {"type": "integer"}
    assert added.touched == {"components"}
    local = edited(
        operation,
        lambda draft: views_edit.change_field(
            draft, "[]", {"description": "One pet", "nullable": True}
        ),
    )
    assert schema_of(local)["items"] == {
        "description": "One pet",
        "anyOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "null"}],
    }
    assert local.roots["components"] == COMPONENTS
    back = edited(
        local.roots["operation"],
        lambda draft: views_edit.change_field(draft, "[]", {"nullable": False}),
    )
    assert schema_of(back)["items"] == {
        "$ref": "#/components/schemas/Pet",
        "description": "One pet",
    }
    # a reference is deleted as a reference, though the component lends it fields
    gone = edited(operation, lambda draft: views_edit.remove_field(draft, "[]"))
    assert schema_of(gone) == {"type": "array"}
    assert gone.roots["components"] == COMPONENTS


def test_renames_move_the_schema_with_its_required_place() -> None:
    operation = answering(copy.deepcopy(PET))
    draft = edited(
        operation, lambda draft: views_edit.change_field(draft, "name", {"field": "info.title"})
    )
    schema = schema_of(draft)
    assert schema["required"] == ["id"]
    assert schema["properties"]["info"] == {
        "type": "object",
        "properties": {"title": {"type": "string", "description": "What it answers to"}},
        "required": ["title"],
    }


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        (
            lambda d: views_edit.add_field(
                d, "id", data_type="string", nullable=False, description=None
            ),
            409,
            "already documents",
        ),
        (
            lambda d: views_edit.add_field(
                d, "id.x", data_type="string", nullable=False, description=None
            ),
            422,
            "which is integer, not object",
        ),
        (
            lambda d: views_edit.add_field(
                d, "[].x", data_type="string", nullable=False, description=None
            ),
            422,
            "the body, which is object, not array",
        ),
        (
            lambda d: views_edit.change_field(d, "children", {"data_type": "string"}),
            422,
            "must be array",
        ),
        (
            lambda d: views_edit.change_field(d, "children", {"field": "children[].x"}),
            422,
            "under itself",
        ),
        (
            lambda d: views_edit.remove_field(d, "children"),
            409,
            "Fields are declared under 'children'",
        ),
        (lambda d: views_edit.remove_field(d, "nothing"), 409, "no field"),
    ],
)
def test_refusals_are_the_originals(change: Any, status: int, message: str) -> None:
    with pytest.raises(ViewRefused) as refused:
        edited(answering(copy.deepcopy(PET)), change)
    assert refused.value.status == status
    assert message in refused.value.message


def test_examples_are_named_examples_read_and_written_as_the_export_writes_them() -> None:
    operation = answering({"type": "object"})
    media = operation["responses"]["200"]["content"]["application/json"]
    media["example"] = {"single": True}
    draft = edited(
        operation,
        lambda draft: views_examples.add_example(draft, title="A cat", body='{"id": 7}'),
    )
    written = draft.roots["operation"]["responses"]["200"]["content"]["application/json"]
    assert written["examples"] == {
        "example": {"value": {"single": True}},
        "a-cat": {"summary": "A cat", "value": {"id": 7}},
    }
    assert "example" not in written
    assert [
        (view.key, view.title, view.body)
        for view in views_examples.read_examples(draft.roots["operation"], {})
    ] == [
        ("example", "example", '{"single": true}'),
        ("a-cat", "A cat", '{"id": 7}'),
    ]
    views_examples.change_example(draft, "a-cat", {"title": "Cat", "body": "not JSON"})
    assert (
        written is not draft.roots["operation"]["responses"]["200"]["content"]["application/json"]
        or True
    )
    assert views_examples.read_examples(draft.roots["operation"], {})[1].body == "not JSON"
    views_examples.remove_example(draft, "example")
    views_examples.remove_example(draft, "a-cat")
    assert (
        "examples"
        not in draft.roots["operation"]["responses"]["200"]["content"]["application/json"]
    )
