"""Bounds: `maximum`/`minimum` and their 3.1 numeric `exclusive` forms, `maxLength`/`minLength`,
`minItems`/`maxItems` and `minContains`/`maxContains`.

Each family says how a bound moved: `-decreased`/`-increased` when both sides have it, `-set`
when it appears, `-unset` when it goes. Which of those exist, and how grave each is, follows
the direction: a request whose maximum decreases refuses values clients send (breaking), a
response whose maximum increases may return values clients do not expect (breaking); oasdiff
has no rule for the harmless direction of a response (nothing is emitted then). An absent
`minLength` is 0 (oasdiff reads it so), an absent `minItems` is no bound (its `-set` warning
and `-unset` rule exist). `maxItems` has rules for parameters only (an array parameter, or
its items, as oasdiff reads them).
"""

from __future__ import annotations

from typing import Any

from apidock.diffing.resolve import child
from apidock.diffing.schemas_node import Node, declare_rules, shown
from apidock.diffing.schemas_shape import number

declare_rules(
    "constraints",
    {
        "request-parameter-max-items-increased": "info",
        "request-parameter-max-items-decreased": "breaking",
        "request-parameter-max-length-set": "warning",
        "request-parameter-max-length-increased": "info",
        "request-parameter-max-length-decreased": "breaking",
        "request-parameter-max-set": "warning",
        "request-parameter-exclusive-max-set": "warning",
        "request-parameter-max-increased": "info",
        "request-parameter-max-decreased": "breaking",
        "request-parameter-exclusive-max-increased": "info",
        "request-parameter-exclusive-max-decreased": "breaking",
        "request-parameter-min-items-set": "warning",
        "request-parameter-min-items-increased": "breaking",
        "request-parameter-min-items-decreased": "info",
        "request-parameter-min-length-increased": "breaking",
        "request-parameter-min-length-decreased": "info",
        "request-parameter-min-set": "warning",
        "request-parameter-exclusive-min-set": "warning",
        "request-parameter-min-increased": "breaking",
        "request-parameter-min-decreased": "info",
        "request-parameter-exclusive-min-increased": "breaking",
        "request-parameter-exclusive-min-decreased": "info",
        "request-body-max-decreased": "breaking",
        "request-body-max-increased": "info",
        "request-property-max-decreased": "breaking",
        "request-read-only-property-max-decreased": "info",
        "request-property-max-increased": "info",
        "request-body-exclusive-max-decreased": "breaking",
        "request-body-exclusive-max-increased": "info",
        "request-property-exclusive-max-decreased": "breaking",
        "request-read-only-property-exclusive-max-decreased": "info",
        "request-property-exclusive-max-increased": "info",
        "request-body-max-length-set": "warning",
        "request-property-max-length-set": "warning",
        "request-body-max-length-decreased": "breaking",
        "request-body-max-length-increased": "info",
        "request-property-max-length-decreased": "breaking",
        "request-read-only-property-max-length-decreased": "info",
        "request-property-max-length-increased": "info",
        "request-body-max-set": "warning",
        "request-property-max-set": "warning",
        "request-body-exclusive-max-set": "warning",
        "request-property-exclusive-max-set": "warning",
        "request-body-min-increased": "breaking",
        "request-body-min-decreased": "info",
        "request-property-min-increased": "breaking",
        "request-read-only-property-min-increased": "info",
        "request-property-min-decreased": "info",
        "request-body-exclusive-min-increased": "breaking",
        "request-body-exclusive-min-decreased": "info",
        "request-property-exclusive-min-increased": "breaking",
        "request-read-only-property-exclusive-min-increased": "info",
        "request-property-exclusive-min-decreased": "info",
        "request-body-min-items-increased": "breaking",
        "request-property-min-items-increased": "breaking",
        "request-body-min-items-set": "warning",
        "request-property-min-items-set": "warning",
        "request-body-min-length-increased": "breaking",
        "request-body-min-length-decreased": "info",
        "request-property-min-length-increased": "breaking",
        "request-property-min-length-decreased": "info",
        "request-body-min-set": "warning",
        "request-property-min-set": "warning",
        "request-body-exclusive-min-set": "warning",
        "request-property-exclusive-min-set": "warning",
        "response-body-max-increased": "breaking",
        "response-property-max-increased": "breaking",
        "response-body-exclusive-max-increased": "breaking",
        "response-property-exclusive-max-increased": "breaking",
        "response-body-max-length-increased": "breaking",
        "response-property-max-length-increased": "breaking",
        "response-body-max-length-unset": "breaking",
        "response-property-max-length-unset": "breaking",
        "response-body-min-decreased": "breaking",
        "response-property-min-decreased": "breaking",
        "response-body-exclusive-min-decreased": "breaking",
        "response-property-exclusive-min-decreased": "breaking",
        "response-body-min-items-decreased": "breaking",
        "response-property-min-items-decreased": "breaking",
        "response-body-min-items-unset": "breaking",
        "response-property-min-items-unset": "breaking",
        "response-body-min-length-decreased": "breaking",
        "response-property-min-length-decreased": "breaking",
        "request-body-min-contains-increased": "breaking",
        "request-body-min-contains-decreased": "info",
        "request-body-max-contains-increased": "info",
        "request-body-max-contains-decreased": "breaking",
        "request-property-min-contains-increased": "breaking",
        "request-property-min-contains-decreased": "info",
        "request-property-max-contains-increased": "info",
        "request-property-max-contains-decreased": "breaking",
        "response-body-min-contains-increased": "info",
        "response-body-min-contains-decreased": "breaking",
        "response-body-max-contains-increased": "breaking",
        "response-body-max-contains-decreased": "info",
        "response-property-min-contains-increased": "info",
        "response-property-min-contains-decreased": "breaking",
        "response-property-max-contains-increased": "breaking",
        "response-property-max-contains-decreased": "info",
    },
)

_BOUNDS = (
    ("maximum", "max"),
    ("exclusiveMaximum", "exclusive-max"),
    ("minimum", "min"),
    ("exclusiveMinimum", "exclusive-min"),
    ("maxLength", "max-length"),
    ("minItems", "min-items"),
    ("minContains", "min-contains"),
    ("maxContains", "max-contains"),
)


def check(node: Node) -> None:
    """The bound rules at one node."""
    for keyword, family in _BOUNDS:
        old, new = number(node.old.get(keyword)), number(node.new.get(keyword))
        if old != new:
            _bound(node, keyword, family, old, new)
    old_length, new_length = _min_length(node.old), _min_length(node.new)
    if old_length != new_length:
        _bound(node, "minLength", "min-length", old_length, new_length)
    if node.scope.parameter and node.scope.top:
        _max_items(node)


def _bound(
    node: Node,
    keyword: str,
    family: str,
    old: int | float | None,
    new: int | float | None,
    pointer: str | None = None,
) -> None:
    if old is None and new is None:
        return
    at = pointer or node.keyword_pointer(keyword)
    if old is not None and new is not None:
        if new < old:
            node.emit(f"{family}-decreased", at, f"{keyword} decreased from {old} to {new}")
        elif new > old:
            node.emit(f"{family}-increased", at, f"{keyword} increased from {old} to {new}")
    elif new is not None:
        node.emit(f"{family}-set", at, f"{keyword} was set to {new}")
    elif old is not None:
        node.emit(f"{family}-unset", at, f"{keyword} {shown(old)} was removed")


def _min_length(schema: dict[str, Any]) -> int | float:
    found = number(schema.get("minLength"))
    return 0 if found is None else found


def _max_items(node: Node) -> None:
    old, new = number(node.old.get("maxItems")), number(node.new.get("maxItems"))
    pointer = None
    if old is None and new is None:
        # oasdiff also reads an array parameter's bound on its items
        old_items, new_items = node.old.get("items"), node.new.get("items")
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            old, new = number(old_items.get("maxItems")), number(new_items.get("maxItems"))
            pointer = child(node.new_pointer, "items", "maxItems")
    if old is not None and new is not None:
        _bound(node, "maxItems", "max-items", old, new, pointer)
