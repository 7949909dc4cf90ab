"""The requests `apidock test --spec` sends: each operation of a document once, made from the
document's own examples (`spec_values` says how values are chosen and written).

Decisions:
- Operations in document order: paths as written, and in each Path Item its methods as
  written (a Path Item's `$ref` read through). Webhooks and callbacks are not requests a
  client sends to the service, so they are left out.
- A request is named by its operationId, else `METHOD /path/template`.
- Parameters are the Path Item's and the operation's, the operation's winning by name and
  location (header names case-insensitive). Header parameters named Accept, Content-Type or
  Authorization are ignored, as OpenAPI says, and so are those only the HTTP client sets
  (Host, Content-Length, Connection, …) and names that are not HTTP tokens. Cookie
  parameters become one `Cookie` header.
  A path placeholder no parameter describes is sent `1`.
- The body: the request body's media types in document order; for each, its first named
  example with a value, its `example`, then its schema's example (as for parameters); the
  first value that can be written as its media type is sent. JSON media types get compact
  JSON; `application/x-www-form-urlencoded` an object's members, encoded; `multipart/form-data`
  an object's members as parts (a boundary the values don't contain, in `media_type`); `text/*`
  a string as UTF-8 or any other value as JSON text; any other media type only a string. A
  range (`application/*`, `*/*`, `text/*`) is sent as `application/json` or `text/plain`. No
  example at all: no body (`body` and `media_type` None).
- `media_type` is the Content-Type to send with the body; `headers` do not repeat it. `path`
  is the template filled in and percent-encoded, without the server's base path (the base URL
  given to the command carries it); `query` pairs are not yet encoded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from apidock.contracts.spec_values import (
    NOTHING,
    example_of,
    header_value,
    parameter_of,
    parameter_value,
    path_text,
    query_pairs,
    schema_example,
    text_of,
)
from apidock.mocking.encoding import is_json_type, json_bytes
from apidock.mocking.negotiation import essence
from apidock.mocking.references import Located, member, object_member

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# what OpenAPI says to ignore, and what only the HTTP client may set
_UNSENT_HEADERS = frozenset(
    {
        "accept",
        "content-type",
        "authorization",
        "content-length",
        "transfer-encoding",
        "connection",
        "host",
        "te",
        "upgrade",
        "keep-alive",
        "trailer",
        "proxy-connection",
    }
)
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")
# RFC 3986 path characters, and `%` so that an escape the template already holds stays one
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_BOUNDARY = "apidock-spec-boundary"


@dataclass(frozen=True)
class PlannedRequest:
    """One request to send, and the operation whose contract its answer is checked against."""

    name: str
    method: str
    path_template: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes | None
    media_type: str | None


def planned_requests(document: Mapping[str, Any]) -> list[PlannedRequest]:
    """A request for every operation of `document`, in document order."""
    root = Located(document, "")
    paths = object_member(document, root, "paths")
    planned: list[PlannedRequest] = []
    if paths is None:
        return planned
    for template in paths.value:
        item = object_member(document, paths, template) if isinstance(template, str) else None
        if item is None:
            continue
        for method in item.value:
            operation = object_member(document, item, method) if method in METHODS else None
            if operation is not None:
                planned.append(_planned(document, template, method, item, operation))
    return planned


def _planned(
    document: Mapping[str, Any], template: str, method: str, item: Located, operation: Located
) -> PlannedRequest:
    operation_id = operation.value.get("operationId")
    name = operation_id if isinstance(operation_id, str) and operation_id else None
    path_values: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    headers: list[tuple[str, str]] = []
    cookies: list[str] = []
    for parameter in _parameters(document, item, operation):
        value, json_content = parameter_value(document, parameter)
        if value is NOTHING:
            continue
        written = parameter.value
        location, parameter_name = written["in"], written["name"]
        style = written.get("style")
        if not isinstance(style, str):
            style = "form" if location in ("query", "cookie") else "simple"
        explode = written.get("explode")
        if not isinstance(explode, bool):
            explode = style == "form"
        if json_content:
            value = json_bytes(value).decode("utf-8")
        if location == "path":
            path_values[parameter_name] = path_text(parameter_name, value, style, explode)
        elif location == "query":
            query.extend(query_pairs(parameter_name, value, style, explode))
        elif location == "header":
            headers.append((parameter_name, header_value(value, explode)))
        else:
            cookies.append(f"{quote(parameter_name, safe='')}={quote(text_of(value), safe='')}")
    if cookies:
        headers.append(("Cookie", "; ".join(cookies)))
    body, media_type = _body(document, operation)
    return PlannedRequest(
        name=name or f"{method.upper()} {template}",
        method=method.upper(),
        path_template=template,
        path=_filled_path(template, path_values),
        query=query,
        headers=headers,
        body=body,
        media_type=media_type,
    )


def _parameters(document: Mapping[str, Any], item: Located, operation: Located) -> list[Located]:
    merged: dict[tuple[str, str], Located] = {}
    for owner in (item, operation):
        listed = member(document, owner, "parameters")
        if listed is None or not isinstance(listed.value, list):
            continue
        for index in range(len(listed.value)):
            parameter = parameter_of(document, listed, index)
            if parameter is None:
                continue
            name, location = parameter.value.get("name"), parameter.value.get("in")
            if not isinstance(name, str) or location not in ("path", "query", "header", "cookie"):
                continue
            if location == "header":
                if not _HEADER_NAME.fullmatch(name) or name.lower() in _UNSENT_HEADERS:
                    continue
                name = name.lower()
            merged[(name, location)] = parameter
    return list(merged.values())


def _filled_path(template: str, values: Mapping[str, str]) -> str:
    pieces: list[str] = []
    last = 0
    for found in _PLACEHOLDER.finditer(template):
        pieces.append(quote(template[last : found.start()], safe=_PATH_SAFE))
        pieces.append(values.get(found.group(1), "1"))
        last = found.end()
    pieces.append(quote(template[last:], safe=_PATH_SAFE))
    return "".join(pieces)


def _body(document: Mapping[str, Any], operation: Located) -> tuple[bytes | None, str | None]:
    request_body = object_member(document, operation, "requestBody")
    content = object_member(document, request_body, "content") if request_body else None
    for media_type in content.value if content is not None else ():
        media = object_member(document, content, media_type) if content is not None else None
        if media is None or not isinstance(media_type, str):
            continue
        for value in (example_of(document, media), _schema_value(document, media)):
            if value is NOTHING:
                continue
            written = written_body(value, media_type)
            if written is not None:
                return written
    return None, None


def _schema_value(document: Mapping[str, Any], media: Located) -> Any:
    if "schema" not in media.value:
        return NOTHING
    return schema_example(document, media.value["schema"])


def written_body(value: Any, media_type: str) -> tuple[bytes, str] | None:
    """`value` as a body of `media_type` and the Content-Type to send it with, or None when
    it cannot be written as that media type (see the module's doc)."""
    type_, subtype = essence(media_type)
    if subtype == "*":
        if type_ == "text" or (isinstance(value, str) and type_ == "*"):
            media_type, type_, subtype = "text/plain", "text", "plain"
        elif type_ in ("*", "application"):
            media_type, type_, subtype = "application/json", "application", "json"
        else:
            return None
    if is_json_type(media_type):
        return json_bytes(value), media_type
    if (type_, subtype) == ("application", "x-www-form-urlencoded") and isinstance(value, dict):
        pairs = [(str(key), text_of(item)) for key, item in value.items()]
        return urlencode(pairs).encode("ascii"), media_type
    if type_ == "multipart" and isinstance(value, dict):
        return _multipart(value, media_type)
    if isinstance(value, str):
        return value.encode("utf-8", errors="replace"), media_type
    if type_ == "text":
        return json_bytes(value), media_type
    return None


def _multipart(value: dict[str, Any], media_type: str) -> tuple[bytes, str]:
    texts = [(str(key), text_of(item)) for key, item in value.items()]
    boundary = _BOUNDARY
    while any(boundary in key or boundary in text for key, text in texts):
        boundary += "-x"
    parts = []
    for key, text in texts:
        name = key.replace('"', "%22").replace("\r", "").replace("\n", "")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'
        )
    parts.append(f"--{boundary}--\r\n")
    body = "".join(parts).encode("utf-8", errors="replace")
    return body, f"{media_type.split(';', 1)[0].strip()}; boundary={boundary}"
