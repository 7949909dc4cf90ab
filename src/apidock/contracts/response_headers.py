"""The documented headers of a response, checked against the headers of an answer.

Decisions:
- A header documented `required: true` that the answer lacks is a `header` failure; names are
  compared case-insensitively. `Content-Type` is never checked here (OpenAPI says a response
  header of that name is ignored; the `content-type` check judges it).
- Every documented header the answer carries, required or not, is validated against its
  schema: a documented header with a wrong value breaks the contract whether or not it had to
  be sent.
- A header's text is read as OpenAPI's `simple` style says, typed by its schema (the schema's
  or its `$ref` target's `type`): an integer, a number, a boolean, or null where the type says
  so (a text the type cannot read stays a string and fails as a wrong type); an array is its
  comma-separated items, each typed by `items`; an object is `k,v,k,v` (`k=v,k=v` with
  `explode: true`). A header described by `content` is parsed as JSON when its media type is
  JSON, and judged as text otherwise.
- The failure's pointer is the header's name as the document writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apidock.contracts.bodies import Unreadable, parse_json
from apidock.contracts.exchange import Failure
from apidock.contracts.validators import DocumentSchemas, SchemaUnusable
from apidock.descriptions.problems import child
from apidock.descriptions.refs import resolve_pointer
from apidock.mocking.encoding import is_json_type
from apidock.mocking.parameters import keyword_of, properties_of, scalar_of, schema_types
from apidock.mocking.references import Located, object_member


def header_failures(
    document: Mapping[str, Any],
    schemas: DocumentSchemas,
    response: Located | None,
    headers: Mapping[str, str],
) -> list[Failure]:
    """What is wrong with the answer's headers against the response `response` documents."""
    listed = object_member(document, response, "headers") if response is not None else None
    if listed is None:
        return []
    received = {name.lower(): value for name, value in headers.items()}
    failures: list[Failure] = []
    for name in listed.value:
        if not isinstance(name, str) or name.lower() == "content-type":
            continue
        header = object_member(document, listed, name)
        if header is None:
            continue
        text = received.get(name.lower())
        if text is None:
            if header.value.get("required") is True:
                failures.append(Failure("header", f"The documented header {name} is missing", name))
            continue
        failures.extend(_value_failures(document, schemas, name, header, text))
    return failures


def _value_failures(
    document: Mapping[str, Any],
    schemas: DocumentSchemas,
    name: str,
    header: Located,
    text: str,
) -> list[Failure]:
    described = _described(document, header)
    if described is None:
        return []
    schema_pointer, json_content = described
    schema = _schema_at(document, schema_pointer)
    value: Any
    if json_content:
        try:
            value = parse_json(text.encode("utf-8", errors="surrogatepass"))
        except Unreadable as error:
            return [Failure("header", f"The header {name}: {error}", name)]
    else:
        value = typed_header(document, schema, text, explode=header.value.get("explode") is True)
    try:
        errors = schemas.errors(schema_pointer, value)
    except SchemaUnusable as error:
        return [Failure("header", f"The header {name} was not checked: {error}", name)]
    return [Failure("header", f"The header {name}: {message}", name) for _, message in errors]


def _described(document: Mapping[str, Any], header: Located) -> tuple[str, bool] | None:
    """The pointer of the header's schema, and whether its value is JSON text."""
    if "schema" in header.value:
        return child(header.pointer, "schema"), False
    content = object_member(document, header, "content")
    first = next(iter(content.value), None) if content is not None else None
    if content is None or not isinstance(first, str):
        return None
    media = object_member(document, content, first)
    if media is None or "schema" not in media.value:
        return None
    return child(media.pointer, "schema"), is_json_type(first)


def _schema_at(document: Mapping[str, Any], schema_pointer: str) -> Any:
    try:
        return resolve_pointer(document, schema_pointer)
    except LookupError:
        return None


def typed_header(document: Mapping[str, Any], schema: Any, text: str, *, explode: bool) -> Any:
    """A header's text as the JSON value its schema judges (see the module's doc)."""
    types = schema_types(document, schema)
    if "string" in types:
        return text
    if "array" in types:
        item_types = schema_types(document, keyword_of(document, schema, "items"))
        return [scalar_of(item.strip(), item_types) for item in text.split(",")] if text else []
    if "object" in types:
        properties = dict(properties_of(document, schema))
        pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
        if explode:
            pairs = [
                (key.strip(), item.strip()) for key, _, item in (p.partition("=") for p in pieces)
            ]
        else:
            pairs = list(zip(pieces[::2], pieces[1::2], strict=False))
        return {
            key: scalar_of(item, schema_types(document, properties.get(key))) for key, item in pairs
        }
    return scalar_of(text.strip(), types)
