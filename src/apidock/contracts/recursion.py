"""Whether a schema can recurse: whether following its local `$ref`s can come back to a schema
already on the way (a `Tree` whose children are `Tree`s).

Only such a schema makes the validator descend as deep as the body goes, one native frame per
level; any other schema stops descending where it ends, and documents are at most 100 levels
deep. So the body's depth is measured (a walk in Python, which costs about what validating it
costs) only for schemas this says may recurse.

Decisions: the references of a schema are the `$ref` values anywhere inside it, data such as
`examples` included (telling data from schema by keyword would miss a property named `enum`;
taking too much only costs a measurement); a `$dynamicRef` counts as recursion, since where it
lands depends on the way in. A reference that is not local names
nothing here (it cannot be compiled anyway). Iterative, and each schema's references are
collected once per question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from apidock.descriptions.refs import resolve_pointer

_DYNAMIC = "dynamic"


def may_recurse(document: Mapping[str, Any], schema_pointer: str) -> bool:
    """Whether the schema at `schema_pointer` reaches itself, or a schema on its way, again
    through `$ref`s (or holds a `$dynamicRef`)."""
    references: dict[str, list[str] | str] = {}
    on_the_way: set[str] = set()
    done: set[str] = set()
    stack: list[tuple[str, int]] = [(schema_pointer, 0)]
    while stack:
        at, position = stack.pop()
        if position == 0:
            if at in on_the_way:
                return True
            if at in done:
                continue
            on_the_way.add(at)
        targets = references.get(at)
        if targets is None:
            targets = references[at] = _references_in(document, at)
        if targets == _DYNAMIC:
            return True
        if position < len(targets):
            stack.append((at, position + 1))
            stack.append((targets[position], 0))
        else:
            on_the_way.discard(at)
            done.add(at)
    return False


def _references_in(document: Mapping[str, Any], at: str) -> list[str] | str:
    """The local `$ref` targets (JSON Pointers) inside the schema at `at`, or `_DYNAMIC`."""
    try:
        schema = resolve_pointer(document, at)
    except LookupError:
        return []
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if "$dynamicRef" in node:
            return _DYNAMIC
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#"):
            found.append(unquote(reference[1:]))
        stack.extend(node.values())
    return found
