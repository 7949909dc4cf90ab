"""Types, formats and nullability: the rules that read `type`, `format`, `nullable` and the
shapes that stand for them (a list of types, a schema wrapped for null).

A request accepts what the client sends: a new type that covers the old one (`integer` to
`number`, a type list that gained a member, no type at all) generalizes it; anything else
changes it, breaking. A response is the mirror: what may come back must stay within what
clients expect, so the widening is the breaking direction there (`response-...-generalized`
is breaking, `-specialized` is not). Where the value is text (a parameter, a header, a body
that is not JSON) `1` and `"1"` read alike, so a change to `string` loses nothing, and a
swap between two types that only text makes compatible is `-compatible`. A query or cookie
parameter (form/explode) that became an array of what it was is generalized: one value is
an array of one.
"""

from __future__ import annotations

from typing import Any

from apidock.diffing.resolve import child
from apidock.diffing.schemas_node import Node, declare_rules
from apidock.diffing.schemas_shape import (
    NULLABLE_WRAPPING,
    format_of,
    list_of_types,
    moved_into_one_of,
    nullable_payload,
    same_contract,
    types_of,
)

declare_rules(
    "type",
    {
        "request-body-type-generalized": "info",
        "request-body-type-compatible": "info",
        "request-body-type-changed": "breaking",
        "request-property-type-generalized": "info",
        "request-property-type-compatible": "info",
        "request-property-type-changed": "breaking",
        "response-body-type-changed": "breaking",
        "response-body-type-generalized": "breaking",
        "response-body-type-specialized": "info",
        "response-body-type-compatible": "info",
        "response-property-type-changed": "breaking",
        "response-property-type-generalized": "breaking",
        "response-property-type-specialized": "info",
        "response-property-type-compatible": "info",
        "request-parameter-type-changed": "breaking",
        "request-parameter-type-generalized": "info",
        "request-parameter-property-type-changed": "warning",
        "request-parameter-property-type-generalized": "info",
        "request-parameter-property-type-specialized": "breaking",
        "response-header-type-changed": "breaking",
        "response-header-type-generalized": "breaking",
        "response-header-type-specialized": "info",
        "response-header-type-compatible": "info",
        "request-body-list-of-types-widened": "info",
        "request-body-list-of-types-narrowed": "breaking",
        "request-property-list-of-types-widened": "info",
        "request-property-list-of-types-narrowed": "breaking",
        "response-body-list-of-types-widened": "breaking",
        "response-body-list-of-types-narrowed": "info",
        "response-property-list-of-types-widened": "breaking",
        "response-property-list-of-types-narrowed": "info",
        "request-parameter-list-of-types-widened": "info",
        "request-parameter-list-of-types-narrowed": "breaking",
        "request-parameter-property-list-of-types-widened": "info",
        "request-parameter-property-list-of-types-narrowed": "breaking",
    },
)
declare_rules(
    "requiredness",
    {
        "request-body-became-not-nullable": "breaking",
        "request-body-became-nullable": "info",
        "request-property-became-not-nullable": "breaking",
        "request-property-became-nullable": "info",
        "response-body-became-nullable": "breaking",
        "response-body-became-not-nullable": "info",
        "response-property-became-nullable": "breaking",
        "response-property-became-not-nullable": "info",
        "request-parameter-became-nullable": "info",
        "request-parameter-became-not-nullable": "breaking",
        "request-parameter-property-became-nullable": "info",
        "request-parameter-property-became-not-nullable": "breaking",
        "response-header-became-nullable": "breaking",
        "response-header-became-not-nullable": "info",
    },
)
declare_rules(
    "structure",
    {
        "request-body-wrapped-in-one-of": "breaking",
        "response-body-wrapped-in-one-of": "breaking",
    },
)

# Formats whose values include every value of a narrower one (the narrower first).
_WIDER_FORMATS = {
    "number": {("float", "double")},
    "integer": {("int32", "int64"), ("int32", "bigint"), ("int64", "bigint")},
    "string": {("date", "date-time"), ("time", "date-time")},
}


def check(node: Node) -> None:
    """The type, nullability and list-of-types rules at one node."""
    _nullability(node)
    _type_or_format(node)
    _list_of_types(node)
    if node.scope.top and node.scope.body and moved_into_one_of(node):
        node.emit(
            "wrapped-in-one-of",
            node.keyword_pointer("oneOf"),
            "was wrapped in a oneOf of alternatives",
        )


def nullable_branch(node: Node) -> tuple[bool, object, str] | None:
    """The node's wrapped branch when it is a nullable wrapping (its own comparison continues
    there: the branch and the unwrapped side accept the same values but null)."""
    if NULLABLE_WRAPPING not in node.transitions:
        return None
    return nullable_payload(node)


def _nullability(node: Node) -> None:
    became = nullability_change(node)
    if became is None:
        return
    node.emit(
        "became-nullable" if became else "became-not-nullable",
        node.new_pointer,
        "became nullable" if became else "became not nullable",
    )


def nullability_change(node: Node) -> bool | None:
    """True when the node became nullable, False when it became not nullable, else None."""
    old_flag, new_flag = node.old.get("nullable") is True, node.new.get("nullable") is True
    if old_flag != new_flag:
        return new_flag
    old_types, new_types = types_of(node.old), types_of(node.new)
    # An untyped schema already accepts null: giving it a type list with null, or dropping
    # the type altogether, does not change that.
    if "null" in old_types and "null" not in new_types and new_types:
        return False
    if "null" in new_types and "null" not in old_types and old_types:
        return True
    wrapping = nullable_branch(node)
    return None if wrapping is None else wrapping[0]


def _type_or_format(node: Node) -> None:
    old_types, new_types = types_of(node.old), types_of(node.new)
    old_format, new_format = format_of(node.old), format_of(node.new)
    if set(old_types) == set(new_types) and old_format == new_format:
        return
    scope, note = node.scope, ""
    if scope.place == "response-header":
        suffix = _response_verdict(old_types, new_types, old_format, new_format, strongly=False)
    elif scope.parameter and scope.top:
        breaking = _request_breaking(old_types, new_types, old_format, new_format, strongly=False)
        if breaking and _became_form_exploded_array(node):
            breaking, note = False, " (serialized form/explode: one value is an array of one)"
        suffix = "type-changed" if breaking else "type-generalized"
    elif scope.parameter:
        # How an object parameter is serialized is not known: when JSON and text disagree,
        # the change may break, a warning.
        as_json = _request_breaking(old_types, new_types, old_format, new_format, strongly=True)
        as_text = _request_breaking(old_types, new_types, old_format, new_format, strongly=False)
        if as_json != as_text:
            suffix = "type-changed"
        else:
            suffix = "type-specialized" if as_json else "type-generalized"
    elif scope.request:
        suffix = _request_verdict(
            old_types, new_types, old_format, new_format, strongly=scope.strongly_typed
        )
    else:
        suffix = _response_verdict(
            old_types, new_types, old_format, new_format, strongly=scope.strongly_typed
        )
    dimension = _dimension(old_types, new_types, old_format, new_format)
    node.emit(
        suffix,
        node.keyword_pointer("type" if set(old_types) != set(new_types) else "format"),
        f"{dimension} changed from `{_typed(old_types, old_format, dimension)}` "
        f"to `{_typed(new_types, new_format, dimension)}`{note}",
    )


def _became_form_exploded_array(node: Node) -> bool:
    """Whether a parameter serialized form/explode went from a scalar (or a list of scalar
    types) to an array whose items accept every value it did: there `?tag=a` is also the
    array `["a"]`, so what clients sent is still understood (oasdiff's exception). The
    items must take the old types, as text carries them (anything is a string), and refuse
    nothing more: every other keyword alike, annotations aside. `null` is left out of both
    sides (its own rules say it)."""
    if not node.scope.form_exploded:
        return False
    old_types = [name for name in types_of(node.old) if name != "null"]
    added = [name for name in types_of(node.new) if name not in old_types and name != "null"]
    if added != ["array"] or not old_types or not isinstance(node.new.get("items"), dict):
        return False
    items, _ = node.new_side.deref(node.new["items"], child(node.new_pointer, "items"))
    if not isinstance(items, dict):
        return False
    item_types = [name for name in types_of(items) if name != "null"]
    if not _takes_as_text(old_types, item_types):
        return False
    return same_contract(_beyond_type(node.old), _beyond_type(items))


def _takes_as_text(old_types: list[str], item_types: list[str]) -> bool:
    """Whether items of `item_types` take every value of `old_types` sent as text: the same
    type or a wider one, or a string (or no type), which takes anything."""
    if len(old_types) == 1 and len(item_types) == 1 and _subtype(old_types[0], item_types[0]):
        return True
    return item_types in ([], ["string"])


def _beyond_type(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key not in ("type", "nullable")}


def _request_verdict(
    old: tuple[str, ...], new: tuple[str, ...], old_format: str, new_format: str, *, strongly: bool
) -> str:
    if _request_breaking(old, new, old_format, new_format, strongly=strongly):
        return "type-changed"
    if set(old) != set(new) and old and new and not _covered(old, new):
        return "type-compatible"
    return "type-generalized"


def _response_verdict(
    old: tuple[str, ...], new: tuple[str, ...], old_format: str, new_format: str, *, strongly: bool
) -> str:
    # What a client reads: the old types must cover everything the new ones may return.
    if _request_breaking(new, old, new_format, old_format, strongly=strongly):
        return "type-generalized" if set(old) != set(new) and _covered(old, new) else "type-changed"
    if set(old) != set(new) and old and new and not _covered(new, old):
        return "type-compatible"
    return "type-specialized"


def _request_breaking(
    old: tuple[str, ...], new: tuple[str, ...], old_format: str, new_format: str, *, strongly: bool
) -> bool:
    """Whether a value valid for (`old`, `old_format`) may be refused by (`new`,
    `new_format`): the type and the format axes each on their own."""
    type_changed = set(old) != set(new) and not _covered(old, new)
    if type_changed and not new:
        return False  # no type constraint any more: everything is accepted
    type_breaking = type_changed and not _type_contained(old, new, strongly=strongly)
    format_breaking = old_format != new_format and not _format_contained(
        new, old_format, new_format
    )
    return type_breaking or format_breaking


def _covered(inner: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    """Whether every type of `inner` (non-empty) is one of `outer` or within one."""
    return bool(inner) and all(any(_subtype(t, o) for o in outer) for t in inner)


def _subtype(inner: str, outer: str) -> bool:
    return inner == outer or (inner == "integer" and outer == "number")


def _type_contained(old: tuple[str, ...], new: tuple[str, ...], *, strongly: bool) -> bool:
    added = [t for t in new if t not in old]
    removed = [t for t in old if t not in new]
    if len(added) == 1 and len(removed) == 1 and _subtype(removed[0], added[0]):
        return True
    if strongly:
        return False
    # Text carries any value as a string.
    return not added or added == ["string"]


def _format_contained(new_types: tuple[str, ...], old_format: str, new_format: str) -> bool:
    if not new_format:
        return True  # the format constraint went: a generalization, whatever the type
    if len(new_types) != 1:
        return False
    return (old_format, new_format) in _WIDER_FORMATS.get(new_types[0], set())


def _dimension(old: tuple[str, ...], new: tuple[str, ...], old_format: str, new_format: str) -> str:
    type_changed, format_changed = set(old) != set(new), old_format != new_format
    if type_changed and format_changed:
        return "type/format"
    return "type" if type_changed else "format"


def _typed(types: tuple[str, ...], format_: str, dimension: str) -> str:
    type_text = ", ".join(types) if types else "any"
    if dimension == "type":
        return type_text
    if dimension == "format":
        return format_ or "none"
    return f"{type_text}/{format_}" if format_ else type_text


def _list_of_types(node: Node) -> None:
    found = list_of_types(node)
    if found is None:
        return
    added, removed = found
    # a request accepts what it lists: losing a type narrows it; a response returns it
    widened = not removed if node.scope.request else bool(added)
    listed = ", ".join(added if widened else removed)
    node.emit(
        "list-of-types-widened" if widened else "list-of-types-narrowed",
        node.new_pointer,
        f"list of types {'widened with' if widened else 'narrowed, without'} {listed}",
    )
