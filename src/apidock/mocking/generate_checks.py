"""Whether a generated value matches a schema: what `not`, the other branches of a `oneOf`,
`propertyNames` and `maxContains` need to know about a candidate; and, when it does match a
schema under `not`, shapes that won't.

Decisions:
- A quick structural look first (type, const, enum, required, properties, bounds, lengths,
  patterns, formats, `$ref`s), which settles the usual cases (a discriminating `const`, a
  missing required property) in microseconds; it answers "don't know" for any keyword it
  doesn't judge, and only then is jsonschema-rs asked.
- jsonschema-rs sees the document once per generation, as a registered resource, and each
  schema it checks with its local `$ref`s made absolute into that resource; nothing is ever
  fetched (offline, and a retriever that refuses); a schema it can't compile (one with a
  reference outside the document) counts as not matched (the generator keeps its candidate).
- A value that matched a schema under `not` is made again from a shape that breaks one of that
  schema's own constraints (breaking one breaks the conjunction): another kind, a bound or a
  length crossed, a required name left out, a property given a value its schema refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jsonschema_rs

from apidock.descriptions.validation_vendored import refuse_retrieval
from apidock.mocking.generate_formats import format_holds
from apidock.mocking.generate_shape import (
    Bound,
    Shape,
    json_key,
    kind_of,
    kinds_of_type,
    tighter,
)
from apidock.mocking.generate_strings import pattern_holds

_DOCUMENT_URI = "urn:apidock:mock-document"
_MAX_DEPTH = 48
# 2020-12 keywords the quick look leaves to jsonschema-rs.
# fmt: off
_DEFERRED = frozenset(
    (
        "multipleOf", "contains", "minContains", "maxContains", "unevaluatedItems",
        "unevaluatedProperties", "dependentSchemas", "dependentRequired", "propertyNames",
        "if", "$dynamicRef", "$recursiveRef",
    )
)
_SUBSCHEMA = frozenset(
    (
        "items", "additionalProperties", "contains", "propertyNames", "not", "if", "then",
        "else", "unevaluatedItems", "unevaluatedProperties",
    )
)
# fmt: on
_SUBSCHEMA_MAPS = frozenset(
    ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
)
_SUBSCHEMA_LISTS = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))

Verdict = bool | None


def _absolute(schema: Any) -> Any:
    """A copy of `schema` whose local `$ref`s point into the registered document."""
    if not isinstance(schema, dict):
        return schema
    copied: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword == "$ref" and isinstance(value, str) and value.startswith("#"):
            copied[keyword] = _DOCUMENT_URI + value
        elif keyword in _SUBSCHEMA:
            copied[keyword] = _absolute(value)
        elif keyword in _SUBSCHEMA_MAPS and isinstance(value, dict):
            copied[keyword] = {name: _absolute(item) for name, item in value.items()}
        elif keyword in _SUBSCHEMA_LISTS and isinstance(value, list):
            copied[keyword] = [_absolute(item) for item in value]
        else:
            copied[keyword] = value
    return copied


def _all(verdicts: list[Verdict]) -> Verdict:
    if False in verdicts:
        return False
    return None if None in verdicts else True


class Checker:
    """Judges candidates against schemas of one document, during one generation."""

    def __init__(self, document: Mapping[str, Any], resolve: Callable[[str], Any]) -> None:
        self.document = document
        self.resolve = resolve
        self._registry: jsonschema_rs.Registry | None = None
        self._validators: dict[int, tuple[Any, jsonschema_rs.Validator | None]] = {}

    def matches(self, value: Any, schema: Any) -> bool:
        """Whether `value` is valid against `schema` (references into the document)."""
        verdict = self.quick(value, schema, 0)
        return self._validated(value, schema) if verdict is None else verdict

    def quick(self, value: Any, schema: Any, depth: int) -> Verdict:
        """True or False when the structure alone settles it, None when it doesn't."""
        if schema is True or schema is False:
            return schema
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None if depth > _MAX_DEPTH else True
        verdict: Verdict = True
        for keyword, expected in schema.items():
            check = _QUICK.get(keyword)
            if check is None:
                if keyword in _DEFERRED:
                    verdict = None
                continue
            result = check(self, value, expected, schema, depth + 1)
            if result is False:
                return False
            if result is None:
                verdict = None
        return verdict

    def _validated(self, value: Any, schema: Any) -> bool:
        known = self._validators.get(id(schema))
        if known is None:
            known = (schema, self._compile(schema))
            self._validators[id(schema)] = known
        validator = known[1]
        try:
            return validator is not None and validator.is_valid(value)
        except (ValueError, UnicodeError, OverflowError):
            return False

    def _compile(self, schema: Any) -> jsonschema_rs.Validator | None:
        try:
            if self._registry is None:
                self._registry = jsonschema_rs.Registry(
                    [(_DOCUMENT_URI, dict(self.document))], retriever=refuse_retrieval
                )
            return jsonschema_rs.validator_for(
                _absolute(schema), registry=self._registry, validate_formats=True, offline=True
            )
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
            return None


def _ref(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    return (
        checker.quick(value, checker.resolve(expected), depth)
        if isinstance(expected, str)
        else True
    )


def _type(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
    kinds = kinds_of_type(expected)
    return kinds is None or kind_of(value) in kinds


def _const(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
    return json_key(value) == json_key(expected)


def _enum(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
    if not isinstance(expected, list):
        return True
    key = json_key(value)
    return any(json_key(item) == key for item in expected)


def _required(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
    if not isinstance(value, dict) or not isinstance(expected, list):
        return True
    return all(name in value for name in expected if isinstance(name, str))


def _properties(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict) or not isinstance(expected, dict):
        return True
    return _all([checker.quick(value[n], s, depth) for n, s in expected.items() if n in value])


def _pattern_properties(
    checker: Checker, value: Any, expected: Any, _schema: Any, depth: int
) -> Verdict:
    if not isinstance(value, dict) or not isinstance(expected, dict):
        return True
    return _all(
        [
            checker.quick(item, schema, depth)
            for pattern, schema in expected.items()
            for name, item in value.items()
            if pattern_holds(pattern, name)
        ]
    )


def _additional(checker: Checker, value: Any, expected: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict):
        return True
    declared = schema.get("properties")
    patterns = schema.get("patternProperties")
    declared = declared if isinstance(declared, dict) else {}
    patterns = patterns if isinstance(patterns, dict) else {}
    return _all(
        [
            checker.quick(item, expected, depth)
            for name, item in value.items()
            if name not in declared and not any(pattern_holds(p, name) for p in patterns)
        ]
    )


def _items(checker: Checker, value: Any, expected: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, list):
        return True
    prefix = schema.get("prefixItems")
    start = len(prefix) if isinstance(prefix, list) else 0
    return _all([checker.quick(item, expected, depth) for item in value[start:]])


def _prefix_items(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    if not isinstance(value, list) or not isinstance(expected, list):
        return True
    return _all(
        [checker.quick(item, sub, depth) for item, sub in zip(value, expected, strict=False)]
    )


def _all_of(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    if not isinstance(expected, list):
        return True
    return _all([checker.quick(value, sub, depth) for sub in expected])


def _any_of(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    if not isinstance(expected, list):
        return True
    verdicts = [checker.quick(value, sub, depth) for sub in expected]
    return True if True in verdicts else (None if None in verdicts else False)


def _one_of(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    if not isinstance(expected, list):
        return True
    verdicts = [checker.quick(value, sub, depth) for sub in expected]
    if verdicts.count(True) > 1:
        return False
    return None if None in verdicts else verdicts.count(True) == 1


def _not(checker: Checker, value: Any, expected: Any, _schema: Any, depth: int) -> Verdict:
    verdict = checker.quick(value, expected, depth)
    return None if verdict is None else not verdict


def _measured(kind: str, measure: Callable[[Any], Any], keep: Callable[[Any, Any], bool]) -> Any:
    def check(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
        if kind_of(value) not in _MEASURED_KINDS[kind]:
            return True
        if isinstance(expected, bool) or not isinstance(expected, int | float):
            return True
        return keep(measure(value), expected)

    return check


_MEASURED_KINDS = {
    "string": ("string",),
    "number": ("integer", "number"),
    "array": ("array",),
    "object": ("object",),
}


def _text(check: Callable[[str, str], bool]) -> Any:
    def judge(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
        return not isinstance(value, str) or not isinstance(expected, str) or check(expected, value)

    return judge


def _unique(_checker: Checker, value: Any, expected: Any, _schema: Any, _depth: int) -> Verdict:
    if expected is not True or not isinstance(value, list):
        return True
    return len({json_key(item) for item in value}) == len(value)


def _same(value: Any) -> Any:
    return value


_QUICK: dict[str, Any] = {
    "$ref": _ref,
    "type": _type,
    "const": _const,
    "enum": _enum,
    "required": _required,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional,
    "items": _items,
    "prefixItems": _prefix_items,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "uniqueItems": _unique,
    "pattern": _text(pattern_holds),
    "format": _text(format_holds),
    "minLength": _measured("string", len, lambda size, bound: size >= bound),
    "maxLength": _measured("string", len, lambda size, bound: size <= bound),
    "minimum": _measured("number", _same, lambda number, bound: number >= bound),
    "maximum": _measured("number", _same, lambda number, bound: number <= bound),
    "exclusiveMinimum": _measured("number", _same, lambda number, bound: number > bound),
    "exclusiveMaximum": _measured("number", _same, lambda number, bound: number < bound),
    "minItems": _measured("array", len, lambda size, bound: size >= bound),
    "maxItems": _measured("array", len, lambda size, bound: size <= bound),
    "minProperties": _measured("object", len, lambda size, bound: size >= bound),
    "maxProperties": _measured("object", len, lambda size, bound: size <= bound),
}


def violations(shape: Shape, target: Shape, made: str) -> list[Shape]:
    """Variants of `shape` whose values break one constraint of `target`: another kind (than
    it allows, or than the kind `made` of the value that matched it), a number past one of its
    bounds, a string past one of its lengths, one of its required names left out, one of its
    properties given a value its schema refuses."""
    trials: list[Shape] = []
    others = tuple(kind for kind in shape.kinds if kind not in target.kinds)
    unlike = tuple(kind for kind in shape.kinds if kind != made)
    for kinds in dict.fromkeys(kinds for kinds in (others, unlike) if kinds):
        trials.append(shape.copy())
        trials[-1].keep_kinds(kinds)
    if target.low is not None:  # below its minimum
        trials.append(shape.copy())
        bound = Bound(target.low.value, not target.low.exclusive)
        trials[-1].high = tighter(shape.high, bound, lower=False)
    if target.high is not None:  # above its maximum
        trials.append(shape.copy())
        bound = Bound(target.high.value, not target.high.exclusive)
        trials[-1].low = tighter(shape.low, bound, lower=True)
    if target.max_length is not None:
        trials.append(shape.copy())
        trials[-1].min_length = max(shape.min_length, target.max_length + 1)
    if target.min_length > 0:
        trials.append(shape.copy())
        longest = target.min_length - 1
        trials[-1].max_length = (
            longest if shape.max_length is None else min(longest, shape.max_length)
        )
    for name in target.required:
        if name not in shape.required:
            trials.append(shape.copy())
            trials[-1].keep_kinds(("object",))
            trials[-1].avoid_together.append([name])
    for name, schemas in target.properties.items():
        trial = shape.copy()
        trial.keep_kinds(("object",))
        trial.required[name] = None
        refused = schemas[0] if len(schemas) == 1 else {"allOf": schemas}
        trial.properties.setdefault(name, []).append({"not": refused})
        trials.append(trial)
    return trials
