"""Small readers of a Postman collection's values, shared by the Postman converter's modules.

Everything here takes a value straight from the collection (hostile: any JSON type where the
schema says string) and returns a plain, bounded result. Text that holds JSON (a raw body, a
saved response, GraphQL variables) is parsed only when it nests at most `MAX_TEXT_DEPTH`
deep and has no number beyond a double's range: the result goes into the OpenAPI document, whose
validators recurse, and `1e400` would become `inf`, which JSON cannot write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

# `copy_json` is imported from here by the Postman modules
from apidock.descriptions.json_values import copy_json as copy_json
from apidock.descriptions.problems import pointer

MAX_TEXT_DEPTH = 64
"""How deep JSON held in a string (a body, a saved response) may nest to be parsed."""

PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
"""A Postman variable, `{{name}}`."""

# A JSON string, its closing quote optional: an unterminated string is consumed once, to the
# end, instead of being tried again from each of its quotes (which would be quadratic).
_STRING = r'"(?:[^"\\]+|\\.)*"?'
_JSON_TOKEN = re.compile(_STRING + r"|[\[\]{}]", re.DOTALL)
_STRING_OR_PLACEHOLDER = re.compile(_STRING + r"|\{\{[^{}]*\}\}", re.DOTALL)
_JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


@dataclass(frozen=True, slots=True, eq=False)
class Where:
    """A place in the collection, kept as a link to its parent's place.

    Folders nest without bound, so an item's pointer is built only when a report entry needs
    it: a 10,000-deep folder chain holds 10,000 links, not 10,000 ever longer strings. (No
    generated `==`: it would recurse up the chain.)
    """

    parent: Where | None
    tokens: tuple[str | int, ...]

    def at(self, *tokens: str | int) -> Where:
        return Where(self, tokens)

    def __str__(self) -> str:
        parts: list[tuple[str | int, ...]] = []
        node: Where | None = self
        while node is not None:
            parts.append(node.tokens)
            node = node.parent
        return pointer(*(token for tokens in reversed(parts) for token in tokens))


ROOT = Where(None, ())


@dataclass(slots=True)
class Variables:
    """The collection's `variable` list by key, remembering which ones the document used."""

    values: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    """Names a server needed that the collection has no value for (each reported once)."""

    def get(self, name: str) -> str | None:
        if name in self.values:
            self.used.add(name)
            return self.values[name]
        return None

    def description(self, name: str) -> str | None:
        return self.descriptions.get(name)

    def resolve(self, text: str) -> str:
        """`text` with each `{{name}}` the collection gives a value replaced by that value."""

        def value_of(match: re.Match[str]) -> str:
            found = self.get(match.group(1).strip())
            return match.group(0) if found is None else found

        return PLACEHOLDER.sub(value_of, text)


def read_variables(entries: Any) -> Variables:
    """The variables of a `variable` list (`key`, or the older `id`, names each)."""
    variables = Variables()
    if not isinstance(entries, list):
        return variables
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        name = entry.get("key", entry.get("id"))
        if not isinstance(name, str) or not name or name in variables.places:
            continue
        variables.places[name] = index
        if entry.get("disabled") is True:
            continue  # Postman leaves it out; so does the document (a `lost` entry)
        variables.values[name] = scalar_text(entry.get("value"))
        described = text_of(entry.get("description"))
        if described:
            variables.descriptions[name] = described
    return variables


def scalar_text(value: Any) -> str:
    """A variable's or header's value as the text Postman would send."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        try:
            return str(value)
        except ValueError:  # an integer past Python's 4,300-digit conversion limit
            return ""
    return ""


def text_of(description: Any) -> str | None:
    """A Postman description (a string, or `{content, type}`) as text; None when empty."""
    if isinstance(description, dict):
        description = description.get("content")
    if isinstance(description, str) and description.strip():
        return description
    return None


def name_of(item: dict[str, Any]) -> str | None:
    name = item.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else None


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text}")
    return number


def _refuse_constant(text: str) -> Any:
    raise ValueError(f"not a JSON number: {text}")


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        mark = match.group(0)
        if mark in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif mark in ("]", "}"):
            depth -= 1
    return deepest


def parse_json_text(text: str) -> tuple[bool, Any]:
    """`(True, value)` when `text` is JSON within the bounds above, else `(False, None)`."""
    # counting brackets is C-fast; only text with many of them needs the scan past strings
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_TEXT_DEPTH and _nesting_depth(text) > MAX_TEXT_DEPTH:
        return False, None
    try:
        return True, json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return False, None


def quote_placeholders(text: str) -> str:
    """`text` with each `{{name}}` outside a JSON string made the string `"{{name}}"`: the
    common `{"age": {{age}}}` of a raw body then parses, keeping the placeholder visible."""

    def quoted(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else json.dumps(token)

    return _STRING_OR_PLACEHOLDER.sub(quoted, text)


def is_json_media(media_type: str) -> bool:
    return bool(_JSON_MEDIA.match(media_type))


def bare_media_type(value: str) -> str:
    """A Content-Type header's media type without its parameters, lower case."""
    return value.split(";", 1)[0].strip().lower()


def infer_schema(value: Any) -> dict[str, Any]:
    """The plain JSON Schema an example shows: each value's type, an object's properties, an
    array's items as its first element shows them. No `required` and no formats: an example
    cannot say what is optional, and a guess there would make the mock refuse good requests."""
    root: dict[str, Any] = {}
    stack: list[tuple[Any, dict[str, Any]]] = [(value, root)]
    while stack:
        item, schema = stack.pop()
        if item is None:
            schema["type"] = "null"
        elif isinstance(item, bool):
            schema["type"] = "boolean"
        elif isinstance(item, int):
            schema["type"] = "integer"
        elif isinstance(item, float):
            schema["type"] = "number"
        elif isinstance(item, str):
            schema["type"] = "string"
        elif isinstance(item, dict):
            schema["type"] = "object"
            properties: dict[str, Any] = {}
            schema["properties"] = properties
            for key, member in item.items():
                properties[key] = {}
                stack.append((member, properties[key]))
        elif isinstance(item, list):
            schema["type"] = "array"
            if item:
                schema["items"] = {}
                stack.append((item[0], schema["items"]))
    return root


@dataclass(frozen=True, slots=True)
class Header:
    """One header of a request or a saved response; `index` is its place in a header list
    (None when the headers were given as one string)."""

    key: str
    value: str
    description: str | None
    disabled: bool
    index: int | None


def _header_line(line: str, index: int | None) -> Iterator[Header]:
    """The header of one `Key: value` line; none when it has no colon or no key."""
    key, colon, value = line.partition(":")
    if colon and key.strip():
        yield Header(key.strip(), value.strip(), None, False, index)


def read_headers(headers: Any) -> Iterator[Header]:
    """The headers of a header list, or of the `Key: value` lines Postman also accepts."""
    if isinstance(headers, str):
        for line in headers.splitlines():
            yield from _header_line(line, None)
        return
    if not isinstance(headers, list):
        return
    for index, entry in enumerate(headers):
        if isinstance(entry, str):
            yield from _header_line(entry, index)
            continue
        if not isinstance(entry, dict):
            continue
        name = entry.get("key")
        if isinstance(name, str) and name.strip():
            yield Header(
                name.strip(),
                scalar_text(entry.get("value")),
                text_of(entry.get("description")),
                entry.get("disabled") is True,
                index,
            )


def header_value(headers: list[Header], name: str) -> str | None:
    """The first header named `name` (any case), preferring one that is not disabled."""
    found = [header for header in headers if header.key.lower() == name]
    for header in sorted(found, key=lambda header: header.disabled):
        return header.value
    return None


def auth_params(block: Any) -> dict[str, Any]:
    """An auth type's attributes by key: v2.1 gives a `[{key, value}]` list, v2.0 an object."""
    if isinstance(block, dict):
        return block
    params: dict[str, Any] = {}
    if isinstance(block, list):
        for entry in block:
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                params.setdefault(entry["key"], entry.get("value"))
    return params


def unique_name(base: str, taken: Collection[str], counters: dict[str, int]) -> str:
    """`base`, or `base (2)`, `base (3)`… the first not in `taken`. The counter per base keeps a
    thousand siblings of one name linear, not quadratic."""
    name = base
    number = counters.get(base, 1)
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    counters[base] = number
    return name


@dataclass(slots=True)
class Draft:
    """An operation being built from the requests that share its method and path: each one
    adds what the operation doesn't have yet (the first request's value wins)."""

    operation: dict[str, Any]
    first_at: Where
    parameter_keys: set[tuple[str, str]] = field(default_factory=set)
    servers: dict[str, None] = field(default_factory=dict)
    security: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """The security alternatives of the requests merged so far, by a key of their content."""
    _counters: dict[int, dict[str, int]] = field(default_factory=dict)
    _seen: dict[int, set[str]] = field(default_factory=dict)

    def seen(self, container: Any) -> set[str]:
        """The names already met in `container` (a list or map of the operation): membership
        by set, so that a thousand merged requests stay linear."""
        return self._seen.setdefault(id(container), set())

    def add_parameter(self, parameter: dict[str, Any]) -> None:
        location = parameter["in"]
        name = parameter["name"].lower() if location == "header" else parameter["name"]
        if (location, name) not in self.parameter_keys:
            self.parameter_keys.add((location, name))
            self.operation.setdefault("parameters", []).append(parameter)

    def add_example(self, media: dict[str, Any], base: str, value: Any) -> None:
        """`value` as a named example of `media`, its name made unique there."""
        examples: dict[str, Any] = media.setdefault("examples", {})
        name = unique_name(base, examples, self._counters.setdefault(id(examples), {}))
        examples[name] = {"value": value}
