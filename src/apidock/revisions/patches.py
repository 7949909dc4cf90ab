"""RFC 6902 patches between two JSON documents, made and applied in time linear in them.

`make_patch(old, new)` walks both documents together: objects member by member, arrays with
their common first and last items set aside (an edit in a list of 300 parameters touches the
middle, not the list), scalars by value. `apply_patch` applies `add`, `remove`, `replace` and
`move` to a parsed document in place. The `jsonpatch` package would do, but its diff of a
1 MB document compares every pair of list items it cannot align; these two are a page each.

Key order: an export keeps the author's order of an object's members, and a revision must
give back the very bytes, so the order is part of what a patch carries. RFC 6902 says nothing
of order (a JSON object has none); here `add` of a new member puts it last, as a Python dict
does, and a `move` of a member onto itself (`from` equal to `path`, which the RFC allows and
leaves a no-op) puts it last too. A patch sends to the end, in the new order, every member
after the longest run of the new order's first members that the old order already has in
sequence: none for an edit, a few for an insertion in the middle.

Equality: unchanged branches are skipped with Python's `==`, which holds `1 == 1.0 == True`.
A patch made here is therefore checked by the caller against the document it must rebuild
(`storage`), which stores the whole document instead in the rare case it does not.
"""

from __future__ import annotations

from typing import Any

Operation = dict[str, Any]


class PatchError(ValueError):
    """A patch that does not fit the document it is applied to (stored content is damaged)."""


def make_patch(old: Any, new: Any) -> list[Operation]:
    """The operations that turn `old` into `new` (see the module for what they keep)."""
    operations: list[Operation] = []
    _diff(old, new, "", operations)
    return operations


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


def _token(key: str) -> str:
    """`key` as an RFC 6901 reference token."""
    return key.replace("~", "~0").replace("/", "~1")


def _diff(old: Any, new: Any, path: str, operations: list[Operation]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        _diff_objects(old, new, path, operations)
    elif isinstance(old, list) and isinstance(new, list):
        _diff_arrays(old, new, path, operations)
    elif not _same(old, new):
        operations.append({"op": "replace", "path": path, "value": new})


def _diff_objects(
    old: dict[str, Any], new: dict[str, Any], path: str, operations: list[Operation]
) -> None:
    kept: list[str] = []
    for key in old:
        if key in new:
            kept.append(key)
        else:
            operations.append({"op": "remove", "path": f"{path}/{_token(key)}"})
    in_place = _members_in_place(kept, new)
    for index, (key, value) in enumerate(new.items()):
        member = f"{path}/{_token(key)}"
        if key not in old:
            operations.append({"op": "add", "path": member, "value": value})
            continue
        if not _same(old[key], value):
            _diff(old[key], value, member, operations)
        if index >= in_place:
            operations.append({"op": "move", "from": member, "path": member})


def _members_in_place(kept: list[str], new: dict[str, Any]) -> int:
    """How many of `new`'s first members stay where they are: the longest run of them that
    `kept` (the old members still there, in the old order) holds in the same order."""
    position = {key: index for index, key in enumerate(kept)}
    last = -1
    count = 0
    for key in new:
        index = position.get(key)
        if index is None or index < last:
            break
        last = index
        count += 1
    return count


def _diff_arrays(old: list[Any], new: list[Any], path: str, operations: list[Operation]) -> None:
    shorter = min(len(old), len(new))
    start = 0
    while start < shorter and _same(old[start], new[start]):
        start += 1
    end = 0
    while end < shorter - start and _same(old[-1 - end], new[-1 - end]):
        end += 1
    old_middle = old[start : len(old) - end]
    new_middle = new[start : len(new) - end]
    if len(old_middle) == len(new_middle):
        for offset, (before, after) in enumerate(zip(old_middle, new_middle, strict=True)):
            _diff(before, after, f"{path}/{start + offset}", operations)
        return
    operations.extend({"op": "remove", "path": f"{path}/{start}"} for _ in old_middle)
    operations.extend(
        {"op": "add", "path": f"{path}/{start + offset}", "value": value}
        for offset, value in enumerate(new_middle)
    )


def apply_patch(document: Any, operations: list[Operation]) -> Any:
    """`document` with `operations` applied, in place (the result, which is `document` unless
    an operation replaces the whole of it); PatchError when one does not fit."""
    for operation in operations:
        try:
            document = _apply(document, operation)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise PatchError(
                f"{operation.get('op')} at {operation.get('path')!r}: {error}"
            ) from None
    return document


def _apply(document: Any, operation: Operation) -> Any:
    kind = operation["op"]
    path: str = operation["path"]
    if path == "":
        if kind in ("add", "replace"):
            return operation["value"]
        raise PatchError(f"{kind} of the whole document")
    if kind == "move":
        source: str = operation["from"]
        container, key = _parent(document, source)
        value = _remove(container, key)
        container, key = _parent(document, path)
        _add(container, key, value)
        return document
    container, key = _parent(document, path)
    if kind == "add":
        _add(container, key, operation["value"])
    elif kind == "remove":
        _remove(container, key)
    elif kind == "replace":
        if isinstance(container, list):
            container[_index(container, key)] = operation["value"]
        elif key in container:
            container[key] = operation["value"]
        else:
            raise KeyError(key)
    else:
        raise PatchError(f"unknown operation {kind!r}")
    return document


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _parent(document: Any, path: str) -> tuple[Any, str]:
    """The container of `path`'s target and the target's (unescaped) last token."""
    if not path.startswith("/"):
        raise PatchError(f"not a JSON Pointer: {path!r}")
    *steps, last = path[1:].split("/")
    node = document
    for step in steps:
        token = _unescape(step)
        node = node[_index(node, token)] if isinstance(node, list) else node[token]
    if not isinstance(node, dict | list):
        raise PatchError(f"{path!r} is inside a scalar")
    return node, _unescape(last)


def _index(array: list[Any], reference: str, *, past_end: bool = False) -> int:
    """The item of `array` that `reference` names (or, `past_end`, the place after the last)."""
    if past_end and reference == "-":
        return len(array)
    if not (reference.isascii() and reference.isdigit()) or (
        reference != "0" and reference.startswith("0")
    ):
        raise PatchError(f"not an array index: {reference!r}")
    index = int(reference)
    if index > len(array) or (index == len(array) and not past_end):
        raise IndexError(index)
    return index


def _add(container: Any, key: str, value: Any) -> None:
    if isinstance(container, list):
        container.insert(_index(container, key, past_end=True), value)
    else:
        container[key] = value


def _remove(container: Any, key: str) -> Any:
    if isinstance(container, list):
        return container.pop(_index(container, key))
    return container.pop(key)
