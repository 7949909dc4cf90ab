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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.openapi_names import COMPONENT_KINDS
from apidock.descriptions.problems import Report
from apidock.descriptions.refs_walk import Path, PointerMemo, pointer_of

STRING, BOOLEAN, LIST, OBJECT, TAGS = "string", "boolean", "list", "object", "tags"


def _rules(
    *,
    strings: Iterable[str] = (),
    booleans: Iterable[str] = (),
    tags: bool = False,
    lists: Iterable[str] = (),
    objects: Iterable[str] = (),
) -> dict[str, str]:
    """The rule of each keyword of one kind of object, by the type it must have; the order
    (strings, booleans, `tags`, lists, objects) is the order of the fixes and their reports."""
    rules = {**dict.fromkeys(strings, STRING), **dict.fromkeys(booleans, BOOLEAN)}
    if tags:
        rules["tags"] = TAGS
    return {**rules, **dict.fromkeys(lists, LIST), **dict.fromkeys(objects, OBJECT)}


PATH_ITEM = _rules(strings=("summary", "description"), lists=("parameters", "servers"))
OPERATION = _rules(
    strings=("summary", "description", "operationId"),
    booleans=("deprecated",),
    tags=True,
    lists=("parameters", "security", "servers"),
    objects=("requestBody", "responses", "callbacks", "externalDocs"),
)
PARAMETER = _rules(
    strings=("name", "in", "description", "style"),
    booleans=("required", "deprecated", "allowEmptyValue", "explode", "allowReserved"),
    objects=("schema", "content", "examples"),
)
REQUEST_BODY = _rules(strings=("description",), booleans=("required",), objects=("content",))
RESPONSE = _rules(strings=("description",), objects=("headers", "content", "links"))
INFO = _rules(strings=("title", "version", "summary", "description", "termsOfService"))
ROOT = _rules(lists=("servers", "security", "tags"), objects=("webhooks", "components"))
COMPONENTS = _rules(objects=COMPONENT_KINDS)
TAG = _rules(strings=("name", "description"), objects=("externalDocs",))

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
