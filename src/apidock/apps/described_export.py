"""The export of an app that holds a description: its stored parts joined back
(`descriptions.parts.join_document`), with what the original's routes added beside them.

An app made through the original's routes has no stored parts and is built from its rows
(`openapi_export`) exactly as before. An imported app may later gain APIs, groups and an auth
type through those routes; they are merged in:
- their operations join `paths`, never replacing a described operation of the same path and
  method;
- the tags of their groups come after the document's own tags (the groups the import made
  from those tags add nothing);
- the security scheme of the app's auth type joins `components.securitySchemes`, unless the
  document already has one of that name.
`info` is the stored Info Object with `version` and `description` from the app's columns (the
catalog may change them), and `title` as the document gave it.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from apidock.apps.models import App
from apidock.apps.openapi_export import (
    MAX_DOCUMENT_BYTES,
    DocumentTooLarge,
    ExportApp,
    build_document,
    mock_server_object,
)
from apidock.descriptions.dumping import dump_json, dump_yaml
from apidock.descriptions.parts import DescriptionParts, OperationPart, join_document

Syntax = Literal["json", "yaml"]
# the app's columns that are parts of its description as they are (`DescriptionParts` fields)
STORED_PARTS = (
    "json_schema_dialect",
    "servers",
    "security",
    "tags",
    "external_docs",
    "webhooks",
    "components",
    "extensions",
)


def stored_parts(app: App, operations: list[OperationPart]) -> DescriptionParts | None:
    """The stored description of `app` with `operations`, or None when it has none."""
    if app.info is None and not operations:
        return None
    info = dict(app.info or {"title": app.title})
    info["version"] = app.version
    if app.description:
        info["description"] = app.description
    else:
        info.pop("description", None)
    stored = {name: getattr(app, name) for name in STORED_PARTS}
    return DescriptionParts(info=info, paths=dict(app.paths or {}), operations=operations, **stored)


def render_described(
    parts: DescriptionParts | None, rows: ExportApp, syntax: Syntax
) -> list[bytes]:
    """The document as one encoded piece; DocumentTooLarge past MAX_DOCUMENT_BYTES."""
    document = described_document(parts, rows)
    encoded = dump_yaml(document) if syntax == "yaml" else dump_json(document)
    if len(encoded) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"the document takes more than {MAX_DOCUMENT_BYTES} bytes")
    return [encoded]


def described_document(parts: DescriptionParts | None, rows: ExportApp) -> dict[str, Any]:
    """The stored description merged with the document of the catalog's own rows."""
    built = build_document(rows)
    if parts is None:
        return built
    document = join_document(parts)
    if rows.mock_server is not None:
        document = with_mock_server(document, rows.mock_server)
    if not rows.apis:
        return document
    if "paths" not in document:  # a description of components or webhooks alone
        document = _with_paths(document)
    paths: dict[str, Any] = document["paths"]
    used: set[str] = set()
    for template, item in built["paths"].items():
        target = paths.setdefault(template, {})
        for method, operation in item.items():
            target.setdefault(method, operation)
            used.update(operation.get("tags", ()))
    tags = [tag for tag in built.get("tags", []) if tag["name"] in used - _tag_names(document)]
    if tags:
        document["tags"] = [*document.get("tags", []), *tags]
    schemes = built.get("components", {}).get("securitySchemes", {})
    if schemes:
        components = copy.copy(document.get("components") or {})
        declared = dict(components.get("securitySchemes") or {})
        for name, scheme in schemes.items():
            declared.setdefault(name, scheme)
        components["securitySchemes"] = declared
        document = _with_components(document, components)
    return document


def with_mock_server(document: dict[str, Any], url: str) -> dict[str, Any]:
    """`document`, or, when it has no servers, a copy with the mock's at `url` as its server."""
    if document.get("servers"):
        return document
    return _with_servers(document, [mock_server_object(url)])


def _with_servers(document: dict[str, Any], servers: list[Any]) -> dict[str, Any]:
    """`document` with `servers` in their place of the deterministic order (after `info` and
    `jsonSchemaDialect`)."""
    ordered: dict[str, Any] = {}
    for key, value in document.items():
        if key not in ("openapi", "info", "jsonSchemaDialect", "servers"):
            ordered.setdefault("servers", servers)
        if key != "servers":
            ordered[key] = value
    ordered.setdefault("servers", servers)
    return ordered


def _with_paths(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with an empty `paths` in its place of the deterministic order."""
    ordered: dict[str, Any] = {}
    for key, value in document.items():
        if key in ("webhooks", "components") or key.startswith("x-"):
            ordered.setdefault("paths", {})
        ordered[key] = value
    ordered.setdefault("paths", {})
    return ordered


def _tag_names(document: dict[str, Any]) -> set[str]:
    return {
        tag["name"]
        for tag in document.get("tags", [])
        if isinstance(tag, dict) and isinstance(tag.get("name"), str)
    }


def _with_components(document: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """`document` with `components` in its place of the deterministic order (after webhooks)."""
    if "components" in document:
        document["components"] = components
        return document
    ordered: dict[str, Any] = {}
    for key, value in document.items():
        if key.startswith("x-") and "components" not in ordered:
            ordered["components"] = components
        ordered[key] = value
    ordered.setdefault("components", components)
    return ordered
