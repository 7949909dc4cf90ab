"""Hostile and unsatisfiable schemas: the generator raises GenerationLimit at once (the test
finishing is the time bound), never hangs, never builds a huge value; and the schemas that
look hostile but can be met are met."""

from __future__ import annotations

import contextlib
import http.server
import threading
from typing import Any, ClassVar

import pytest

from apidock.mocking.generate import GenerationLimit, generate
from tests.mocking.test_generate import check


def chain(length: int, last: Any) -> dict[str, Any]:
    """`Step0` … `StepN`: each an anyOf of two references to the next, the last `last`:
    2**length ways down, every one ending in `last`."""
    schemas: dict[str, Any] = {f"Step{length}": last}
    for index in range(length):
        step = {"$ref": f"#/components/schemas/Step{index + 1}"}
        schemas[f"Step{index}"] = {"anyOf": [step, {**step, "title": "again"}]}
    return {"components": {"schemas": schemas}}


def nested_all_of(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"allOf": [schema]}
    return schema


LOOP = {
    "components": {
        "schemas": {
            "Loop": {
                "type": "object",
                "required": ["next"],
                "properties": {"next": {"$ref": "#/components/schemas/Loop"}},
            },
            "Ping": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/components/schemas/Pong"},
            },
            "Pong": {
                "type": "object",
                "required": ["ping"],
                "properties": {"ping": {"$ref": "#/components/schemas/Ping"}},
            },
        }
    }
}
HOSTILE: dict[str, Any] = {
    "minLength 10**9": {"type": "string", "minLength": 10**9},
    "minItems 10**9": {"type": "array", "minItems": 10**9},
    "minProperties 10**9": {"type": "object", "minProperties": 10**9},
    "nested minItems past the budget": {
        "type": "array",
        "minItems": 100,
        "items": {"type": "array", "minItems": 200, "items": {"type": "integer"}},
    },
    "minLength above maxLength": {"type": "string", "minLength": 5, "maxLength": 4},
    "minimum above maximum": {"type": "integer", "minimum": 5, "maximum": 4},
    "exclusive bounds on one value": {
        "type": "number",
        "exclusiveMinimum": 1,
        "exclusiveMaximum": 1,
    },
    "no multiple between the bounds": {
        "type": "integer",
        "multipleOf": 10,
        "minimum": 1,
        "maximum": 9,
    },
    "infinite minimum": {"type": "number", "minimum": float("inf")},
    "string and integer": {"allOf": [{"type": "string"}, {"type": "integer"}]},
    "disjoint enums": {"allOf": [{"enum": [1, 2]}, {"enum": [3, 4]}]},
    "conflicting consts": {"allOf": [{"const": "a"}, {"const": "b"}]},
    "enum against type": {"type": "string", "enum": [1, 2, None]},
    "false": False,
    "not anything": {"not": {}},
    "not true": {"not": True},
    "a lookahead that can't hold": {"type": "string", "pattern": "(?=x)y"},
    "patterns that exclude one another": {
        "type": "string",
        "allOf": [{"pattern": "^a+$"}, {"pattern": "^b+$"}],
    },
    "a repetition past the budget": {"type": "string", "pattern": "^a{1000000}$"},
    "nested repetitions past the budget": {"type": "string", "pattern": "^(a{1000}){1000}$"},
    "backtracking bait": {
        "type": "string",
        "minLength": 60,
        "allOf": [{"pattern": "^a{60}$"}, {"pattern": "^(a|aa)*c$"}],
    },
    "too few unique values": {
        "type": "array",
        "uniqueItems": True,
        "minItems": 3,
        "items": {"type": "boolean"},
    },
    "uuid of ten characters": {"type": "string", "format": "uuid", "maxLength": 10},
    "required but not allowed": {
        "type": "object",
        "required": ["a"],
        "additionalProperties": False,
    },
    "more required than maxProperties": {
        "type": "object",
        "required": ["a", "b"],
        "maxProperties": 1,
    },
    "required together and forbidden together": {
        "type": "object",
        "required": ["a", "b"],
        "not": {"required": ["a", "b"]},
    },
    "items false with minItems": {"type": "array", "items": False, "minItems": 1},
    "oneOf of twins": {"oneOf": [{"type": "string"}, {"type": "string"}]},
    "no branch at all": {"anyOf": [False, {"allOf": [{"type": "null"}, {"type": "boolean"}]}]},
}
IN_DOCUMENT: dict[str, tuple[Any, dict[str, Any]]] = {
    "required self-recursion": ({"$ref": "#/components/schemas/Loop"}, LOOP),
    "required mutual recursion": ({"$ref": "#/components/schemas/Ping"}, LOOP),
    "an exponential anyOf": ({"$ref": "#/components/schemas/Step0"}, chain(40, False)),
    "allOf nested 5000 deep": (nested_all_of(5000), {}),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_schema_no_value_or_no_small_value_satisfies_is_a_generation_limit(name: str) -> None:
    with pytest.raises(GenerationLimit):
        generate(HOSTILE[name], {}, 1)


@pytest.mark.parametrize("name", list(IN_DOCUMENT))
def test_a_document_that_never_ends_is_a_generation_limit(name: str) -> None:
    schema, document = IN_DOCUMENT[name]
    with pytest.raises(GenerationLimit):
        generate(schema, document, 1)


def test_a_small_budget_is_a_generation_limit_however_the_value_is_made() -> None:
    with pytest.raises(GenerationLimit):
        generate({"type": "string", "minLength": 50}, {}, 1, budget=10)
    with pytest.raises(GenerationLimit):
        generate({"type": "array", "minItems": 20, "items": {"type": "integer"}}, {}, 1, budget=10)


HARD_BUT_SATISFIABLE: dict[str, tuple[Any, dict[str, Any]]] = {
    "backtracking bait alone": ({"type": "string", "pattern": "^(a|aa)*b$", "minLength": 80}, {}),
    "a long anyOf chain that ends well": (
        {"$ref": "#/components/schemas/Step0"},
        chain(40, {"type": "integer"}),
    ),
    "allOf nested 50 deep": (nested_all_of(50), {}),
    "a large but allowed minItems": (
        {"type": "array", "minItems": 2000, "items": {"type": "boolean"}},
        {},
    ),
    "a large but allowed minLength": ({"type": "string", "minLength": 5000}, {}),
}


@pytest.mark.parametrize("name", list(HARD_BUT_SATISFIABLE))
def test_a_schema_that_looks_hostile_but_can_be_met_is_met(name: str) -> None:
    schema, document = HARD_BUT_SATISFIABLE[name]
    check(schema, document, seeds=range(3))


class _Recorder(http.server.BaseHTTPRequestHandler):
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = b'{"type": "integer"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/schema+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def test_a_reference_outside_the_document_is_never_fetched() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{server.server_port}/schema.json"
        schemas = [
            {"$ref": address},
            {"type": "integer", "not": {"allOf": [{"$ref": address}], "multipleOf": 2}},
            {"oneOf": [{"$ref": address}, {"type": "integer", "multipleOf": 3}]},
        ]
        for schema in schemas:
            for seed in range(3):
                with contextlib.suppress(GenerationLimit):
                    generate(schema, {}, seed)
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.asked == []
