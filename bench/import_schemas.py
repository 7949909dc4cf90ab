"""The schemas of bench/import_document.py's documents, and examples valid for them.

Each resource has its schema (fields of every common kind: bounded strings, patterns, enums,
integers with bounds, `Money` by `$ref`, booleans with defaults, nullable date-times as type
unions, arrays, an `anyOf` with null, nested objects, links to the resources made before it),
its settings as a schema of their own, and its create body (the fields not `readOnly`).
Examples are made from the schemas, so that each is valid for its schema.
"""

from __future__ import annotations

import random
from typing import Any

STATUSES = ("draft", "active", "paused", "archived", "deleted")
WORDS = (
    "the", "resource", "is", "returned", "when", "caller", "may", "read", "it", "and", "every",
    "field", "holds", "its", "value", "as", "stored", "after", "last", "update", "filters",
    "combine", "with", "a", "page", "cursor", "token", "scope", "limit", "rate", "per", "team",
)  # fmt: skip
FIELD_KINDS = ("text", "code", "count", "amount", "flag", "when", "choice", "labels", "maybe")


def pascal(word: str) -> str:
    return word[:1].upper() + word[1:]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def shared_schemas() -> dict[str, Any]:
    return {
        "Page": {
            "type": "object",
            "required": ["has_more"],
            "properties": {
                "has_more": {"type": "boolean"},
                "next_cursor": {"type": ["string", "null"], "maxLength": 200},
                "total": {"type": "integer", "minimum": 0},
            },
        },
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z_]+$"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
                "request_id": {"type": "string"},
            },
        },
        "Issue": {
            "type": "object",
            "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        },
        "Money": {
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "integer", "description": "In the currency's minor unit."},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]},
            },
        },
        "Address": {
            "type": "object",
            "properties": {
                "line1": {"type": "string", "maxLength": 120},
                "line2": {"type": ["string", "null"], "maxLength": 120},
                "city": {"type": "string"},
                "postal_code": {"type": "string"},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$", "examples": ["DE"]},
            },
        },
        "Metadata": {
            "type": "object",
            "maxProperties": 50,
            "additionalProperties": {"type": "string", "maxLength": 500},
        },
        "Link": {
            "type": "object",
            "required": ["rel", "href"],
            "properties": {"rel": {"type": "string"}, "href": {"type": "string", "format": "uri"}},
        },
    }


def _field(rng: random.Random, kind: str, noun: str, name: str) -> dict[str, Any]:
    described = {"description": f"The {name.replace('_', ' ')} of the {noun}."}
    if kind == "text":
        return described | {"type": "string", "maxLength": rng.choice((80, 200, 2000))}
    if kind == "code":
        return described | {"type": "string", "pattern": "^[A-Z0-9-]{4,32}$"}
    if kind == "count":
        return described | {"type": "integer", "minimum": 0, "maximum": 10 ** rng.randint(3, 9)}
    if kind == "amount":
        return ref("schemas", "Money")
    if kind == "flag":
        return described | {"type": "boolean", "default": False}
    if kind == "when":
        return described | {"type": ["string", "null"], "format": "date-time"}
    if kind == "choice":
        return described | {"type": "string", "enum": rng.sample(WORDS, 4)}
    if kind == "labels":
        return described | {
            "type": "array",
            "items": {"type": "string", "maxLength": 40},
            "uniqueItems": True,
            "maxItems": 20,
        }
    return described | {"anyOf": [ref("schemas", "Address"), {"type": "null"}]}


def resource_schema(rng: random.Random, name: str, noun: str, related: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid", "readOnly": True},
        "object": {"const": noun},
        "status": {"type": "string", "enum": list(STATUSES), "default": "draft"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "created_at": {"type": "string", "format": "date-time", "readOnly": True},
        "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
        "metadata": ref("schemas", "Metadata"),
        "links": {"type": "array", "items": ref("schemas", "Link"), "readOnly": True},
    }
    for number in range(rng.randint(2, 6)):
        kind = rng.choice(FIELD_KINDS)
        properties[f"{kind}_{number}"] = _field(rng, kind, noun, f"{kind} {number}")
    _relate(properties, related)
    properties["settings"] = ref("schemas", f"{name}Settings")
    return {
        "type": "object",
        "title": name,
        "description": sentence(rng, 20),
        "required": ["id", "object", "status", "name", "created_at"],
        "properties": properties,
    }


def settings_schema(noun: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"How the {noun} behaves.",
        "properties": {
            "notify": {"type": "boolean"},
            "retention_days": {"type": "integer", "minimum": 1, "maximum": 3650},
            "window": {
                "type": "object",
                "properties": {
                    "starts": {"type": "string", "format": "time"},
                    "ends": {"type": "string", "format": "time"},
                },
            },
        },
        "additionalProperties": False,
    }


def _relate(properties: dict[str, Any], related: list[str]) -> None:
    for other in related:
        properties[other[:1].lower() + other[1:] + "_id"] = {
            "type": "string",
            "format": "uuid",
            "description": f"The {other} it belongs to.",
        }
        properties[other[:1].lower() + other[1:]] = {
            "anyOf": [ref("schemas", other), {"type": "null"}],
            "readOnly": True,
            "description": f"The {other}, when asked for with `expand`.",
        }


def writable(resource: dict[str, Any], description: str) -> dict[str, Any]:
    properties = {
        key: value
        for key, value in resource["properties"].items()
        if key != "object" and not (isinstance(value, dict) and value.get("readOnly"))
    }
    return {
        "type": "object",
        "description": description,
        "required": ["name"],
        "properties": properties,
        "additionalProperties": False,
    }


def example_of(schema: dict[str, Any], schemas: dict[str, Any], rng: random.Random) -> Any:
    """A value valid for `schema`, refs followed once (a related resource's example is null)."""
    if "$ref" in schema:
        target = schema["$ref"].rsplit("/", 1)[1]
        return example_of(schemas[target], schemas, rng)
    if "anyOf" in schema:
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "examples" in schema:
        return schema["examples"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        if "properties" not in schema:
            return {"source": "import-bench"}
        return {key: example_of(value, schemas, rng) for key, value in schema["properties"].items()}
    if kind == "array":
        return [example_of(schema["items"], schemas, rng)]
    if kind == "integer":
        return rng.randint(schema.get("minimum", 0), min(schema.get("maximum", 1000), 1000))
    if kind == "boolean":
        return rng.random() < 0.5
    return {
        "uuid": f"3f1c9a52-7d0e-4b8a-9c61-{rng.randrange(10**12):012d}",
        "date-time": f"2024-05-{rng.randint(1, 28):02d}T10:30:00Z",
        "time": "08:00:00",
        "uri": "https://api.example.com/v1/things/1",
    }.get(schema.get("format", ""), "CODE-1234" if "pattern" in schema else "Example text")
