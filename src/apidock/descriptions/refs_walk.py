"""The structure of an OpenAPI 3.x or Swagger 2.0 document, as far as references care, and an
iterative walk over it.

A `$ref` is a reference only where the specification puts one: in a Reference Object, a Path
Item, or a Schema. The walk knows, for each object it visits, what the object is (its *shape*)
and what its members are, so it can tell a reference from data that merely has a `$ref` key:

- A member the shape does not name is data and is not walked: `x-` extensions, `example`,
  `default`, `enum`, `const`, a Schema's `examples` (instances), an Example's `value`, a Link's
  `parameters` and `requestBody`, a Swagger 2.0 response's `examples` (media type to instance),
  and any keyword the specification does not define (JSON Schema treats unknown keywords as
  annotations, never as subschemas).
- The keys of a map of names (`paths`, `components.schemas`, `definitions`, `properties`,
  response codes, media types, ...) are names: a property called `$ref` is a property. Only
  Paths, Responses and Callback objects take `x-` extensions among their names; in the other
  maps (`properties`, `components.schemas`) an `x-` key is a name like any other.

Decisions where the specifications leave room (each errs toward checking more):
- A Media Type Object may be a Reference Object (OpenAPI 3.2 allows it, and tools follow one
  written in 3.0 or 3.1 documents); a `$ref` beside other members is walked with them.
- Swagger 2.0 Header and Items objects are walked as Schemas: the conversion to 3.1 turns them
  into schemas, where their `$ref`s become live.
- One table serves OpenAPI 3.0 and 3.1 (and the 3.2 members `itemSchema`, `prefixEncoding`,
  `itemEncoding`): a member a version lacks is simply absent from its documents.

The walk never follows a reference and never recurses: it keeps an explicit stack, visits each
object of a reference position once, and a path is a linked pair `(parent, token)` made into a
pointer only when asked, so its cost is linear in the document's size whatever its depth.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from apidock.descriptions.problems import pointer

Path = tuple[Any, str | int] | None
"""Where a value sits: `None` is the root, `(parent_path, token)` a member or an item."""

FAMILIES = ("openapi", "swagger")
_CONTAINERS = (dict, list)  # a tuple: faster to test than the union `dict | list`


@dataclass(frozen=True, slots=True)
class Shape:
    """What an object of a document is: which of its members are walked, and as what.

    `fields` maps a fixed member to the shape of its value (a list value is a list of that
    shape). `every` is the shape of every other member of a map of names; `extensions` says
    whether `x-` members of such a map are extensions (data) rather than names. `refs` says
    whether a `$ref` member of this object is a reference; `schema` marks JSON Schema objects,
    where `$id` and `$anchor` name resources.
    """

    refs: bool = False
    fields: Mapping[str, str] = field(default_factory=dict)
    every: str | None = None
    extensions: bool = True
    schema: bool = False


_SCHEMA = Shape(
    refs=True,
    schema=True,
    fields={
        **dict.fromkeys(
            (
                "additionalProperties",
                "propertyNames",
                "items",
                "additionalItems",
                "prefixItems",
                "contains",
                "if",
                "then",
                "else",
                "not",
                "allOf",
                "anyOf",
                "oneOf",
                "unevaluatedItems",
                "unevaluatedProperties",
                "contentSchema",
            ),
            "schema",
        ),
        # `definitions` and `dependencies` are draft-07 keywords still common in 3.0 documents;
        # a `dependencies` value that is a list of names has no object to walk.
        **dict.fromkeys(
            (
                "properties",
                "patternProperties",
                "$defs",
                "definitions",
                "dependentSchemas",
                "dependencies",
            ),
            "schemas",
        ),
    },
)


def _names(every: str) -> Shape:
    """A map of names (no extensions among them) whose values are all `every`."""
    return Shape(every=every, extensions=False)


_OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_SWAGGER_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_PARAMETER_3 = Shape(
    refs=True, fields={"schema": "schema", "content": "content", "examples": "examples"}
)

# Each member of a Components Object: the shape of its map of names, and of every value there
# (`response_map`, since `responses` is an operation's Responses Object).
_COMPONENTS = {
    "schemas": ("schemas", "schema"),
    "responses": ("response_map", "response"),
    "parameters": ("parameters", "parameter"),
    "examples": ("examples", "example"),
    "requestBodies": ("request_bodies", "request_body"),
    "headers": ("headers", "header"),
    "securitySchemes": ("security_schemes", "security_scheme"),
    "links": ("links", "link"),
    "callbacks": ("callbacks", "callback"),
    "pathItems": ("path_items", "path_item"),
}

_OPENAPI: dict[str, Shape] = {
    "root": Shape(fields={"paths": "paths", "webhooks": "path_items", "components": "components"}),
    "components": Shape(
        fields={
            **{kind: names for kind, (names, _) in _COMPONENTS.items()},
            "mediaTypes": "content",
        }
    ),
    "paths": Shape(every="path_item"),
    "path_item": Shape(
        refs=True,
        fields={**dict.fromkeys(_OPENAPI_METHODS, "operation"), "parameters": "parameter"},
    ),
    "operation": Shape(
        fields={
            "parameters": "parameter",
            "requestBody": "request_body",
            "responses": "responses",
            "callbacks": "callbacks",
        }
    ),
    "responses": Shape(every="response"),
    "response": Shape(
        refs=True, fields={"headers": "headers", "content": "content", "links": "links"}
    ),
    "content": _names("media_type"),
    "media_type": Shape(
        refs=True,
        fields={
            "schema": "schema",
            "itemSchema": "schema",
            "examples": "examples",
            "encoding": "encodings",
            "prefixEncoding": "encoding",
            "itemEncoding": "encoding",
        },
    ),
    "encodings": _names("encoding"),
    "encoding": Shape(
        fields={
            "headers": "headers",
            "encoding": "encodings",
            "prefixEncoding": "encoding",
            "itemEncoding": "encoding",
        }
    ),
    "parameter": _PARAMETER_3,
    "header": _PARAMETER_3,
    "request_body": Shape(refs=True, fields={"content": "content"}),
    # An Example's `value` and a Link's `parameters` and `requestBody` are data.
    "example": Shape(refs=True),
    "link": Shape(refs=True),
    "security_scheme": Shape(refs=True),
    "callback": Shape(refs=True, every="path_item"),
    "schema": _SCHEMA,
    **{names: _names(every) for names, every in _COMPONENTS.values()},
}

_SWAGGER: dict[str, Shape] = {
    "root": Shape(
        fields={
            "paths": "paths",
            "definitions": "schemas",
            "parameters": "parameters",
            "responses": "response_map",
        }
    ),
    "paths": Shape(every="path_item"),
    "path_item": Shape(
        refs=True,
        fields={**dict.fromkeys(_SWAGGER_METHODS, "operation"), "parameters": "parameter"},
    ),
    "operation": Shape(fields={"parameters": "parameter", "responses": "responses"}),
    "responses": Shape(every="response"),
    # A response's `examples` (media type to instance) is data.
    "response": Shape(refs=True, fields={"schema": "schema", "headers": "headers"}),
    "parameter": Shape(refs=True, fields={"schema": "schema", "items": "schema"}),
    "headers": _names("schema"),
    "schema": _SCHEMA,
    "schemas": _names("schema"),
    "parameters": _names("parameter"),
    "response_map": _names("response"),
}

_SHAPES = {"openapi": _OPENAPI, "swagger": _SWAGGER}


def shapes_of(family: str) -> dict[str, Shape]:
    """The shape table of `family` ("openapi" for 3.0 and 3.1, "swagger" for 2.0)."""
    try:
        return _SHAPES[family]
    except KeyError:
        raise ValueError(
            f"unknown document family {family!r}; expected one of {FAMILIES}"
        ) from None


def pointer_of(path: Path, memo: PointerMemo | None = None) -> str:
    """The JSON Pointer of `path`, at the cost of the path's length.

    With a `memo` shared by the calls of one walk, the pointer of the path's parent is kept,
    so that siblings (100,000 `$ref`s in one list) cost one pointer between them. Only the
    parent: keeping every ancestor would build a pointer per level of a deep chain.
    """
    if path is None:
        return ""
    if memo is None:
        tokens: list[str | int] = []
        while path is not None:
            path, token = path
            tokens.append(token)
        tokens.reverse()
        return pointer(*tokens)
    parent, token = path
    known = memo.get(id(parent))
    if known is None:
        known = memo[id(parent)] = (parent, pointer_of(parent))
    return known[1] + pointer(token)


PointerMemo = dict[int, tuple[Path, str]]
"""Pointers already built, by the `id` of their path; each entry holds its path, so that the
id is not reused while the memo lives."""


def join_uri(base: str, reference: str) -> str:
    """`reference` resolved against `base` (RFC 3986), keeping both relative when `base` is.

    `urllib.parse.urljoin` alone drops the base of a fragment-only reference under a scheme it
    does not know (`urn:`), and a document read from no address has the empty base: there a
    relative reference stays as written, which is what a relative `$id` is compared against.
    """
    if not base or _has_scheme(reference):
        return reference
    if reference.startswith("#"):
        return base.partition("#")[0] + reference
    return urljoin(base, reference)


def _has_scheme(reference: str) -> bool:
    scheme, colon, _ = reference.partition(":")
    return (
        bool(colon)
        and scheme[:1].isascii()
        and scheme[:1].isalpha()
        and all(c.isascii() and (c.isalnum() or c in "+.-") for c in scheme)
    )


def walk(
    document: dict[str, Any], family: str
) -> Iterator[tuple[dict[str, Any], Shape, Path, str]]:
    """Every object in a reference position of `document`, in document order, as
    `(object, shape, path, base)`; `base` is the URI a relative `$ref` in it is resolved
    against (the innermost enclosing schema `$id`, or ``""`` for the document itself).

    The caller may change a yielded object's members before asking for the next one: its
    members are read after the yield.
    """
    shapes = shapes_of(family)
    stack: list[tuple[Any, Shape, Path, str]] = [(document, shapes["root"], None, "")]
    while stack:
        node, shape, path, base = stack.pop()
        if isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                item = node[index]
                if isinstance(item, _CONTAINERS):
                    stack.append((item, shape, (path, index), base))
            continue
        if shape.schema:
            identifier = node.get("$id")
            if isinstance(identifier, str) and identifier:
                base = join_uri(base, identifier).partition("#")[0]
        yield node, shape, path, base
        children: list[tuple[Any, Shape, Path, str]] = []
        for key, value in node.items():
            if not isinstance(value, _CONTAINERS):
                continue
            name = shape.fields.get(key)
            if name is None:
                if (
                    shape.every is None
                    or (shape.extensions and key.startswith("x-"))
                    or (shape.refs and key == "$ref")
                ):
                    continue
                name = shape.every
            children.append((value, shapes[name], (path, key), base))
        children.reverse()
        stack.extend(children)
