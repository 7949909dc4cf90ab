"""The mock's data generator: for schemas using every keyword it covers, the value is valid
(jsonschema-rs, Draft 2020-12, formats validated), the same for the same seed, and usually
another for another seed; recursion, optional properties, references and the budget."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

import jsonschema_rs
import pytest

from apidock.mocking.generate import GenerationLimit, generate

SEEDS = range(12)
PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "format": "int64", "readOnly": True},
        "name": {"type": "string", "minLength": 1},
        "tag": {"type": "string"},
        "category": {"$ref": "#/components/schemas/Category"},
        "photoUrls": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "status": {"$ref": "#/components/schemas/Status"},
        "secret": {"type": "string", "writeOnly": True},
    },
}
SCHEMAS: dict[str, Any] = {
    "Pet": PET,
    "Category": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {}}},
    "Status": {"type": "string", "enum": ["available", "pending", "sold"]},
    "Tree": {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
        },
    },
    "Person": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "employer": {"$ref": "#/components/schemas/Company"},
        },
    },
    "Company": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "ceo": {"$ref": "#/components/schemas/Person"}},
    },
    "Expression": {
        "oneOf": [
            {"type": "integer"},
            {
                "type": "object",
                "required": ["left", "right"],
                "properties": {
                    "left": {"$ref": "#/components/schemas/Expression"},
                    "right": {"$ref": "#/components/schemas/Expression"},
                },
                "additionalProperties": False,
            },
        ]
    },
    "Cat": {
        "type": "object",
        "required": ["kind", "lives"],
        "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer", "maximum": 9}},
    },
    "Dog": {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"const": "dog"}, "bark": {"type": "boolean"}},
    },
    "a/b": {"type": "string", "const": "slash"},
    "tilde~name": {"type": "integer", "const": 7},
    "with space": {"type": "boolean", "const": True},
}
DOCUMENT: dict[str, Any] = {"openapi": "3.1.0", "components": {"schemas": SCHEMAS}}


def check(
    schema: Any, document: dict[str, Any] = DOCUMENT, seeds: Iterable[int] = SEEDS
) -> list[Any]:
    """The values of `seeds`, each asserted valid for `schema` (its `$ref`s into `document`)."""
    validator = jsonschema_rs.validator_for(
        {**document, "allOf": [schema]}, validate_formats=True, offline=True
    )
    made = [generate(schema, document, seed) for seed in seeds]
    for value in made:
        errors = [
            f"{error.instance_path}: {error.message}" for error in validator.iter_errors(value)
        ]
        assert errors == [], json.dumps(value)
    return made


def distinct(values: list[Any]) -> int:
    return len({json.dumps(value, sort_keys=True) for value in values})


CASES: dict[str, Any] = {
    "anything": {},
    "true": True,
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean or null": {"type": ["boolean", "null"]},
    "string or integer": {"type": ["string", "integer"]},
    "null or object": {"type": ["null", "object"], "properties": {"a": {"type": "integer"}}},
    "enum": {"enum": ["red", 2, None, {"x": [1]}]},
    "typed enum": {"type": "string", "enum": ["a", "b", 3, "c"]},
    "enum with lengths": {"enum": ["a", "bb", "ccc", "dddd"], "minLength": 2, "maxLength": 3},
    "lengths": {"type": "string", "minLength": 5, "maxLength": 8},
    "long string": {"type": "string", "minLength": 300},
    "empty string only": {"type": "string", "maxLength": 0},
    "bounds": {"type": "integer", "minimum": -20, "maximum": -10},
    "exclusive bounds": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.5},
    "narrow bounds": {"type": "number", "minimum": 0.001, "maximum": 0.0011},
    "integer multipleOf": {"type": "integer", "multipleOf": 7, "minimum": 100},
    "decimal multipleOf": {"type": "number", "multipleOf": 0.01, "maximum": 5},
    "two multiples": {"type": "integer", "multipleOf": 4, "allOf": [{"multipleOf": 6}]},
    "fractional multiple": {"type": "number", "multipleOf": 0.25, "not": {"type": "integer"}},
    "int32 high": {"type": "integer", "format": "int32", "minimum": 2**31 - 10},
    "int64 low": {"type": "integer", "format": "int64", "maximum": -(2**63) + 10},
    "float": {"type": "number", "format": "float", "minimum": 1.5, "maximum": 2.5},
    "double": {"type": "number", "format": "double"},
    "untyped minimum": {"minimum": 10},
    "items": {"type": "array", "items": {"type": "integer", "minimum": 0}},
    "prefixItems": {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "items": False,
    },
    "prefixItems then items": {
        "type": "array",
        "prefixItems": [{"const": "head"}],
        "items": {"type": "boolean"},
        "minItems": 3,
    },
    "array bounds": {"type": "array", "minItems": 5, "maxItems": 6, "items": {"type": "string"}},
    "uniqueItems": {
        "type": "array",
        "uniqueItems": True,
        "minItems": 4,
        "items": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "contains": {"type": "array", "items": {"type": "integer"}, "contains": {"const": 42}},
    "minContains and maxContains": {
        "type": "array",
        "minItems": 4,
        "contains": {"type": "string"},
        "minContains": 2,
        "maxContains": 2,
        "items": {"type": ["string", "integer"]},
    },
    "unevaluatedItems": {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "unevaluatedItems": False,
    },
    "properties": {"$ref": "#/components/schemas/Pet"},
    "additionalProperties false": {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "additionalProperties": False,
        "minProperties": 1,
    },
    "a map": {"type": "object", "additionalProperties": {"type": "string", "format": "email"}},
    "patternProperties": {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "integer"}},
        "additionalProperties": False,
    },
    "propertyNames": {
        "type": "object",
        "propertyNames": {"pattern": "^[A-Z]{3}$"},
        "additionalProperties": {"type": "number"},
        "minProperties": 2,
    },
    "min and max properties": {
        "type": "object",
        "properties": {name: {"type": "integer"} for name in "abcdef"},
        "minProperties": 3,
        "maxProperties": 4,
    },
    "dependentRequired": {
        "type": "object",
        "properties": {"card": {"type": "string"}, "address": {"type": "string"}},
        "required": ["card"],
        "dependentRequired": {"card": ["address"]},
    },
    "dependentSchemas": {
        "type": "object",
        "properties": {"card": {"type": "string"}},
        "dependentSchemas": {
            "card": {"required": ["cvv"], "properties": {"cvv": {"type": "integer"}}}
        },
    },
    "unevaluatedProperties": {
        "allOf": [{"properties": {"a": {"type": "string"}}}],
        "properties": {"b": {"type": "integer"}},
        "unevaluatedProperties": False,
        "minProperties": 1,
    },
    "closure across allOf": {
        "allOf": [
            {"properties": {"a": {"type": "string"}}, "additionalProperties": False},
            {"properties": {"a": {"minLength": 2}, "b": {"type": "integer"}}},
        ],
        "type": "object",
    },
    "allOf merge": {
        "allOf": [
            {"$ref": "#/components/schemas/Pet"},
            {"required": ["tag"], "properties": {"tag": {"maxLength": 4}}},
        ]
    },
    "ref with siblings": {"$ref": "#/components/schemas/Pet", "required": ["status", "category"]},
    "escaped pointers": {
        "type": "array",
        "prefixItems": [
            {"$ref": "#/components/schemas/a~1b"},
            {"$ref": "#/components/schemas/tilde~0name"},
            {"$ref": "#/components/schemas/with%20space"},
        ],
        "minItems": 3,
    },
    "oneOf overlapping types": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    "oneOf overlapping ranges": {
        "type": "integer",
        "oneOf": [{"minimum": 0, "maximum": 100}, {"minimum": 50, "maximum": 150}],
    },
    "oneOf by const": {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]
    },
    "oneOf without a discriminating keyword": {
        "oneOf": [
            {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "a": {"type": "number"}},
            },
            {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "b": {"type": "string"}},
            },
        ],
        "discriminator": {"propertyName": "id"},
    },
    "anyOf": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "integer", "minimum": 5}]},
    "not type": {"not": {"type": ["string", "object", "array"]}},
    "not enum": {"type": "integer", "minimum": 1, "maximum": 5, "not": {"enum": [1, 2, 3]}},
    "not required": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "minProperties": 1,
        "not": {"required": ["a", "b"]},
    },
    "not a schema": {"type": "string", "not": {"pattern": "^[a-m]"}},
    "if then else": {
        "type": "object",
        "required": ["country"],
        "properties": {"country": {"enum": ["US", "NL"]}},
        "if": {"properties": {"country": {"const": "US"}}},
        "then": {"properties": {"postal": {"pattern": "^[0-9]{5}$"}}, "required": ["postal"]},
        "else": {
            "properties": {"postal": {"pattern": "^[0-9]{4} [A-Z]{2}$"}},
            "required": ["postal"],
        },
    },
    "tree": {"$ref": "#/components/schemas/Tree"},
    "mutual recursion": {"$ref": "#/components/schemas/Person"},
    "recursion through oneOf": {"$ref": "#/components/schemas/Expression"},
    "annotations": {
        "type": "object",
        "title": "T",
        "description": "d",
        "deprecated": True,
        "required": ["a"],
        "properties": {"a": {"type": "string", "readOnly": True, "xml": {"name": "A"}}},
        "x-extension": {"type": "integer"},
    },
    "non-local ref": {"$ref": "https://example.com/schemas/pet.json"},
    "unresolvable local ref": {"$ref": "#/components/schemas/Missing"},
    "pure reference loop": {"$ref": "#/components/schemas/LoopA"},
}
SINGLE_VALUED = {"empty string only", "escaped pointers"}
UNCHECKABLE = {"non-local ref", "unresolvable local ref", "pure reference loop"}
LOOPS = {
    "LoopA": {"$ref": "#/components/schemas/LoopB"},
    "LoopB": {"$ref": "#/components/schemas/LoopA"},
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_generated_value_is_valid_deterministic_and_varied(name: str) -> None:
    schema = CASES[name]
    if name in UNCHECKABLE:  # "anything": jsonschema-rs would fetch it, or refuses the loop
        document = {"components": {"schemas": LOOPS}}
        assert distinct([generate(schema, document, seed) for seed in SEEDS]) > 1
        return
    made = check(schema)
    assert [generate(schema, DOCUMENT, seed) for seed in SEEDS] == made
    if name not in SINGLE_VALUED:
        assert distinct(made) > 1


def test_time_and_date_time_carry_an_offset() -> None:
    times = check({"type": "string", "format": "time"}) + [
        value[11:] for value in check({"type": "string", "format": "date-time"})
    ]
    offsets = {value[-1] == "Z" or value[-6] in "+-" for value in times}
    assert offsets == {True}


@pytest.mark.parametrize(
    ("fmt", "low", "high"),
    [("int32", -(2**31), 2**31 - 1), ("int64", -(2**63), 2**63 - 1), ("uint8", 0, 255)],
)
def test_integer_formats_stay_in_their_range(fmt: str, low: int, high: int) -> None:
    above = check({"type": "integer", "format": fmt, "minimum": high - 3})
    below = check({"type": "integer", "format": fmt, "maximum": low + 3})
    assert all(high - 3 <= value <= high for value in above)
    assert all(low <= value <= low + 3 for value in below)


def test_examples_defaults_and_discriminators_are_not_used() -> None:
    schema = {
        "type": "string",
        "default": "DEFAULT",
        "example": "EXAMPLE",
        "examples": ["EXAMPLES"],
    }
    assert {"DEFAULT", "EXAMPLE", "EXAMPLES"}.isdisjoint(check(schema))


def test_optional_properties_are_included_sometimes() -> None:
    pets = check({"$ref": "#/components/schemas/Pet"}, seeds=range(20))
    assert {"tag" in pet for pet in pets} == {True, False}
    assert all("id" in pet and "name" in pet for pet in pets)
    assert any("secret" in pet for pet in pets)  # writeOnly (and readOnly) are ignored


def depth(tree: dict[str, Any]) -> int:
    return 1 + max((depth(child) for child in tree.get("children", [])), default=-1)


def test_a_recursive_schema_reaches_depth_two_and_is_cut() -> None:
    depths = [depth(tree) for tree in check({"$ref": "#/components/schemas/Tree"}, seeds=range(40))]
    assert max(depths) >= 2
    assert max(depths) <= 4


def test_plain_strings_and_arrays_stay_short() -> None:
    strings = check({"type": "string"}, seeds=range(30))
    arrays = check({"type": "array", "items": {"type": "integer"}}, seeds=range(30))
    assert max(len(text) for text in strings) <= 20
    assert {len(items) for items in arrays} <= {1, 2, 3}


def test_a_value_shares_no_container_with_the_document() -> None:
    listed = {"x": [1, 2]}
    document = {"components": {"schemas": {"Only": {"const": listed}}}}
    value = generate({"$ref": "#/components/schemas/Only"}, document, 3)
    value["x"].append(3)
    assert listed == {"x": [1, 2]}


def test_one_of_picks_a_value_matching_exactly_one_branch() -> None:
    numbers = check(CASES["oneOf overlapping types"], seeds=range(20))
    ranges = check(CASES["oneOf overlapping ranges"], seeds=range(20))
    assert all(not float(number).is_integer() for number in numbers)
    assert all(not 50 <= number <= 100 for number in ranges)


def test_a_ref_with_siblings_applies_both() -> None:
    pets = check(CASES["ref with siblings"])
    assert all({"id", "name", "status", "category"} <= set(pet) for pet in pets)


def test_the_budget_bounds_the_nodes_made() -> None:
    schema = {"type": "array", "minItems": 200, "items": {"type": "integer"}}
    assert len(generate(schema, DOCUMENT, 1)) >= 200
    with pytest.raises(GenerationLimit):
        generate(schema, DOCUMENT, 1, budget=100)


SCRIPT = """
import json, sys
from apidock.mocking.generate import generate
sys.path.insert(0, ".")
from tests.mocking.test_generate import CASES, DOCUMENT
print(json.dumps([generate(CASES[name], DOCUMENT, 5) for name in sys.argv[1:]]))
"""


def test_values_do_not_depend_on_the_hash_seed_of_the_process() -> None:
    names = ["properties", "a map", "patternProperties", "oneOf by const", "min and max properties"]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT, *names],
            capture_output=True,
            check=True,
            text=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        ).stdout
        for hash_seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
