"""Objects and arrays for the mock: which properties, how many entries and items.

Decisions:
- Required properties always; each optional one half the time (seeded), and none past the
  recursion cut; `dependentRequired` brings its names along; `minProperties` is met with the
  optional properties first, then with extra names; `maxProperties` drops optional ones.
- A property's value is generated from every schema that applies to its name: `properties`,
  each matching `patternProperties`, and each `additionalProperties` or
  `unevaluatedProperties` closure that doesn't cover it.
- A map (no properties; `additionalProperties` a schema, or `patternProperties`) gets one to
  three entries, named from a pattern, else from `propertyNames`, else from a word.
- Arrays: one to three items unless the bounds say otherwise (enough to fill `prefixItems`),
  `minItems` past the cut; the `contains` items come first; a repeated item under
  `uniqueItems` is made again a few times, and the array stops early when `minItems` allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from random import Random
from typing import Any, Protocol

from apidock.mocking.generate_checks import Checker
from apidock.mocking.generate_formats import WORDS
from apidock.mocking.generate_shape import Closure, Exhausted, GenerationLimit, Shape, json_key
from apidock.mocking.generate_strings import pattern_holds, pattern_string

RECURSION_CUT = 3
DEPTH_CUT = 12
_RETRIES = 6
_USUAL_ITEMS = 3
_USUAL_EXTRAS = 3
_NAME_LENGTH = 40
_MISSING = object()
_IN_PLACE = ("allOf", "anyOf", "oneOf", "if", "then", "else")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a value sits: how often each reference was entered above it, and how deep."""

    refs: dict[str, int] = field(default_factory=dict)
    depth: int = 0
    hint: str | None = None

    def inside(self, entered: list[str]) -> Place:
        if not entered:
            return self
        counts = dict(self.refs)
        for reference in entered:
            counts[reference] = counts.get(reference, 0) + 1
        return Place(counts, self.depth, self.hint)

    def child(self, hint: str | None = None) -> Place:
        return Place(self.refs, self.depth + 1, hint)

    @property
    def cut(self) -> bool:
        return self.depth >= DEPTH_CUT or any(n >= RECURSION_CUT for n in self.refs.values())


class Maker(Protocol):
    """What the container makers need of the generator."""

    rng: Random
    nodes_left: int
    checker: Checker

    def value_of(self, schemas: Iterable[Any], place: Place) -> Any: ...

    def step(self) -> None: ...


def make_object(maker: Maker, shape: Shape, place: Place) -> dict[str, Any]:
    """An object for the shape: the properties chosen, then extra entries if it is a map or
    needs them for minProperties."""
    if shape.min_properties > maker.nodes_left:
        raise Exhausted(f"minProperties {shape.min_properties} is over the budget")
    most = shape.max_properties
    if most is not None and shape.min_properties > most:
        raise GenerationLimit("minProperties is above maxProperties")
    must = _with_dependents(shape, dict(shape.required))
    if most is not None and len(must) > most:
        raise GenerationLimit("more required properties than maxProperties")
    chosen = _choose(maker, shape, must, place.cut)
    result: dict[str, Any] = {}
    for name in [n for n in shape.properties if n in chosen] + [
        n for n in chosen if n not in shape.properties
    ]:
        try:
            result[name] = maker.value_of(_schemas_for(shape, name), place.child(name))
        except Exhausted:
            raise
        except GenerationLimit:
            if name in must:
                raise
            # an optional property no value can satisfy is left out
    _settle_dependencies(shape, result, must)
    wanted = max(shape.min_properties, len(result))
    if not place.cut and _map_like(shape):
        wanted = max(wanted, len(result) + maker.rng.randint(1, _USUAL_EXTRAS))
    _add_extras(maker, shape, place, result, wanted if most is None else min(wanted, most))
    if len(result) < shape.min_properties:
        raise GenerationLimit("minProperties can't be met with the names allowed")
    return result


def _with_dependents(shape: Shape, names: dict[str, None]) -> dict[str, None]:
    """`names` with every name their `dependentRequired` brings along, transitively."""
    waiting = list(names)
    while waiting:
        for needed in shape.dependent_required.get(waiting.pop(), ()):
            if needed not in names:
                names[needed] = None
                waiting.append(needed)
    return names


def _choose(maker: Maker, shape: Shape, must: dict[str, None], cut: bool) -> dict[str, None]:
    """The names to generate: `must`, and optional ones by chance, to meet minProperties,
    within maxProperties, never all of a set `not` forbids together."""
    chosen = dict(must)
    optional = [n for n in shape.properties if n not in must and _name_allowed(maker, shape, n)]
    for name in optional:
        if not cut and maker.rng.random() < 0.5:
            chosen[name] = None
    for name in optional:
        if len(chosen) >= shape.min_properties:
            break
        chosen.setdefault(name, None)
    chosen = _with_dependents(shape, chosen)
    if shape.max_properties is not None:
        surplus = max(0, len(chosen) - shape.max_properties)
        for name in [n for n in reversed(chosen) if n not in must][:surplus]:
            del chosen[name]
    for names in shape.avoid_together:
        if all(name in chosen for name in names):
            dropped = next((n for n in names if n not in must), None)
            if dropped is None:
                raise GenerationLimit("required properties that `not` forbids together")
            del chosen[dropped]
    return chosen


def _settle_dependencies(shape: Shape, result: dict[str, Any], must: dict[str, None]) -> None:
    """Leave out each optional property whose `dependentRequired` names are missing."""
    unsettled = True
    while unsettled:
        unsettled = False
        for name in list(result):
            if all(needed in result for needed in shape.dependent_required.get(name, ())):
                continue
            if name in must:
                raise GenerationLimit(f"what {name!r} requires with it can't be made")
            del result[name]
            unsettled = True


def unevaluated_closure(
    schema: dict[str, Any], resolve: Callable[[str], Any], step: Callable[[], None]
) -> Closure | None:
    """`unevaluatedProperties` as a closure over the names `schema` and its in-place
    subschemas declare (all of them, whichever branch passes: a name declared in a branch not
    taken is only never generated); None when it leaves every name free."""
    additional = schema["unevaluatedProperties"]
    if additional is True or not isinstance(additional, dict | bool):
        return None
    names: set[str] = set()
    patterns: list[str] = []
    waiting: list[Any] = [schema]
    seen: set[str] = set()
    while waiting:
        step()
        member = waiting.pop()
        if not isinstance(member, dict):
            continue
        nested = member is not schema and member.get("unevaluatedProperties", False)
        if member.get("additionalProperties", False) is not False or nested is not False:
            return None  # every name is evaluated
        declared, matched = member.get("properties"), member.get("patternProperties")
        names.update(declared if isinstance(declared, dict) else ())
        patterns.extend(matched if isinstance(matched, dict) else ())
        reference = member.get("$ref")
        if isinstance(reference, str) and reference not in seen:
            seen.add(reference)
            waiting.append(resolve(reference))
        for key in _IN_PLACE:
            found = member.get(key)
            waiting.extend(found if isinstance(found, list) else [found])
        dependent = member.get("dependentSchemas")
        waiting.extend(dependent.values() if isinstance(dependent, dict) else ())
    return Closure(frozenset(names), tuple(patterns), additional)


def _map_like(shape: Shape) -> bool:
    """An object of entries more than of declared properties (a dictionary)."""
    return not shape.properties and (
        bool(shape.pattern_properties)
        or any(isinstance(c.additional, dict) for c in shape.closures)
    )


def _schemas_for(shape: Shape, name: str) -> list[Any]:
    """Every schema that applies to the value of the property `name`."""
    schemas = list(shape.properties.get(name, ()))
    schemas += [
        schema for pattern, schema in shape.pattern_properties if pattern_holds(pattern, name)
    ]
    for closure in shape.closures:
        if name not in closure.names and not any(pattern_holds(p, name) for p in closure.patterns):
            schemas.append(closure.additional)
    return schemas


def _name_allowed(maker: Maker, shape: Shape, name: str) -> bool:
    if not shape.closures and not shape.property_names:
        return True
    return False not in _schemas_for(shape, name) and all(
        maker.checker.matches(name, schema) for schema in shape.property_names
    )


def _add_extras(
    maker: Maker, shape: Shape, place: Place, result: dict[str, Any], wanted: int
) -> None:
    for _ in range(_RETRIES * max(0, wanted - len(result))):
        if len(result) >= wanted:
            return
        maker.step()
        name = _extra_name(maker, shape, place)
        if name is None or name in result or name in shape.properties:
            continue
        completes = any(
            all(n in result or n == name for n in names) for names in shape.avoid_together
        )
        if (
            not completes
            and name not in shape.dependent_required
            and _name_allowed(maker, shape, name)
        ):
            try:
                result[name] = maker.value_of(_schemas_for(shape, name), place.child(name))
            except Exhausted:
                raise
            except GenerationLimit:
                continue  # no value for that name: another name may do


def _extra_name(maker: Maker, shape: Shape, place: Place) -> str | None:
    if shape.pattern_properties and maker.rng.random() < 0.8:
        pattern = maker.rng.choice(shape.pattern_properties)[0]
        return pattern_string(pattern, maker.rng, 1, _NAME_LENGTH, _NAME_LENGTH)
    if shape.property_names:
        name = maker.value_of([*shape.property_names, {"type": "string"}], place.child())
        return name if isinstance(name, str) else None
    return f"{maker.rng.choice(WORDS)}{maker.rng.choice(('', '_id', '_count', '2', '_name'))}"


def make_array(maker: Maker, shape: Shape, place: Place) -> list[Any]:
    """An array for the shape: its length from the bounds, its items from their schemas."""
    most = shape.max_items
    longest_prefix = max((len(prefix) for prefix, _ in shape.tuples), default=0)
    for prefix, items in shape.tuples:
        if items is False:
            most = len(prefix) if most is None else min(most, len(prefix))
    wanted_contains = (
        0 if not shape.contains else (1 if shape.min_contains is None else shape.min_contains)
    )
    if any(schema is False for schema in shape.unevaluated_items) and all(
        items is None for _, items in shape.tuples
    ):  # past the prefix and the `contains` items, nothing is evaluated
        cap = max(longest_prefix, wanted_contains)
        most = cap if most is None else min(most, cap)
    least = max(shape.min_items, wanted_contains)
    if most is not None and least > most:
        raise GenerationLimit("the array's bounds on its items exclude one another")
    if least > maker.nodes_left:
        raise Exhausted(f"minItems {least} is over the budget")
    count = least
    if not place.cut:
        top = max(least, _USUAL_ITEMS, longest_prefix)
        top = top if most is None else min(top, most)
        count = maker.rng.randint(max(least, min(1, top)), top)
    result: list[Any] = []
    seen: set[tuple[object, ...]] = set()
    for index in range(count):
        containing = index < wanted_contains
        schemas = _item_schemas(shape, index) + (shape.contains if containing else [])
        value = _item(maker, shape, place, schemas, seen, containing)
        if value is _MISSING:
            if len(result) >= least:
                break
            raise GenerationLimit("no item can be made, or uniqueItems or maxContains fail")
        result.append(value)
    return result


def _item(
    maker: Maker, shape: Shape, place: Place, schemas: list[Any], seen: set[Any], containing: bool
) -> Any:
    check_contains = shape.max_contains is not None and not containing and shape.contains
    for _ in range(_RETRIES if shape.unique or check_contains else 1):
        try:
            value = maker.value_of(schemas, place.child())
        except Exhausted:
            raise
        except GenerationLimit:
            return _MISSING  # the array ends here if minItems allows
        key = json_key(value)
        if shape.unique and key in seen:
            continue
        if check_contains and any(maker.checker.matches(value, c) for c in shape.contains):
            continue
        seen.add(key)
        return value
    return _MISSING


def _item_schemas(shape: Shape, index: int) -> list[Any]:
    schemas = [
        prefix[index] if index < len(prefix) else items
        for prefix, items in shape.tuples
        if index < len(prefix) or items is not None
    ]
    return schemas if schemas or not shape.unevaluated_items else shape.unevaluated_items
