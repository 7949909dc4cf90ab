"""A response body read as the value its schema judges, and the documented media type a
Content-Type answers to.

Decisions:
- Media types compare by their essence (`type/subtype`, lower case; parameters such as
  `charset` ignored). A documented key equal to the answer's essence wins; else the first
  documented range that covers it (`application/*`, `*/*`), in document order. An answer
  without a Content-Type is `application/octet-stream`, as RFC 9110 lets a recipient assume,
  so only a range that covers that takes it.
- JSON media types (`application/json`, any `+json`) are parsed as JSON (RFC 8259, by orjson:
  no NaN, no BOM, no lone surrogate, at most 1,024 levels). `text/*` is decoded with the
  Content-Type's `charset` (UTF-8 when it names none or one Python does not know) and judged
  as a string. Any other media type (binary, XML, multipart, forms) is not read: a schema
  cannot judge its bytes.
- A body nested deeper than `MAX_DEPTH` is not handed to a schema that may recurse
  (`recursion`): jsonschema-rs recurses natively, and a 1,024-level body against a recursive
  schema needs more stack than a small thread has (measured: over 2 MiB). No API answers 256
  levels deep. Other schemas stop descending where they end, so their bodies are not
  measured (measuring costs about what validating does).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from typing import Any

import orjson

from apidock.mocking.encoding import is_json_type
from apidock.mocking.negotiation import MediaRange, essence

MAX_DEPTH = 256
"""Containers in containers a body may have to be checked against its schema."""

NO_CONTENT_TYPE = "application/octet-stream"


class Unreadable(Exception):
    """A body that its media type says is JSON or text, and that is not."""


class NotRead:
    """The value of a body whose media type is not read."""


NOT_READ = NotRead()


def documented_media_type(content_type: str | None, documented: Iterable[str]) -> str | None:
    """The documented media type (its key as written) that an answer of `content_type`
    answers to, or None when none does."""
    type_, subtype = essence(content_type or NO_CONTENT_TYPE)
    keys = list(documented)
    for key in keys:
        if essence(key) == (type_, subtype):
            return key
    for key in keys:
        if MediaRange(*essence(key), 1.0).covers(type_, subtype):
            return key
    return None


def read_body(raw: bytes, content_type: str | None) -> Any:
    """The body as a JSON value (a string for text), or `NOT_READ`; raises Unreadable."""
    if content_type is None:
        return NOT_READ
    if is_json_type(content_type):
        return parse_json(raw)
    if essence(content_type)[0] == "text":
        charset = _charset(content_type)
        try:
            return _decoded(raw, charset)
        except UnicodeDecodeError as error:
            raise Unreadable(f"The body is not {charset} text: {error.reason}") from None
    return NOT_READ


def parse_json(raw: bytes) -> Any:
    """`raw` parsed as JSON; raises Unreadable, saying why."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise Unreadable(f"The body is not valid JSON: {error}") from None


def _decoded(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset)
    except LookupError:
        # a codec that is not a text encoding (`rot13`, `hex`): read as UTF-8
        return raw.decode("utf-8")


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            label = value.strip().strip('"')
            try:
                return codecs.lookup(label).name
            except (LookupError, ValueError):
                return "utf-8"
    return "utf-8"


def deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` nests containers more than `limit` levels (the top one is level 1);
    iterative, so any depth is measured without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for item in items:
            if isinstance(item, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((item, depth + 1))
    return False
