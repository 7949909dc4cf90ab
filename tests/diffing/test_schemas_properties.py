"""Properties added, removed, required or not, readOnly/writeOnly: which rule each change
triggers, and the near change that does not."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing.schemas import SchemaPlace
from tests.diffing.test_schemas_support import Case, check, compare, ids, ref

STRING = {"type": "string"}


def obj(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


USER = {"User": {"type": "object", "properties": {"id": STRING}}}


def _mutability() -> list[Case]:
    """The 16 readOnly/writeOnly rules: each direction, required or optional, each way."""
    cases = []
    for direction in ("request", "response"):
        place: SchemaPlace = "request-body" if direction == "request" else "response-body"
        for which, required in (("required", ("a",)), ("optional", ())):
            for keyword, mode in (("readOnly", "read-only"), ("writeOnly", "write-only")):
                marked = {**STRING, keyword: True}
                became = f"{direction}-{which}-property-became-{mode}"
                became_not = f"{direction}-{which}-property-became-not-{mode}"
                cases.append(
                    Case(
                        became,
                        place,
                        obj(required, a=STRING),
                        obj(required, a=marked),
                        (became,),
                        (became_not,),
                    )
                )
                cases.append(
                    Case(
                        became_not,
                        place,
                        obj(required, a=marked),
                        obj(required, a=STRING),
                        (became_not,),
                        (became,),
                    )
                )
    return cases


CASES: list[Case] = [
    Case(
        "request-property-removed (a warning)",
        "request-body",
        obj(a=STRING, b=STRING),
        obj(a=STRING),
        ("request-property-removed",),
    ),
    Case(
        "a removed readOnly property was never sent",
        "request-body",
        obj(a=STRING, b={**STRING, "readOnly": True}),
        obj(a=STRING),
        (),
        ("request-property-removed",),
    ),
    Case(
        "new-required-request-property",
        "request-body",
        obj(a=STRING),
        obj(("b",), a=STRING, b=STRING),
        ("new-required-request-property",),
        ("new-optional-request-property", "new-required-request-property-with-default"),
    ),
    Case(
        "new-required-request-property-with-default",
        "request-body",
        obj(a=STRING),
        obj(("b",), a=STRING, b={**STRING, "default": "x"}),
        ("new-required-request-property-with-default",),
        ("new-required-request-property",),
    ),
    Case(
        "new-optional-request-property",
        "request-body",
        obj(a=STRING),
        obj(a=STRING, b=STRING),
        ("new-optional-request-property",),
        ("new-required-request-property",),
    ),
    Case(
        "a new required readOnly property is not the client's to send",
        "request-body",
        obj(a=STRING),
        obj(("b",), a=STRING, b={**STRING, "readOnly": True}),
        (),
        ("new-required-request-property", "new-optional-request-property"),
    ),
    Case(
        "nor anything below a readOnly property",
        "request-body",
        obj(meta=obj(a=STRING)),
        obj(meta={**obj(("b",), a=STRING, b=STRING), "readOnly": True}),
        ("request-optional-property-became-read-only",),
        ("new-required-request-property",),
    ),
    Case(
        "new-required-request-header-property",
        "request-header",
        obj(a=STRING),
        obj(("b",), a=STRING, b=STRING),
        ("new-required-request-header-property",),
    ),
    Case(
        "a new optional header property breaks nothing",
        "request-header",
        obj(a=STRING),
        obj(a=STRING, b=STRING),
        (),
        ("new-required-request-header-property",),
    ),
    Case(
        "response-required-property-removed",
        "response-body",
        obj(("a",), a=STRING),
        obj(),
        ("response-required-property-removed",),
        ("response-optional-property-removed",),
    ),
    Case(
        "response-optional-property-removed (a warning)",
        "response-body",
        obj(a=STRING),
        obj(),
        ("response-optional-property-removed",),
        ("response-required-property-removed",),
    ),
    Case(
        "response-required-write-only-property-removed",
        "response-body",
        obj(("a",), a={**STRING, "writeOnly": True}),
        obj(),
        ("response-required-write-only-property-removed",),
        ("response-required-property-removed", "response-optional-write-only-property-removed"),
    ),
    Case(
        "response-optional-write-only-property-removed",
        "response-body",
        obj(a={**STRING, "writeOnly": True}),
        obj(),
        ("response-optional-write-only-property-removed",),
        ("response-optional-property-removed", "response-required-write-only-property-removed"),
    ),
    Case(
        "response-required-property-added",
        "response-body",
        obj(),
        obj(("a",), a=STRING),
        ("response-required-property-added",),
        ("response-optional-property-added", "response-required-write-only-property-added"),
    ),
    Case(
        "response-optional-property-added",
        "response-body",
        obj(),
        obj(a=STRING),
        ("response-optional-property-added",),
        ("response-required-property-added", "response-optional-write-only-property-added"),
    ),
    Case(
        "response-required-write-only-property-added",
        "response-body",
        obj(),
        obj(("a",), a={**STRING, "writeOnly": True}),
        ("response-required-write-only-property-added",),
        ("response-required-property-added",),
    ),
    Case(
        "response-optional-write-only-property-added",
        "response-body",
        obj(),
        obj(a={**STRING, "writeOnly": True}),
        ("response-optional-write-only-property-added",),
        ("response-optional-property-added",),
    ),
    Case(
        "request-property-became-required",
        "request-body",
        obj(a=STRING),
        obj(("a",), a=STRING),
        ("request-property-became-required",),
        ("request-property-became-required-with-default", "new-required-request-property"),
    ),
    Case(
        "request-property-became-required-with-default",
        "request-body",
        obj(a={**STRING, "default": "x"}),
        obj(("a",), a={**STRING, "default": "x"}),
        ("request-property-became-required-with-default",),
        ("request-property-became-required",),
    ),
    Case(
        "request-property-became-optional",
        "request-body",
        obj(("a",), a=STRING),
        obj(a=STRING),
        ("request-property-became-optional",),
        ("request-property-became-required",),
    ),
    Case(
        "a readOnly property made required asks nothing of the client",
        "request-body",
        obj(a={**STRING, "readOnly": True}),
        obj(("a",), a={**STRING, "readOnly": True}),
        (),
        ("request-property-became-required", "request-property-became-optional"),
    ),
    Case(
        "request-header-property-became-required",
        "request-header",
        obj(a=STRING),
        obj(("a",), a=STRING),
        ("request-header-property-became-required",),
        ("request-property-became-required",),
    ),
    Case(
        "a header property made optional breaks nothing",
        "request-header",
        obj(("a",), a=STRING),
        obj(a=STRING),
        (),
        ("request-header-property-became-required",),
    ),
    Case(
        "response-property-became-optional",
        "response-body",
        obj(("a",), a=STRING),
        obj(a=STRING),
        ("response-property-became-optional",),
        ("response-write-only-property-became-optional",),
    ),
    Case(
        "response-write-only-property-became-optional",
        "response-body",
        obj(("a",), a={**STRING, "writeOnly": True}),
        obj(a={**STRING, "writeOnly": True}),
        ("response-write-only-property-became-optional",),
        ("response-property-became-optional",),
    ),
    Case(
        "response-property-became-required",
        "response-body",
        obj(a=STRING),
        obj(("a",), a=STRING),
        ("response-property-became-required",),
        ("response-write-only-property-became-required",),
    ),
    Case(
        "response-write-only-property-became-required",
        "response-body",
        obj(a={**STRING, "writeOnly": True}),
        obj(("a",), a={**STRING, "writeOnly": True}),
        ("response-write-only-property-became-required",),
        ("response-property-became-required",),
    ),
    *_mutability(),
    Case(
        "readOnly beside a $ref: the property is not the request's",
        "request-body",
        obj(a=STRING),
        obj(("owner",), a=STRING, owner={**ref("User"), "readOnly": True}),
        (),
        ("new-required-request-property",),
        new_components=USER,
    ),
    Case(
        "nor what changes inside it",
        "request-body",
        obj(owner={**ref("User"), "readOnly": True}),
        obj(owner={**ref("User"), "readOnly": True}),
        (),
        ("request-property-type-changed",),
        old_components=USER,
        new_components={"User": obj(id={"type": "integer"})},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_property_rules(case: Case) -> None:
    check(case)


def test_a_property_is_named_by_its_path_and_pointed_at_where_it_was() -> None:
    old = obj(pet=obj(tags={"type": "array", "items": obj(name=STRING, id=STRING)}))
    new = obj(pet=obj(tags={"type": "array", "items": obj(id=STRING, size=STRING)}))
    changes = compare("request-body", old, new)
    assert [(change.id, change.message) for change in changes] == [
        ("request-property-removed", "request property `pet/tags/items/name` was removed"),
        ("new-optional-request-property", "request property `pet/tags/items/size` was added"),
    ]
    removed, added = changes
    assert removed.pointer.endswith("/pet/properties/tags/items/properties/name")
    assert added.pointer.endswith("/pet/properties/tags/items/properties/size")


def test_a_hostile_required_list_or_property_map_is_no_property() -> None:
    assert ids(
        compare(
            "request-body", {"type": "object", "properties": [1], "required": "a"}, obj(a=STRING)
        )
    ) == {"new-optional-request-property"}
    assert ids(
        compare("response-body", obj(("a",), a=STRING), {"type": "object", "properties": 3})
    ) == {"response-required-property-removed"}
