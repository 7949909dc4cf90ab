"""The names OpenAPI 3.1 fixes that several readers of a document walk by: the methods of a
Path Item and the kinds of a Components Object, each in the specification's order.

One list of each, so that the lenient reader, the semantic checks, the converters and the
catalog's component routes agree on what a Path Item's operations and a component's kinds
are. The walk over the references (`refs_walk`) keeps tables of its own: it also walks the
3.2 members (`query`, `mediaTypes`) a 3.0 or 3.1 document may carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, get_args

# The HTTP methods a Path Item may hold, in the order of the specification's Path Item Object.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

ComponentKind = Literal[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
]
# the members of a Components Object, in the specification's order
COMPONENT_KINDS: tuple[ComponentKind, ...] = get_args(ComponentKind)


def operations_of(item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The operations of the Path Item `item` as `(method, operation)`, in METHODS order.

    A method whose value is not an object holds no operation here: each caller has already
    reported (or deliberately ignores) such a value, so this walk only skips it.
    """
    for method in METHODS:
        operation = item.get(method)
        if isinstance(operation, dict):
            yield method, operation
