"""Swagger 2.0 → OpenAPI 3.1: parameters, and the request body their `body` and `formData`
kinds become.

A parameter's type keywords move into its `schema`; `collectionFormat` becomes `style` and
`explode` (csv: `form` + `explode: false` in a query, `simple` in a path or header; ssv:
`spaceDelimited`; pipes: `pipeDelimited`; multi: `explode: true`; tsv has no 3.x form and is
lost). As in swagger2openapi: a `body` parameter's schema goes under each media type the
operation consumes (`application/json` when it consumes none); `formData` parameters become
the properties of one object under `multipart/form-data` when the operation consumes it, else
under `application/x-www-form-urlencoded` (a warning says when a file then travels urlencoded,
or a listed urlencoded isn't carried); a `type: file` parameter outside a form is an
`application/octet-stream` body. A form array's `collectionFormat` becomes its `encoding`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.problems import child
from apidock.descriptions.swagger2_schemas import Conversion

# The keywords of a 2.0 non-body parameter (or header) that are its value's schema.
SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "x-nullable",
)
_PARAMETER_ORDER = (
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "schema",
    "example",
)
FORM = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
_STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "query": {
        "csv": {"style": "form", "explode": False},
        "ssv": {"style": "spaceDelimited"},
        "pipes": {"style": "pipeDelimited"},
        "multi": {"explode": True},
    },
    "path": {"csv": {"style": "simple"}, "multi": {"explode": True}},
    "formData": {
        "csv": {"style": "form", "explode": False},
        "ssv": {"style": "spaceDelimited"},
        "pipes": {"style": "pipeDelimited"},
        "multi": {},
    },
}
_STYLES["cookie"] = _STYLES["query"]
_STYLES["header"] = _STYLES["path"]


def kind_of(parameter: dict[str, Any]) -> str:
    """`body`, `form`, `file` (a file outside a form) or `other`: where it goes in 3.x."""
    where = parameter.get("in")
    if where == "body":
        return "body"
    if where == "formData":
        return "form"
    return "file" if parameter.get("type") == "file" else "other"


def media_list(conv: Conversion, value: Any, at: str) -> list[str] | None:
    """A `consumes` or `produces` list (None when absent), duplicates dropped."""
    if value is None:
        return None
    if isinstance(value, str):
        conv.report.warn(at, "a single media type became a list")
        value = [value]
    if not isinstance(value, list):
        conv.report.lose(at, "must be an array of media types")
        return None
    types: dict[str, None] = {}
    for index, item in enumerate(value):
        if isinstance(item, str):
            types[item] = None
        else:
            conv.report.lose(child(at, index), "a media type must be a string")
    return list(types)


def style_of(conv: Conversion, parameter: dict[str, Any], at: str, where: str) -> dict[str, Any]:
    """The `style`/`explode` of a parameter or header located `where` (`query`, `path`,
    `header`, `formData`), from its `collectionFormat` (csv when an array has none)."""
    written = parameter.get("collectionFormat")
    if parameter.get("type") != "array":
        if written is not None:
            conv.report.lose(child(at, "collectionFormat"), "collectionFormat is for arrays")
        return {}
    fmt = "csv" if written is None else written
    items = parameter.get("items")
    items_at = child(at, "items")
    while isinstance(items, dict):
        nested = items.get("collectionFormat")
        if nested is not None and nested != fmt:
            conv.report.lose(
                child(items_at, "collectionFormat"),
                "a nested array's own collectionFormat has no 3.x form",
            )
        items = items.get("items")
        items_at = child(items_at, "items")
    style = _STYLES.get(where, {}).get(fmt) if isinstance(fmt, str) else None
    if style is None:
        conv.report.lose(
            child(at, "collectionFormat"), f"collectionFormat {fmt!r} has no 3.x form in {where}"
        )
        return {}
    return dict(style)


def _type_schema(conv: Conversion, parameter: dict[str, Any], at: str) -> Any:
    keywords = {key: parameter[key] for key in SCHEMA_KEYS if key in parameter}
    if "type" not in keywords and "schema" not in parameter:
        conv.report.warn(child(at, "type"), "a parameter without a type takes any value")
    return conv.schema(keywords, at, items=True)


def convert_parameter(conv: Conversion, parameter: dict[str, Any], at: str) -> dict[str, Any]:
    """A non-body 2.0 parameter as a 3.1 Parameter Object."""
    report = conv.report
    fields: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    location = parameter.get("in")
    for name, value in parameter.items():
        where = child(at, name)
        if name in ("name", "in", "description"):
            if isinstance(value, str):
                fields[name] = value
            else:
                report.lose(where, f"{name} must be a string")
        elif name in ("required", "deprecated"):
            if isinstance(value, bool):
                fields[name] = value
            else:
                report.lose(where, f"{name} must be a boolean")
        elif name == "allowEmptyValue":
            if location == "query" and isinstance(value, bool):
                fields[name] = value
            else:
                report.lose(where, "allowEmptyValue is for query parameters")
        elif name in ("example", "x-example"):
            fields["example"] = conv.data(value)
        elif name.startswith("x-") and name != "x-nullable":
            extensions[name] = conv.data(value)
        elif name == "schema":
            if "type" in parameter:
                report.lose(where, "a parameter with a type has no schema")
            else:
                schema = conv.schema(value, where)
                if schema is not None:
                    fields["schema"] = schema
        elif name not in SCHEMA_KEYS and name != "collectionFormat":
            report.lose(where, f"{name} is not a parameter field")
    if "schema" not in fields:
        fields["schema"] = _type_schema(conv, parameter, at)
    if isinstance(location, str):
        fields.update(style_of(conv, parameter, at, location))
    if location == "path" and fields.get("required") is not True:
        report.warn(at, "a path parameter is required: required became true")
        fields["required"] = True
    ordered = {key: fields[key] for key in _PARAMETER_ORDER if key in fields}
    ordered.update(extensions)
    return ordered


@dataclass(slots=True, eq=False)
class Piece:
    """A `body`, `formData` or file parameter, converted, waiting for its operation's body."""

    kind: str
    name: str
    at: str
    schema: Any = None
    required: bool = False
    description: str | None = None
    is_file: bool = False
    encoding: dict[str, Any] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def request_piece(conv: Conversion, parameter: dict[str, Any], at: str) -> Piece:
    """A `body`, `formData` or file parameter, converted once (an operation clones it)."""
    report = conv.report
    kind = kind_of(parameter)
    name = parameter.get("name")
    piece = Piece(kind, name if isinstance(name, str) else "", at)
    piece.required = parameter.get("required") is True
    description = parameter.get("description")
    if isinstance(description, str):
        piece.description = description
    if kind == "form":
        keywords = {key: parameter[key] for key in SCHEMA_KEYS if key in parameter}
        if isinstance(description, str):
            keywords = {"description": description, **keywords}
        for key, value in parameter.items():
            if key.startswith("x-") and key not in ("x-example", "x-nullable"):
                keywords[key] = value
        if "x-example" in parameter:
            keywords["example"] = parameter["x-example"]
        piece.schema = conv.schema(keywords, at, items=True)
        piece.is_file = parameter.get("type") == "file"
        piece.encoding = style_of(conv, parameter, at, "formData")
        known = {"name", "in", "description", "required", "collectionFormat", *SCHEMA_KEYS}
    elif kind == "body":
        piece.extensions = {
            key: conv.data(value) for key, value in parameter.items() if key.startswith("x-")
        }
        if "schema" in parameter:
            piece.schema = conv.schema(parameter["schema"], child(at, "schema"))
        else:
            report.warn(at, "a body parameter without a schema takes any content")
        if piece.schema is None:
            piece.schema = {}
        known = {"name", "in", "description", "required", "schema"}
    else:
        piece.extensions = {
            key: conv.data(value) for key, value in parameter.items() if key.startswith("x-")
        }
        report.warn(at, "a file parameter outside a form became an application/octet-stream body")
        known = {"name", "in", "description", "required", "type", "format"}
    for key in parameter:
        if key not in known and not key.startswith("x-"):
            report.lose(child(at, key), f"{key} has no place in a 3.x request body")
    return piece


def request_body(
    conv: Conversion, pieces: list[Piece], consumes: list[str], at: str
) -> dict[str, Any]:
    """The one request body an operation's pieces make (their first kind wins)."""
    report = conv.report
    first = pieces[0]
    kept = [piece for piece in pieces if piece.kind == "form"] if first.kind == "form" else [first]
    kept_ids = {id(piece) for piece in kept}
    for piece in pieces:
        if id(piece) not in kept_ids:
            report.lose(piece.at, "an operation has one request body: not carried")
    if first.kind != "form":
        return _single_body(conv, first, consumes)
    return _form_body(conv, kept, consumes, at)


def _single_body(conv: Conversion, piece: Piece, consumes: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if piece.description is not None:
        body["description"] = piece.description
    content: dict[str, Any] = {}
    if piece.kind == "body":
        for index, media_type in enumerate(consumes or ["application/json"]):
            content[media_type] = {
                "schema": piece.schema if index == 0 else conv.clone(piece.schema)
            }
    else:
        content["application/octet-stream"] = {"schema": {"type": "string", "format": "binary"}}
    body["content"] = content
    if piece.required:
        body["required"] = True
    body.update(piece.extensions)
    return body


def _form_body(
    conv: Conversion, pieces: list[Piece], consumes: list[str], at: str
) -> dict[str, Any]:
    media_type = _form_media_type(conv, pieces, consumes, at)
    properties: dict[str, Any] = {}
    required: dict[str, None] = {}
    encoding: dict[str, Any] = {}
    for piece in pieces:
        properties[piece.name] = piece.schema
        if piece.required:
            required[piece.name] = None
        if piece.encoding:
            encoding[piece.name] = piece.encoding
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    media: dict[str, Any] = {"schema": schema}
    if encoding:
        media["encoding"] = encoding
    body: dict[str, Any] = {"content": {media_type: media}}
    if required:
        body["required"] = True
    return body


def _form_media_type(conv: Conversion, pieces: list[Piece], consumes: list[str], at: str) -> str:
    if FORM in consumes:
        if URLENCODED in consumes:
            conv.report.lose(
                at, f"{URLENCODED} is not carried beside {FORM}: a form has one media type"
            )
        return FORM
    if URLENCODED not in consumes:
        conv.report.warn(at, f"formData parameters without a form media type: {URLENCODED}")
    if any(piece.is_file for piece in pieces):
        conv.report.warn(at, f"a file in an {URLENCODED} form: consumes lacks {FORM}")
    return URLENCODED
