"""What jsonschema-rs says of an error, made into a `Problem`'s parts: the pointer of its place
and a message short enough for a 422, whatever the size of the failing value.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs


def tokens_in(path: list[str | int], document: Any) -> list[str | int]:
    """The reference tokens of an error's `instance_path`, each as it is in `document`.

    jsonschema-rs gives a member whose name is a decimal (`"200"`, `"007"`) as an integer, so
    `"007"` would read as `7`; the document itself tells a member from an item.
    """
    tokens: list[str | int] = []
    node = document
    for token in path:
        if isinstance(node, dict) and isinstance(token, int):
            key = str(token)
            if key not in node:
                key = next((k for k in node if _decimal(k) and int(k) == token), key)
            tokens.append(key)
            node = node.get(key)
        elif isinstance(node, dict):
            tokens.append(token)
            node = node.get(token)
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            tokens.append(token)
            node = node[token]
        else:
            tokens.append(token)
            node = None
    return tokens


def _decimal(key: str) -> bool:
    # ASCII digits only (as jsonschema-rs reads them), and short enough for `int` to take.
    return 0 < len(key) <= 40 and key.isascii() and key.isdigit()


def message_of(error: jsonschema_rs.ValidationError, nested: bool = False) -> str:
    """The error's message, without the failing value written out in full (it may be a large
    part of the document): jsonschema-rs puts the whole instance into most of its messages.
    The reasons of a failed `anyOf` or `oneOf` are given one level deep (`nested`)."""
    kinds = jsonschema_rs.ValidationErrorKind
    kind = error.kind
    value = short(error.instance)
    if isinstance(kind, kinds.Type):
        return f"{value} is not of type {' or '.join(json.dumps(t) for t in kind.types)}"
    if isinstance(kind, kinds.Enum):
        return f"{value} is not one of {', '.join(short(option) for option in kind.options)}"
    if isinstance(kind, kinds.Constant):
        return f"{value} is not {short(kind.expected_value)}"
    if isinstance(kind, kinds.AnyOf | kinds.OneOfNotValid):
        # What each form wanted: `type: 12` is "not one of "array", ...; or not of type ...".
        reasons = [] if nested else [message_of(b[0], True) for b in kind.context[:3] if b]
        if not reasons:
            return f"{value} is not any of the forms allowed here"
        return f"{value} is not any of the forms allowed here: " + "; or ".join(reasons)
    if isinstance(kind, kinds.OneOfMultipleValid):
        return f"{value} matches more than one of the forms allowed here"
    if isinstance(kind, kinds.FalseSchema):
        return f"{value} is not allowed here"
    message = error.message
    return message if len(message) <= 300 else message[:299] + "…"


def short(value: Any) -> str:
    """A few characters naming `value`: its JSON when short, else what it is."""
    if isinstance(value, dict):
        return "an object" if value else "{}"
    if isinstance(value, list):
        return "an array" if value else "[]"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"
