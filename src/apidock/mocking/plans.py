"""What a chosen response is made of: a static body or a schema to generate from, and its
headers, worked out once per (operation, response, media type, example, dynamic) and kept.

Decisions (SPEC's order):
- The body: the example asked for by name (one with only an `externalValue` is refused, 400:
  the mock never fetches); with `dynamic=true`, data generated from the schema; else the first
  of the media type's `examples` (document order) that has a `value`, then its `example`; else
  the schema's own `examples[0]`, `example`, `default`, `const` or first `enum` value, read
  along its `$ref` chain (the referring schema's keywords first); else generated data. A media
  type with neither example nor schema has no body. `dynamic=true` without a schema, and
  `dynamic=false`, follow the order as written (generating only when nothing else is there).
- The source the mock log shows: the example's name, `example` for the media type's unnamed
  `example` or a schema's `examples`/`example`, `generated` for everything else the mock made
  (a schema's `default`, `const`, `enum`, generated data, an empty body).
- A header: its `example`, else the first of its `examples` with a value, else its schema's
  values as above, else (a header described by `content`) its first media type's, else data
  generated from its schema; a header with none of them is not sent. Values are written in the
  header's style (`encoding.header_text`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from apidock.mocking.encoding import body_bytes, header_name, header_text
from apidock.mocking.references import Located, object_member, schema_chain
from apidock.mocking.responses import Refused

EXAMPLE_SOURCE = "example"
GENERATED_SOURCE = "generated"
NOTHING: Any = object()
"""What `schema_value` gives for a schema that gives no value."""
_SCHEMA_EXAMPLES = ("examples", "example")
_SCHEMA_VALUES = ("default", "const", "enum")


@dataclass(frozen=True, slots=True)
class HeaderRecipe:
    """A header whose value is generated for each request from `schema`."""

    name: str
    schema: Any
    explode: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """How to answer: `body` when it is static, else generated from `schema` when that is
    not None, else no body; `headers` are static, `generated_headers` made per request."""

    body: bytes | None
    schema: Any
    source: str
    headers: tuple[tuple[str, str], ...]
    generated_headers: tuple[HeaderRecipe, ...]


def plan_for(
    document: Mapping[str, Any],
    response: Located | None,
    media: Located | None,
    example: str | None,
    dynamic: bool,
    content_type: str,
) -> Plan:
    """The plan of one answer (see the module's doc); raises Refused for an example that
    cannot be served."""
    headers, recipes = _headers_of(document, response)
    if media is None:
        return Plan(None, None, GENERATED_SOURCE, headers, recipes)
    value, source = _body_value(document, media, example, dynamic)
    if value is NOTHING:
        return Plan(None, media.value.get("schema"), GENERATED_SOURCE, headers, recipes)
    return Plan(body_bytes(value, content_type), None, source, headers, recipes)


def _body_value(
    document: Mapping[str, Any], media: Located, example: str | None, dynamic: bool
) -> tuple[Any, str]:
    if example is not None:
        return _named_example(document, media, example), example
    if dynamic and "schema" in media.value:
        return NOTHING, GENERATED_SOURCE
    for name, value in _examples(document, media):
        return value, name
    if "example" in media.value:
        return media.value["example"], EXAMPLE_SOURCE
    if "schema" in media.value:
        return schema_value(document, media.value["schema"])
    return NOTHING, GENERATED_SOURCE


def _named_example(document: Mapping[str, Any], media: Located, name: str) -> Any:
    examples = object_member(document, media, "examples")
    found = object_member(document, examples, name) if examples is not None else None
    if found is None:
        raise Refused(400, f"The example {name!r} cannot be read", documented=[])
    if "value" not in found.value:
        raise Refused(
            400,
            f"The example {name!r} has only an externalValue, which the mock never fetches",
            documented=[name for name, _ in _examples(document, media)],
        )
    return found.value["value"]


def _examples(document: Mapping[str, Any], media: Located) -> Iterator[tuple[str, Any]]:
    """The media type's named examples that have a `value`, in document order."""
    examples = object_member(document, media, "examples")
    if examples is None:
        return
    for name in examples.value:
        found = object_member(document, examples, name) if isinstance(name, str) else None
        if found is not None and "value" in found.value:
            yield name, found.value["value"]


def schema_value(document: Mapping[str, Any], schema: Any) -> tuple[Any, str]:
    """A value a schema itself gives (see the module's doc), or `NOTHING`, and its source."""
    for found in schema_chain(document, schema):
        for keyword in (*_SCHEMA_EXAMPLES, *_SCHEMA_VALUES):
            if keyword not in found:
                continue
            value = found[keyword]
            source = EXAMPLE_SOURCE if keyword in _SCHEMA_EXAMPLES else GENERATED_SOURCE
            if keyword in ("examples", "enum"):
                if isinstance(value, list) and value:
                    return value[0], source
                continue
            return value, source
    return NOTHING, GENERATED_SOURCE


def _headers_of(
    document: Mapping[str, Any], response: Located | None
) -> tuple[tuple[tuple[str, str], ...], tuple[HeaderRecipe, ...]]:
    listed = object_member(document, response, "headers") if response is not None else None
    if listed is None:
        return (), ()
    static: list[tuple[str, str]] = []
    recipes: list[HeaderRecipe] = []
    sent: set[str] = set()
    for documented in listed.value:
        name = header_name(documented)
        header = object_member(document, listed, documented) if name is not None else None
        if name is None or header is None or name in sent:
            continue
        explode = header.value.get("explode") is True
        value, schema = _header_value(document, header)
        if value is not NOTHING:
            static.append((name, header_text(value, explode=explode)))
        elif schema is not NOTHING:
            recipes.append(HeaderRecipe(name, schema, explode))
        else:
            continue
        sent.add(name)
    return tuple(static), tuple(recipes)


def _header_value(document: Mapping[str, Any], header: Located) -> tuple[Any, Any]:
    """A header's static value (or `NOTHING`) and the schema to generate it from (or
    `NOTHING`): the Header Object's own, else its `content`'s first media type's."""
    described = header if "schema" in header.value else _first_media_type(document, header)
    for holder in (header, described):
        if holder is None:
            continue
        if "example" in holder.value:
            return holder.value["example"], NOTHING
        for _, value in _examples(document, holder):
            return value, NOTHING
        if "schema" in holder.value:
            schema = holder.value["schema"]
            value, _ = schema_value(document, schema)
            return value, (schema if value is NOTHING else NOTHING)
    return NOTHING, NOTHING


def _first_media_type(document: Mapping[str, Any], header: Located) -> Located | None:
    content = object_member(document, header, "content")
    first = next(iter(content.value), None) if content is not None else None
    if content is None or not isinstance(first, str):
        return None
    return object_member(document, content, first)
