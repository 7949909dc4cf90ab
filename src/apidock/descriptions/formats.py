"""Which kind of description a loaded document is, read from its own version field.

Taken: OpenAPI 3.1.x and 3.0.x (`openapi`), Swagger 2.0 (`swagger`), Postman Collection
v2.1.0 and v2.0.0 (`info.schema`). Everything else is refused at the field that says what the
document is, with a message naming what is taken: OpenAPI 3.2 and later or 2.x, Swagger 1.x
(`swaggerVersion`), Postman v1 (top-level `requests`), an unknown `info.schema`. Decisions:

- A version is a string in every one of these formats, but `swagger: 2.0` unquoted in YAML
  is a number, and real documents (swagger2openapi's own tests among them) are written so:
  a number is read as the text Python writes for it (`2.0`, `3.1`) and checked as that, with
  a note. Anything else (`true`, a list) is refused at the field.
- `3.0` and `3.1` without a patch number are taken (some generators write them), with a note.
- Postman: `info.schema` is a URL on `schema.getpostman.com` or `schema.postman.com` whose path
  holds `/collection/v2.1.0/` or `/collection/v2.0.0/`. A collection with `info` and `item`
  but no `info.schema` (hand-made, or trimmed by a tool) is read as v2.1.0, with a note.
- What there is to import is checked too, as SPEC's import asks ("has paths, webhooks or
  items"): OpenAPI 3.1 needs `paths`, `webhooks` or `components` as an object (3.1 makes
  each optional, one required: a components-only document is a valid library of schemas);
  OpenAPI 3.0 and Swagger 2.0 need `paths` as an object (required there); Postman needs
  `item` as an array. Whether their contents are right is the converters' business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from apidock.descriptions.problems import DocumentRefused, Problem, pointer

Family = Literal["openapi", "swagger", "postman"]

SUPPORTED = "OpenAPI 3.1.x or 3.0.x, Swagger 2.0, or a Postman Collection v2.1.0 or v2.0.0"
POSTMAN_SCHEMA_HOSTS = frozenset({"schema.getpostman.com", "schema.postman.com"})
_OPENAPI_VERSION = re.compile(r"3\.([01])(\.(?:0|[1-9][0-9]*))?")
_POSTMAN_VERSION = re.compile(r"/collection/v([0-9]+(?:\.[0-9]+)*)/")
_POSTMAN_VERSIONS = frozenset({"2.1.0", "2.0.0"})


@dataclass(frozen=True)
class SourceFormat:
    """A document's format: `family` and `version` as the document writes it.

    `notes` are what detection assumed, for the import report's `warnings`.
    """

    family: Family
    version: str
    notes: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """The report's `format`: `openapi-3.0.3`, `swagger-2.0`, `postman-2.1.0`."""
        return f"{self.family}-{self.version}"


def detect_format(document: dict[str, Any]) -> SourceFormat:
    """The format of `document` (an object from `load_document`), or DocumentRefused."""
    if "openapi" in document:
        return _openapi(document)
    if "swagger" in document:
        return _swagger(document)
    if "swaggerVersion" in document:
        raise _refused("/swaggerVersion", "Swagger 1.x is not taken", "format.version")
    info = document.get("info")
    if isinstance(info, dict) and ("schema" in info or "item" in document):
        return _postman(document, info)
    if "requests" in document and "info" not in document:
        message = "A Postman Collection v1 is not taken: export it again as v2.1"
        raise _refused("", message, "format.version")
    message = "Not a description: no `openapi`, `swagger` or Postman `info.schema` field"
    raise _refused("", message, "format.unknown")


def _openapi(document: dict[str, Any]) -> SourceFormat:
    version, notes = _version_text(document, "openapi", "3.1.0")
    match = _OPENAPI_VERSION.fullmatch(version)
    if match is None:
        raise _refused("/openapi", f"OpenAPI {_clip(version)} is not taken", "format.version")
    if match.group(2) is None and not notes:
        note = f"The version {version!r} names no patch release: read as OpenAPI {version}.x"
        notes = (Problem("/openapi", note, "format.assumed"),)
    if match.group(1) == "1":
        _require_object(document, ("paths", "webhooks", "components"), "OpenAPI 3.1")
    else:
        _require_object(document, ("paths",), "OpenAPI 3.0")
    return SourceFormat("openapi", version, notes)


def _swagger(document: dict[str, Any]) -> SourceFormat:
    version, notes = _version_text(document, "swagger", "2.0")
    if version != "2.0":
        raise _refused("/swagger", f"Swagger {_clip(version)} is not taken", "format.version")
    _require_object(document, ("paths",), "Swagger 2.0")
    return SourceFormat("swagger", version, notes)


def _postman(document: dict[str, Any], info: dict[str, Any]) -> SourceFormat:
    notes: tuple[Problem, ...] = ()
    if "schema" not in info:
        version = "2.1.0"
        note = "No info.schema: read as a Postman Collection v2.1.0"
        notes = (Problem("/info", note, "format.assumed"),)
    else:
        version = _postman_version(info["schema"])
    items = document.get("item")
    if not isinstance(items, list):
        at = "" if items is None else "/item"
        message = "A Postman collection holds its requests in `item`, an array"
        raise _refused(at, message, "format.content")
    return SourceFormat("postman", version, notes)


def _postman_version(schema: Any) -> str:
    """The collection version `info.schema` names, or DocumentRefused at `/info/schema`."""
    at = "/info/schema"
    if not isinstance(schema, str):
        raise _refused(at, "info.schema must be the URL of a Postman schema", "format.version")
    try:
        parts = urlsplit(schema)
        host, path = parts.hostname, parts.path
    except ValueError:  # not a URL at all (an unclosed IPv6 host, say)
        host, path = None, ""
    if host not in POSTMAN_SCHEMA_HOSTS:
        message = f"{_clip(schema)} is not a Postman collection schema"
        raise _refused(at, message, "format.unknown")
    match = _POSTMAN_VERSION.search(path + "/")
    version = match.group(1) if match else "unknown"
    if version not in _POSTMAN_VERSIONS:
        message = f"Postman Collection v{_clip(version)} is not taken"
        if version.startswith("1"):
            message += ": export it again as v2.1"
        raise _refused(at, message, "format.version")
    return version


def _version_text(
    document: dict[str, Any], key: str, example: str
) -> tuple[str, tuple[Problem, ...]]:
    """The version at `key` as text, with a note when it was written as a number."""
    version = document[key]
    if isinstance(version, str):
        return version, ()
    if isinstance(version, int | float) and not isinstance(version, bool):
        text = repr(version)
        note = f"The version is the number {text}, not a string: read as {text!r}"
        return text, (Problem(pointer(key), note, "format.assumed"),)
    message = f"The {key} version must be a string such as {example!r}"
    raise _refused(pointer(key), message, "format.version")


def _require_object(document: dict[str, Any], keys: tuple[str, ...], what: str) -> None:
    """Refuse a document with none of `keys` holding an object: nothing to import."""
    if any(isinstance(document.get(key), dict) for key in keys):
        return
    present = [key for key in keys if key in document]
    at = pointer(present[0]) if present else ""
    names = " or ".join(f"`{key}`" for key in keys)
    message = f"Nothing to import: {what} needs {names} as an object"
    raise _refused(at, message, "format.content")


def _clip(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _refused(at: str, message: str, kind: str) -> DocumentRefused:
    if kind == "format.version" or kind == "format.unknown":
        message = f"{message}. Taken: {SUPPORTED}"
    return DocumentRefused([Problem(at, message, kind)])
