"""Keywords of the wrong type where OpenAPI 3.1 says what the type must be: kept when the value
means one thing in the right type, dropped otherwise.

The mistakes real documents make, mostly from YAML 1.1 typing unquoted scalars: `version: 1.0`
(a number), `summary: yes` (a boolean), `tags: pets` (a string for a list), `required: "true"`
(a string for a boolean), `parameters:` left empty (null) or written as a map.

- A string keyword given a number or boolean is kept as its JSON spelling (`1.0` -> "1.0",
  true -> "true"), with a warning: the exact spelling the author typed (`1.10`, `yes`) is gone
  by the time the document is parsed, so the warning says to quote it.
- A boolean keyword given the string "true" or "false" (any case) is kept as that boolean;
  anything else (`"yes"`, 1, null) is dropped as `lost`, since guessing would invent meaning.
- `tags` given one string (or number) becomes a list of it; an item that is not a string or
  number is dropped.
- A list or object keyword given anything else is dropped as `lost`: its content can't be
  placed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.problems import Report
from apidock.descriptions.refs_walk import Path, PointerMemo, pointer_of

STRING, BOOLEAN, LIST, OBJECT, TAGS = "string", "boolean", "list", "object", "tags"

PATH_ITEM = {"summary": STRING, "description": STRING, "parameters": LIST, "servers": LIST}
OPERATION = {
    "summary": STRING,
    "description": STRING,
    "operationId": STRING,
    "deprecated": BOOLEAN,
    "tags": TAGS,
    "parameters": LIST,
    "security": LIST,
    "servers": LIST,
    "requestBody": OBJECT,
    "responses": OBJECT,
    "callbacks": OBJECT,
    "externalDocs": OBJECT,
}
PARAMETER = {
    "name": STRING,
    "in": STRING,
    "description": STRING,
    "style": STRING,
    "required": BOOLEAN,
    "deprecated": BOOLEAN,
    "allowEmptyValue": BOOLEAN,
    "explode": BOOLEAN,
    "allowReserved": BOOLEAN,
    "schema": OBJECT,
    "content": OBJECT,
    "examples": OBJECT,
}
REQUEST_BODY = {"description": STRING, "required": BOOLEAN, "content": OBJECT}
RESPONSE = {"description": STRING, "headers": OBJECT, "content": OBJECT, "links": OBJECT}
INFO = {
    "title": STRING,
    "version": STRING,
    "summary": STRING,
    "description": STRING,
    "termsOfService": STRING,
}
ROOT = {"servers": LIST, "security": LIST, "tags": LIST, "webhooks": OBJECT, "components": OBJECT}
COMPONENTS = dict.fromkeys(
    (
        "schemas",
        "responses",
        "parameters",
        "examples",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
    ),
    OBJECT,
)
TAG = {"name": STRING, "description": STRING, "externalDocs": OBJECT}

_TYPES: dict[str, type | tuple[type, ...]] = {
    STRING: str,
    BOOLEAN: bool,
    LIST: list,
    OBJECT: dict,
    TAGS: list,
}


def _json_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "an array" if isinstance(value, list) else "an object"
    )


def _spelling(value: Any) -> str | None:
    """The string a scalar means, or None for null, objects and arrays."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else None


@dataclass(slots=True)
class TypeFixer:
    """Applies the rules above, reporting each change at `source_pointer` of its place."""

    report: Report
    source_pointer: Callable[[str], str]
    memo: PointerMemo = field(default_factory=dict)

    def fix(self, obj: dict[str, Any], path: Path, rules: Mapping[str, str]) -> None:
        """Fix the members of `obj` (at `path`) that `rules` types; leave the others."""
        for key, rule in rules.items():
            if key in obj and not isinstance(obj[key], _TYPES[rule]):
                self._fix_member(obj, key, rule, (path, key))
        tags = obj.get("tags") if rules.get("tags") == TAGS else None
        if isinstance(tags, list):
            self._fix_tag_items(tags, (path, "tags"))

    def at(self, path: Path) -> str:
        return self.source_pointer(pointer_of(path, self.memo))

    def _fix_member(self, obj: dict[str, Any], key: str, rule: str, path: Path) -> None:
        value = obj[key]
        was = _json_name(value)
        spelling = _spelling(value)
        if rule == STRING and spelling is not None:
            obj[key] = spelling
            self.report.warn(
                self.at(path),
                f"{key} must be a string, not {was}: kept as {spelling!r} "
                "(quote it in the source to keep its exact spelling)",
            )
        elif rule == BOOLEAN and isinstance(value, str) and value.lower() in ("true", "false"):
            obj[key] = value.lower() == "true"
            self.report.warn(self.at(path), f"{key} must be a boolean: {value!r} kept as one")
        elif rule == TAGS and spelling is not None and not isinstance(value, bool):
            obj[key] = [spelling]
            self.report.warn(
                self.at(path), f"tags must be a list: kept as the list of {spelling!r}"
            )
        else:
            del obj[key]
            expected = "a list" if rule == TAGS else f"{'an' if rule == OBJECT else 'a'} {rule}"
            self.report.lose(self.at(path), f"{key} must be {expected}, not {was}: dropped")

    def _fix_tag_items(self, tags: list[Any], path: Path) -> None:
        kept: list[Any] = []
        for index, tag in enumerate(tags):
            spelling = _spelling(tag)
            if isinstance(tag, str):
                kept.append(tag)
            elif spelling is not None:
                kept.append(spelling)
                self.report.warn(self.at((path, index)), f"a tag is a string: kept as {spelling!r}")
            else:
                self.report.lose(
                    self.at((path, index)), f"a tag is a string, not {_json_name(tag)}: dropped"
                )
        tags[:] = kept

    def fix_list_of_objects(self, obj: dict[str, Any], key: str, path: Path, what: str) -> None:
        """Drop the items of the list `obj[key]` that are not objects."""
        items = obj.get(key)
        if not isinstance(items, list) or all(isinstance(item, dict) for item in items):
            return
        kept = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                kept.append(item)
            else:
                self.report.lose(
                    self.at(((path, key), index)),
                    f"a {what} is an object, not {_json_name(item)}: dropped",
                )
        items[:] = kept
