"""Values: `enum`, `const`, `default`, `x-extensible-enum` and `pattern` (an empty one is
none: it matches everything).

A request that loses an enum value refuses what clients may send (breaking); a response that
gains one may return what clients cannot read (oasdiff: a warning). An enum that appears
restricts a request to its list (`became-enum`); one that disappears lets everything in,
which is no value "removed" (oasdiff lists each old value as removed then; API Dock does not,
and neither does it list each value of a new enum as "added" beside `became-enum`). The
`null` value an import adds to an enum with `nullable` is the nullability change's echo and is
left to `became-nullable`. Enum values are compared as JSON (`1` and `1.0` alike), through a
hash of each, so a long enum costs its length.
"""

from __future__ import annotations

from typing import Any

from apidock.diffing.resolve import child
from apidock.diffing.schemas_node import Node, declare_rules, shown
from apidock.diffing.schemas_shape import form
from apidock.diffing.schemas_types import nullability_change

declare_rules(
    "values",
    {
        "request-body-became-enum": "breaking",
        "request-property-became-enum": "breaking",
        "request-parameter-became-enum": "breaking",
        "request-header-property-became-enum": "breaking",
        "request-body-enum-value-removed": "breaking",
        "request-property-enum-value-removed": "breaking",
        "request-read-only-property-enum-value-removed": "info",
        "request-property-enum-value-added": "info",
        "request-parameter-enum-value-added": "info",
        "request-parameter-enum-value-removed": "breaking",
        "request-parameter-property-enum-value-added": "info",
        "request-parameter-property-enum-value-removed": "breaking",
        "response-property-enum-value-added": "warning",
        "response-write-only-property-enum-value-added": "info",
        "response-property-enum-value-removed": "info",
        "response-mediatype-enum-value-removed": "info",
        "request-property-x-extensible-enum-value-removed": "breaking",
        "request-parameter-x-extensible-enum-value-removed": "breaking",
        "request-body-const-added": "breaking",
        "request-body-const-removed": "info",
        "request-body-const-changed": "breaking",
        "request-property-const-added": "breaking",
        "request-property-const-removed": "info",
        "request-property-const-changed": "breaking",
        "response-body-const-added": "info",
        "response-body-const-removed": "breaking",
        "response-body-const-changed": "breaking",
        "response-property-const-added": "info",
        "response-property-const-removed": "breaking",
        "response-property-const-changed": "breaking",
        "request-body-default-value-added": "info",
        "request-body-default-value-removed": "info",
        "request-body-default-value-changed": "info",
        "request-property-default-value-added": "info",
        "request-property-default-value-removed": "info",
        "request-property-default-value-changed": "info",
        "response-body-default-value-added": "info",
        "response-body-default-value-removed": "info",
        "response-body-default-value-changed": "info",
        "response-property-default-value-added": "info",
        "response-property-default-value-removed": "info",
        "response-property-default-value-changed": "info",
        "request-parameter-default-value-changed": "breaking",
        "request-parameter-default-value-added": "breaking",
        "request-parameter-default-value-removed": "breaking",
    },
)
declare_rules(
    "constraints",
    {
        "request-property-pattern-removed": "info",
        "request-property-pattern-added": "breaking",
        "request-property-pattern-changed": "warning",
        "request-property-pattern-generalized": "info",
        "request-parameter-pattern-added": "breaking",
        "request-parameter-pattern-removed": "info",
        "request-parameter-pattern-changed": "warning",
        "request-parameter-pattern-generalized": "info",
        "response-property-pattern-added": "info",
        "response-property-pattern-changed": "info",
        "response-property-pattern-removed": "info",
    },
)


def check(node: Node) -> None:
    """The value rules at one node."""
    _enum(node)
    _extensible_enum(node)
    _present_value(node, "const", "const")
    if not (node.scope.parameter and node.scope.parameter_required):
        # a required parameter is always sent: its default is never used
        _present_value(node, "default", "default-value")
    _pattern(node)


def _enum(node: Node) -> None:
    old, new = _list(node.old, "enum"), _list(node.new, "enum")
    if old is None and new is not None:
        pointer = child(node.new_pointer, "enum")
        detail = "was restricted to a list of enum values"
        if node.scope.request:
            node.emit("became-enum", pointer, detail)
        if node.scope.place == "request-header" and not node.scope.masked:
            node.emit_rule("request-header-property-became-enum", pointer, detail)
        return
    if old is None or new is None:
        return
    nullable = nullability_change(node)
    old_keys = {form(value) for value in old}
    new_keys = {form(value) for value in new}
    for index, value in enumerate(old):
        if form(value) in new_keys or (value is None and nullable is False):
            continue
        pointer = child(node.old_pointer, "enum", index)
        detail = f"lost the enum value `{shown(value)}`"
        if node.scope.top and node.scope.place == "response-body":
            node.emit_rule("response-mediatype-enum-value-removed", pointer, detail)
        elif node.scope.place != "response-header":
            node.emit("enum-value-removed", pointer, detail)
    for index, value in enumerate(new):
        if form(value) in old_keys or (value is None and nullable is True):
            continue
        node.emit(
            "enum-value-added",
            child(node.new_pointer, "enum", index),
            f"gained the enum value `{shown(value)}`",
        )


def _extensible_enum(node: Node) -> None:
    old, new = _list(node.old, "x-extensible-enum"), _list(node.new, "x-extensible-enum")
    if old is None or new is None or not node.scope.request:
        return
    kept = {form(value) for value in new}
    for index, value in enumerate(old):
        if form(value) not in kept:
            node.emit(
                "x-extensible-enum-value-removed",
                child(node.old_pointer, "x-extensible-enum", index),
                f"lost the x-extensible-enum value `{shown(value)}`",
            )


def _present_value(node: Node, keyword: str, family: str) -> None:
    in_old, in_new = keyword in node.old, keyword in node.new
    if in_old and in_new:
        old, new = node.old[keyword], node.new[keyword]
        if form(old) != form(new):
            node.emit(
                f"{family}-changed",
                child(node.new_pointer, keyword),
                f"{keyword} changed from `{shown(old)}` to `{shown(new)}`",
            )
    elif in_new:
        node.emit(
            f"{family}-added",
            child(node.new_pointer, keyword),
            f"{keyword} `{shown(node.new[keyword])}` was added",
        )
    elif in_old:
        node.emit(
            f"{family}-removed",
            child(node.old_pointer, keyword),
            f"{keyword} `{shown(node.old[keyword])}` was removed",
        )


def _pattern(node: Node) -> None:
    # an empty pattern matches every string: oasdiff reads it as no pattern
    old, new = _text(node.old, "pattern") or None, _text(node.new, "pattern") or None
    if old == new:
        return
    pointer = child(node.new_pointer, "pattern")
    if new is None:
        removed_at = child(node.old_pointer, "pattern")
        node.emit("pattern-removed", removed_at, f"pattern `{old}` was removed")
    elif old is None:
        node.emit("pattern-added", pointer, f"pattern `{new}` was added")
    elif node.scope.request and new == ".*":
        node.emit("pattern-generalized", pointer, f"pattern `{old}` was generalized to `.*`")
    else:
        node.emit("pattern-changed", pointer, f"pattern changed from `{old}` to `{new}`")


def _list(schema: dict[str, Any], keyword: str) -> list[Any] | None:
    found = schema.get(keyword)
    return found if isinstance(found, list) else None


def _text(schema: dict[str, Any], keyword: str) -> str | None:
    found = schema.get(keyword)
    return found if isinstance(found, str) else None
