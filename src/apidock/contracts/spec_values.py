"""The values `apidock test --spec` sends for a document's parameters and bodies: taken from the
document's examples, else plain values of the schema's type, and written as OpenAPI's
parameter styles say.

Decisions:
- A parameter's value: its first `examples` entry with a `value` (read through `$ref`; one
  with only an `externalValue` is skipped, never fetched), else its `example` (the mock's
  order; OpenAPI allows only one of the two anyway); else its schema's (along the schema's
  `$ref` chain) `example`, first `examples` item, `default`, `const` or first `enum` value;
  for a parameter described by `content`, its first media type's examples and schema the
  same way. A required parameter (every path parameter is) without any is sent a plain value
  of its schema's type: an integer or number 1 moved into `minimum`/`maximum`, `true`, a
  string of its `format` (date, date-time, time, uuid, email, uri, hostname, ipv4, ipv6) or
  `"1"` repeated to `minLength`, an array of one such item, an empty object. An optional one
  without any is not sent.
- Styles, with OpenAPI's defaults (`simple` for path and header, `form` and exploded for
  query and cookie): arrays and objects as `simple`, `label`, `matrix`, `form`,
  `spaceDelimited`, `pipeDelimited` and `deepObject` write them; scalars as their text
  (`true`, `1.5`, a string as it is, null as empty). A `content` parameter is its JSON text
  when its media type is JSON.
- Path values are percent-encoded (every character but the unreserved ones, and the style's
  own `.`, `;`, `=` and `,`); query values are left for the runner to encode; header values
  lose control characters and have other non-ASCII characters percent-encoded, so an example
  cannot add a header.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from apidock.mocking.encoding import is_json_type, json_bytes, safe_header_text
from apidock.mocking.parameters import keyword_of, schema_types
from apidock.mocking.references import Located, member, object_member, schema_chain

NOTHING: Any = object()
"""What a parameter without an example, and not required, gets: it is not sent."""

MAX_NESTING = 3
_SCHEMA_VALUES = ("example", "examples", "default", "const", "enum")
_TYPE_ORDER = ("integer", "number", "string", "boolean", "array", "object", "null")
_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


def example_of(document: Mapping[str, Any], holder: Located) -> Any:
    """The first `examples` value, else the `example`, of a parameter or media type; or
    NOTHING."""
    examples = object_member(document, holder, "examples")
    if examples is not None:
        for name in examples.value:
            found = object_member(document, examples, name)
            if found is not None and "value" in found.value:
                return found.value["value"]
    return holder.value.get("example", NOTHING)


def schema_example(document: Mapping[str, Any], schema: Any) -> Any:
    """The value a schema itself offers (see the module's doc), or NOTHING."""
    for found in schema_chain(document, schema):
        for keyword in _SCHEMA_VALUES:
            if keyword not in found:
                continue
            value = found[keyword]
            if keyword in ("examples", "enum"):
                if isinstance(value, list) and value:
                    return value[0]
                continue
            return value
    return NOTHING


def parameter_value(document: Mapping[str, Any], parameter: Located) -> tuple[Any, bool]:
    """The value to send for `parameter` (or NOTHING), and whether it is JSON text."""
    value = example_of(document, parameter)
    schema = parameter.value.get("schema")
    json_content = False
    content = object_member(document, parameter, "content")
    first = next(iter(content.value), None) if content is not None else None
    if schema is None and content is not None and isinstance(first, str):
        json_content = is_json_type(first)
        media = object_member(document, content, first)
        if media is not None:
            if value is NOTHING:
                value = example_of(document, media)
            schema = media.value.get("schema")
    if value is NOTHING:
        value = schema_example(document, schema)
    required = parameter.value.get("required") is True or parameter.value.get("in") == "path"
    if value is NOTHING and required:
        value = plain_value(document, schema)
    return value, json_content


def plain_value(document: Mapping[str, Any], schema: Any, depth: int = 0) -> Any:
    """A simple value of the schema's type (see the module's doc); an array of arrays stops
    at `MAX_NESTING` levels, so a recursive schema ends."""
    types = schema_types(document, schema)
    kind = next((name for name in _TYPE_ORDER if name in types), "string")
    if kind in ("integer", "number"):
        return _number_within(document, schema, kind)
    if kind == "boolean":
        return True
    if kind == "array":
        items = keyword_of(document, schema, "items")
        if depth >= MAX_NESTING:
            return []
        return [plain_value(document, items, depth + 1)] if isinstance(items, dict) else ["1"]
    if kind == "object":
        return {}
    if kind == "null":
        return None
    format_name = keyword_of(document, schema, "format")
    if isinstance(format_name, str) and format_name in _FORMATS:
        return _FORMATS[format_name]
    length = keyword_of(document, schema, "minLength")
    wanted = length if isinstance(length, int) and not isinstance(length, bool) else 1
    return "1" * min(max(wanted, 1), 1000)


def _number_within(document: Mapping[str, Any], schema: Any, kind: str) -> int | float:
    value: int | float = 1
    low = _bound(keyword_of(document, schema, "minimum"))
    exclusive_low = _bound(keyword_of(document, schema, "exclusiveMinimum"))
    high = _bound(keyword_of(document, schema, "maximum"))
    if low is not None and value < low:
        value = math.ceil(low) if kind == "integer" else low
    if exclusive_low is not None and value <= exclusive_low:
        value = math.floor(exclusive_low) + 1
    if high is not None and value > high:
        value = math.floor(high) if kind == "integer" else high
    return value


def _bound(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value) if abs(value) < 1e15 else None
    return None


def text_of(value: Any) -> str:
    """A scalar's text in a parameter: a string as it is, null as empty, the rest as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json_bytes(value).decode("utf-8")


def path_text(name: str, value: Any, style: str, explode: bool) -> str:
    """A path parameter's value as it goes into the path, percent-encoded."""
    atoms: list[str]
    if isinstance(value, dict):
        pairs = [(_encoded(key), _encoded(item)) for key, item in value.items()]
        if explode:
            atoms = [f"{key}={item}" for key, item in pairs]
        else:
            atoms = [part for pair in pairs for part in pair]
    elif isinstance(value, list):
        atoms = [_encoded(item) for item in value]
    else:
        atoms = [_encoded(value)]
    if style == "label":
        return "." + ("." if explode else ",").join(atoms)
    if style == "matrix":
        named = f";{quote(name, safe='')}="
        if not explode:
            return named + ",".join(atoms)
        # an exploded object names its members; anything else repeats the parameter's name
        return "".join((";" if isinstance(value, dict) else named) + atom for atom in atoms)
    return ",".join(atoms)


def _encoded(value: Any) -> str:
    return quote(text_of(value), safe="")


def query_pairs(name: str, value: Any, style: str, explode: bool) -> list[tuple[str, str]]:
    """A query parameter's `(name, value)` pairs, not yet encoded."""
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{key}]", text_of(item)) for key, item in value.items()]
        if explode:
            return [(str(key), text_of(item)) for key, item in value.items()]
        return [(name, ",".join(f"{key},{text_of(item)}" for key, item in value.items()))]
    if isinstance(value, list):
        if style == "form" and explode:
            return [(name, text_of(item)) for item in value]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(text_of(item) for item in value))]
    return [(name, text_of(value))]


def header_value(value: Any, explode: bool) -> str:
    """A header or cookie parameter's value in the `simple` style, made safe for a header."""
    if isinstance(value, dict):
        joined = "=" if explode else ","
        text = ",".join(f"{key}{joined}{text_of(item)}" for key, item in value.items())
    elif isinstance(value, list):
        text = ",".join(text_of(item) for item in value)
    else:
        text = text_of(value)
    return safe_header_text(text)


def parameter_of(document: Mapping[str, Any], listed: Located, index: int) -> Located | None:
    """The Parameter Object at `index` of a `parameters` list, read through its `$ref`."""
    found = member(document, listed, index)
    return found if found is not None and isinstance(found.value, dict) else None
