"""Bytes to a JSON value: the one door a document comes in by, built for hostile input.

`load_document` takes the body of an import as it came (JSON or YAML, by its media type or,
without one, by its first character) and gives back a plain JSON value whose top level is an
object, or refuses it with `DocumentRefused`, each problem at a JSON Pointer where one is known
and with the line and column of a syntax error. Every bound is in `Limits`; the work done is
linear in the size of the input, with no recursion, so a 10,000-deep body is refused as fast
as it is read. Decisions shared by both syntaxes:

- Text is UTF-8 only (RFC 8259 for JSON; YAML allows UTF-16 but no tool writes it): a UTF-8
  byte order mark is dropped, a UTF-16/32 one (or a NUL among the first bytes) is refused as
  such, and an invalid byte is refused at its offset in the body.
- A key that appears twice in one object is refused, as js-yaml (the YAML reader of the
  Redocly and Swagger tools) does: keeping the last silently loses what the author wrote
  first, and most such documents are two paths pasted under one name by mistake.
- A number is a JSON number: NaN, infinities and a float that overflows (`1e400`) are refused
  rather than read as `inf`, which no JSON can hold; an integer longer than
  `Limits.max_integer_digits` is refused before any conversion is tried.
- The top level must be an object: a list, a scalar or an empty body is refused at `""`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from apidock.descriptions.loading_yaml import load_yaml
from apidock.descriptions.problems import DocumentRefused, Problem, child
from apidock.descriptions.yaml_scalars import integer_digits
from apidock.errors import PayloadTooLarge

Syntax = Literal["json", "yaml"]

_YAML_MEDIA_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})
_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")
_FIRST_CHARACTER = re.compile(rb"[ \t\r\n]*([^ \t\r\n])")
# A `\u` escape of a UTF-16 surrogate, paired or not (on text whose escaped backslashes are
# masked): Python's json reads a lone one into a string that no UTF-8 can encode.
_SURROGATE_ESCAPE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_DIGITS_AS_ONES = bytes(0x31 if 0x30 <= byte <= 0x39 else 0x30 for byte in range(256))
# Every byte but the brackets, deleted by `bytes.translate` to leave the nesting alone.
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_ONE_BRACKET_KIND = bytes.maketrans(b"{}", b"[]")
# The most problems one refusal lists: enough to fix a document in a few rounds, and a
# document full of them cannot make the answer as large as itself.
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Limits:
    """The bounds a document is read within; the defaults are the import's.

    - `max_bytes`: 20 MiB, SPEC's `IMPORT_MAX_BYTES`; the largest public descriptions (cloud
      providers' whole APIs) are a few MiB. Past it: `PayloadTooLarge` (413), nothing parsed.
    - `max_depth`: 100 nested objects and arrays (the top object is level 1). Real documents
      stay under 30; each later stage (references, conversion, validation, export) walks the
      tree, and 100 keeps every one of them far from any recursion limit.
    - `max_aliases`: 100 YAML aliases. Hand-written YAML reuses a few dozen nodes at most;
      each alias is a full copy in the loaded value, so their number is bounded on its own.
    - `max_alias_nodes`: 10,000, the values that aliases may add to the document, or as many
      as the document itself wrote before them, whichever is more. So the loaded value holds
      at most twice what was written plus 10,000 values, memory linear in the input, and a
      billion-laughs file is refused after copying at most 10,000 values (milliseconds). A
      short document that aliases a 100-value schema a hundred times passes.
    - `max_nodes`: 2,000,000 values (objects, arrays and scalars; keys not counted), alias
      copies included: a value every 10 bytes of a body at `max_bytes`, where real documents
      take 15 (minified JSON) to 40 (indented JSON) bytes a value. It bounds what a body of
      tiny values (`[0,0,…]`, `[{},{},…]`) costs in memory (Python objects are 20 to 30 times
      their text) and, for YAML, in time (libyaml's events alone take about a microsecond
      each). JSON counts before parsing, from its commas and brackets.
    - `max_integer_digits`: 4,300, CPython's own limit for converting between `int` and
      decimal text (`int()` and `str()` refuse past it); no API's data is that long.
    """

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 100
    max_aliases: int = 100
    max_alias_nodes: int = 10_000
    max_nodes: int = 2_000_000
    max_integer_digits: int = 4300


def syntax_of(media_type: str) -> Syntax | None:
    """The syntax a `Content-Type` announces: `json` (`application/json`, any `+json`),
    `yaml` (`application/yaml`, `application/x-yaml`, `text/yaml`, any `+yaml`), or None for
    a type an import does not take (the HTTP layer answers 415). Parameters are ignored."""
    essence = media_type.split(";", 1)[0].strip().lower()
    if essence == "application/json" or essence.endswith("+json"):
        return "json"
    if essence in _YAML_MEDIA_TYPES or essence.endswith("+yaml"):
        return "yaml"
    return None


def load_document(
    raw: bytes, *, media_type: str | None = None, limits: Limits = Limits()
) -> dict[str, Any]:
    """The JSON value of `raw`, an object at the top (see the module's decisions).

    `media_type` None (a multipart upload) reads the syntax from the content: JSON when the
    first non-blank character is `{` or `[`, YAML otherwise. Raises `PayloadTooLarge` over
    `limits.max_bytes`, `DocumentRefused` for anything else not taken, and ValueError for a
    `media_type` that `syntax_of` does not know (a caller's mistake, not the document's).
    """
    if len(raw) > limits.max_bytes:
        raise PayloadTooLarge(f"The document takes more than {limits.max_bytes} bytes")
    syntax = _syntax(raw, media_type)
    body = _without_bom(raw)
    text = _text(raw, body)
    if _FIRST_CHARACTER.match(body) is None:
        raise _refused("", "The document is empty", "document.empty")
    if syntax == "json":
        value = _load_json(body, text, limits)
    else:
        del text  # libyaml reads the bytes
        value = load_yaml(body, limits)
    if value is None:
        raise _refused("", "The document is empty", "document.empty")
    if not isinstance(value, dict):
        message = f"The document is {_kind(value)}: a description is an object"
        raise _refused("", message, "document.type")
    return value


def _syntax(raw: bytes, media_type: str | None) -> Syntax:
    if media_type is not None:
        syntax = syntax_of(media_type)
        if syntax is None:
            raise ValueError(f"not a media type of a description: {media_type!r}")
        return syntax
    first = _FIRST_CHARACTER.match(raw.removeprefix(_UTF8_BOM))
    return "json" if first is not None and first.group(1) in (b"{", b"[") else "yaml"


def _without_bom(raw: bytes) -> bytes:
    """`raw` without a UTF-8 byte order mark; refused if it is UTF-16 or UTF-32."""
    if raw.startswith(_WIDE_BOMS) or b"\x00" in raw[:4]:
        raise _refused("", "The document is UTF-16 or UTF-32: send it as UTF-8", "encoding")
    return raw.removeprefix(_UTF8_BOM)


def _text(raw: bytes, body: bytes) -> str:
    """`body` decoded; refused at the offset in `raw` of its first byte that is not UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + len(raw) - len(body)
        raise _refused(
            "", f"The document is not UTF-8: invalid byte at offset {offset}", "encoding"
        ) from None


def _load_json(body: bytes, text: str, limits: Limits) -> Any:
    masked = body.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    outside_strings = b"".join(masked.split(b'"')[::2])
    if _json_depth(outside_strings, limits.max_depth) > limits.max_depth:
        message = f"The document nests deeper than {limits.max_depth} levels"
        raise _refused("", message, "document.depth")
    # a value after each comma, a first one in each object or array, and the top one (an
    # empty object or array counts one too many: a bound, not a count)
    values = outside_strings.count(b",") + outside_strings.count(b"[") + outside_strings.count(b"{")
    if values + 1 > limits.max_nodes:
        raise _refused(
            "", f"The document holds more than {limits.max_nodes} values", "document.size"
        )
    _refuse_lone_surrogates(body, masked)
    max_digits = integer_digits(limits.max_integer_digits)
    flagged: list[bool] = []
    hooks = _JsonHooks(flagged, max_digits)
    # json reads integers in C; the hook (a Python call each) only when a run of digits is
    # long enough to be refused. Floats always go through it: `1e400` is short.
    long_digits = b"1" * (max_digits + 1) in masked.translate(_DIGITS_AS_ONES)
    try:
        value = json.loads(
            text,
            object_pairs_hook=hooks.object,
            parse_int=hooks.integer if long_digits else None,
            parse_float=hooks.float,
            parse_constant=hooks.constant,
        )
    except json.JSONDecodeError as error:
        message = f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise _refused("", message, "syntax") from None
    if flagged:
        raise DocumentRefused(_json_problems(value))
    return value


def _refuse_lone_surrogates(body: bytes, masked: bytes) -> None:
    """Refuse a `\\uD800`-like escape without its other half; the regular expression (slow
    next to the rest) runs only over a text that has such escapes at all."""
    if b"\\ud" not in masked and b"\\uD" not in masked:
        return
    for escape in _SURROGATE_ESCAPE.finditer(masked):
        if escape.end() - escape.start() == 6:
            text = escape.group().decode()
            message = f"Half a UTF-16 surrogate pair, {text}, at {_place(body, escape.start())}"
            raise _refused("", message, "encoding")


def _json_depth(outside_strings: bytes, max_depth: int) -> int:
    """How deep the brackets of `outside_strings` nest, up to `max_depth + 1`, no recursion.

    `outside_strings` is the text with its strings cut out (the escaped backslashes and quotes
    hidden first, so every other piece between quotes is a string). Its brackets are kept,
    all as `[` and `]`; each pass of `replace` removes the innermost pairs, one level, and a
    pair left after `max_depth` passes is deeper. Unclosed openers left over nest too, as far
    as the parser would follow them before its syntax error. All of it runs in C, a few
    milliseconds a megabyte.
    """
    brackets = outside_strings.translate(_ONE_BRACKET_KIND, _NOT_BRACKETS)
    passes = 0
    while brackets and passes <= max_depth:
        reduced = brackets.replace(b"[]", b"")
        if len(reduced) == len(brackets):
            break
        brackets = reduced
        passes += 1
    if b"[]" in brackets:
        return max_depth + 1
    return passes + brackets.count(b"[")


class _BadNumber:
    """A number JSON has no value for, kept in place until the walk finds its pointer."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _DuplicateKeys(dict[str, Any]):
    """An object that named a key twice, marked until the walk finds its pointer."""

    duplicates: list[str]


class _JsonHooks:
    """The json module's hooks: each marks what is refused and lets the parse go on, so the
    refusal can list every problem with its pointer (found by one walk, only then)."""

    def __init__(self, flagged: list[bool], max_digits: int) -> None:
        self.flagged = flagged
        self.max_digits = max_digits

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        self.flagged.append(True)
        marked = _DuplicateKeys(value)
        seen: set[str] = set()
        marked.duplicates = []
        for key, _ in pairs:
            if key in seen:
                marked.duplicates.append(key)
            seen.add(key)
        return marked

    def integer(self, text: str) -> int | _BadNumber:
        if len(text.lstrip("-")) > self.max_digits:
            return self._bad(f"An integer of more than {self.max_digits} digits")
        return int(text)

    def float(self, text: str) -> float | _BadNumber:
        value = float(text)
        if math.isinf(value):
            return self._bad(f"The number {_clip(text)} is too large for a float")
        return value

    def constant(self, text: str) -> _BadNumber:
        return self._bad(f"{text} is not a JSON number")

    def _bad(self, message: str) -> _BadNumber:
        self.flagged.append(True)
        return _BadNumber(message)


def _json_problems(value: Any) -> list[Problem]:
    """The pointers of what the hooks marked, by an iterative walk in document order."""
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack and len(problems) < MAX_PROBLEMS:
        at, node = stack.pop()
        if isinstance(node, _BadNumber):
            problems.append(Problem(at, node.message, "number"))
        elif isinstance(node, dict):
            if isinstance(node, _DuplicateKeys):
                for key in node.duplicates:
                    problems.append(
                        Problem(child(at, key), f"The key {key!r} appears twice", "key.duplicate")
                    )
            stack.extend((child(at, key), item) for key, item in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(
                (child(at, index), item) for index, item in reversed(list(enumerate(node)))
            )
    return problems[:MAX_PROBLEMS]


def _place(body: bytes, offset: int) -> str:
    """`line L, column C` of the byte at `offset`, counted in characters as JSON's errors are."""
    line_start = body.rfind(b"\n", 0, offset) + 1
    column = len(body[line_start:offset].decode("utf-8")) + 1
    line = body.count(b"\n", 0, offset) + 1
    return f"line {line}, column {column}"


def _clip(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _kind(value: Any) -> str:
    kinds: dict[type, str] = {list: "an array", str: "a string", bool: "a boolean"}
    return kinds.get(type(value), "a number")


def _refused(at: str, message: str, kind: str) -> DocumentRefused:
    return DocumentRefused([Problem(at, message, kind)])


__all__ = ["MAX_PROBLEMS", "Limits", "Syntax", "load_document", "syntax_of"]
