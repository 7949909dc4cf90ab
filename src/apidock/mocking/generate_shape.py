"""The shape of one value to generate: every constraint that applies to it, merged from the
schema, its `$ref` targets and its `allOf` members.

Decisions:
- Merging is by keyword, the way a validator applies them all at once: types intersect (with
  `number` holding `integer`), bounds take the tightest, lengths and counts the strictest,
  `required` and `pattern`s accumulate, and each property keeps the list of every schema given
  for it (generated as their conjunction).
- `additionalProperties` only knows the properties and patterns of its own schema object, so
  each one is kept as a closure with those names: a property another `allOf` member declares
  still gets the closure's schema (false: it can't appear). `unevaluatedProperties` is a
  closure too, over the names its own schema object and its in-place subschemas declare (the
  generator finds them). `items` likewise only covers the positions past its own
  `prefixItems`.
- Choices (`anyOf`, `oneOf`, `if`) and `not` are kept for the generator, which tries them.
- Values are compared as JSON compares them: `1` equals `1.0`, `true` is not `1`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


class GenerationLimit(Exception):
    """The schema asks for more than the mock generates (size budget, unsatisfiable bounds...)."""


class Exhausted(GenerationLimit):
    """The budget or the step count ran out: no other branch is tried."""


# Kinds a value can be, in the order a guess prefers them; `number` is any number, integral
# or not, and `integer` alone is what `type: integer` allows.
KINDS = ("object", "array", "string", "integer", "number", "boolean", "null")
TYPE_KINDS: dict[str, tuple[str, ...]] = {
    "object": ("object",),
    "array": ("array",),
    "string": ("string",),
    "integer": ("integer",),
    "number": ("integer", "number"),
    "boolean": ("boolean",),
    "null": ("null",),
}
NUMBERS = ("integer", "number")
_SINGLE_TYPE_KINDS = {name: frozenset(kinds) for name, kinds in TYPE_KINDS.items()}
_ORDERED_KINDS = {frozenset(kinds): kinds for kinds in TYPE_KINDS.values()}
# fmt: off
ANNOTATIONS = frozenset(
    (
        "title", "description", "default", "examples", "example", "readOnly", "writeOnly",
        "deprecated", "$comment", "$schema", "$id", "$anchor", "$defs", "definitions",
        "discriminator", "xml", "externalDocs", "contentMediaType", "contentEncoding",
        "contentSchema", "$vocabulary", "$dynamicAnchor",
    )
)
# fmt: on


@dataclass(slots=True)
class Bound:
    """A lower or upper bound of a number; `exclusive` when the value itself is out."""

    value: Fraction
    exclusive: bool


@dataclass(slots=True)
class Closure:
    """One schema object's `additionalProperties`: the names it leaves to `additional`."""

    names: frozenset[str]
    patterns: tuple[str, ...]
    additional: Any


@dataclass(slots=True)
class Shape:
    """Every constraint on one value, merged."""

    kinds: tuple[str, ...] = KINDS
    typed: bool = False
    consts: list[Any] = field(default_factory=list)
    enums: list[list[Any]] = field(default_factory=list)
    nots: list[Any] = field(default_factory=list)
    excluded: list[Any] = field(default_factory=list)
    avoid_together: list[list[str]] = field(default_factory=list)
    choices: list[tuple[str, Any]] = field(default_factory=list)
    entered: list[str] = field(default_factory=list)
    min_length: int = 0
    max_length: int | None = None
    patterns: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    low: Bound | None = None
    high: Bound | None = None
    multiples: list[Fraction] = field(default_factory=list)
    tuples: list[tuple[list[Any], Any]] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    contains: list[Any] = field(default_factory=list)
    min_contains: int | None = None
    max_contains: int | None = None
    unevaluated_items: list[Any] = field(default_factory=list)
    properties: dict[str, list[Any]] = field(default_factory=dict)
    required: dict[str, None] = field(default_factory=dict)
    closures: list[Closure] = field(default_factory=list)
    pattern_properties: list[tuple[str, Any]] = field(default_factory=list)
    min_properties: int = 0
    max_properties: int | None = None
    property_names: list[Any] = field(default_factory=list)
    dependent_required: dict[str, list[str]] = field(default_factory=dict)

    def copy(self) -> Shape:
        """A copy whose lists can grow without touching this one (for trying a branch)."""
        twin = copy.copy(self)
        for name in _LISTS:
            setattr(twin, name, list(getattr(self, name)))
        twin.properties = {name: list(schemas) for name, schemas in self.properties.items()}
        twin.required = dict(self.required)
        twin.dependent_required = dict(self.dependent_required)
        return twin

    def keep_kinds(self, allowed: tuple[str, ...] | frozenset[str]) -> None:
        if self.kinds is KINDS and allowed in _ORDERED_KINDS:
            self.kinds = _ORDERED_KINDS[allowed]  # the common case: the first `type` seen
        else:
            self.kinds = tuple(kind for kind in self.kinds if kind in allowed)

    def guessed_kinds(self) -> tuple[str, ...]:
        """What an untyped schema most likely describes, from the keywords it has."""
        if (
            self.properties
            or self.required
            or self.closures
            or self.pattern_properties
            or self.min_properties
            or self.max_properties is not None
            or self.property_names
        ):
            return ("object",)
        if self.tuples or self.min_items or self.max_items is not None or self.contains:
            return ("array",)
        if self.patterns or self.formats or self.min_length or self.max_length is not None:
            return ("string",)
        if self.low or self.high or self.multiples:
            return NUMBERS
        return ("string",)


_LISTS = tuple(
    name
    for name in Shape.__dataclass_fields__
    if Shape.__dataclass_fields__[name].default_factory is list
)


def json_key(value: Any) -> tuple[object, ...]:
    """A hashable stand-in for a JSON value, equal exactly when JSON Schema calls two values
    equal."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("array", tuple(json_key(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, json_key(item)) for key, item in value.items()))
    return ("other", repr(value))


def kind_of(value: Any) -> str:
    """The kind of a JSON value (an integral float is an integer, as JSON Schema says)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def kinds_of_type(value: Any) -> frozenset[str] | None:
    """The kinds a `type` keyword allows; None when it names no known type."""
    if isinstance(value, str):
        return _SINGLE_TYPE_KINDS.get(value)
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    kinds = {kind for name in names if isinstance(name, str) for kind in TYPE_KINDS.get(name, ())}
    return frozenset(kinds) or None


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return math.ceil(value) if math.isfinite(value) else None


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Fraction(value) if not isinstance(value, float) or math.isfinite(value) else None


def within(number: Fraction, low: Bound | None, high: Bound | None) -> bool:
    """Whether `number` lies between the bounds."""
    above = low is None or (number > low.value if low.exclusive else number >= low.value)
    return above and (
        high is None or (number < high.value if high.exclusive else number <= high.value)
    )


def tighter(current: Bound | None, new: Bound, *, lower: bool) -> Bound:
    """The stricter of two lower (or upper) bounds."""
    if current is None:
        return new
    if new.value == current.value:
        return Bound(new.value, new.exclusive or current.exclusive)
    return new if (new.value > current.value) == lower else current


def _set_bound(shape: Shape, keyword: str, value: Any) -> None:
    lower = keyword.lower().endswith("minimum")
    number = _number(value)
    if number is None:
        # +inf as a lower bound (-inf as an upper one) leaves no number; the others say nothing
        if isinstance(value, float) and math.isinf(value) and (value > 0) == lower:
            shape.keep_kinds(tuple(kind for kind in shape.kinds if kind not in NUMBERS))
        return
    bound = Bound(number, keyword.startswith("exclusive"))
    if lower:
        shape.low = tighter(shape.low, bound, lower=True)
    else:
        shape.high = tighter(shape.high, bound, lower=False)


def collect_keywords(shape: Shape, schema: dict[str, Any]) -> None:
    """Merge the keywords of one schema object that need no other schema into `shape` (the
    generator does `$ref`, `allOf`, the choices, `not` and `dependentSchemas`)."""
    for keyword, value in schema.items():
        handler = _HANDLERS.get(keyword)
        if handler is not None:
            handler(shape, value, schema)
    if "items" in schema or "prefixItems" in schema:
        prefix = schema.get("prefixItems")
        items = schema.get("items")
        shape.tuples.append(
            (
                list(prefix) if isinstance(prefix, list) else [],
                items if isinstance(items, dict | bool) else None,
            )
        )


def _type(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    kinds = kinds_of_type(value)
    if kinds is not None:
        shape.keep_kinds(kinds)
        shape.typed = True


def _set_count(attribute: str, *, lower: bool) -> Any:
    def handler(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
        count = _count(value)
        if count is None:
            return
        current = getattr(shape, attribute)
        if current is None:
            setattr(shape, attribute, count)
        else:
            setattr(shape, attribute, max(current, count) if lower else min(current, count))

    return handler


def decimal_fraction(value: int | float) -> Fraction:
    """A finite number as the decimal it is written as (0.1 is a tenth, not its binary
    neighbour), as a validator's multipleOf reads it."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _multiple(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    number = _number(value)
    number = None if number is None else decimal_fraction(value)
    if number is not None and number > 0:
        shape.multiples.append(number)


def _properties(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for name, schema in value.items():
            shape.properties.setdefault(name, []).append(schema)


def _required(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    if isinstance(value, list):
        shape.required.update((name, None) for name in value if isinstance(name, str))


def _additional(shape: Shape, value: Any, schema: dict[str, Any]) -> None:
    if value is True or not isinstance(value, dict | bool):
        return
    properties = schema.get("properties")
    patterns = schema.get("patternProperties")
    shape.closures.append(
        Closure(
            frozenset(properties) if isinstance(properties, dict) else frozenset(),
            tuple(patterns) if isinstance(patterns, dict) else (),
            value,
        )
    )


def _pattern_properties(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    if isinstance(value, dict):
        shape.pattern_properties.extend(value.items())


def _dependent_required(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for name, names in value.items():
            if isinstance(names, list):
                listed = [item for item in names if isinstance(item, str)]
                shape.dependent_required[name] = shape.dependent_required.get(name, []) + listed


def _append(attribute: str, accepted: type | tuple[type, ...]) -> Any:
    def handler(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
        if isinstance(value, accepted) and value is not True:
            getattr(shape, attribute).append(value)

    return handler


def _unique(shape: Shape, value: Any, _schema: dict[str, Any]) -> None:
    shape.unique = shape.unique or value is True


def _bound_handler(keyword: str) -> Any:
    return lambda shape, value, _schema: _set_bound(shape, keyword, value)


_HANDLERS: dict[str, Any] = {
    "type": _type,
    "enum": _append("enums", list),
    "const": lambda shape, value, _schema: shape.consts.append(value),
    "minLength": _set_count("min_length", lower=True),
    "maxLength": _set_count("max_length", lower=False),
    "pattern": _append("patterns", str),
    "format": _append("formats", str),
    "minimum": _bound_handler("minimum"),
    "maximum": _bound_handler("maximum"),
    "exclusiveMinimum": _bound_handler("exclusiveMinimum"),
    "exclusiveMaximum": _bound_handler("exclusiveMaximum"),
    "multipleOf": _multiple,
    "minItems": _set_count("min_items", lower=True),
    "maxItems": _set_count("max_items", lower=False),
    "uniqueItems": _unique,
    "contains": _append("contains", (dict, bool)),
    "minContains": _set_count("min_contains", lower=True),
    "maxContains": _set_count("max_contains", lower=False),
    "unevaluatedItems": _append("unevaluated_items", (dict, bool)),
    "properties": _properties,
    "required": _required,
    "additionalProperties": _additional,
    "patternProperties": _pattern_properties,
    "minProperties": _set_count("min_properties", lower=True),
    "maxProperties": _set_count("max_properties", lower=False),
    "propertyNames": _append("property_names", (dict, bool)),
    "dependentRequired": _dependent_required,
}
