"""Composition (`allOf`/`anyOf`/`oneOf`, `prefixItems`), the other 2020-12 subschema keywords
and the discriminator: which rule each change triggers, the near change that does not, and
how members pair up."""

from __future__ import annotations

from typing import Any

import pytest

from tests.diffing.test_schemas_support import Case, check, compare, family, ids, ref

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
CAT = {"type": "object", "properties": {"meow": STRING}}
DOG = {"type": "object", "properties": {"bark": STRING}}
PETS = {"Cat": CAT, "Dog": DOG}


def _with(keyword: str, value: Any) -> dict[str, Any]:
    return {"type": "object", keyword: value}


def _discriminated(mapping: dict[str, str], property_name: str = "kind") -> dict[str, Any]:
    return {
        "oneOf": [ref("Cat"), ref("Dog")],
        "discriminator": {"propertyName": property_name, "mapping": mapping},
    }


def _family(keyword: str) -> str:
    return {
        "propertyNames": "property-names",
        "contentSchema": "content-schema",
        "unevaluatedItems": "unevaluated-items",
        "unevaluatedProperties": "unevaluated-properties",
    }.get(keyword, keyword)


CAT_MAP = {"cat": "#/components/schemas/Cat"}
BOTH_MAP = {**CAT_MAP, "dog": "#/components/schemas/Dog"}


def _pets(case: Case) -> Case:
    return Case(
        case.name,
        case.place,
        case.old,
        case.new,
        case.present,
        case.absent,
        old_components=PETS,
        new_components=PETS,
    )


CASES: list[Case] = [
    *family("all-of-added", {"allOf": [CAT]}, {"allOf": [CAT, DOG]}),
    *family("all-of-removed", {"allOf": [CAT, DOG]}, {"allOf": [CAT]}),
    *family("all-of-added-annotation-only", {"allOf": [CAT]}, {"allOf": [CAT, {"title": "x"}]}),
    *family(
        "all-of-removed-annotation-only", {"allOf": [CAT, {"description": "d"}]}, {"allOf": [CAT]}
    ),
    *family("all-of-added", {"allOf": [CAT]}, {"allOf": [CAT, {"title": "x"}]}, present=False),
    *family("all-of-removed", {"allOf": [CAT, {"title": "x"}]}, {"allOf": [CAT]}, present=False),
    *family("all-of-added-annotation-only", {"allOf": [CAT]}, {"allOf": [DOG, CAT]}, present=False),
    *family(
        "all-of-removed-annotation-only", {"allOf": [CAT, DOG]}, {"allOf": [DOG]}, present=False
    ),
    *family("any-of-added", {"anyOf": [CAT]}, {"anyOf": [CAT, DOG]}),
    *family("any-of-removed", {"anyOf": [CAT, DOG]}, {"anyOf": [DOG]}),
    *family("one-of-added", {"oneOf": [CAT]}, {"oneOf": [CAT, DOG]}),
    *family("one-of-removed", {"oneOf": [CAT, DOG]}, {"oneOf": [DOG]}),
    *family("any-of-added", {"anyOf": [CAT, DOG]}, {"anyOf": [DOG, CAT]}, present=False),
    *family("any-of-removed", {"anyOf": [CAT, DOG]}, {"anyOf": [DOG, CAT]}, present=False),
    *family("one-of-added", {"oneOf": [CAT, DOG]}, {"oneOf": [DOG, CAT]}, present=False),
    *family("one-of-removed", {"oneOf": [CAT, DOG]}, {"oneOf": [DOG, CAT]}, present=False),
    *family("prefix-items-added", {"prefixItems": [STRING]}, {"prefixItems": [STRING, INTEGER]}),
    *family("prefix-items-removed", {"prefixItems": [STRING, INTEGER]}, {"prefixItems": [STRING]}),
    *family(
        "prefix-items-added", {"prefixItems": [STRING]}, {"prefixItems": [INTEGER]}, present=False
    ),
    *family(
        "prefix-items-removed", {"prefixItems": [STRING]}, {"prefixItems": [INTEGER]}, present=False
    ),
    *[
        case
        for keyword in ("if", "then", "else", "contains", "propertyNames", "contentSchema")
        for case in (
            *family(f"{_family(keyword)}-added", {"type": "object"}, _with(keyword, STRING)),
            *family(f"{_family(keyword)}-removed", _with(keyword, STRING), {"type": "object"}),
            *family(
                f"{_family(keyword)}-added",
                _with(keyword, STRING),
                _with(keyword, INTEGER),
                present=False,
            ),
            *family(
                f"{_family(keyword)}-removed",
                _with(keyword, STRING),
                _with(keyword, INTEGER),
                present=False,
            ),
        )
    ],
    *[
        case
        for keyword in ("unevaluatedItems", "unevaluatedProperties")
        for case in (
            *family(f"{_family(keyword)}-added", {"type": "object"}, _with(keyword, False)),
            *family(f"{_family(keyword)}-removed", _with(keyword, STRING), _with(keyword, True)),
            *family(
                f"{_family(keyword)}-added", {"type": "object"}, _with(keyword, True), present=False
            ),
            *family(
                f"{_family(keyword)}-removed",
                _with(keyword, False),
                _with(keyword, STRING),
                present=False,
            ),
        )
    ],
    *family("content-media-type-changed", {"contentMediaType": "a/b"}, {"contentMediaType": "a/c"}),
    *family("content-encoding-changed", {"contentEncoding": "base64"}, {}),
    *family(
        "content-media-type-changed",
        {"contentMediaType": "a/b"},
        {"contentMediaType": "a/b"},
        present=False,
    ),
    *family(
        "content-encoding-changed",
        {"contentEncoding": "base64"},
        {"contentEncoding": "base64"},
        present=False,
    ),
    *family(
        "dependent-required-added", {"type": "object"}, _with("dependentRequired", {"a": ["b"]})
    ),
    *family(
        "dependent-required-removed", _with("dependentRequired", {"a": ["b"]}), {"type": "object"}
    ),
    *family(
        "dependent-required-changed",
        _with("dependentRequired", {"a": ["b"]}),
        _with("dependentRequired", {"a": ["b", "c"]}),
    ),
    *family(
        "dependent-required-changed",
        _with("dependentRequired", {"a": ["b", "c"]}),
        _with("dependentRequired", {"a": ["c", "b"]}),
        present=False,
    ),
    *family(
        "dependent-required-added",
        _with("dependentRequired", {"a": ["b"]}),
        _with("dependentRequired", {"a": ["c"]}),
        present=False,
    ),
    *family(
        "dependent-required-removed",
        _with("dependentRequired", {"a": ["b"]}),
        _with("dependentRequired", {"a": ["c"]}),
        present=False,
    ),
    *[
        case
        for keyword, suffix in (
            ("dependentSchemas", "dependent-schema"),
            ("patternProperties", "pattern-property"),
        )
        for case in (
            *family(f"{suffix}-added", {"type": "object"}, _with(keyword, {"^x-": STRING})),
            *family(f"{suffix}-removed", _with(keyword, {"^x-": STRING}), {"type": "object"}),
            *family(
                f"{suffix}-added",
                _with(keyword, {"^x-": STRING}),
                _with(keyword, {"^x-": INTEGER}),
                present=False,
            ),
            *family(
                f"{suffix}-removed",
                _with(keyword, {"^x-": STRING}),
                _with(keyword, {"^x-": INTEGER}),
                present=False,
            ),
        )
    ],
    *[
        _pets(case)
        for case in (
            *family(
                "discriminator-added", {"oneOf": [ref("Cat"), ref("Dog")]}, _discriminated(CAT_MAP)
            ),
            *family(
                "discriminator-removed",
                _discriminated(CAT_MAP),
                {"oneOf": [ref("Cat"), ref("Dog")]},
            ),
            *family(
                "discriminator-property-name-changed",
                _discriminated(CAT_MAP),
                _discriminated(CAT_MAP, "type"),
            ),
            *family(
                "discriminator-mapping-added", _discriminated(CAT_MAP), _discriminated(BOTH_MAP)
            ),
            *family(
                "discriminator-mapping-deleted", _discriminated(BOTH_MAP), _discriminated(CAT_MAP)
            ),
            *family(
                "discriminator-mapping-changed",
                _discriminated(CAT_MAP),
                _discriminated({"cat": "#/components/schemas/Dog"}),
            ),
            *[
                near
                for suffix in (
                    "discriminator-added",
                    "discriminator-removed",
                    "discriminator-property-name-changed",
                    "discriminator-mapping-added",
                    "discriminator-mapping-deleted",
                    "discriminator-mapping-changed",
                )
                for near in family(
                    suffix, _discriminated(CAT_MAP), _discriminated(dict(CAT_MAP)), present=False
                )
            ],
        )
    ],
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_composition_and_keyword_rules(case: Case) -> None:
    check(case)


def test_members_pair_by_ref_so_a_component_change_is_found_under_it() -> None:
    old_pets = {"Cat": CAT, "Dog": DOG}
    new_pets = {"Cat": {"type": "object", "properties": {"meow": INTEGER}}, "Dog": DOG}
    changes = compare(
        "request-body",
        {"oneOf": [ref("Cat"), ref("Dog")]},
        {"oneOf": [ref("Dog"), ref("Cat")]},
        old_components=old_pets,
        new_components=new_pets,
    )
    assert [(change.id, change.pointer, change.message) for change in changes] == [
        (
            "request-property-type-changed",
            "/components/schemas/Cat/properties/meow/type",
            "request property `oneOf[Cat]/meow` type changed from `string` to `integer`",
        )
    ]


def test_an_inline_member_pairs_by_title_then_alone_with_the_one_left() -> None:
    titled_old = {"anyOf": [{**CAT, "title": "cat"}, {**DOG, "title": "dog"}]}
    titled_new = {"anyOf": [{**DOG, "title": "dog"}, {"type": "object", "title": "cat"}]}
    assert ids(compare("request-body", titled_old, titled_new)) == {"request-property-removed"}
    lone = compare("request-body", {"allOf": [CAT]}, {"allOf": [{**CAT, "required": ["meow"]}]})
    assert ids(lone) == {"request-property-became-required"}
    assert lone[0].message == "request property `allOf[#1]/meow` became required"


def test_an_inline_member_that_became_a_ref_to_the_same_schema_is_the_same_member() -> None:
    changes = compare(
        "response-body",
        {"oneOf": [CAT, DOG]},
        {"oneOf": [ref("Cat"), DOG]},
        new_components=PETS,
    )
    assert ids(changes) == set()


def test_one_change_per_member_each_at_its_own_pointer() -> None:
    changes = compare("request-body", {"anyOf": [CAT, DOG, STRING]}, {"anyOf": [INTEGER]})
    removed = [change for change in changes if change.id == "request-body-any-of-removed"]
    assert [change.pointer.rsplit("/", 1)[-1] for change in removed] == ["0", "1", "2"]
    assert "request-body-any-of-added" in ids(changes)
