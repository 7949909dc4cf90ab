"""Local `$ref`s of a mocked document, followed where the mock reads through them, with the
JSON Pointer of what they land on (validators are compiled from those pointers).

Only Reference Objects and Schema Objects are followed, and only where the mock looks (a
response, a parameter, an example, a schema's top): a `$ref` in an `x-` extension or in an
example's value is data and is never passed here. A reference that is not local (`#…`),
names nothing, or goes round in a cycle yields `None`: the mock then treats the object as
missing rather than fail. A chain is followed at most `MAX_HOPS` times.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from apidock.descriptions.json_values import local_target
from apidock.descriptions.problems import child
from apidock.descriptions.refs import resolve_pointer

MAX_HOPS = 32


@dataclass(frozen=True, slots=True)
class Located:
    """A value of the document and the JSON Pointer where it sits."""

    value: Any
    pointer: str


def follow(document: Mapping[str, Any], value: Any, at: str) -> Located | None:
    """`value` (found at the pointer `at`) read through its `$ref` chain: the object the chain
    ends on and its pointer, or None when a hop is not local, names nothing or loops."""
    seen: set[str] = set()
    for _ in range(MAX_HOPS):
        if not isinstance(value, dict):
            return Located(value, at)
        reference = value.get("$ref")
        if not isinstance(reference, str):
            return Located(value, at)
        if not reference.startswith("#"):
            return None
        target = unquote(reference[1:])
        if target in seen:
            return None
        seen.add(target)
        try:
            value = resolve_pointer(document, target)
        except LookupError:
            return None
        at = target
    return None


def member(document: Mapping[str, Any], parent: Located, name: str | int) -> Located | None:
    """The member `name` of the object (or item of the list) `parent`, read through its
    `$ref`s; None when it is absent."""
    container = parent.value
    if isinstance(container, dict):
        if name not in container:
            return None
        found = container[name]
    elif isinstance(container, list) and isinstance(name, int) and 0 <= name < len(container):
        found = container[name]
    else:
        return None
    return follow(document, found, child(parent.pointer, name))


def object_member(document: Mapping[str, Any], parent: Located, name: str) -> Located | None:
    """`member`, kept only when it is an object (what most OpenAPI members must be)."""
    found = member(document, parent, name)
    return found if found is not None and isinstance(found.value, dict) else None


def schema_chain(document: Mapping[str, Any], schema: Any) -> Iterator[dict[str, Any]]:
    """The Schema Object `schema` and those its `$ref` chain reaches, one hop at a time, in
    order (at most `MAX_HOPS`): a schema's own keywords beside a `$ref` come first."""
    for _ in range(MAX_HOPS):
        if not isinstance(schema, dict):
            return
        yield schema
        reference = schema.get("$ref")
        if not isinstance(reference, str):
            return
        schema = local_target(document, reference)
