"""A Postman request's body and saved responses as OpenAPI request bodies and responses.

Decisions:
- A raw body's media type is its request's Content-Type header first, else
  `options.raw.language` (json, xml, html, text, javascript, graphql), else JSON when the text
  parses as JSON, else `text/plain`. A file body is `application/octet-stream` unless the
  Content-Type header names another type. urlencoded and formdata bodies have their fixed
  types whatever the header says.
- A JSON body that parses becomes the example and gives a schema inferred from it (types,
  properties, array items from the first element): the mock and the catalog's field view then
  have something to work with. A `{{var}}` left unquoted in a raw JSON body is read as the
  string `"{{var}}"` (a warning). Text that still doesn't parse is kept as a text example with
  no schema (a warning).
- Each request's example is named after the request; a media type with a single example gets
  it as `example` when the document is finished, several (merged requests) stay `examples`.
- A GraphQL body is `application/json` with a `{query, variables}` example, the way GraphQL
  is sent over HTTP.
- Saved responses go under their `code` (`default` when there is none), each under its media
  type (its Content-Type header, else guessed from the body: JSON, XML or HTML, then the
  request's Accept header, then `text/plain`), as an example named after the saved response.
  Its other headers become the response's headers, with their values as examples. Cookies and
  the `originalRequest` copy are not carried (the request itself is the operation).
"""

from __future__ import annotations

from typing import Any

from apidock.descriptions.postman_values import (
    Draft,
    Header,
    Where,
    bare_media_type,
    copy_json,
    header_value,
    infer_schema,
    is_json_media,
    parse_json_text,
    quote_placeholders,
    read_headers,
    text_of,
)
from apidock.descriptions.problems import Report

_LANGUAGES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
    "graphql": "application/graphql",
}
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_BINARY = {"type": "string", "format": "binary"}

_Found = tuple[str, dict[str, Any], Any, bool]
"""A body's media type, its media type object, its example, and whether there is one."""


def _json_example(text: str, where: Where, report: Report) -> tuple[bool, Any]:
    parsed, value = parse_json_text(text)
    if parsed:
        return True, value
    if "{{" in text:
        parsed, value = parse_json_text(quote_placeholders(text))
        if parsed:
            report.warn(str(where), "unquoted {{variables}} in the JSON body are read as strings")
            return True, value
    report.warn(str(where), "the body is not JSON (or nests too deep): kept as a text example")
    return False, None


def _add_to_content(
    draft: Draft,
    content: dict[str, Any],
    media_type: str,
    media: dict[str, Any],
    name: str,
    value: Any,
    has_value: bool,
) -> None:
    existing = content.setdefault(media_type, {})
    for key, part in media.items():
        existing.setdefault(key, part)
    if has_value:
        draft.add_example(existing, name, value)


def _raw(
    body: dict[str, Any], content_type: str | None, where: Where, report: Report
) -> _Found | None:
    text = body.get("raw")
    if not isinstance(text, str) or not text.strip():
        return None
    options = body.get("options")
    raw_options = options.get("raw") if isinstance(options, dict) else None
    language = raw_options.get("language") if isinstance(raw_options, dict) else None
    media_type = content_type
    if media_type is None and isinstance(language, str):
        media_type = _LANGUAGES.get(language.lower())
    if media_type is None:
        parsed, value = parse_json_text(text)
        if parsed and isinstance(value, dict | list):
            return "application/json", {"schema": infer_schema(value)}, value, True
        return "text/plain", {}, text, True
    if is_json_media(media_type):
        parsed, value = _json_example(text, where, report)
        if parsed:
            return media_type, {"schema": infer_schema(value)}, value, True
    return media_type, {}, text, True


def _form(body: dict[str, Any], mode: str) -> _Found | None:
    entries = body.get(mode)
    if not isinstance(entries, list):
        return None
    properties: dict[str, Any] = {}
    example: dict[str, Any] = {}
    encoding: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        key = entry.get("key")
        if not isinstance(key, str) or not key or key in properties:
            continue
        is_file = mode == "formdata" and entry.get("type") == "file"
        prop: dict[str, Any] = dict(_BINARY) if is_file else {"type": "string"}
        if is_file and isinstance(entry.get("src"), list) and len(entry["src"]) > 1:
            prop = {"type": "array", "items": dict(_BINARY)}
        described = text_of(entry.get("description"))
        if described:
            prop["description"] = described
        properties[key] = prop
        value = entry.get("value")
        if not is_file and isinstance(value, str):
            example[key] = value
        part_type = entry.get("contentType")
        if mode == "formdata" and isinstance(part_type, str) and part_type.strip():
            encoding[key] = {"contentType": part_type.strip()}
    if not properties:
        return None
    media: dict[str, Any] = {"schema": {"type": "object", "properties": properties}}
    if encoding:
        media["encoding"] = encoding
    media_type = _FORM_TYPES[0] if mode == "formdata" else _FORM_TYPES[1]
    return media_type, media, example, bool(example)


def _graphql(body: dict[str, Any], where: Where, report: Report) -> _Found | None:
    graphql = body.get("graphql")
    if not isinstance(graphql, dict):
        return None
    example: dict[str, Any] = {}
    if isinstance(graphql.get("query"), str):
        example["query"] = graphql["query"]
    variables = graphql.get("variables")
    if isinstance(variables, str) and variables.strip():
        parsed, value = parse_json_text(variables)
        if parsed:
            example["variables"] = value
        else:
            report.lose(str(where), "the GraphQL variables are not JSON: not carried")
    elif isinstance(variables, dict):
        example["variables"] = copy_json(variables)
    schema = {
        "type": "object",
        "properties": {"query": {"type": "string"}, "variables": {"type": "object"}},
    }
    return "application/json", {"schema": schema}, example, bool(example)


def add_request_body(
    draft: Draft, body: Any, headers: list[Header], name: str, at: Where, report: Report
) -> None:
    """Add the request body `body` (a Postman `body`) to the operation of `draft`."""
    if body is None or body == {}:
        return
    if not isinstance(body, dict):
        report.lose(str(at), "a body that is not an object")
        return
    mode = body.get("mode")
    if body.get("disabled") is True:
        report.lose(str(at), "a disabled body is not sent: not carried")
        return
    header = header_value(headers, "content-type")
    content_type = bare_media_type(header) if header and bare_media_type(header) else None
    found: _Found | None
    if mode == "raw":
        found = _raw(body, content_type, at.at("raw"), report)
    elif mode in ("urlencoded", "formdata"):
        found = _form(body, mode)
    elif mode == "file":
        media_type = content_type if content_type and content_type not in _FORM_TYPES else None
        found = (media_type or "application/octet-stream", {"schema": dict(_BINARY)}, None, False)
    elif mode == "graphql":
        found = _graphql(body, at.at("graphql", "variables"), report)
    elif mode is None:
        return
    else:
        report.lose(str(at.at("mode")), f"the body mode {mode!r} is not known: not carried")
        return
    if found is None:
        return
    media_type, media, value, has_value = found
    request_body = draft.operation.setdefault("requestBody", {"content": {}})
    _add_to_content(draft, request_body["content"], media_type, media, name, value, has_value)


def _status_of(response: dict[str, Any], where: Where, report: Report) -> str:
    code = response.get("code")
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
        return str(code)
    report.warn(str(where.at("code")), "a saved response without a valid code: 'default'")
    return "default"


def _guessed_media_type(body: str, accept: str | None) -> tuple[str, bool, Any]:
    parsed, value = parse_json_text(body)
    if parsed:
        return "application/json", True, value
    start = body.lstrip()[:200].lower()
    if start.startswith("<"):
        html = start.startswith(("<!doctype html", "<html")) or "<html" in start
        return ("text/html" if html else "application/xml"), False, None
    if accept:
        return accept, False, None
    return "text/plain", False, None


def _accepted(headers: list[Header]) -> str | None:
    accept = header_value(headers, "accept")
    if accept is None or "," in accept:
        return None
    media_type = bare_media_type(accept)
    return media_type if media_type and "*" not in media_type else None


def add_saved_responses(
    draft: Draft, responses: Any, headers: list[Header], at: Where, report: Report
) -> None:
    """Add the saved responses `responses` (an item's `response` list) to the operation."""
    if not isinstance(responses, list):
        return
    accept = _accepted(headers)
    all_responses: dict[str, Any] = draft.operation.setdefault("responses", {})
    for index, saved in enumerate(responses):
        here = at.at(index)
        if not isinstance(saved, dict):
            report.lose(str(here), "a saved response that is not an object")
            continue
        status = _status_of(saved, here, report)
        name = saved.get("name") if isinstance(saved.get("name"), str) else None
        name = (name or "").strip() or f"Example {index + 1}"
        status_text = saved.get("status")
        description = status_text.strip() if isinstance(status_text, str) else ""
        response = all_responses.setdefault(status, {"description": description or name})
        response_headers = list(read_headers(saved.get("header")))
        _add_response_headers(response, response_headers, draft.seen(response))
        body = saved.get("body") if isinstance(saved.get("body"), str) else None
        content_type = header_value(response_headers, "content-type")
        media_type = bare_media_type(content_type) if content_type else ""
        parsed, value = False, None
        if media_type and body and is_json_media(media_type):
            parsed, value = parse_json_text(body)
        elif not media_type and body and body.strip():
            media_type, parsed, value = _guessed_media_type(body, accept)
        if isinstance(saved.get("cookie"), list) and saved["cookie"]:
            report.lose(str(here.at("cookie")), "saved response cookies are not carried")
        if not media_type:
            continue
        media = response.setdefault("content", {}).setdefault(media_type, {})
        if parsed and "schema" not in media:
            media["schema"] = infer_schema(value)
        if body:
            draft.add_example(media, name, value if parsed else body)


def _add_response_headers(response: dict[str, Any], headers: list[Header], lower: set[str]) -> None:
    """Add `headers` to the response's, `lower` being the names it has, in lower case."""
    if not headers:
        return
    existing: dict[str, Any] = response.get("headers", {})
    for header in headers:
        if header.key.lower() == "content-type" or header.key.lower() in lower:
            continue
        lower.add(header.key.lower())
        entry: dict[str, Any] = {"schema": {"type": "string"}}
        if header.description:
            entry["description"] = header.description
        if header.value:
            entry["example"] = header.value
        existing[header.key] = entry
    if existing:
        response["headers"] = existing
