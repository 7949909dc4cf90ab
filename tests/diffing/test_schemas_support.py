"""What the schema comparison's tests share: building the two sides, a case table's row and
how it is checked; and the check that every rule the comparison declares has a row that
triggers it (the tables live in the other `test_schemas_*` modules)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from apidock.diffing.changes import Change, catalogue
from apidock.diffing.resolve import Side
from apidock.diffing.schemas import SchemaPlace, compare_schemas
from apidock.diffing.schemas_node import RULE_KINDS

OPERATION = "POST /things"
OLD_AT = "/paths/~1things/post/requestBody/content/application~1json/schema"
NEW_AT = OLD_AT


def document(schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"openapi": "3.1.0", "components": {"schemas": schemas or {}}}


def compare(
    place: SchemaPlace,
    old: Any,
    new: Any,
    *,
    old_components: dict[str, Any] | None = None,
    new_components: dict[str, Any] | None = None,
    **options: Any,
) -> list[Change]:
    """The changes between `old` and `new` at `place`, each side a document holding its
    components (for `$ref`s to `#/components/schemas/...`)."""
    if place in ("request-parameter", "request-header", "response-header"):
        options.setdefault("name", "X-Thing" if "header" in place else "limit")
    return compare_schemas(
        place,
        OPERATION,
        Side(document(old_components)),
        old,
        OLD_AT,
        Side(document(new_components)),
        new,
        NEW_AT,
        **options,
    )


def ids(changes: Iterable[Change]) -> set[str]:
    return {change.id for change in changes}


def prop(schema: Any, *, required: bool = False, **siblings: Any) -> dict[str, Any]:
    """An object whose one property `p` is `schema` (its rules are the property rules)."""
    wrapper: dict[str, Any] = {"type": "object", "properties": {"p": schema}, **siblings}
    if required:
        wrapper["required"] = ["p"]
    return wrapper


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@dataclass(frozen=True)
class Case:
    """One row: comparing `old` with `new` at `place` reports every rule of `present` and
    none of `absent`."""

    name: str
    place: SchemaPlace
    old: Any
    new: Any
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    old_components: dict[str, Any] = field(default_factory=dict)
    new_components: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def check(case: Case) -> None:
    changes = compare(
        case.place,
        case.old,
        case.new,
        old_components=case.old_components,
        new_components=case.new_components,
        **case.options,
    )
    found = ids(changes)
    assert set(case.present) <= found, (case.name, sorted(found))
    assert not set(case.absent) & found, (case.name, sorted(found))
    for change in changes:
        assert change.operation == OPERATION
        assert change.level == catalogue()[change.id]
        assert change.pointer.startswith("/"), change


LEVELS: dict[str, Callable[[Any], Any]] = {"body": lambda schema: schema, "property": prop}


def family(
    suffix: str,
    old: Any,
    new: Any,
    *,
    directions: tuple[str, ...] = ("request", "response"),
    levels: tuple[str, ...] = ("body", "property"),
    present: bool = True,
) -> list[Case]:
    """A row per direction and level for a family named alike in each
    (`request-body-X`, `request-property-X`, `response-body-X`, ...): `old` to `new`
    triggers it (or, with `present=False`, does not)."""
    cases = []
    for direction in directions:
        for level in levels:
            rule = f"{direction}-{level}-{suffix}"
            place: SchemaPlace = "request-body" if direction == "request" else "response-body"
            wrap = LEVELS[level]
            cases.append(
                Case(
                    f"{rule}{'' if present else ' (near)'}",
                    place,
                    wrap(old),
                    wrap(new),
                    present=(rule,) if present else (),
                    absent=() if present else (rule,),
                )
            )
    return cases


def test_every_declared_rule_has_a_row_that_triggers_it() -> None:
    from tests.diffing import (
        test_schemas_bounds,
        test_schemas_composition,
        test_schemas_lifecycle,
        test_schemas_nullability,
        test_schemas_properties,
        test_schemas_types,
        test_schemas_values,
    )

    tables = (
        test_schemas_bounds.CASES,
        test_schemas_composition.CASES,
        test_schemas_lifecycle.CASES,
        test_schemas_nullability.CASES,
        test_schemas_properties.CASES,
        test_schemas_types.CASES,
        test_schemas_values.CASES,
    )
    triggered = {rule for cases in tables for case in cases for rule in case.present}
    assert sorted(set(RULE_KINDS) - triggered) == []
    assert triggered <= set(RULE_KINDS)
    # and a near pair that does not trigger it
    spared = {rule for cases in tables for case in cases for rule in case.absent}
    assert sorted(set(RULE_KINDS) - spared) == []


def test_every_declared_rule_is_in_the_engine_catalogue_at_its_level() -> None:
    known = catalogue()
    for rule in RULE_KINDS:
        assert rule in known
    assert known["response-optional-property-removed"] == "warning"
    assert known["response-required-property-removed"] == "breaking"
    assert known["request-property-became-required"] == "breaking"
    assert known["request-parameter-enum-value-removed"] == "breaking"
    assert known["response-property-enum-value-added"] == "warning"
