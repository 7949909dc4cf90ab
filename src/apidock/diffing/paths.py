"""Which paths and operations of the old document are which of the new, as oasdiff matches
them: a path by its template with the parameter names left out (`/pets/{id}` is
`/pets/{petId}`, its parameters renamed by position), an operation by its method.

A path only in the old document is removed, one only in the new added; an exact name is
paired first, so a document that keeps `/pets/{id}` beside a new `/pets/{petId}` pairs the
former and adds the latter. Everything here is a dictionary look-up: the cost grows with the
number of paths, never with its square.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apidock.diffing import lifecycle
from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.operations import compare_operation
from apidock.diffing.resolve import child
from apidock.diffing.walk import OperationPair, Walk, mapping

RULES: dict[str, Level] = {"endpoint-added": "info"}
declare(RULES)

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAMETER = re.compile(r"\{([^{}/]*)\}")


def template_key(path: str) -> str:
    """The path with its parameter names left out: what oasdiff matches paths by."""
    return _TEMPLATE_PARAMETER.sub("{}", path)


def template_names(path: str) -> list[str]:
    return _TEMPLATE_PARAMETER.findall(path)


def match_paths(
    old: list[str], new: list[str]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(pairs of old and new paths, removed paths, added paths), each sorted. Paths whose
    template is shared by several unpaired paths on one side stay unpaired: which one was
    renamed to which would be a guess."""
    new_set = set(new)
    pairs = [(path, path) for path in old if path in new_set]
    old_set = set(old)
    old_rest: dict[str, list[str]] = {}
    new_rest: dict[str, list[str]] = {}
    for path in old:
        if path not in new_set:
            old_rest.setdefault(template_key(path), []).append(path)
    for path in new:
        if path not in old_set:
            new_rest.setdefault(template_key(path), []).append(path)
    removed: list[str] = []
    for key, old_paths in old_rest.items():
        new_paths = new_rest.get(key, [])
        if len(old_paths) == 1 and len(new_paths) == 1:
            pairs.append((old_paths[0], new_paths.pop()))
        else:
            removed.extend(old_paths)
    added = [path for paths in new_rest.values() for path in paths]
    return sorted(pairs), sorted(removed), sorted(added)


def compare_paths(walk: Walk) -> list[Change]:
    """Every change under `paths`."""
    old_paths = mapping(walk.old.document.get("paths"))
    new_paths = mapping(walk.new.document.get("paths"))
    pairs, removed, added = match_paths(
        [path for path in old_paths if isinstance(path, str)],
        [path for path in new_paths if isinstance(path, str)],
    )
    changes: list[Change] = []
    for old_path, new_path in pairs:
        old_names, new_names = template_names(old_path), template_names(new_path)
        changes += compare_path_items(
            walk,
            old_path,
            (old_paths[old_path], child("/paths", old_path)),
            (new_paths[new_path], child("/paths", new_path)),
            dict(zip(old_names, new_names, strict=False)) if old_names != new_names else {},
        )
    for path in removed:
        item, pointer = walk.old.deref(old_paths[path], child("/paths", path))
        for method, operation, operation_pointer in operations_of(mapping(item), pointer):
            changes += removal_of_operation(
                walk, f"{method.upper()} {path}", operation, operation_pointer, whole_path=True
            )
    for path in added:
        item, pointer = walk.new.deref(new_paths[path], child("/paths", path))
        for method, _, operation_pointer in operations_of(mapping(item), pointer):
            changes.append(endpoint_added(f"{method.upper()} {path}", operation_pointer))
    return changes


def compare_path_items(
    walk: Walk,
    label_path: str,
    old_item: tuple[Any, str],
    new_item: tuple[Any, str],
    path_names: dict[str, str],
) -> list[Change]:
    """The operations of two path items that are the same path (or the same webhook),
    named by `label_path`: the old document's path, as oasdiff names a path present in both
    (`/pets/{id}` renamed `/pets/{petId}` stays "GET /pets/{id}")."""
    old_node, old_pointer = walk.old.deref(*old_item)
    new_node, new_pointer = walk.new.deref(*new_item)
    old_path_item, new_path_item = mapping(old_node), mapping(new_node)
    old_operations = {
        method: (op, at) for method, op, at in operations_of(old_path_item, old_pointer)
    }
    changes: list[Change] = []
    for method, new_operation, new_operation_pointer in operations_of(new_path_item, new_pointer):
        label = f"{method.upper()} {label_path}"
        found = old_operations.pop(method, None)
        if found is None:
            changes.append(endpoint_added(label, new_operation_pointer))
            continue
        pair = OperationPair(
            label=label,
            old=found[0],
            old_pointer=found[1],
            new=new_operation,
            new_pointer=new_operation_pointer,
            old_path_item=old_path_item,
            old_path_pointer=old_pointer,
            new_path_item=new_path_item,
            new_path_pointer=new_pointer,
            path_names=path_names,
        )
        changes += compare_operation(walk, pair)
    for method, (operation, operation_pointer) in old_operations.items():
        changes += removal_of_operation(
            walk, f"{method.upper()} {label_path}", operation, operation_pointer, whole_path=False
        )
    return changes


def operations_of(
    path_item: dict[str, Any], pointer: str
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(method, operation, its pointer) of each operation of a path item."""
    for method in METHODS:
        operation = path_item.get(method)
        if isinstance(operation, dict):
            yield method, operation, child(pointer, method)


def endpoint_added(label: str, pointer: str) -> Change:
    return Change.of(
        "endpoint-added", operation=label, pointer=pointer, message="the endpoint was added"
    )


def removal_of_operation(
    walk: Walk, label: str, operation: dict[str, Any], pointer: str, *, whole_path: bool
) -> list[Change]:
    """The removal of one operation (with its whole path, or alone). Operations below the
    stability threshold may go freely, as may alpha and draft ones with their path; one with an
    unreadable stability level has that reported instead."""
    stability = lifecycle.stability_of(operation)
    if stability is None:
        return [lifecycle.invalid_stability(operation, pointer, label)]
    if not lifecycle.included(stability, walk.policy):
        return []
    if whole_path and stability in ("alpha", "draft"):
        return []
    change = lifecycle.removal(
        lifecycle.PATH_REMOVAL if whole_path else lifecycle.OPERATION_REMOVAL,
        operation,
        pointer,
        subject="the path" if whole_path else "the endpoint",
        operation=label,
        today=walk.today,
    )
    return [] if change is None else [change]
