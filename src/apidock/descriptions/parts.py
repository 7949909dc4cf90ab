"""An OpenAPI 3.1 document cut into the parts API Dock stores, and joined back.

The app holds the document's top level (`info`, `servers`, `security`, `tags`, `externalDocs`,
`webhooks`, `components`, `jsonSchemaDialect`, its `x-` keys) and its Path Items without their
operations; each operation is an API of its own (SPEC, "The description model").

Joining is deterministic, so that an export imported and exported again gives the same bytes:
the top-level keys come in the specification's order (`openapi`, `info`, `jsonSchemaDialect`,
`servers`, `security`, `tags`, `externalDocs`, `paths`, `webhooks`, `components`; `paths` left
out when it would be empty beside webhooks or components) and the
document's `x-` keys after them in their stored order; paths come in the order they were
stored; inside a Path Item, its own fields (in stored order) come first and the operations
after them in the specification's method order. Everything else is kept exactly as written:
nothing is inlined, reordered or defaulted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.openapi_names import METHODS
from apidock.descriptions.problems import Report, pointer

OPENAPI_VERSION = "3.1.0"
# Top-level fields, in the specification's order; `openapi` and `paths` are written by `join`.
_APP_FIELDS = {
    "info": "info",
    "jsonSchemaDialect": "json_schema_dialect",
    "servers": "servers",
    "security": "security",
    "tags": "tags",
    "externalDocs": "external_docs",
    "webhooks": "webhooks",
    "components": "components",
}
_BEFORE_PATHS = ("info", "jsonSchemaDialect", "servers", "security", "tags", "externalDocs")
_AFTER_PATHS = ("webhooks", "components")


@dataclass(slots=True)
class OperationPart:
    """One operation: its path template, its method (lower case) and the Operation Object."""

    path: str
    method: str
    operation: dict[str, Any]


@dataclass(slots=True)
class DescriptionParts:
    """The parts of one document, as the app and its APIs store them."""

    info: dict[str, Any] = field(default_factory=dict)
    json_schema_dialect: str | None = None
    servers: list[Any] | None = None
    security: list[Any] | None = None
    tags: list[Any] | None = None
    external_docs: dict[str, Any] | None = None
    webhooks: dict[str, Any] | None = None
    components: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None
    # Path Items without their operations, by template, in the document's order
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: list[OperationPart] = field(default_factory=list)


def split_document(document: dict[str, Any], report: Report) -> DescriptionParts:
    """Cut an OpenAPI 3.1 `document` into its stored parts (the document is not changed).

    A top-level key OpenAPI 3.1 does not define, other than `x-` keys, is a `lost` entry; so is
    a `paths` entry that is not an object. Report pointers are those of `document`.
    """
    parts = DescriptionParts()
    extensions: dict[str, Any] = {}
    for key, value in document.items():
        if key in ("openapi", "paths"):
            continue
        if key in _APP_FIELDS:
            setattr(parts, _APP_FIELDS[key], value)
        elif key.startswith("x-"):
            extensions[key] = value
        else:
            report.lose(pointer(key), f"`{key}` is not a field of an OpenAPI 3.1 document")
    parts.extensions = extensions or None
    paths = document.get("paths")
    if isinstance(paths, dict):
        for template, item in paths.items():
            if not isinstance(item, dict):
                report.lose(pointer("paths", template), "a Path Item must be an object")
                continue
            own: dict[str, Any] = {}
            for key, value in item.items():
                if key in METHODS and isinstance(value, dict):
                    parts.operations.append(OperationPart(template, key, value))
                else:
                    own[key] = value
            parts.paths[template] = own
    return parts


def join_document(parts: DescriptionParts) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `parts`, in the deterministic order of the module's doc."""
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION}
    for key in _BEFORE_PATHS:
        _put(document, key, getattr(parts, _APP_FIELDS[key]))
    paths = _join_paths(parts.paths, parts.operations)
    # A document of webhooks or components alone may leave `paths` out (OpenAPI 3.1); one
    # with neither must have it, even empty.
    if paths or (parts.webhooks is None and parts.components is None):
        document["paths"] = paths
    for key in _AFTER_PATHS:
        _put(document, key, getattr(parts, _APP_FIELDS[key]))
    for key, value in (parts.extensions or {}).items():
        document[key] = value
    return document


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        document[key] = value


def _join_paths(
    own_fields: dict[str, dict[str, Any]], operations: Iterable[OperationPart]
) -> dict[str, Any]:
    by_path: dict[str, dict[str, dict[str, Any]]] = {}
    for part in operations:
        by_path.setdefault(part.path, {})[part.method] = part.operation
    paths: dict[str, Any] = {}
    # stored templates first, in their order; then templates only operations name
    for template in [*own_fields, *(t for t in by_path if t not in own_fields)]:
        item = dict(own_fields.get(template, {}))
        methods = by_path.get(template, {})
        for method in METHODS:
            if method in methods:
                item[method] = methods[method]
        paths[template] = item
    return paths


def count_examples(document: dict[str, Any]) -> int:
    """How many named examples (`examples` maps of Media Types, Parameters and Headers, and
    `components.examples`) and single `example`s outside schemas the document holds."""
    total = 0
    components = document.get("components")
    if isinstance(components, dict) and isinstance(components.get("examples"), dict):
        total += len(components["examples"])
    stack: list[Any] = [document.get("paths"), document.get("webhooks")]
    if isinstance(components, dict):
        stack.extend(
            components.get(kind)
            for kind in (
                "responses",
                "parameters",
                "requestBodies",
                "headers",
                "pathItems",
                "callbacks",
            )
        )
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key.startswith("x-") or key in ("schema", "example"):
                continue
            if key == "examples" and isinstance(value, dict):
                total += len(value)
            elif key == "content" and isinstance(value, dict):
                for media in value.values():
                    if isinstance(media, dict) and "example" in media and "examples" not in media:
                        total += 1
                    stack.append(media)
            else:
                stack.append(value)
    return total
