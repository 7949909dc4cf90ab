"""The JSON values a request writes into a description (an operation, a component, a server):
bounded before anything else reads them.

A body is parsed by the standard JSON parser, which takes nesting up to the interpreter's
recursion limit and numbers past a double's range (`1e400` is `inf`). Neither can be stored
or exported as JSON, and a deep value would make recursive code (the NUL check of a body, the
encoder of the answer) fail instead of answering 422. So a written value is walked once,
iteratively, before its type is validated: at most `PART_MAX_DEPTH` levels (the importer's
default `IMPORT_MAX_DEPTH`; a part sits at most four levels down its document, which stays
well inside what the validator takes), finite numbers only, no NUL character in a key or a
string (PostgreSQL's text cannot hold one).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator

PART_MAX_DEPTH = 100


def plain_json(value: Any) -> Any:
    """`value` unchanged when it is plain JSON as the module's doc says; ValueError if not."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > PART_MAX_DEPTH:
                raise ValueError(f"nests deeper than {PART_MAX_DEPTH} levels")
            if isinstance(node, dict):
                for key in node:
                    if isinstance(key, str) and "\x00" in key:
                        raise ValueError("a key may not contain a NUL character")
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(node, float) and not math.isfinite(node):
            raise ValueError("holds a number JSON cannot represent (NaN, or past a double's range)")
        elif isinstance(node, str) and "\x00" in node:
            raise ValueError("may not contain a NUL character")
    return value


# A JSON object or array of a description, bounded as above (its members are OpenAPI's).
JsonObject = Annotated[dict[str, Any], BeforeValidator(plain_json)]
JsonObjects = Annotated[list[dict[str, Any]], BeforeValidator(plain_json)]
