"""Swagger 2.0 → OpenAPI 3.1: request bodies shared between operations.

2.0 has no request-body components: a body is a parameter, shared through `parameters` or
written again in each operation. As swagger2openapi does, a body that two or more operations
have exactly alike becomes `components/requestBodies/<name>` and each of them refers to it; a
body only one operation has stays in that operation (a shared `parameters` entry included).
The name is the one the reference would give in the usual case: the body schema's component
(`Pet`, or `PetArray` for an array of them), else the operation's id and the parameter's name
(`addPetBody`), else the operation's id, else its method and path in camel case; a taken name
gets `2`, `3`, …. The reference picks among equal bodies in an order of its own, so a name can
differ from its (SPEC "Export details" allows it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from apidock.descriptions.swagger2_parameters import Piece
from apidock.descriptions.swagger2_refs import camel_case, component_name, sanitise

_SCHEMAS = "#/components/schemas/"
REQUEST_BODIES = "#/components/requestBodies/"


@dataclass(slots=True)
class BodyUse:
    """An operation (converted) and the name its request body would have if shared."""

    operation: dict[str, Any]
    name: str


def _schema_name(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMAS):
        return unquote(ref[len(_SCHEMAS) :])
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict):
        ref = items.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            return unquote(ref[len(_SCHEMAS) :]) + "Array"
    return ""


def body_name(piece: Piece, body: dict[str, Any], operation_id: Any, method: str, path: str) -> str:
    """The name swagger2openapi gives the request body made from `piece` first."""
    operation = sanitise(operation_id) if isinstance(operation_id, str) else ""
    name = ""
    if piece.kind == "body":
        name = _schema_name(piece.schema)
        if not name and piece.name:
            name = operation + camel_case("_" + piece.name)
    else:
        name = operation
    return component_name(name or operation or camel_case(sanitise(method + path)))


_END_OBJECT, _END_ARRAY = object(), object()


class _Key(str):
    """A member name in the walk below (told apart from a string value)."""

    __slots__ = ()


def canonical(value: Any) -> str:
    """A text that two JSON values share exactly when they are equal (keys sorted); built
    iteratively, as json.dumps recurses."""
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if item is _END_OBJECT:
            parts.append("},")
        elif item is _END_ARRAY:
            parts.append("],")
        elif isinstance(item, _Key):
            parts.append(json.dumps(str(item)) + ":")
        elif isinstance(item, dict):
            parts.append("{")
            stack.append(_END_OBJECT)
            for key in sorted(item, reverse=True):
                stack.append(item[key])
                stack.append(_Key(key))
        elif isinstance(item, list):
            parts.append("[")
            stack.append(_END_ARRAY)
            stack.extend(reversed(item))
        else:
            parts.append(json.dumps(item) + ",")
    return "".join(parts)


def share_request_bodies(uses: list[BodyUse]) -> dict[str, Any]:
    """Make the bodies several operations have alike into components; return those."""
    groups: dict[str, list[BodyUse]] = {}
    for use in uses:
        groups.setdefault(canonical(use.operation["requestBody"]), []).append(use)
    shared: dict[str, Any] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        base = name = group[0].name
        suffix = 1
        while name in shared:
            suffix += 1
            name = f"{base}{suffix}"
        shared[name] = group[0].operation["requestBody"]
        for use in group:
            use.operation["requestBody"] = {"$ref": REQUEST_BODIES + name}
    return shared
