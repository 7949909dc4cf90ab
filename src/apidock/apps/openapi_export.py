"""An app's catalog as an OpenAPI 3.1.0 document: a pure function of plain data.

Groups become tags named by their path in the tree (`Parent / Child`), APIs operations, path
template parameters and documented headers parameters, `need_auth` a security requirement of
the scheme the app's `auth_type` names, response fields the JSON Schema of the 200 body, and
examples its named examples. Decisions a reader of the document may need:

- `oauth2` declares the client-credentials flow with the token URL `/oauth/token`, a reference
  relative to the app's server (OpenAPI 3.1 resolves it so); `basic` and `bearer` are HTTP
  schemes, `api_key` the header `X-API-Key`; `none` declares no scheme, so its APIs carry no
  security requirement even when they need authentication.
- A field is an object property (`data.user.id`) or, after `[]`, the elements of an array
  (`data.items[].id`); undeclared parents are objects or arrays as the path implies. `nullable`
  makes the type a union with `"null"`. No property is listed as required: the catalog records
  whether a value may be null, not whether it may be missing.
- An example whose body is JSON is given as that value, any other body as a string; so is
  JSON nested more than EXAMPLE_MAX_NESTING levels deep, which the encoder of this document
  and the parsers of the tools it goes to recurse into, and a body that Python's parser
  takes but JSON has no value for (`NaN`, `Infinity`, `1e999`).
- Names made unique (tags, operation ids, example keys) get the first free number from 2;
  the next number to try is kept per name, so the build takes time linear in the catalog
  however many names are alike.
- A tag names at most MAX_GROUP_DEPTH titles: a group deeper than that (only in a database
  written before the bound) is named by its nearest ancestors after `… / `.
- A document is at most MAX_DOCUMENT_BYTES: `render_document` stops past it (the service
  answers 409), as the service stops reading a catalog whose text alone is larger.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apidock.groups.tree import MAX_GROUP_DEPTH, depth_first

OPENAPI_VERSION = "3.1.0"
# a URL relative to the documented server, not a secret
OAUTH2_TOKEN_URL = "/oauth/token"  # noqa: S105
API_KEY_HEADER = "X-API-Key"
TAG_SEPARATOR = " / "
TAG_ELISION = "…"
EXAMPLE_MAX_NESTING = 128
# a path longer than the API takes (100 characters) exists only in a database written around it
FIELD_MAX_SEGMENTS = 64
# The largest document an export sends, and the most stored text it reads to build one: any
# reader asks for it as often as they like, so its time and memory are bounded however large
# a catalog its writers made.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class ExportHeader:
    name: str
    required: bool = False
    description: str | None = None
    example: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExportField:
    path: str
    data_type: str
    nullable: bool = False
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExportExample:
    title: str
    body: str | None


@dataclass(frozen=True, kw_only=True)
class ExportApi:
    id: int
    title: str
    request_url: str
    request_method: str
    group_id: int | None = None
    description: str | None = None
    headers: Sequence[ExportHeader] = ()
    need_auth: bool = False
    status: str | None = None
    fields: Sequence[ExportField] = ()
    examples: Sequence[ExportExample] = ()


@dataclass(frozen=True, kw_only=True)
class ExportGroup:
    id: int
    pid: int
    title: str


@dataclass(frozen=True, kw_only=True)
class ExportApp:
    title: str
    version: str
    description: str | None = None
    auth_type: str = "none"
    groups: Sequence[ExportGroup] = ()
    apis: Sequence[ExportApi] = ()
    # the URL of the app's mock (`/mock/{slug}`): the export's server when it has no other
    mock_server: str | None = None


# where the API's port serves the mock of each app: `/mock/{slug}/...`
MOCK_PREFIX = "/mock"
MOCK_SERVER_DESCRIPTION = (
    "API Dock's mock of this API: answers from the description's examples and schemas "
    "(send X-Mock-Key unless the app's mock is public)"
)


def mock_server_object(url: str) -> dict[str, Any]:
    """The Server Object of an app's mock."""
    return {"url": url, "description": MOCK_SERVER_DESCRIPTION}


SECURITY_SCHEMES: dict[str, tuple[str, dict[str, Any]]] = {
    "basic": ("basicAuth", {"type": "http", "scheme": "basic"}),
    "bearer": ("bearerAuth", {"type": "http", "scheme": "bearer"}),
    "oauth2": (
        "oauth2",
        {
            "type": "oauth2",
            "flows": {"clientCredentials": {"tokenUrl": OAUTH2_TOKEN_URL, "scopes": {}}},
        },
    ),
    "api_key": ("apiKey", {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}),
}


class DocumentTooLarge(Exception):
    """The document would take more than MAX_DOCUMENT_BYTES."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def render_document(app: ExportApp, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> list[bytes]:
    """The document of `app` as JSON, encoded as the service encodes its other answers, in
    pieces to send one after the other; DocumentTooLarge as soon as they pass `max_bytes`.

    Encoded a path at a time: the whole text is never held as a string and again as bytes,
    and a document past the bound (a group's tag repeated by every API in it, say) is given
    up before it grows larger.
    """
    document = build_document(app)
    pieces: list[bytes] = []
    size = 0

    def add(text: str) -> None:
        nonlocal size
        piece = text.encode()
        size += len(piece)
        if size > max_bytes:
            raise DocumentTooLarge(f"the document takes more than {max_bytes} bytes")
        pieces.append(piece)

    paths = document.pop("paths")
    components = document.pop("components", None)
    # `{"openapi":…,"tags":[…]` and the paths after it, as json.dumps would join them
    add(_ENCODER.encode(document)[:-1] + ',"paths":{')
    for index, url in enumerate(list(paths)):
        # a path's operations, with their parsed examples, are let go once encoded
        add(("," if index else "") + _ENCODER.encode(url) + ":" + _ENCODER.encode(paths.pop(url)))
    add("}" + ("" if components is None else ',"components":' + _ENCODER.encode(components)))
    add("}")
    return pieces


def build_document(app: ExportApp) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document of `app`; deterministic for the same input."""
    info: dict[str, Any] = {"title": app.title, "version": app.version}
    if app.description:
        info["description"] = app.description
    tag_names = group_tag_names(app.groups)
    scheme = SECURITY_SCHEMES.get(app.auth_type)
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if app.mock_server is not None:
        document["servers"] = [mock_server_object(app.mock_server)]
    document["tags"] = [{"name": name} for name in tag_names.values()]
    document["paths"] = {}
    if scheme is not None:
        scheme_name, scheme_object = scheme
        document["components"] = {"securitySchemes": {scheme_name: scheme_object}}
    operation_ids = _UniqueNames(sep="_")
    for api in sorted(app.apis, key=lambda api: (api.request_url, api.request_method, api.id)):
        operation = _operation(api, tag_names, scheme[0] if scheme else None)
        operation["operationId"] = operation_ids.claim(_operation_id(api))
        document["paths"].setdefault(api.request_url, {})[api.request_method.lower()] = operation
    return document


def group_tag_names(groups: Sequence[ExportGroup]) -> dict[int, str]:
    """Each group's tag: its ancestors' titles and its own joined, depth first by title.

    A group whose parent is not among `groups` is taken as a root, as is the first member
    of a ring of groups under each other. Names are made unique (a title may itself hold
    the separator), numbering repeats: `A / B (2)`.
    """
    ordered = sorted(groups, key=lambda group: (group.title, group.id))
    paths: dict[int, tuple[str, ...]] = {}
    names: dict[int, str] = {}
    tags = _UniqueNames(sep=" ", numbered="({})")
    for group, parent, level in depth_first(ordered):
        above = paths[parent.id] if parent is not None else ()
        # the nearest titles only: a name is bounded however deep the group lies
        paths[group.id] = (*above, group.title)[-MAX_GROUP_DEPTH:]
        elided = (TAG_ELISION,) if level > MAX_GROUP_DEPTH else ()
        names[group.id] = tags.claim(TAG_SEPARATOR.join((*elided, *paths[group.id])))
    return names


class _UniqueNames:
    """Names made unique: a name as given, or with the first free number from 2 after it."""

    def __init__(self, *, sep: str, numbered: str = "{}") -> None:
        self._sep = sep
        self._numbered = numbered
        self._taken: set[str] = set()
        # per name, the number to try next: every lower one was taken when it was tried,
        # and a name once taken stays so
        self._next: dict[str, int] = {}

    def claim(self, name: str) -> str:
        """`name`, or `name` numbered, recorded as taken."""
        candidate = name
        number = self._next.get(name, 2)
        while candidate in self._taken:
            candidate = f"{name}{self._sep}{self._numbered.format(number)}"
            number += 1
        if candidate != name:
            self._next[name] = number
        self._taken.add(candidate)
        return candidate


def _operation_id(api: ExportApi) -> str:
    """`get_users_id` for `GET /users/{id}`; `get_root` for `GET /`."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", api.request_url).strip("_") or "root"
    return f"{api.request_method.lower()}_{words}"


def _operation(
    api: ExportApi, tag_names: dict[int, str], scheme_name: str | None
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": api.title}
    if api.description:
        operation["description"] = api.description
    if api.group_id is not None and api.group_id in tag_names:
        operation["tags"] = [tag_names[api.group_id]]
    parameters = _path_parameters(api.request_url) + [
        _header_parameter(header) for header in api.headers
    ]
    if parameters:
        operation["parameters"] = parameters
    operation["responses"] = {"200": _success_response(api)}
    if api.need_auth and scheme_name is not None:
        operation["security"] = [{scheme_name: []}]
    if api.status == "deprecated":
        operation["deprecated"] = True
    if api.status is not None:
        operation["x-apidock-status"] = api.status
    return operation


def _path_parameters(template: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{([^{}]+)\}", template)
    ]


def _header_parameter(header: ExportHeader) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": header.name,
        "in": "header",
        "required": header.required,
        "schema": {"type": "string"},
    }
    if header.description:
        parameter["description"] = header.description
    if header.example is not None:
        parameter["example"] = header.example
    return parameter


def _success_response(api: ExportApi) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "Success"}
    if not api.fields and not api.examples:
        return response
    media: dict[str, Any] = {}
    if api.fields:
        media["schema"] = response_schema(api.fields)
    if api.examples:
        media["examples"] = _examples(api.examples)
    response["content"] = {"application/json": media}
    return response


def _examples(examples: Sequence[ExportExample]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    keys = _UniqueNames(sep="-")
    for example in examples:
        key = keys.claim(_slug(example.title))
        entry: dict[str, Any] = {"summary": example.title}
        if example.body is not None:
            entry["value"] = _example_value(example.body)
        named[key] = entry
    return named


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "example"


def _example_value(body: str) -> Any:
    """The JSON value of `body`, or `body` itself when it is not JSON or nests too deep.

    Parsed first, then measured: the parser reads the text once and refuses nesting deeper
    than the interpreter takes (RecursionError), and the value is then walked once. Scanning
    the text for brackets outside strings took time quadratic in its length when a string
    never closes (a quote, then escaped quotes to the end): 40 s for one 64 KiB body, holding
    the GIL all along.
    """
    try:
        value = json.loads(body, parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError):
        return body
    return body if _nests_too_deep(value) else value


def _not_json(constant: str) -> Any:
    # Python's parser takes NaN and Infinity, which no JSON document may hold
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    """The number `text`, unless it is too large for a double (`1e999`) and no JSON value."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _nests_too_deep(value: Any) -> bool:
    """Whether arrays and objects nest more than EXAMPLE_MAX_NESTING deep in `value`."""
    pending: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while pending:
        item, depth = pending.pop()
        if depth > EXAMPLE_MAX_NESTING:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


@dataclass
class _Node:
    """A schema under construction: what a field declared, and what lies under it."""

    data_type: str | None = None
    nullable: bool = False
    description: str | None = None
    properties: dict[str, _Node] = field(default_factory=dict)
    items: _Node | None = None

    def render(self) -> dict[str, Any]:
        data_type = self.data_type or ("array" if self.items is not None else "object")
        schema: dict[str, Any] = {"type": [data_type, "null"] if self.nullable else data_type}
        if self.description:
            schema["description"] = self.description
        if data_type == "object" and self.properties:
            schema["properties"] = {
                name: node.render() for name, node in sorted(self.properties.items())
            }
        if data_type == "array" and self.items is not None:
            schema["items"] = self.items.render()
        return schema


def response_schema(fields: Sequence[ExportField]) -> dict[str, Any]:
    """The JSON Schema of a body whose fields are the dot paths of `fields`.

    `data.user.id` is the property `id` of the object `data.user`; `items[]` names the
    elements of the array `items`, so `items[].id` is a property of each element.
    """
    root = _Node(data_type="object")
    for declared in fields:
        segments = declared.path.split(".")
        if len(segments) > FIELD_MAX_SEGMENTS:
            # rendering recurses once per segment: such a path is left out, not a failure
            continue
        node = root
        for segment in segments:
            name = segment.removesuffix("[]")
            node = node.properties.setdefault(name, _Node())
            if segment.endswith("[]"):
                if node.items is None:
                    node.items = _Node()
                node = node.items
        node.data_type = declared.data_type
        node.nullable = declared.nullable
        node.description = declared.description
    return root.render()
