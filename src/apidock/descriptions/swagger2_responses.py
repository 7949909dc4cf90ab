"""Swagger 2.0 → OpenAPI 3.1: responses and their headers.

As swagger2openapi does: a response's `schema` goes under each media type the operation
produces (`*/*` when neither it nor the document says), its `examples` (a map by media type)
become a named example `response` under their media type (a media type no `produces` lists
gets an entry of its own, with no schema), and each header's type keywords move into its
`schema`, a csv array being `style: simple` and multi `explode: true`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from apidock.descriptions.problems import child
from apidock.descriptions.swagger2_parameters import SCHEMA_KEYS, style_of
from apidock.descriptions.swagger2_refs import Moves
from apidock.descriptions.swagger2_schemas import Conversion

EXAMPLE_NAME = "response"
DEFAULT_PRODUCES = "*/*"
_HEADER_FIELDS = {"description", "collectionFormat", *SCHEMA_KEYS}


def _reference(conv: Conversion, value: dict[str, Any], at: str) -> dict[str, Any]:
    """A 2.0 reference in place of an object; of its siblings 3.1 keeps `description`."""
    target: dict[str, Any] = {"$ref": conv.ref(value["$ref"], child(at, "$ref"))}
    for key, item in value.items():
        if key == "description" and isinstance(item, str):
            target[key] = item
        elif key != "$ref":
            conv.report.lose(child(at, key), "a reference's sibling is ignored")
    return target


def _object_or_reference(
    conv: Conversion,
    value: Any,
    at: str,
    what: str,
    convert: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any] | None:
    """`value` (`what` the document says it is) as 3.1: a reference as one, another object by
    `convert`; None (lost) when it is not an object."""
    if not isinstance(value, dict):
        conv.report.lose(at, f"{what} must be an object")
        return None
    if isinstance(value.get("$ref"), str):
        return _reference(conv, value, at)
    return convert(value)


def convert_header(conv: Conversion, header: Any, at: str) -> dict[str, Any] | None:
    """A 2.0 response header as a 3.1 Header Object."""
    return _object_or_reference(
        conv, header, at, "a header", lambda found: _header(conv, found, at)
    )


def _header(conv: Conversion, header: dict[str, Any], at: str) -> dict[str, Any]:
    target: dict[str, Any] = {}
    description = header.get("description")
    if isinstance(description, str):
        target["description"] = description
    elif description is not None:
        conv.report.lose(child(at, "description"), "description must be a string")
    target.update(style_of(conv, header, at, "header"))
    keywords = {key: header[key] for key in SCHEMA_KEYS if key in header}
    target["schema"] = conv.schema(keywords, at, items=True)
    for key, value in header.items():
        if key.startswith("x-") and key != "x-nullable":
            target[key] = conv.data(value)
        elif key not in _HEADER_FIELDS:
            conv.report.lose(child(at, key), f"{key} is not a header field")
    return target


def convert_response(
    conv: Conversion, response: Any, at: str, produces: Sequence[str]
) -> dict[str, Any] | None:
    """A 2.0 response as a 3.1 Response Object: its schema and examples under `content`."""
    return _object_or_reference(
        conv, response, at, "a response", lambda found: _response(conv, found, at, produces)
    )


def _response(
    conv: Conversion, response: dict[str, Any], at: str, produces: Sequence[str]
) -> dict[str, Any]:
    report = conv.report
    target: dict[str, Any] = {}
    description = response.get("description")
    if isinstance(description, str):
        target["description"] = description
    else:
        report.warn(child(at, "description"), "a response needs a description: it is empty")
        target["description"] = ""
    headers = response.get("headers")
    if isinstance(headers, dict):
        converted: dict[str, Any] = {}
        for name, header in headers.items():
            value = convert_header(conv, header, child(at, "headers", name))
            if value is not None:
                converted[name] = value
        target["headers"] = converted
    elif headers is not None:
        report.lose(child(at, "headers"), "headers must be an object")
    content = _content(conv, response, at, produces)
    if content:
        target["content"] = content
    for key, value in response.items():
        if key.startswith("x-"):
            target[key] = conv.data(value)
        elif key not in ("description", "headers", "schema", "examples"):
            report.lose(child(at, key), f"{key} is not a response field")
    return target


def _content(
    conv: Conversion, response: dict[str, Any], at: str, produces: Sequence[str]
) -> dict[str, Any]:
    content: dict[str, Any] = {}
    examples = response.get("examples")
    if not isinstance(examples, dict):
        if examples is not None:
            conv.report.lose(child(at, "examples"), "examples must be an object by media type")
        examples = {}
    if "schema" in response:
        schema = conv.schema(response["schema"], child(at, "schema"))
        if schema is not None:
            for index, media_type in enumerate(produces or [DEFAULT_PRODUCES]):
                content[media_type] = {"schema": schema if index == 0 else conv.clone(schema)}
    for media_type, example in examples.items():
        media = content.setdefault(media_type, {})
        media["examples"] = {EXAMPLE_NAME: {"value": conv.data(example)}}
    return content


def convert_responses(
    conv: Conversion, responses: Any, at: str, produces: Sequence[str]
) -> dict[str, Any]:
    """An operation's responses, by status."""
    if not isinstance(responses, dict):
        conv.report.lose(at, "responses must be an object")
        return {}
    target: dict[str, Any] = {}
    for status, response in responses.items():
        if status.startswith("x-"):
            target[status] = conv.data(response)
            continue
        value = convert_response(conv, response, child(at, status), produces)
        if value is not None:
            target[status] = value
    return target


def response_moves(
    moves: Moves, source: list[str], target: list[str], response: Any, produces: Sequence[str]
) -> None:
    """Record where a response's parts go, for references into them."""
    moves.add(source, target)
    if not isinstance(response, dict) or "$ref" in response:
        return
    first = (list(produces) or [DEFAULT_PRODUCES])[0]
    moves.add([*source, "schema"], [*target, "content", first, "schema"])
    examples = response.get("examples")
    if isinstance(examples, dict):
        for media_type in examples:
            moves.add(
                [*source, "examples", media_type],
                [*target, "content", media_type, "examples", EXAMPLE_NAME, "value"],
            )
    headers = response.get("headers")
    if isinstance(headers, dict):
        for name, header in headers.items():
            if isinstance(header, dict):
                for key in SCHEMA_KEYS:
                    if key in header:
                        moves.add(
                            [*source, "headers", name, key],
                            [*target, "headers", name, "schema", key],
                        )
