"""Swagger 2.0 → OpenAPI 3.1: the conversion's state, and schemas turned into JSON Schema
2020-12 by an iterative walk (a schema nested 10,000 deep is ordinary input).

What a 2.0 schema says that 2020-12 says differently:
- `x-nullable: true` becomes a type union with `"null"` (swagger2openapi's `nullable`, said
  in 3.1's way); `null` joins an `enum`, which would otherwise still refuse it. A schema with no
  `type` but a `$ref` or a composition is wrapped: `{"anyOf": [{…}, {"type": "null"}]}`.
- a boolean `exclusiveMaximum`/`exclusiveMinimum` becomes the number its bound was.
- `type: file` becomes `{"type": "string", "format": "binary"}`: what the reference gives,
  valid 3.1 (the format registry keeps `binary`), and read by the tools 3.0 users have, where
  `contentMediaType` would be new to most of them.
- `discriminator: "petType"` becomes `{"propertyName": "petType"}`.
- `required: true` on a property (a common slip) moves into the parent's `required` list.
- an array `items` (draft 4's tuple) becomes `prefixItems`.
Keywords 2020-12 doesn't know are kept (they are valid and mean nothing), `null` values of
non-data keywords are dropped, and values of the wrong type are dropped: each is a report entry.
"""

from __future__ import annotations

from typing import Any

from apidock.descriptions.problems import DocumentRefused, Problem, Report, child
from apidock.descriptions.swagger2_refs import Moves, local_reference

# Where a `$ref` is data, not a reference (SPEC "Import", details).
DATA_KEYWORDS = frozenset({"default", "enum", "example", "examples", "const"})
_ONE_SCHEMA = frozenset(
    {
        "items",
        "additionalProperties",
        "additionalItems",
        "not",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
# what a null-accepting wrapper takes out of a schema that has no `type`
_COMPOSITION = ("$ref", "allOf", "anyOf", "oneOf", "not")
_MOVED_SECTIONS = frozenset({"definitions", "parameters", "responses", "securityDefinitions"})
_BOUNDS = {"exclusiveMaximum": "maximum", "exclusiveMinimum": "minimum"}

_DATA, _GENERIC, _SCHEMA = 0, 1, 2
# the work a document may cause, in values visited, per value of the document
_WORK_PER_VALUE = 20
_WORK_FLOOR = 100_000


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def count_values(document: Any) -> int:
    """How many JSON values `document` holds (iteratively)."""
    count = 0
    stack = [document]
    while stack:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count


class Place:
    """A JSON Pointer made only when a report needs it: the walk below passes one to each
    value it visits, and building every pointer's text would cost the square of the depth."""

    __slots__ = ("parent", "tokens")

    def __init__(self, parent: Where, tokens: tuple[str | int, ...]) -> None:
        self.parent = parent
        self.tokens = tokens

    def __str__(self) -> str:
        parts: list[tuple[str | int, ...]] = []
        place: Where = self
        while isinstance(place, Place):
            parts.append(place.tokens)
            place = place.parent
        return child(place, *(token for tokens in reversed(parts) for token in tokens))


Where = str | Place


def _below(parent: Where, *tokens: str | int) -> Place:
    return Place(parent, tokens)


class Conversion:
    """One conversion's state: the report, where each part went, and a bound on the work.

    The bound exists because 2.0 repeats: a schema goes under each produced media type, a
    shared body parameter into each operation using it. Within `_WORK_PER_VALUE` times the
    document's size that is ordinary; past it the document is refused, not converted.
    """

    def __init__(self, report: Report, moves: Moves, size: int) -> None:
        self.report = report
        self.moves = moves
        self._work_left = _WORK_PER_VALUE * size + _WORK_FLOOR

    def _lose(self, at: Where, message: str) -> None:
        self.report.lose(str(at), message)

    def _warn(self, at: Where, message: str) -> None:
        self.report.warn(str(at), message)

    def _spend(self) -> None:
        self._work_left -= 1
        if self._work_left < 0:
            problem = Problem("", "converting this document repeats it too often", "too_large")
            raise DocumentRefused([problem])

    def ref(self, value: str, at: Where) -> str:
        """A reference, rewritten to where its target went (a warning when it points into a
        2.0 section at nothing there: the import refuses such references before converting)."""
        rewritten = self.moves.rewrite(value)
        if rewritten is not None:
            return rewritten
        parsed = local_reference(value)
        if parsed is not None and parsed[0][:1] and parsed[0][0] in _MOVED_SECTIONS:
            self._warn(at, f"{value} resolves nowhere in the document")
        return value

    def data(self, value: Any) -> Any:
        """A copy of a value that is data (examples, defaults, `x-` extensions)."""
        return self._walk(_DATA, value, "", False)

    def clone(self, value: Any) -> Any:
        """A copy of a converted value, for a second place that holds the same."""
        return self._walk(_DATA, value, "", False)

    def generic(self, value: Any, at: str) -> Any:
        """A copy of a part that is neither a schema nor data: `$ref`s rewritten, nulls
        dropped."""
        return self._walk(_GENERIC, value, at, False)

    def schema(self, value: Any, at: str, *, items: bool = False) -> Any | None:
        """`value` as a 2020-12 schema, or None (reported) when it can't be one.

        `items` is for the schema made of a parameter's or a header's keywords: its nested
        `collectionFormat`s are dropped (the caller reports them).
        """
        if not isinstance(value, dict | bool):
            self._lose(at, "a schema must be an object")
            return None
        return self._walk(_SCHEMA, value, at, items)

    def _walk(self, mode: int, value: Any, at: Where, items: bool) -> Any:
        root: list[Any] = [None]
        stack: list[tuple[int, Any, Where, Any, Any]] = [(mode, value, at, root, 0)]
        while stack:
            mode, source, where, holder, key = stack.pop()
            self._spend()
            if mode == _SCHEMA and isinstance(source, dict):
                holder[key] = self._schema_object(source, where, items, stack)
            elif isinstance(source, dict):
                target: dict[str, Any] = {}
                for name, item in source.items():
                    item_mode = mode
                    if mode == _GENERIC:
                        if item is None:
                            self._lose(_below(where, name), "a null value is dropped")
                            continue
                        if name == "$ref" and isinstance(item, str):
                            target[name] = self.ref(item, _below(where, name))
                            continue
                        if name.startswith("x-") or name in DATA_KEYWORDS:
                            item_mode = _DATA
                    target[name] = None
                    stack.append((item_mode, item, _below(where, name), target, name))
                holder[key] = target
            elif isinstance(source, list):
                array: list[Any] = [None] * len(source)
                for index, item in enumerate(source):
                    stack.append((mode, item, _below(where, index), array, index))
                holder[key] = array
            else:
                holder[key] = source
        return root[0]

    def _schema_object(
        self, source: dict[str, Any], at: Where, items: bool, stack: list[Any]
    ) -> dict[str, Any]:
        target: dict[str, Any] = {}
        nullable = source.get("x-nullable") is True
        has_type = isinstance(source.get("type"), str | list)
        wrapped: dict[str, Any] | None = None
        if nullable and not has_type and any(name in source for name in _COMPOSITION):
            wrapped = {}
        # a bound whose boolean exclusive flag is on becomes the exclusive bound itself
        exclusive_of = {
            bound: name
            for name, bound in _BOUNDS.items()
            if source.get(name) is True and _is_number(source.get(bound))
        }
        required_properties: list[str] = []
        is_file = False
        enum = source.get("enum")
        enum_takes_null = isinstance(enum, list) and None in enum

        def visit(mode: int, holder: Any, key: Any, value: Any, where: Where) -> None:
            holder[key] = None
            stack.append((mode, value, where, holder, key))

        for name, value in source.items():
            where = _below(at, name)
            home = wrapped if wrapped is not None and name in _COMPOSITION else target
            if value is None and not (name.startswith("x-") or name in DATA_KEYWORDS):
                self._lose(where, "a null value is dropped")
            elif name == "$ref":
                if isinstance(value, str):
                    home[name] = self.ref(value, where)
                else:
                    self._lose(where, "a $ref that is not a string is dropped")
            elif name == "x-nullable" and isinstance(value, bool):
                continue
            elif name == "enum":
                if isinstance(value, list):
                    values: list[Any] = [None] * len(value)
                    for index, item in enumerate(value):
                        visit(_DATA, values, index, item, _below(where, index))
                    target[name] = values
                else:
                    self._lose(where, "enum must be an array")
            elif name.startswith("x-") or name in DATA_KEYWORDS:
                visit(_DATA, target, name, value, where)
            elif name == "type":
                if value == "file":
                    target[name] = "string"
                    is_file = True
                elif isinstance(value, str):
                    target[name] = value
                elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                    target[name] = list(value)
                else:
                    self._lose(where, "type must be a string")
            elif name == "discriminator":
                if isinstance(value, str):
                    target[name] = {"propertyName": value}
                elif isinstance(value, dict):
                    visit(_GENERIC, target, name, value, where)
                else:
                    self._lose(where, "discriminator must be a property name")
            elif name in exclusive_of:
                target[exclusive_of[name]] = value
            elif name in _BOUNDS and isinstance(value, bool):
                if value and _BOUNDS[name] not in exclusive_of:
                    self._lose(where, f"{name}: true has no {_BOUNDS[name]} to apply to")
            elif name == "required" and isinstance(value, bool):
                continue  # a property's: moved into its parent's list (below)
            elif name == "required":
                if isinstance(value, list) and all(isinstance(item, str) for item in value):
                    target[name] = list(value)
                else:
                    self._lose(where, "required must be an array of property names")
            elif name == "items" and isinstance(value, list):
                self._warn(where, "an array of items (a tuple) became prefixItems")
                self._schema_list(target, "prefixItems", value, where, visit)
            elif name in _ONE_SCHEMA:
                if isinstance(value, dict | bool):
                    visit(_SCHEMA, home, name, value, where)
                else:
                    self._lose(where, f"{name} must be a schema")
            elif name in _SCHEMA_MAPS:
                if not isinstance(value, dict):
                    self._lose(where, f"{name} must be an object of schemas")
                    continue
                schemas: dict[str, Any] = {}
                for key, item in value.items():
                    if not isinstance(item, dict | bool):
                        self._lose(_below(where, key), "a schema must be an object")
                        continue
                    if (
                        name == "properties"
                        and isinstance(item, dict)
                        and item.get("required") is True
                    ):
                        required_properties.append(key)
                        self._warn(
                            _below(where, key, "required"),
                            "required: true moved into the parent's required list",
                        )
                    visit(_SCHEMA, schemas, key, item, _below(where, key))
                target[name] = schemas
            elif name in _SCHEMA_LISTS:
                if isinstance(value, list):
                    self._schema_list(home, name, value, where, visit)
                else:
                    self._lose(where, f"{name} must be an array of schemas")
            elif name == "collectionFormat" and items:
                continue  # a nested array's serialisation: reported by the parameter
            else:
                visit(_GENERIC, target, name, value, where)

        if is_file:
            target["format"] = "binary"
        if required_properties:
            listed = target.get("required")
            names = listed if isinstance(listed, list) else []
            names.extend(key for key in required_properties if key not in names)
            target["required"] = names
        if nullable:
            self._allow_null(target, wrapped, enum_takes_null)
        return target

    def _schema_list(
        self, home: dict[str, Any], name: str, value: list[Any], where: Where, visit: Any
    ) -> None:
        schemas: list[Any] = []
        for index, item in enumerate(value):
            if isinstance(item, dict | bool):
                schemas.append(None)
                visit(_SCHEMA, schemas, len(schemas) - 1, item, _below(where, index))
            else:
                self._lose(_below(where, index), "a schema must be an object")
        home[name] = schemas

    @staticmethod
    def _allow_null(
        target: dict[str, Any], wrapped: dict[str, Any] | None, enum_takes_null: bool
    ) -> None:
        kind = target.get("type")
        if isinstance(kind, str) and kind != "null":
            target["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            kind.append("null")
        enum = target.get("enum")
        if isinstance(enum, list) and not enum_takes_null:
            enum.append(None)  # its other values are still being copied in: None is null here
        if wrapped is not None:
            target["anyOf"] = [wrapped, {"type": "null"}]
