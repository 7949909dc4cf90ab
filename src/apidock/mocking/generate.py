"""Data generated from a JSON Schema 2020-12 (as an OpenAPI 3.1 document holds it): valid for
the schema, plausible, and the same for the same schema, document and seed.

The pieces: `generate_shape` merges constraints, `generate_containers` makes objects and
arrays, `generate_strings` and `generate_formats` the scalars, `generate_checks` judges a
candidate against a schema. `GenerationLimit` is defined with the shapes (every piece raises
it) and is exported from here.

Decisions:
- A value is made in two steps: every constraint that applies to it is merged into one shape
  (`generate_shape`: `$ref` targets, `allOf` members, siblings of a `$ref`), then the shape is
  realised. Choices come between: an `anyOf`/`oneOf` branch (a seeded order, each branch tried
  until one can be made), `if` (its `then` with the condition, or its `else` with the
  condition negated). A `oneOf` branch is made with every other branch under `not`, so the
  value matches exactly one.
- `not` is structural where that is exact (`not: {type: …}` removes kinds, `not: {enum: …}`
  and `not: {const: …}` exclude values, `not: {required: […]}` keeps those names from all
  appearing); otherwise a candidate is checked (`generate_checks`) and, if it matches, made
  again from a shape that breaks one constraint of what it matched (another kind, a bound, a
  length, a required name left out, a property given a value its schema refuses), a bounded
  number of times.
- Only `random.Random(seed)` decides: nothing reads the clock, global state or a set's order.
- Recursion: a `$ref` met for the third time on the way down (a Tree's grandchildren), or a
  value 12 levels deep, is cut: optional properties are left out, arrays get their
  `minItems`, choices prefer their simplest branch. A reference met more than 8 times, or 48
  levels, is a `GenerationLimit` (a required self-recursion never ends).
- `budget` bounds the nodes and characters made; an internal step count bounds the work
  (merges, attempts) and a count of abandoned branches the search, so a hostile schema fails
  fast with `GenerationLimit`, never hangs.
- `examples`, `example` and `default` are not used (the caller picks those), nor are
  `readOnly`, `writeOnly` and `discriminator`. A reference that is not local, or names
  nothing, is "anything".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from apidock.descriptions.json_values import copy_json, local_target
from apidock.mocking.generate_checks import Checker, violations
from apidock.mocking.generate_containers import Place, make_array, make_object, unevaluated_closure
from apidock.mocking.generate_formats import format_holds, make_number
from apidock.mocking.generate_shape import (
    ANNOTATIONS,
    KINDS,
    Exhausted,
    GenerationLimit,
    Shape,
    collect_keywords,
    decimal_fraction,
    json_key,
    kind_of,
    kinds_of_type,
    within,
)
from apidock.mocking.generate_strings import make_string, pattern_holds

__all__ = ["GenerationLimit", "generate"]

_COMBINING = frozenset(
    ("allOf", "anyOf", "oneOf", "if", "not", "dependentSchemas", "unevaluatedProperties")
)
_FALLBACK_KINDS = ("string", "integer", "boolean", "number", "object", "array", "null")
_RECURSION_LIMIT = 8
_DEPTH_LIMIT = 48
_STEPS_PER_NODE = 10
_DEAD_ENDS = 256  # branches tried and given up, in one generation
_RETRIES = 6
_NOT_ATTEMPTS = 16


def generate(schema: Any, document: Mapping[str, Any], seed: int, *, budget: int = 10_000) -> Any:
    """A JSON value valid for `schema` (references into `document`), made from `seed` alone."""
    generator = _Generator(document, random.Random(seed), budget)  # noqa: S311 (mock data)
    try:
        return generator.value_of([schema], Place())
    except RecursionError as error:
        raise GenerationLimit("the schema nests too deeply to generate") from error


def _weight(schema: Any) -> int:
    """How much a branch is likely to make: the cut prefers the lightest."""
    if not isinstance(schema, dict):
        return 0
    required = schema.get("required")
    nested = any(key in schema for key in ("properties", "items", "allOf", "oneOf", "anyOf"))
    return 2 * ("$ref" in schema) + nested + (len(required) if isinstance(required, list) else 0)


class _Generator:
    def __init__(self, document: Mapping[str, Any], rng: random.Random, budget: int) -> None:
        self.document = document
        self.rng = rng
        self.budget = budget
        self.nodes_left = budget
        self.steps_left = budget * _STEPS_PER_NODE + 1000
        self.dead_ends_left = _DEAD_ENDS
        self.checker = Checker(document, self.resolve)

    def resolve(self, reference: str) -> Any:
        target = local_target(self.document, reference)
        return {} if target is None else target

    def _spend(self, count: int) -> None:
        self.nodes_left -= count
        if self.nodes_left < 0:
            raise Exhausted(f"the value needs more than the budget of {self.budget} nodes")

    def step(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise Exhausted("the schema takes too many steps to generate")

    def value_of(self, schemas: Iterable[Any], place: Place) -> Any:
        if place.depth > _DEPTH_LIMIT:
            raise GenerationLimit(f"the value nests deeper than {_DEPTH_LIMIT} levels")
        shape = Shape()
        for schema in schemas:
            self._collect(schema, shape)
        inner = place.inside(shape.entered)
        if shape.entered and any(count > _RECURSION_LIMIT for count in inner.refs.values()):
            raise GenerationLimit("a schema requires itself without end")
        return self._realise(shape, inner)

    def _collect(self, schema: Any, shape: Shape) -> None:
        self.step()
        if schema is False:
            raise GenerationLimit("a false schema allows no value")
        if not isinstance(schema, dict) or not schema:
            return
        reference = schema.get("$ref")
        if isinstance(reference, str) and reference not in shape.entered:
            shape.entered.append(reference)
            self._collect(self.resolve(reference), shape)
        collect_keywords(shape, schema)
        if _COMBINING.isdisjoint(schema):
            return
        if "unevaluatedProperties" in schema:
            closure = unevaluated_closure(schema, self.resolve, self.step)
            shape.closures.extend([closure] if closure is not None else [])
        members = schema.get("allOf")
        for member in members if isinstance(members, list) else ():
            self._collect(member, shape)
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                shape.choices.append((keyword, branches))
        if "if" in schema and ("then" in schema or "else" in schema):
            shape.choices.append(("if", schema))
        if "not" in schema:
            self._negate(schema["not"], shape)
        dependent = schema.get("dependentSchemas")
        for member in dependent.values() if isinstance(dependent, dict) else ():
            self._collect(member, shape)  # applying it always is valid whether or not needed

    def _negate(self, schema: Any, shape: Shape) -> None:
        if schema is False:
            return
        if schema is True or schema == {}:
            raise GenerationLimit("`not` of a schema that allows every value")
        keywords = set(schema) - ANNOTATIONS if isinstance(schema, dict) else set()
        if keywords == {"type"} and (kinds := kinds_of_type(schema["type"])) is not None:
            shape.keep_kinds(tuple(kind for kind in KINDS if kind not in kinds))
            return
        if keywords in ({"enum"}, {"const"}):
            listed = [schema["const"]] if "const" in schema else schema["enum"]
            if isinstance(listed, list):
                shape.excluded.extend(listed)
                return
        names = schema.get("required") if keywords == {"required"} else None
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            shape.keep_kinds(("object",))  # `required` holds for any non-object
            shape.avoid_together.append(names)
            return
        shape.nots.append(schema)

    def _realise(self, shape: Shape, place: Place) -> Any:
        if not shape.choices:
            return self._checked(shape, place)
        keyword, argument = shape.choices[0]
        failure: GenerationLimit | None = None
        for option in self._options(keyword, argument, place):
            self.step()
            trial = shape.copy()
            del trial.choices[0]
            known = len(trial.entered)
            try:
                for schema in option:
                    self._collect(schema, trial)
                return self._realise(trial, place.inside(trial.entered[known:]))
            except Exhausted:
                raise
            except GenerationLimit as error:
                failure = error
                self.dead_ends_left -= 1
                if self.dead_ends_left < 0:
                    raise Exhausted(f"too many {keyword} branches lead nowhere") from error
        raise GenerationLimit(f"no branch of {keyword} can be generated") from failure

    def _options(self, keyword: str, argument: Any, place: Place) -> list[list[Any]]:
        if keyword == "if":
            condition = argument["if"]
            options = [
                [condition, argument.get("then", True)],
                [{"not": condition}, argument.get("else", True)],
            ]
            self.rng.shuffle(options)
            return options
        order = list(range(len(argument)))
        self.rng.shuffle(order)
        if place.cut:
            order.sort(key=lambda index: _weight(argument[index]))
        if keyword == "anyOf":
            return [[argument[index]] for index in order]
        return [
            [argument[index]] + [{"not": other} for j, other in enumerate(argument) if j != index]
            for index in order
        ]

    def _checked(self, shape: Shape, place: Place) -> Any:
        if not shape.nots and not shape.excluded:
            return self._emit(shape, place)
        excluded = {json_key(value) for value in shape.excluded}
        trials: list[Shape] = []
        broken = False
        for _ in range(_NOT_ATTEMPTS):
            trial = trials.pop(0) if trials else shape
            try:
                value = self._emit(trial, place)
            except Exhausted:
                raise
            except GenerationLimit:
                continue
            if json_key(value) in excluded:
                continue
            matched = next((n for n in shape.nots if self.checker.matches(value, n)), None)
            if matched is None:
                return value
            if trial is not shape or not broken:  # break what it matched, deepest first
                broken = broken or trial is shape
                trials[:0] = self._violations(trial, matched, kind_of(value))
        raise GenerationLimit("every value made matched a schema under `not`")

    def _violations(self, shape: Shape, negated: Any, made: str) -> list[Shape]:
        """A few seeded variants of `shape` that break what `negated` asks."""
        target = Shape()
        try:
            self._collect(negated, target)
        except Exhausted:
            raise
        except GenerationLimit:
            return []
        trials = violations(shape, target, made)
        self.rng.shuffle(trials)
        return trials[:_RETRIES]

    def _emit(self, shape: Shape, place: Place) -> Any:
        self._spend(1)
        if shape.consts or shape.enums:
            return self._listed(shape)
        failure: GenerationLimit | None = None
        for kind in self._kind_order(shape):
            try:
                return _EMITTERS[kind](self, shape, place)
            except Exhausted:
                raise
            except GenerationLimit as error:
                failure = error
        raise failure or GenerationLimit("the schema's types exclude one another")

    def _kind_order(self, shape: Shape) -> list[str]:
        if shape.typed and len(shape.kinds) == 1:
            return [shape.kinds[0]]
        if shape.typed:
            order = list(shape.kinds)
            self.rng.shuffle(order)
        else:
            guessed = [kind for kind in shape.guessed_kinds() if kind in shape.kinds]
            order = guessed + [kind for kind in _FALLBACK_KINDS if kind in shape.kinds]
            order = list(dict.fromkeys(order))
        if shape.typed and "number" in order and "integer" in order:
            order.remove("integer")  # a number that may be integral covers both
        if "null" in order and len(order) > 1 and self.rng.random() >= 0.15:
            order.remove("null")
            order.append("null")
        return order

    def _listed(self, shape: Shape) -> Any:
        pool = shape.consts[:1] if shape.consts else shape.enums[0]
        keys = [json_key(const) for const in shape.consts]
        enums = [{json_key(item) for item in enum} for enum in shape.enums]
        excluded = {json_key(value) for value in shape.excluded}
        fitting = [
            value
            for value in pool
            if all(json_key(value) == key for key in keys)
            and all(json_key(value) in enum for enum in enums)
            and self._fits(value, shape)
            and json_key(value) not in excluded
        ]
        if not fitting:
            raise GenerationLimit("no `enum` or `const` value fits the rest of the schema")
        return copy_json(self.rng.choice(fitting))

    def _fits(self, value: Any, shape: Shape) -> bool:
        """Whether a listed value meets the shape's own constraints (best effort for
        containers: their kind, sizes and required names)."""
        kind = kind_of(value)
        if kind not in shape.kinds:
            return False
        if kind == "string":
            return (
                shape.min_length <= len(value)
                and (shape.max_length is None or len(value) <= shape.max_length)
                and all(pattern_holds(pattern, value) for pattern in shape.patterns)
                and all(format_holds(name, value) for name in shape.formats)
            )
        if kind in ("integer", "number"):
            number = decimal_fraction(value)
            return within(number, shape.low, shape.high) and all(
                (number / step).denominator == 1 for step in shape.multiples
            )
        if kind == "array":
            return shape.min_items <= len(value) and (
                shape.max_items is None or len(value) <= shape.max_items
            )
        if kind == "object":
            return all(name in value for name in shape.required) and not any(
                all(name in value for name in names) for names in shape.avoid_together
            )
        return True

    def _string(self, shape: Shape, place: Place) -> str:
        if shape.max_length is not None and shape.min_length > shape.max_length:
            raise GenerationLimit("minLength is above maxLength")
        if shape.min_length > self.nodes_left:
            raise Exhausted(f"minLength {shape.min_length} is over the budget")
        text = make_string(
            self.rng,
            min_length=shape.min_length,
            max_length=shape.max_length,
            patterns=shape.patterns,
            formats=shape.formats,
            limit=self.nodes_left,
            hint=place.hint,
        )
        if text is None:
            raise GenerationLimit("no string meets the lengths, patterns and formats together")
        self._spend(len(text))
        return text

    def _number(self, shape: Shape, integer: bool) -> int | float:
        number = make_number(
            self.rng,
            low=shape.low,
            high=shape.high,
            multiples=shape.multiples,
            formats=shape.formats,
            integer=integer,
            fractional=not integer and "integer" not in shape.kinds,
        )
        if number is None:
            raise GenerationLimit("no number lies within the bounds and multipleOf")
        return number


_EMITTERS: dict[str, Callable[[_Generator, Shape, Place], Any]] = {
    "object": make_object,
    "array": make_array,
    "string": _Generator._string,
    "integer": lambda generator, shape, _place: generator._number(shape, True),
    "number": lambda generator, shape, _place: generator._number(shape, False),
    "boolean": lambda generator, _shape, _place: generator.rng.random() < 0.5,
    "null": lambda _generator, _shape, _place: None,
}
