"""JSON values compared as JSON means them, named by their JSON Schema type, and shown briefly.

Decisions:
- Equality is JSON's, not Python's: `true` is not `1`, `1` is `1.0`, objects are equal when they
  have the same members whatever their order, arrays when their items are equal in order.
  Iterative: a value of any depth is compared without recursion.
- Types are JSON Schema's names: an integer is a number with no fractional part (`1.0` is one),
  and a boolean is not a number.
- A value is shown as its compact JSON, cut at `MAX_SHOWN` characters, so a failure's message
  stays short whatever the body holds.
"""

from __future__ import annotations

from typing import Any

from apidock.mocking.encoding import json_bytes
from apidock.mocking.generate_shape import kind_of

JSON_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
MAX_SHOWN = 200


def json_equal(left: Any, right: Any) -> bool:
    """Whether two JSON values are equal as JSON values."""
    stack = [(left, right)]
    while stack:
        one, other = stack.pop()
        if isinstance(one, bool) or isinstance(other, bool):
            if not (isinstance(one, bool) and isinstance(other, bool) and one == other):
                return False
        elif isinstance(one, int | float) and isinstance(other, int | float):
            if one != other:
                return False
        elif isinstance(one, dict) and isinstance(other, dict):
            if len(one) != len(other) or any(key not in other for key in one):
                return False
            stack.extend((one[key], other[key]) for key in one)
        elif isinstance(one, list) and isinstance(other, list):
            if len(one) != len(other):
                return False
            stack.extend(zip(one, other, strict=True))
        elif one != other:
            # what is left are strings, null and values of different kinds, which `!=` tells
            return False
    return True


def has_type(value: Any, name: str) -> bool:
    """Whether `value` is of the JSON Schema type `name` (an integer is also a number)."""
    found = kind_of(value)
    return found == name or (name == "number" and found == "integer")


def shown(value: Any) -> str:
    """`value` as compact JSON, at most `MAX_SHOWN` characters."""
    text = json_bytes(value).decode("utf-8", errors="replace")
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
