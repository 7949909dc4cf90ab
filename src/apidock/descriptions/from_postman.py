"""Postman Collection v2.1 and v2.0 to OpenAPI 3.1.0.

`convert_postman` reads the collection, never changes it, and returns a new document; every
`warnings` and `lost` entry points into the collection as sent (`/item/0/item/2/request`).
The folder tree is walked with an explicit stack (folders nest without bound), and the work
is linear in the collection's size. Nothing is fetched and no script is ever run.

Decisions (the URL, body, auth and merge rules are in `postman_url`, `postman_body`,
`postman_auth` and `postman_operations`):
- v2.0 and v2.1 are read by one reader: where they differ (auth attributes as an object or as
  a `[{key, value}]` list, `url` as a string or an object, headers as a list or as text), each
  reader takes either shape, whatever `info.schema` says.
- Folders become a tag tree. Each folder is one top-level tag, in the collection's order, named
  by its path (`Users / Admin`), or by its own name alone once the path would pass
  `TAG_PATH_LIMIT` characters (deep trees stay linear), made unique with ` (2)`, ` (3)`….
  Its `description` is the folder's; a nested folder's tag carries
  `x-apidock-group-parent: <the parent folder's tag name>`, from which API Dock's importer
  rebuilds its groups. A request is tagged with its own folder's tag only; a request at the
  collection's root has no tag.
- Auth follows Postman's inheritance: a request's own auth, else its nearest folder's, else the
  collection's, which is the document's top-level `security` (`[]` for a collection without
  auth: it says so outright, and redocly's recommended `security-defined` wants it said).
- `info.name` is `info.title`, `info.description` its description, `info.version` the version
  (`major.minor.patch[-identifier]` for v2.0's object form; `1.0.0` with a warning when there
  is none).
- Scripts (`event`: pre-request and test) are never run: one `lost` entry per non-empty
  script. `protocolProfileBehavior`, folder and request `variable` lists, proxies and
  certificates are `lost` entries too.
- Collection variables are not carried as such (their values are often credentials): a value
  used as a server variable's default, a path parameter's example or an auth URL is carried
  there, and each variable nothing used is a `lost` entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apidock.descriptions.postman_auth import Requirement, Security
from apidock.descriptions.postman_operations import Operations
from apidock.descriptions.postman_values import (
    ROOT,
    Where,
    name_of,
    read_variables,
    text_of,
    unique_name,
)
from apidock.descriptions.problems import Report, pointer

TAG_PATH_LIMIT = 200
"""The longest folder path a tag is named by; a deeper folder's tag is its own name."""

GROUP_PARENT = "x-apidock-group-parent"


@dataclass(frozen=True, slots=True)
class _Folder:
    tag: str
    security: Requirement | None


def _format_of(document: dict[str, Any]) -> str:
    info = document.get("info")
    schema = info.get("schema") if isinstance(info, dict) else None
    if isinstance(schema, str) and "v2.0" in schema:
        return "postman-2.0.0"
    return "postman-2.1.0"


def _version_of(version: Any) -> str | None:
    if isinstance(version, str) and version.strip():
        return version.strip()
    if isinstance(version, int | float) and not isinstance(version, bool):
        return str(version)
    if isinstance(version, dict):
        parts = [version.get(part) for part in ("major", "minor", "patch")]
        if all(isinstance(part, int) and not isinstance(part, bool) for part in parts):
            text = ".".join(str(part) for part in parts)
            identifier = version.get("identifier")
            if isinstance(identifier, str) and identifier.strip():
                text += "-" + identifier.strip()
            return text
    return None


def _info(document: dict[str, Any], report: Report) -> dict[str, Any]:
    info = document.get("info")
    if not isinstance(info, dict):
        report.warn(pointer("info"), "no info object: the title and version are made up")
        info = {}
    title = name_of(info)
    if title is None:
        report.warn(pointer("info", "name"), "the collection has no name: 'Untitled collection'")
    out: dict[str, Any] = {"title": title or "Untitled collection"}
    description = text_of(info.get("description"))
    if description:
        out["description"] = description
    version = _version_of(info.get("version"))
    if version is None:
        report.warn(pointer("info", "version"), "the collection has no version: '1.0.0'")
    out["version"] = version or "1.0.0"
    return out


def _lose_unrun(node: dict[str, Any], at: Where, report: Report, *, root: bool = False) -> None:
    """The `lost` entries of what a collection, folder or item holds that is never carried."""
    events = node.get("event")
    if isinstance(events, list):
        for index, event in enumerate(events):
            script = event.get("script") if isinstance(event, dict) else None
            if not isinstance(script, dict):
                continue
            code = script.get("exec")
            lines = code if isinstance(code, list) else [code]
            if any(isinstance(line, str) and line.strip() for line in lines) or script.get("src"):
                listen = event.get("listen")
                kind = {"prerequest": "pre-request", "test": "test"}.get(str(listen), "event")
                report.lose(
                    str(at.at("event", index)), f"a {kind} script is never run: not carried"
                )
    if node.get("protocolProfileBehavior"):
        report.lose(
            str(at.at("protocolProfileBehavior")), "Postman's request settings are not carried"
        )
    if not root and isinstance(node.get("variable"), list) and node["variable"]:
        report.lose(str(at.at("variable")), "folder and request variables are not carried")


def _walk(
    document: dict[str, Any],
    operations: Operations,
    security: Security,
    top: Requirement | None,
    report: Report,
) -> list[dict[str, Any]]:
    """Walk the item tree depth first in document order; return the folders' tags."""
    items = document.get("item")
    if not isinstance(items, list):
        report.warn(pointer("item"), "no item list: the collection has no requests")
        return []
    tags: list[dict[str, Any]] = []
    taken: set[str] = set()
    counters: dict[str, int] = {}
    stack: list[tuple[Iterator[tuple[int, Any]], Where, _Folder | None]] = [
        (enumerate(items), ROOT, None)
    ]
    while stack:
        iterator, where, folder = stack[-1]
        step = next(iterator, None)
        if step is None:
            stack.pop()
            continue
        index, item = step
        at = where.at("item", index)
        if not isinstance(item, dict):
            report.lose(str(at), "an item that is not an object")
            continue
        _lose_unrun(item, at, report)
        inherited = folder.security if folder else top
        if "item" in item:
            own_name = name_of(item) or "Untitled folder"
            base = own_name if folder is None else f"{folder.tag} / {own_name}"
            if len(base) > TAG_PATH_LIMIT:
                base = own_name
            tag_name = unique_name(base, taken, counters)
            taken.add(tag_name)
            tag: dict[str, Any] = {"name": tag_name}
            described = text_of(item.get("description"))
            if described:
                tag["description"] = described
            if folder is not None:
                tag[GROUP_PARENT] = folder.tag
            tags.append(tag)
            own = security.requirement(item.get("auth"), at.at("auth"))
            children = item["item"]
            if not isinstance(children, list):
                report.lose(str(at.at("item")), "a folder's item is not a list")
                children = []
            child = _Folder(tag_name, own if own is not None else inherited)
            stack.append((enumerate(children), at, child))
        elif "request" in item:
            operations.add(item, at, folder.tag if folder else None, inherited)
        else:
            report.lose(str(at), "an item with neither a request nor items: not carried")
    return tags


def convert_postman(document: dict[str, Any], report: Report) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document of the Postman collection `document` (v2.1 or v2.0)."""
    if not report.format:
        report.format = _format_of(document)
    variable_key = "variable" if "variable" in document else "variables"
    variables = read_variables(document.get(variable_key))
    security = Security(variables, report)
    info = _info(document, report)
    top = security.requirement(document.get("auth"), ROOT.at("auth"))
    _lose_unrun(document, ROOT, report, root=True)
    operations = Operations(variables, security, report)
    tags = _walk(document, operations, security, top, report)
    paths = operations.finish(top)

    out: dict[str, Any] = {"openapi": "3.1.0", "info": info}
    servers = operations.server_objects()
    if servers:
        out["servers"] = servers
    out["paths"] = paths
    if security.schemes:
        out["components"] = {"securitySchemes": security.schemes}
    # `security: []` says outright that a collection without auth needs none (and redocly's
    # recommended `security-defined` asks every operation to say something)
    out["security"] = top or []
    if tags:
        out["tags"] = tags
    for name, index in variables.places.items():
        if name not in variables.used:
            report.lose(
                pointer(variable_key, index),
                f"the collection variable {name!r} is not carried (nothing converted uses it)",
            )
    return out
