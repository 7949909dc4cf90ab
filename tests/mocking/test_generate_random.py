"""Random schemas mixing every keyword, nested and referring to each other: whatever the
generator makes is valid, and what it can't make is a GenerationLimit, never a wrong value or
another error. (The grammar is seeded, so a failure here is reproducible.)"""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema_rs
import pytest

from apidock.mocking.generate import GenerationLimit, generate

NAMES = ("p0", "p1", "p2", "p3")
REFS = ("#/components/schemas/A", "#/components/schemas/Tree", "#/components/schemas/Node")


def scalar(rng: random.Random) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    kind = rng.choice(["string", "integer", "number", "boolean", "null", None])
    if kind is not None:
        schema["type"] = kind
    if kind in ("string", None) and rng.random() < 0.5:
        options = {
            "minLength": rng.randint(0, 10),
            "maxLength": rng.randint(0, 30),
            "format": rng.choice(["date", "date-time", "email", "uuid", "uri", "ipv4", "time"]),
            "pattern": rng.choice(["^[a-z]+$", "^\\d{3}$", "x", "^(ab|cd)+$"]),
        }
        schema.update(rng.sample(sorted(options.items()), rng.randint(1, 2)))
    if kind in ("integer", "number", None) and rng.random() < 0.6:
        options = {
            "minimum": rng.choice([0, 1, -5, 2.5]),
            "maximum": rng.choice([0, 10, 1000, 3.5]),
            "exclusiveMinimum": rng.choice([0, 1.5]),
            "multipleOf": rng.choice([2, 3, 0.5, 0.1]),
            "format": rng.choice(["int32", "int64", "float"]),
        }
        schema.update(rng.sample(sorted(options.items()), rng.randint(1, 3)))
    if rng.random() < 0.15:
        schema["enum"] = rng.sample([1, 2, "a", "b", None, True, 2.5], rng.randint(1, 4))
    return schema


def compound(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return scalar(rng)
    if roll < 0.42:
        return {"$ref": rng.choice(REFS)}
    if roll < 0.62:
        properties = {name: compound(rng, depth + 1) for name in NAMES[: rng.randint(0, 4)]}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        extras = {
            "required": rng.sample(sorted(properties), len(properties) // 2),
            "additionalProperties": rng.choice([False, True, scalar(rng)]),
            "minProperties": rng.randint(0, 3),
            "maxProperties": rng.randint(1, 4),
            "patternProperties": {"^x_": scalar(rng)},
            "propertyNames": {"maxLength": 6},
            "dependentRequired": {"p0": ["p1"]},
            "unevaluatedProperties": False,
        }
        schema.update(rng.sample(sorted(extras.items()), rng.randint(0, 3)))
        return schema
    if roll < 0.78:
        schema = {"type": "array", "items": compound(rng, depth + 1)}
        extras = {
            "minItems": rng.randint(0, 4),
            "maxItems": rng.randint(1, 5),
            "uniqueItems": True,
            "prefixItems": [compound(rng, depth + 1) for _ in range(rng.randint(1, 2))],
            "contains": scalar(rng),
        }
        schema.update(rng.sample(sorted(extras.items()), rng.randint(0, 2)))
        return schema
    keyword = rng.choice(["allOf", "anyOf", "oneOf", "not", "if"])
    if keyword == "not":
        return {"not": compound(rng, depth + 1), **scalar(rng)}
    if keyword == "if":
        return {key: compound(rng, depth + 1) for key in ("if", "then", "else")}
    return {keyword: [compound(rng, depth + 1) for _ in range(rng.randint(1, 3))]}


def random_case(seed: int) -> tuple[Any, dict[str, Any]]:
    rng = random.Random(seed)
    tree = {
        "type": "object",
        "properties": {
            "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
            "value": scalar(rng),
        },
    }
    node = {
        "oneOf": [
            {"type": "string"},
            {"type": "object", "required": ["next"], "properties": {"next": {"$ref": REFS[2]}}},
        ]
    }
    schemas = {"A": compound(rng, 1), "Tree": tree, "Node": node}
    return compound(rng, 0), {"components": {"schemas": schemas}}


@pytest.mark.parametrize("batch", range(4))
def test_random_schemas_give_valid_values_or_a_generation_limit(batch: int) -> None:
    invalid: list[str] = []
    made = 0
    for seed in range(batch * 150, (batch + 1) * 150):
        schema, document = random_case(seed)
        try:
            validator = jsonschema_rs.validator_for(
                {**document, "allOf": [schema]}, validate_formats=True, offline=True
            )
        except jsonschema_rs.ValidationError:
            continue  # a schema the validator itself refuses
        for value_seed in (0, 1):
            try:
                value = generate(schema, document, value_seed)
            except GenerationLimit:
                continue
            made += 1
            if not validator.is_valid(value):
                invalid.append(f"case {seed}/{value_seed}: {json.dumps(value)[:200]}")
    assert invalid == []
    assert made > 150
