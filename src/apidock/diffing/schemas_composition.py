"""Composition: `allOf`, `anyOf`, `oneOf` and `prefixItems`, and how their members pair up.

Members are paired as oasdiff pairs them: a `$ref` with the same `$ref`, an inline member with
an identical one, then by `title`, then the one inline member left on each side with the
other; an inline member that became a `$ref` to the same contract (or back) is the same
member. Paired members are compared (a component changed under a `oneOf` is reported there);
the rest were added or removed. Adding an `allOf` member narrows a request (breaking) unless
it only annotates (`-annotation-only`, info); removing an `anyOf`/`oneOf` member of a request
refuses what it allowed; a `oneOf` member added to a response may return what clients do not
expect. `prefixItems` pair by position, as a tuple does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apidock.diffing.resolve import child
from apidock.diffing.schemas_node import Edge, Node, as_schema, declare_rules
from apidock.diffing.schemas_shape import annotation_only, form, schema_list

declare_rules(
    "structure",
    {
        "request-body-all-of-added": "breaking",
        "request-body-all-of-removed": "warning",
        "request-property-all-of-added": "breaking",
        "request-property-all-of-removed": "warning",
        "request-body-all-of-added-annotation-only": "info",
        "request-body-all-of-removed-annotation-only": "info",
        "request-property-all-of-added-annotation-only": "info",
        "request-property-all-of-removed-annotation-only": "info",
        "request-body-any-of-added": "info",
        "request-body-any-of-removed": "breaking",
        "request-property-any-of-added": "info",
        "request-property-any-of-removed": "breaking",
        "request-body-one-of-added": "info",
        "request-body-one-of-removed": "breaking",
        "request-property-one-of-added": "info",
        "request-property-one-of-removed": "breaking",
        "response-body-all-of-added": "info",
        "response-body-all-of-removed": "info",
        "response-property-all-of-added": "info",
        "response-property-all-of-removed": "info",
        "response-body-all-of-added-annotation-only": "info",
        "response-body-all-of-removed-annotation-only": "info",
        "response-property-all-of-added-annotation-only": "info",
        "response-property-all-of-removed-annotation-only": "info",
        "response-body-any-of-added": "info",
        "response-body-any-of-removed": "info",
        "response-property-any-of-added": "info",
        "response-property-any-of-removed": "info",
        "response-body-one-of-added": "breaking",
        "response-body-one-of-removed": "info",
        "response-property-one-of-added": "breaking",
        "response-property-one-of-removed": "info",
        "request-body-prefix-items-added": "info",
        "request-body-prefix-items-removed": "breaking",
        "request-property-prefix-items-added": "info",
        "request-property-prefix-items-removed": "breaking",
        "response-body-prefix-items-added": "breaking",
        "response-body-prefix-items-removed": "info",
        "response-property-prefix-items-added": "breaking",
        "response-property-prefix-items-removed": "info",
    },
)

_COMPOSITIONS = (("allOf", "all-of"), ("anyOf", "any-of"), ("oneOf", "one-of"))


def check(node: Node) -> None:
    """The composition rules at one node."""
    for keyword, family in _COMPOSITIONS:
        _, added, removed = match_members(node, keyword)
        old_members, new_members = schema_list(node.old, keyword), schema_list(node.new, keyword)
        for index in removed:
            _member(node, keyword, family, "removed", node.old_pointer, old_members, index, True)
        for index in added:
            _member(node, keyword, family, "added", node.new_pointer, new_members, index, False)
    old_items, new_items = (
        schema_list(node.old, "prefixItems"),
        schema_list(node.new, "prefixItems"),
    )
    for index in range(len(new_items), len(old_items)):
        node.emit(
            "prefix-items-removed",
            child(node.old_pointer, "prefixItems", index),
            f"lost the prefixItems member #{index + 1}",
        )
    for index in range(len(old_items), len(new_items)):
        node.emit(
            "prefix-items-added",
            child(node.new_pointer, "prefixItems", index),
            f"gained the prefixItems member #{index + 1}",
        )


def edges(node: Node) -> Iterator[Edge]:
    """The paired members of each composition, and the prefixItems both sides have."""
    for keyword, _ in _COMPOSITIONS:
        pairs, _, _ = match_members(node, keyword)
        old_members, new_members = schema_list(node.old, keyword), schema_list(node.new, keyword)
        for old_index, new_index in pairs:
            yield Edge(
                f"{keyword}[{_label(new_members[new_index], new_index)}]",
                old_members[old_index],
                child(node.old_pointer, keyword, old_index),
                new_members[new_index],
                child(node.new_pointer, keyword, new_index),
            )
    old_items, new_items = (
        schema_list(node.old, "prefixItems"),
        schema_list(node.new, "prefixItems"),
    )
    for index in range(min(len(old_items), len(new_items))):
        yield Edge(
            f"prefixItems[{index}]",
            old_items[index],
            child(node.old_pointer, "prefixItems", index),
            new_items[index],
            child(node.new_pointer, "prefixItems", index),
        )


def _member(
    node: Node,
    keyword: str,
    family: str,
    change: str,
    pointer: str,
    members: list[Any],
    index: int,
    old: bool,
) -> None:
    side = node.old_side if old else node.new_side
    member_pointer = child(pointer, keyword, index)
    target, _ = side.deref(members[index], member_pointer)
    suffix = f"{family}-{change}"
    if keyword == "allOf" and annotation_only(target):
        suffix += "-annotation-only"
    verb = "lost" if old else "gained"
    node.emit(
        suffix, member_pointer, f"{verb} the {keyword} member {_label(members[index], index)}"
    )


def _label(member: Any, index: int) -> str:
    reference = _reference(member)
    if reference is not None:
        return reference.rsplit("/", 1)[-1]
    title = member.get("title") if isinstance(member, dict) else None
    return title if isinstance(title, str) and title else f"#{index + 1}"


def _reference(member: Any) -> str | None:
    found = member.get("$ref") if isinstance(member, dict) else None
    return found if isinstance(found, str) else None


def _title(member: Any) -> str:
    found = member.get("title") if isinstance(member, dict) else None
    return found if isinstance(found, str) else ""


def match_members(node: Node, keyword: str) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """The members of `keyword` paired (old index, new index), then the new members left
    (added) and the old ones left (removed)."""
    old_members, new_members = schema_list(node.old, keyword), schema_list(node.new, keyword)
    if not old_members and not new_members:
        return [], [], []
    pairs: list[tuple[int, int]] = []
    old_left = dict.fromkeys(range(len(old_members)))
    new_left = dict.fromkeys(range(len(new_members)))

    def pair(keys_old: dict[int, Any], keys_new: dict[int, Any]) -> None:
        waiting: dict[Any, list[int]] = {}
        for new_index, key in keys_new.items():
            waiting.setdefault(key, []).append(new_index)
        for old_index, key in keys_old.items():
            if waiting.get(key):
                new_index = waiting[key].pop(0)
                pairs.append((old_index, new_index))
                del old_left[old_index]
                del new_left[new_index]

    def inline(indexes: dict[int, None], members: list[Any]) -> list[int]:
        return [index for index in indexes if _reference(members[index]) is None]

    pair(
        {i: _reference(old_members[i]) for i in old_left if _reference(old_members[i])},
        {j: _reference(new_members[j]) for j in new_left if _reference(new_members[j])},
    )
    pair(
        {i: form(old_members[i]) for i in inline(old_left, old_members)},
        {j: form(new_members[j]) for j in inline(new_left, new_members)},
    )
    pair(
        {
            i: _title(old_members[i])
            for i in inline(old_left, old_members)
            if _title(old_members[i])
        },
        {
            j: _title(new_members[j])
            for j in inline(new_left, new_members)
            if _title(new_members[j])
        },
    )
    old_inline, new_inline = inline(old_left, old_members), inline(new_left, new_members)
    lone = len(old_inline) == 1 and len(new_inline) == 1
    if lone and not _title(old_members[old_inline[0]]) and not _title(new_members[new_inline[0]]):
        pair({old_inline[0]: 0}, {new_inline[0]: 0})
    # An inline member that became a `$ref` to the same contract (or back) is the same member.
    pair(
        {i: _contract(node, keyword, i, old=True) for i in old_left},
        {j: _contract(node, keyword, j, old=False) for j in new_left},
    )
    pairs.sort(key=lambda found: found[1])
    return pairs, list(new_left), list(old_left)


def _contract(node: Node, keyword: str, index: int, *, old: bool) -> Any:
    side, schema, pointer = (
        (node.old_side, node.old, node.old_pointer)
        if old
        else (node.new_side, node.new, node.new_pointer)
    )
    member = schema_list(schema, keyword)[index]
    target, _ = side.deref(member, child(pointer, keyword, index))
    inline = _reference(member) is None
    # Only a change of form pairs here (an old inline member with a new `$ref`, or the
    # reverse): two inline members, or two `$ref`s, were already compared above and differ.
    return (inline if old else not inline, form(as_schema(target), schema=True, annotations=False))
