"""An operation's parameters, and their values in a request made into JSON values that a schema
can judge.

Decisions:
- The parameters are the Path Item's and the operation's, the operation's winning by name and
  location; a `$ref` parameter is read through. Header parameters named Accept, Content-Type or
  Authorization are ignored, as OpenAPI says; a header's name is case-insensitive.
- A value is sent as text, so it is converted where its schema's `type` says what it is (the
  type of the schema or of its `$ref` target, else the types its `allOf`/`anyOf`/`oneOf`
  members name): integer, number, boolean, or null for `null`; a text the type cannot read
  stays a string, so validation reports it as a wrong type. A type list holding `string` keeps
  the text as it is.
- Arrays and objects follow the parameter's style and `explode`, with OpenAPI's defaults
  (`form` and exploded in query and cookie, `simple` otherwise): a repeated query name or
  `a,b` for `form`, `a b` for `spaceDelimited`, `a|b` for `pipeDelimited`, `name[key]=v` for
  `deepObject`, an exploded object's properties as query names of their own, `k,v,k,v` or
  `k=v,k=v` in `simple`, `.a.b` for `label` and `;name=a,b` for `matrix` paths.
- A parameter described by `content` is parsed as JSON when its media type is JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from apidock.descriptions.problems import child
from apidock.mocking.encoding import is_json_type
from apidock.mocking.references import Located, member, schema_chain
from apidock.mocking.request_parts import RequestParts

LOCATIONS = ("path", "query", "header", "cookie")
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,299})")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,299})(?:\.[0-9]{1,300})?(?:[eE][-+]?[0-9]{1,3})?")
_COMPOSITIONS = ("allOf", "anyOf", "oneOf")


class Missing:
    """The value of a parameter the request does not carry."""


MISSING = Missing()


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of an operation, as the checks need it."""

    name: str
    location: str
    required: bool
    style: str
    explode: bool
    schema: Located | None
    json_content: bool

    @property
    def label(self) -> str:
        """Where a problem with this parameter is reported: `query.page`, `path.petId`."""
        return f"{self.location}.{self.name}"


def parameters_of(
    document: Mapping[str, Any], item: Located, operation: Located
) -> list[Parameter]:
    """The parameters of `operation` in the Path Item `item` (see the module's doc)."""
    merged: dict[tuple[str, str], Parameter] = {}
    for owner in (item, operation):
        listed = member(document, owner, "parameters")
        if listed is None or not isinstance(listed.value, list):
            continue
        for index in range(len(listed.value)):
            found = member(document, listed, index)
            parameter = _parameter(document, found) if found is not None else None
            if parameter is not None:
                merged[_identity(parameter)] = parameter
    return list(merged.values())


def _identity(parameter: Parameter) -> tuple[str, str]:
    name = parameter.name.lower() if parameter.location == "header" else parameter.name
    return name, parameter.location


def _parameter(document: Mapping[str, Any], found: Located) -> Parameter | None:
    value = found.value
    if not isinstance(value, dict):
        return None
    name, location = value.get("name"), value.get("in")
    if not isinstance(name, str) or location not in LOCATIONS:
        return None
    if location == "header" and name.lower() in _IGNORED_HEADERS:
        return None
    style = value.get("style")
    if not isinstance(style, str):
        style = "form" if location in ("query", "cookie") else "simple"
    explode = value.get("explode")
    if not isinstance(explode, bool):
        explode = style == "form"
    schema: Located | None = None
    json_content = False
    content = value.get("content")
    if "schema" in value:
        # the member as written: a validator reads through its $ref by itself
        schema = Located(value["schema"], child(found.pointer, "schema"))
    elif isinstance(content, dict) and content:
        media_type = next(iter(content))
        media = member(document, Located(content, child(found.pointer, "content")), media_type)
        if media is not None and isinstance(media.value, dict) and "schema" in media.value:
            schema = Located(media.value["schema"], child(media.pointer, "schema"))
        json_content = isinstance(media_type, str) and is_json_type(media_type)
    return Parameter(
        name, location, value.get("required") is True, style, explode, schema, json_content
    )


def value_of(
    document: Mapping[str, Any],
    parameter: Parameter,
    parts: RequestParts,
    path_values: Mapping[str, str],
) -> Any:
    """The JSON value `parameter` has in the request, or MISSING."""
    schema = parameter.schema.value if parameter.schema is not None else None
    types = frozenset() if parameter.json_content else schema_types(document, schema)
    texts = _texts(document, parameter, parts, path_values, types, schema)
    if isinstance(texts, Missing | dict):
        return _object_of(document, texts, schema) if isinstance(texts, dict) else MISSING
    if parameter.json_content:
        try:
            return orjson.loads(texts[0])
        except orjson.JSONDecodeError:
            return texts[0]
    if "array" in types and "string" not in types:
        item_types = schema_types(document, keyword_of(document, schema, "items"))
        return [scalar_of(text, item_types) for text in _items(parameter, texts)]
    if "object" in types and "string" not in types:
        return _object_of(document, _pairs(parameter, texts[0]), schema)
    return scalar_of(_strip_prefix(parameter, texts[0]), types)


def keyword_of(document: Mapping[str, Any], schema: Any, keyword: str) -> Any:
    """The value of `keyword` in `schema` or, failing that, along its `$ref` chain."""
    for found in schema_chain(document, schema):
        if keyword in found:
            return found[keyword]
    return None


def _texts(
    document: Mapping[str, Any],
    parameter: Parameter,
    parts: RequestParts,
    path_values: Mapping[str, str],
    types: frozenset[str],
    schema: Any,
) -> list[str] | dict[str, str] | Missing:
    name = parameter.name
    if parameter.location == "path":
        return [path_values[name]] if name in path_values else MISSING
    if parameter.location == "header":
        text = parts.request.headers.get(name.lower())
        return MISSING if text is None else [text]
    if parameter.location == "cookie":
        cookie = parts.cookies().get(name)
        return MISSING if cookie is None else [cookie]
    pairs = parts.query()
    if parameter.style == "deepObject":
        prefix = name + "["
        members = {
            key[len(prefix) : -1]: text
            for key, text in pairs
            if key.startswith(prefix) and key.endswith("]")
        }
        return members or MISSING
    if "object" in types and parameter.explode and "string" not in types:
        names = {property_name for property_name, _ in properties_of(document, schema)}
        members = {key: text for key, text in pairs if key in names}
        return members or MISSING
    texts = [text for key, text in pairs if key == name]
    return texts or MISSING


def _items(parameter: Parameter, texts: list[str]) -> list[str]:
    if parameter.location == "query" and parameter.style == "form" and parameter.explode:
        return texts
    text = _strip_prefix(parameter, texts[0])
    if text == "":
        return []
    separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(parameter.style, ",")
    if parameter.style == "label" and parameter.explode:
        separator = "."
    if parameter.style == "matrix" and parameter.explode:
        return [part.partition("=")[2] for part in texts[0].split(";") if part]
    return text.split(separator)


def _strip_prefix(parameter: Parameter, text: str) -> str:
    if parameter.location != "path":
        return text
    if parameter.style == "label":
        return text.removeprefix(".")
    if parameter.style == "matrix":
        return text.removeprefix(f";{parameter.name}=").removeprefix(";")
    return text


def _pairs(parameter: Parameter, text: str) -> dict[str, str]:
    text = _strip_prefix(parameter, text)
    if parameter.explode:
        separator = (
            "." if parameter.style == "label" else ";" if parameter.style == "matrix" else ","
        )
        return dict(part.partition("=")[::2] for part in text.split(separator) if part)
    pieces = text.split(",")
    return dict(zip(pieces[::2], pieces[1::2], strict=False))


def _object_of(document: Mapping[str, Any], members: dict[str, str], schema: Any) -> dict[str, Any]:
    properties = dict(properties_of(document, schema))
    return {
        key: scalar_of(text, schema_types(document, properties.get(key)))
        for key, text in members.items()
    }


def properties_of(document: Mapping[str, Any], schema: Any) -> Iterator[tuple[str, Any]]:
    """The `properties` of `schema` and of its `$ref` chain, as `(name, schema)`."""
    for found in schema_chain(document, schema):
        properties = found.get("properties")
        if isinstance(properties, dict):
            yield from properties.items()


def scalar_of(text: str, types: frozenset[str]) -> Any:
    """`text` read as the first of `types` that can read it, else as it is."""
    if "string" in types or not types:
        return text
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        number = float(text)
        if number == number and abs(number) != float("inf"):
            return int(text) if _INTEGER.fullmatch(text) else number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "null" in types and text in ("", "null"):
        return None
    return text


def schema_types(document: Mapping[str, Any], schema: Any) -> frozenset[str]:
    """The types a schema names: its own and its `$ref` chain's `type`, else its
    compositions' (one level)."""
    types: set[str] = set()
    chain = list(schema_chain(document, schema))
    for found in chain:
        types.update(_types_in(found))
    if not types:
        for found in chain:
            for keyword in _COMPOSITIONS:
                listed = found.get(keyword)
                for option in listed if isinstance(listed, list) else ():
                    for inner in schema_chain(document, option):
                        types.update(_types_in(inner))
    return frozenset(types)


def _types_in(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [name for name in declared if isinstance(name, str)]
    return []
