"""Following `$ref`s on one side of a diff.

The documents compared are OpenAPI 3.1 as import makes them: every reference is local
(`#/...`; intake refuses the others), so following one is a JSON Pointer look-up. A chain of
references (`A` → `B` → `C`) is followed to its end; one that loops back, or names nothing,
leaves the node as it is, so a hostile document ends the walk instead of looping. Recursion
*through* a schema (a `Tree` whose children are `Tree`s) is the comparer's business: it keeps
the pairs of pointers it is comparing and stops at a pair it is already inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from apidock.descriptions.refs import resolve_pointer

MAX_CHAIN = 64  # references followed from one node before it is taken as it is


def escape(token: str) -> str:
    """One RFC 6901 reference token."""
    return token.replace("~", "~0").replace("/", "~1")


def child(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by `tokens`."""
    return pointer + "".join("/" + escape(str(token)) for token in tokens)


@dataclass(slots=True)
class Side:
    """One of the two documents, with the targets of its references looked up once each."""

    document: dict[str, Any]
    _targets: dict[str, tuple[Any, str] | None] = field(default_factory=dict)

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        """`node` (found at `pointer`) with its `$ref` chain followed: the node it ends at and
        that node's pointer. A node without a `$ref`, or one whose chain loops or names
        nothing, is returned as it is."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            reference: str = node["$ref"]
            if not reference.startswith("#") or reference in seen or len(seen) >= MAX_CHAIN:
                return node, pointer
            seen.add(reference)
            found = self._target(reference)
            if found is None:
                return node, pointer
            node, pointer = found
        return node, pointer

    def at(self, pointer: str) -> Any:
        """The node at `pointer`, or None when it names nothing."""
        try:
            return resolve_pointer(self.document, pointer)
        except LookupError:
            return None

    def _target(self, reference: str) -> tuple[Any, str] | None:
        if reference not in self._targets:
            pointer = unquote(reference[1:])
            try:
                self._targets[reference] = (resolve_pointer(self.document, pointer), pointer)
            except LookupError:
                self._targets[reference] = None
        return self._targets[reference]
