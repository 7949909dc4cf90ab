"""What the schema comparison's rule modules share: the pair of schemas being compared, the
scope that names its rules, and the findings they leave.

oasdiff names a rule after where the schema sits: `request-body-max-decreased` at the top of
a request body, `request-property-max-decreased` anywhere below it, `request-parameter-...`
for a parameter. A rule module says only the family's suffix (`max-decreased`); the scope
turns it into the id, and a family with no such rule at that place (oasdiff has no
`request-parameter-property-max-decreased`) emits nothing. Each rule has a kind (oasdiff's
`Kind`): a recognised transition at a node (the nullable wrapping, a list of types...) drops
the findings of the kinds it explains, so one edit is reported once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from apidock.diffing.changes import Level, declare
from apidock.diffing.resolve import Side, child

SchemaPlace = Literal[
    "request-body", "request-parameter", "request-header", "response-body", "response-header"
]

Kind = Literal[
    "existence",
    "requiredness",
    "mutability",
    "type",
    "constraints",
    "values",
    "structure",
    "lifecycle",
]

RULE_KINDS: dict[str, Kind] = {}
"""Every rule the schema comparison can emit, with its kind (filled by `declare_rules`)."""

_TOP_PREFIX: dict[SchemaPlace, str] = {
    "request-body": "request-body-",
    "request-parameter": "request-parameter-",
    "request-header": "request-parameter-",
    "response-body": "response-body-",
    "response-header": "response-header-",
}
_NESTED_PREFIX: dict[SchemaPlace, str] = {
    "request-body": "request-property-",
    "request-parameter": "request-parameter-property-",
    "request-header": "request-parameter-property-",
    "response-body": "response-property-",
    "response-header": "response-header-property-",
}
# A property outside its direction (readOnly in a request, writeOnly in a response) takes
# the variant oasdiff gives a rule there, at that variant's (lower) level.
_MASKED_PREFIX: dict[SchemaPlace, str] = {
    "request-body": "request-read-only-property-",
    "response-body": "response-write-only-property-",
}
# The request-property rules without such a variant whose oasdiff checkers skip a readOnly
# property (its type, a bound set, `minItems` raised, `x-extensible-enum` values removed);
# oasdiff asks it of the property only, API Dock of everything below it too. Every other
# request-property rule is said of a readOnly property as of any other: oasdiff's pattern,
# enum-added, nullability, default, composition, deprecation... checkers do not read
# `readOnly`. (Existence and requiredness are judged in `schemas_properties`, which leaves a
# readOnly property out, as oasdiff does.) A response's writeOnly property keeps only its
# variants.
_READ_ONLY_SKIPPED = frozenset(
    {
        "type-changed",
        "type-compatible",
        "type-generalized",
        "list-of-types-widened",
        "list-of-types-narrowed",
        "max-set",
        "exclusive-max-set",
        "min-set",
        "exclusive-min-set",
        "max-length-set",
        "min-items-set",
        "min-items-increased",
        "x-extensible-enum-value-removed",
    }
)


def declare_rules(kind: Kind, rules: dict[str, Level]) -> None:
    """Declare `rules` in the engine's catalogue and remember their kind."""
    declare(rules)
    for rule_id in rules:
        RULE_KINDS[rule_id] = kind


@dataclass(frozen=True, slots=True)
class Scope:
    """How the findings at one node are named: the place, whether the node is the top of it
    (the body, the parameter's schema) and whether it is masked (readOnly in a request,
    writeOnly in a response, itself or an ancestor). `strongly_typed` is the body's media
    type (JSON: `"1"` is not `1`); a parameter's value is text on the wire. `today` and
    `sunset_days` (the grace period a deprecation must announce, 0 for none) judge
    deprecations. `form_exploded` says the parameter is serialized form/explode (a query's
    or a cookie's default), where one value is also an array of one."""

    place: SchemaPlace
    top: bool
    masked: bool
    strongly_typed: bool
    parameter_required: bool
    today: date
    sunset_days: int
    form_exploded: bool = False

    @property
    def request(self) -> bool:
        return self.place.startswith("request")

    @property
    def body(self) -> bool:
        return self.place.endswith("body")

    @property
    def parameter(self) -> bool:
        return self.place in ("request-parameter", "request-header")

    def nested(self) -> Scope:
        """The scope of a schema below this one."""
        return replace(self, top=False)

    def entering(self, schema: dict[str, Any]) -> Scope:
        """The scope of `schema` itself: masked below the top when it leaves the direction
        (readOnly in a request, writeOnly in a response)."""
        if self.top or self.masked:
            return self
        keyword = "readOnly" if self.request else "writeOnly"
        return replace(self, masked=True) if schema.get(keyword) is True else self

    def rule(self, suffix: str) -> str | None:
        """The id of the family `suffix` here, or None when oasdiff has no such rule (or,
        for a readOnly property of a request, skips it there)."""
        if self.masked and not self.top:
            masked_prefix = _MASKED_PREFIX.get(self.place)
            rule_id = None if masked_prefix is None else masked_prefix + suffix
            if rule_id not in RULE_KINDS and self.place == "request-body":
                skipped = suffix in _READ_ONLY_SKIPPED
                rule_id = None if skipped else _NESTED_PREFIX[self.place] + suffix
        else:
            rule_id = (_TOP_PREFIX if self.top else _NESTED_PREFIX)[self.place] + suffix
        return rule_id if rule_id in RULE_KINDS else None


@dataclass(frozen=True, slots=True)
class Finding:
    """One change found at a node. `path` is the property path below the node it was found at
    (a property added or removed is named by its own path); `detail` says what changed and,
    with the rule and the pointer, tells one finding from another."""

    rule_id: str
    pointer: str
    detail: str
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    """A pair of subschemas to compare below a node (as written: the comparison follows their
    `$ref`s). `label` extends the property path (None: the same path and the same level, for
    the branch of a nullable wrapping)."""

    label: str | None
    old: Any
    old_pointer: str
    new: Any
    new_pointer: str


@dataclass(slots=True)
class Node:
    """Two schemas being compared (each `$ref`-followed: `old_pointer` and `new_pointer` are
    the nodes' own), as dicts (`true` reads as `{}` and `false` as `{"not": {}}`)."""

    old_side: Side
    new_side: Side
    old: dict[str, Any]
    new: dict[str, Any]
    old_pointer: str
    new_pointer: str
    scope: Scope
    transitions: frozenset[str] = frozenset()
    findings: list[Finding] = field(default_factory=list)

    def emit(self, suffix: str, pointer: str, detail: str, *, path: tuple[str, ...] = ()) -> None:
        """A finding of the family `suffix`, named by the scope (nothing when none exists)."""
        rule_id = self.scope.rule(suffix)
        if rule_id is not None:
            self.findings.append(Finding(rule_id, pointer, detail, path))

    def emit_rule(
        self, rule_id: str, pointer: str, detail: str, *, path: tuple[str, ...] = ()
    ) -> None:
        """A finding of a rule whose id does not follow the place's prefix."""
        if rule_id not in RULE_KINDS:
            raise KeyError(f"undeclared schema rule {rule_id}")
        self.findings.append(Finding(rule_id, pointer, detail, path))

    def keyword_pointer(self, keyword: str) -> str:
        """Where `keyword` is: in the new schema, or in the old one when it was removed."""
        if keyword in self.new or keyword not in self.old:
            return child(self.new_pointer, keyword)
        return child(self.old_pointer, keyword)


def as_schema(value: Any) -> dict[str, Any]:
    """A schema as a dict: the boolean schemas spelled as objects, anything else (a hostile
    document's number or list) read as the schema that says nothing."""
    if isinstance(value, dict):
        return value
    if value is False:
        return {"not": {}}
    return {}


def with_siblings(written: Any, target: Any) -> dict[str, Any]:
    """A `$ref`'s target as the place that names it reads it: OpenAPI 3.1 applies the
    `$ref`'s siblings (`readOnly`, `deprecated`, `default`...) there, not to the component."""
    schema = as_schema(target)
    if isinstance(written, dict) and "$ref" in written and len(written) > 1:
        return {**schema, **{key: value for key, value in written.items() if key != "$ref"}}
    return schema


def shown(value: Any) -> str:
    """A value for a message: JSON-ish, short."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError, RecursionError):
            text = type(value).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def subject(place: SchemaPlace, name: str | None, path: tuple[str, ...]) -> str:
    """What a message is about: the body or the parameter, or a property path below it."""
    where = f"`{'/'.join(path)}`"
    named = f" `{name}`" if name else ""
    if place in ("request-body", "response-body"):
        direction = place.split("-", 1)[0]
        return f"{direction} property {where}" if path else f"{direction} body"
    base = {
        "request-parameter": f"request parameter{named}",
        "request-header": f"request header{named}",
        "response-header": f"response header{named}",
    }[place]
    return f"property {where} of the {base}" if path else f"the {base}"
