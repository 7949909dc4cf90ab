"""Validation of OpenAPI 3.1 documents, safe and in agreement: bounded answers, the verdict
of openapi-spec-validator, nothing fetched (a listener on 127.0.0.1 sees no request), the
validator compiled once."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions import validation
from apidock.descriptions.loading import MAX_PROBLEMS
from apidock.descriptions.problems import Problem
from apidock.descriptions.validation import MAX_DEPTH, validate_openapi31
from tests.descriptions.test_validation import valid_document


def test_a_document_nested_too_deep_is_one_problem_not_a_crash() -> None:
    document = valid_document()
    node = document["components"]["schemas"]["Order"]
    for _ in range(10_000):
        node["not"] = {}
        node = node["not"]
    [problem] = validate_openapi31(document)
    assert problem.type == "openapi.too_deep"
    assert problem.pointer.startswith("/components/schemas/Order/not/not/")
    assert problem.pointer.count("/") == MAX_DEPTH


def test_the_number_of_problems_is_bounded() -> None:
    document = valid_document()
    document["info"].update({f"extra{i}": i for i in range(MAX_PROBLEMS + 50)})
    assert len(validate_openapi31(document)) == MAX_PROBLEMS


def _spec_validator_accepts(document: dict[str, Any]) -> bool:
    class Local(OpenAPIV31SpecValidator):
        resolver_handlers = {}  # noqa: RUF012 - no file, no URL: nothing to resolve outside

    try:
        return next(iter(Local(document).iter_errors()), None) is None
    except Exception:  # it raises on some invalid documents (an unknown `type` name)
        return False


def _variants() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "valid", valid_document()
    changes: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
        ("no description", lambda d: d["paths"]["/orders"]["post"]["responses"]["201"].clear()),
        ("body", lambda d: d["components"]["parameters"]["Limit"].update({"in": "body"})),
        ("type", lambda d: d["components"]["schemas"]["Status"].update({"type": "text"})),
        (
            "duplicate id",
            lambda d: d["paths"]["/orders"]["post"].update(operationId="getOrder"),
        ),
        ("default", lambda d: d["components"]["schemas"]["Status"].update(default=1)),
        (
            "undeclared",
            lambda d: d["paths"].update(
                {"/a/{b}": {"get": {"responses": {"200": {"description": "a"}}}}}
            ),
        ),
        (
            "python regex",
            lambda d: d["components"]["schemas"]["Status"].update(pattern="^\\p{L}+$"),
        ),
    ]
    for name, change in changes:
        document = valid_document()
        change(document)
        yield name, document


@pytest.mark.parametrize(("name", "document"), list(_variants()))
def test_the_verdict_is_openapi_spec_validators(name: str, document: dict[str, Any]) -> None:
    assert (validate_openapi31(document) == []) is _spec_validator_accepts(document), name


class _Counting(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - one listener per test, reset by the fixture

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = json.dumps({"type": "string"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    """A tiny HTTP server on 127.0.0.1 that records every request; stopped at the end."""
    _Counting.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_nothing_is_fetched_whatever_the_document_names(listener: str) -> None:
    with urllib.request.urlopen(f"{listener}/probe", timeout=5) as answer:  # noqa: S310
        assert answer.status == 200
    assert _Counting.requests == ["/probe"]  # the listener does count what reaches it
    # What the checks of `default`s compile: a `$ref`, a `$schema`, a relative `$ref` under
    # an `$id`, each naming the listener.
    compiled = valid_document()
    compiled["jsonSchemaDialect"] = f"{listener}/dialect"
    schemas = compiled["components"]["schemas"]
    schemas["Remote"] = {"$ref": f"{listener}/schema", "default": "x"}
    schemas["Meta"] = {"$schema": f"{listener}/meta", "type": "string", "default": 1}
    schemas["Based"] = {"$id": f"{listener}/base/", "$ref": "a.json", "default": 2}
    compiled["paths"]["/remote"] = {"$ref": f"{listener}/path"}
    compiled["paths"]["/orders"]["get"]["parameters"].append({"$ref": f"{listener}/parameter"})
    # What a registry of the document would crawl and prefetch: a `$ref` in a `$defs`.
    crawled = valid_document()
    crawled["$defs"] = {"remote": {"$ref": f"{listener}/defs"}}
    crawled["components"]["schemas"]["Order"]["properties"]["id"]["default"] = 1
    for document in (compiled, crawled):
        problems = validate_openapi31(document)
        assert problems  # the dialect, the `$defs`: still checked, only not fetched
    assert _Counting.requests == ["/probe"]


def test_the_validator_is_compiled_once_even_by_concurrent_first_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = validation.document_validator()
    assert validation.document_validator() is compiled
    calls = []
    compile_once = validation._compile

    def counting() -> Any:
        calls.append(1)
        return compile_once()

    monkeypatch.setattr(validation, "_compiled", None)
    monkeypatch.setattr(validation, "_compile", counting)
    document = valid_document()
    results: list[list[Problem]] = []
    threads = [
        threading.Thread(target=lambda: results.append(validate_openapi31(document)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [[]] * 8
    assert calls == [1]


def test_a_pattern_of_thousands_of_class_escapes_is_judged_without_jsonschema_rs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """jsonschema-rs takes seconds to compile such a pattern: Python's `re` alone judges it."""
    from apidock.descriptions import validation_schemas

    compiled: list[Any] = []
    real = validation_schemas.jsonschema_rs.Draft202012Validator

    def counting(schema: Any, **options: Any) -> Any:
        if isinstance(schema, dict) and "pattern" in schema and len(schema) == 1:
            compiled.append(schema["pattern"])
        return real(schema, **options)

    monkeypatch.setattr(validation_schemas.jsonschema_rs, "Draft202012Validator", counting)
    assert validation_schemas._pattern_verdict("\\s" * 2000) is None
    assert validation_schemas._pattern_verdict("^\\w+$") is None
    assert compiled == ["^\\w+$"]
