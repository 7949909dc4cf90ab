"""The other subschema keywords of JSON Schema 2020-12 (`if`/`then`/`else`, `contains`,
`dependentRequired`, `dependentSchemas`, `patternProperties`, `propertyNames`,
`unevaluatedItems`/`unevaluatedProperties`, `contentSchema` and its media type and encoding)
and the `discriminator`; and the single subschemas the comparison walks into (`items`,
`additionalProperties`, `not`... but not `if`).

Whether such a keyword appeared or went is what oasdiff reports of it: one that constrains
narrows a request (breaking when it appears) and, gone from a response, lets through what
clients did not expect. When it is on both sides the comparison goes into it. An
`unevaluated*` keyword constrains as a schema or as `false` (`true` is no constraint).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apidock.diffing.resolve import child
from apidock.diffing.schemas_node import Edge, Node, declare_rules, shown
from apidock.diffing.schemas_shape import form, schema_map

declare_rules(
    "structure",
    {
        "request-body-discriminator-added": "info",
        "request-body-discriminator-removed": "info",
        "request-body-discriminator-property-name-changed": "info",
        "request-body-discriminator-mapping-added": "info",
        "request-body-discriminator-mapping-deleted": "info",
        "request-body-discriminator-mapping-changed": "info",
        "request-property-discriminator-added": "info",
        "request-property-discriminator-removed": "info",
        "request-property-discriminator-property-name-changed": "info",
        "request-property-discriminator-mapping-added": "info",
        "request-property-discriminator-mapping-deleted": "info",
        "request-property-discriminator-mapping-changed": "info",
        "response-body-discriminator-added": "info",
        "response-body-discriminator-removed": "info",
        "response-body-discriminator-property-name-changed": "info",
        "response-body-discriminator-mapping-added": "info",
        "response-body-discriminator-mapping-deleted": "info",
        "response-body-discriminator-mapping-changed": "info",
        "response-property-discriminator-added": "info",
        "response-property-discriminator-removed": "info",
        "response-property-discriminator-property-name-changed": "info",
        "response-property-discriminator-mapping-added": "info",
        "response-property-discriminator-mapping-deleted": "info",
        "response-property-discriminator-mapping-changed": "info",
        "request-body-if-added": "breaking",
        "request-body-if-removed": "info",
        "request-body-then-added": "breaking",
        "request-body-then-removed": "info",
        "request-body-else-added": "breaking",
        "request-body-else-removed": "info",
        "request-property-if-added": "breaking",
        "request-property-if-removed": "info",
        "request-property-then-added": "breaking",
        "request-property-then-removed": "info",
        "request-property-else-added": "breaking",
        "request-property-else-removed": "info",
        "response-body-if-added": "info",
        "response-body-if-removed": "breaking",
        "response-body-then-added": "info",
        "response-body-then-removed": "breaking",
        "response-body-else-added": "info",
        "response-body-else-removed": "breaking",
        "response-property-if-added": "info",
        "response-property-if-removed": "breaking",
        "response-property-then-added": "info",
        "response-property-then-removed": "breaking",
        "response-property-else-added": "info",
        "response-property-else-removed": "breaking",
        "request-body-contains-added": "breaking",
        "request-body-contains-removed": "info",
        "request-property-contains-added": "breaking",
        "request-property-contains-removed": "info",
        "response-body-contains-added": "info",
        "response-body-contains-removed": "breaking",
        "response-property-contains-added": "info",
        "response-property-contains-removed": "breaking",
        "request-body-dependent-required-added": "breaking",
        "request-body-dependent-required-removed": "info",
        "request-body-dependent-required-changed": "breaking",
        "request-property-dependent-required-added": "breaking",
        "request-property-dependent-required-removed": "info",
        "request-property-dependent-required-changed": "breaking",
        "response-body-dependent-required-added": "info",
        "response-body-dependent-required-removed": "breaking",
        "response-body-dependent-required-changed": "breaking",
        "response-property-dependent-required-added": "info",
        "response-property-dependent-required-removed": "breaking",
        "response-property-dependent-required-changed": "breaking",
        "request-body-dependent-schema-added": "breaking",
        "request-body-dependent-schema-removed": "info",
        "request-property-dependent-schema-added": "breaking",
        "request-property-dependent-schema-removed": "info",
        "response-body-dependent-schema-added": "info",
        "response-body-dependent-schema-removed": "breaking",
        "response-property-dependent-schema-added": "info",
        "response-property-dependent-schema-removed": "breaking",
        "request-body-property-names-added": "breaking",
        "request-body-property-names-removed": "info",
        "request-property-property-names-added": "breaking",
        "request-property-property-names-removed": "info",
        "response-body-property-names-added": "info",
        "response-body-property-names-removed": "breaking",
        "response-property-property-names-added": "info",
        "response-property-property-names-removed": "breaking",
        "request-body-unevaluated-items-added": "breaking",
        "request-body-unevaluated-items-removed": "info",
        "request-body-unevaluated-properties-added": "breaking",
        "request-body-unevaluated-properties-removed": "info",
        "request-property-unevaluated-items-added": "breaking",
        "request-property-unevaluated-items-removed": "info",
        "request-property-unevaluated-properties-added": "breaking",
        "request-property-unevaluated-properties-removed": "info",
        "response-body-unevaluated-items-added": "info",
        "response-body-unevaluated-items-removed": "breaking",
        "response-body-unevaluated-properties-added": "info",
        "response-body-unevaluated-properties-removed": "breaking",
        "response-property-unevaluated-items-added": "info",
        "response-property-unevaluated-items-removed": "breaking",
        "response-property-unevaluated-properties-added": "info",
        "response-property-unevaluated-properties-removed": "breaking",
    },
)
declare_rules(
    "constraints",
    {
        "request-body-pattern-property-added": "breaking",
        "request-body-pattern-property-removed": "info",
        "request-property-pattern-property-added": "breaking",
        "request-property-pattern-property-removed": "info",
        "response-body-pattern-property-added": "info",
        "response-body-pattern-property-removed": "breaking",
        "response-property-pattern-property-added": "info",
        "response-property-pattern-property-removed": "breaking",
    },
)
declare_rules(
    "existence",
    {
        "request-body-content-schema-added": "breaking",
        "request-body-content-schema-removed": "info",
        "request-property-content-schema-added": "breaking",
        "request-property-content-schema-removed": "info",
        "response-body-content-schema-added": "info",
        "response-body-content-schema-removed": "breaking",
        "response-property-content-schema-added": "info",
        "response-property-content-schema-removed": "breaking",
    },
)
declare_rules(
    "type",
    {
        "request-body-content-media-type-changed": "breaking",
        "request-body-content-encoding-changed": "breaking",
        "request-property-content-media-type-changed": "breaking",
        "request-property-content-encoding-changed": "breaking",
        "response-body-content-media-type-changed": "breaking",
        "response-body-content-encoding-changed": "breaking",
        "response-property-content-media-type-changed": "breaking",
        "response-property-content-encoding-changed": "breaking",
    },
)

_PRESENCE = (
    ("if", "if"),
    ("then", "then"),
    ("else", "else"),
    ("contains", "contains"),
    ("propertyNames", "property-names"),
    ("unevaluatedItems", "unevaluated-items"),
    ("unevaluatedProperties", "unevaluated-properties"),
    ("contentSchema", "content-schema"),
)
# `not` is walked as oasdiff walks it, its rules read as of any subschema (a property added
# there is `new-...-request-property`, though what narrows inside `not` widens the schema):
# the rule ids are oasdiff's, and so is what they are said of. Not `if`, which only chooses
# a branch.
_WALKED = (
    "items",
    "additionalProperties",
    "then",
    "else",
    "not",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_NAMED = (("patternProperties", "pattern-property"), ("dependentSchemas", "dependent-schema"))


def check(node: Node) -> None:
    """The subschema keyword rules at one node."""
    for keyword, family in _PRESENCE:
        before, after = _constrains(node.old.get(keyword)), _constrains(node.new.get(keyword))
        if before and not after:
            node.emit(f"{family}-removed", node.keyword_pointer(keyword), f"{keyword} was removed")
        elif after and not before:
            node.emit(f"{family}-added", node.keyword_pointer(keyword), f"{keyword} was added")
    for keyword, family in (
        ("contentMediaType", "content-media-type"),
        ("contentEncoding", "content-encoding"),
    ):
        old, new = node.old.get(keyword), node.new.get(keyword)
        if old != new:
            node.emit(
                f"{family}-changed",
                node.keyword_pointer(keyword),
                f"{keyword} changed from `{shown(old)}` to `{shown(new)}`",
            )
    for keyword, family in _NAMED:
        old_map, new_map = schema_map(node.old, keyword), schema_map(node.new, keyword)
        # the entries only the old side has (removed), then those only the new one has
        for how, verb, here, there, pointer in (
            ("removed", "lost", old_map, new_map, node.old_pointer),
            ("added", "gained", new_map, old_map, node.new_pointer),
        ):
            for name in here:
                if name not in there:
                    node.emit(
                        f"{family}-{how}",
                        child(pointer, keyword, name),
                        f"{verb} the {keyword} entry `{name}`",
                    )
    _dependent_required(node)
    _discriminator(node)


def edges(node: Node) -> Iterator[Edge]:
    """The single subschemas both sides have, then the named ones."""
    for keyword in _WALKED:
        old, new = node.old.get(keyword), node.new.get(keyword)
        if isinstance(old, dict) and isinstance(new, dict):
            yield Edge(
                keyword,
                old,
                child(node.old_pointer, keyword),
                new,
                child(node.new_pointer, keyword),
            )
    for keyword, _ in _NAMED:
        old_map = schema_map(node.old, keyword)
        for name, new in schema_map(node.new, keyword).items():
            if name in old_map:
                yield Edge(
                    f"{keyword}[{name}]",
                    old_map[name],
                    child(node.old_pointer, keyword, name),
                    new,
                    child(node.new_pointer, keyword, name),
                )


def _constrains(value: Any) -> bool:
    return isinstance(value, dict) or value is False


def _dependent_required(node: Node) -> None:
    old_map = schema_map(node.old, "dependentRequired")
    new_map = schema_map(node.new, "dependentRequired")
    for name, names in old_map.items():
        if name not in new_map:
            node.emit(
                "dependent-required-removed",
                child(node.old_pointer, "dependentRequired", name),
                f"no longer requires {_names(names)} with `{name}`",
            )
        elif _name_set(names) != _name_set(new_map[name]):
            node.emit(
                "dependent-required-changed",
                child(node.new_pointer, "dependentRequired", name),
                f"now requires {_names(new_map[name])} with `{name}` (was {_names(names)})",
            )
    for name, names in new_map.items():
        if name not in old_map:
            node.emit(
                "dependent-required-added",
                child(node.new_pointer, "dependentRequired", name),
                f"now requires {_names(names)} with `{name}`",
            )


def _name_set(names: Any) -> set[str]:
    return {name for name in names if isinstance(name, str)} if isinstance(names, list) else set()


def _names(names: Any) -> str:
    return ", ".join(f"`{name}`" for name in sorted(_name_set(names))) or "nothing"


def _discriminator(node: Node) -> None:
    old, new = node.old.get("discriminator"), node.new.get("discriminator")
    pointer = node.keyword_pointer("discriminator")
    if not isinstance(new, dict):
        if isinstance(old, dict):
            node.emit("discriminator-removed", pointer, "lost its discriminator")
        return
    if not isinstance(old, dict):
        node.emit("discriminator-added", pointer, "gained a discriminator")
        return
    if old.get("propertyName") != new.get("propertyName"):
        node.emit(
            "discriminator-property-name-changed",
            child(pointer, "propertyName"),
            f"discriminator property changed from `{shown(old.get('propertyName'))}` "
            f"to `{shown(new.get('propertyName'))}`",
        )
    old_mapping, new_mapping = schema_map(old, "mapping"), schema_map(new, "mapping")
    for value, target in new_mapping.items():
        if value not in old_mapping:
            node.emit(
                "discriminator-mapping-added",
                child(pointer, "mapping", value),
                f"discriminator mapping gained `{value}`",
            )
        elif form(old_mapping[value]) != form(target):
            node.emit(
                "discriminator-mapping-changed",
                child(pointer, "mapping", value),
                f"discriminator mapping of `{value}` changed from `{shown(old_mapping[value])}` "
                f"to `{shown(target)}`",
            )
    for value in old_mapping:
        if value not in new_mapping:
            node.emit(
                "discriminator-mapping-deleted",
                child(node.old_pointer, "discriminator", "mapping", value),
                f"discriminator mapping lost `{value}`",
            )
