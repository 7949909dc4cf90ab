"""Every operation of every document of the corpus (tests/documents, taken in to OpenAPI 3.1)
mocked: the default answer has the status and media type SPEC's order gives, a body made from
the schema is valid for it, the same request gives the same answer, and a `Prefer` seed gives
another generated body; named examples are served by name; credentials are asked for.

The expectations are worked out here from the document, independently of the mock's modules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from apidock.descriptions.intake import take_in
from apidock.descriptions.problems import pointer
from apidock.descriptions.refs import resolve_pointer
from apidock.mocking.answers import MockAnswer, MockDocument, MockRequest

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
MANIFEST: list[dict[str, Any]] = json.loads((DOCUMENTS / "manifest.json").read_text())
FILES = [entry["file"] for entry in MANIFEST]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
URI = "urn:test:document"
_PARAMETER = re.compile(r"\{[^{}]*\}")
# a TreeNode whose `parent` is a required TreeNode: no finite value exists, the answer is a 500
UNSATISFIABLE = {("openapi-3.0/readme-circular-request-bodies.json", "post /direct")}


@cache
def mocked(file: str) -> tuple[dict[str, Any], MockDocument]:
    document = take_in((DOCUMENTS / file).read_bytes(), media_type=None).document
    return document, MockDocument.build(document)


def resolved(document: Mapping[str, Any], value: Any) -> Any:
    for _ in range(10):
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return value
        value = resolve_pointer(document, value["$ref"][1:])
    raise AssertionError("a reference chain too long for the corpus")


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for template, item in document.get("paths", {}).items():
        item = resolved(document, item)
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield template, method, item[method]


def concrete_path(template: str) -> str:
    # a value no literal segment of the corpus has, so the template itself is matched
    return _PARAMETER.sub("v7", template)


def expected_choice(responses: Mapping[str, Any]) -> tuple[str, int] | None:
    """SPEC's order: the lowest 2xx, else 2XX, else default, else the lowest other code."""
    codes = [key for key in responses if not key.startswith("x-")]
    exact = sorted(int(key) for key in codes if key.isdigit())
    for code in exact:
        if 200 <= code < 300:
            return str(code), code
    if "2XX" in codes:
        return "2XX", 200
    if "default" in codes:
        return "default", 200
    others = [code for code in exact if code >= 200]
    return (str(others[0]), others[0]) if others else None


def credentials(document: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, Any]:
    """Headers and a query carrying the credentials of the first security alternative."""
    found: dict[str, Any] = {"headers": {}, "query": []}
    security = operation.get("security", document.get("security")) or [{}]
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name in security[0]:
        scheme = resolved(document, schemes.get(name, {}))
        kind, http = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        if kind in ("http", "oauth2", "openIdConnect"):
            given = f"{http.capitalize()} credential" if kind == "http" else "Bearer credential"
            # a second Authorization header, as the HTTP layer joins them
            earlier = found["headers"].get("authorization")
            found["headers"]["authorization"] = f"{earlier}, {given}" if earlier else given
        elif kind == "apiKey" and scheme["in"] == "header":
            found["headers"][scheme["name"].lower()] = "key"
        elif kind == "apiKey" and scheme["in"] == "query":
            found["query"].append(f"{scheme['name']}=key")
        elif kind == "apiKey" and scheme["in"] == "cookie":
            found["headers"]["cookie"] = f"{scheme['name']}=key"
    return found


def ask(
    mock: MockDocument,
    method: str,
    path: str,
    given: Mapping[str, Any],
    **more: str,
) -> MockAnswer:
    headers = {**given["headers"], **more}
    query = "&".join(given["query"]).encode()
    return mock.answer(MockRequest(method.upper(), path, query, headers, b""))


def validator(document: dict[str, Any], at: str) -> jsonschema_rs.Validator:
    registry = jsonschema_rs.Registry([(URI, document)])
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"{URI}#{at}"}, registry=registry, validate_formats=True
    )


def escaped(at: str) -> str:
    return at.replace("%", "%25").replace("{", "%7B").replace("}", "%7D")


def media_of(document: Mapping[str, Any], operation: Mapping[str, Any], code: str) -> Any:
    response = resolved(document, operation.get("responses", {}).get(code, {}))
    content = response.get("content") or {}
    first = next(iter(content), None)
    return first, resolved(document, content[first]) if first is not None else None


def comes_from_schema(media: Mapping[str, Any]) -> bool:
    """Whether the default body of `media` is made from its schema rather than an example."""
    examples = media.get("examples") or {}
    return "example" not in media and not any("value" in item for item in examples.values())


@pytest.mark.parametrize("file", FILES)
def test_the_default_answer_of_every_operation(file: str) -> None:
    document, mock = mocked(file)
    for template, method, operation in operations(document):
        given = credentials(document, operation)
        path = concrete_path(template)
        answer = ask(mock, method, path, given)
        label = f"{method} {template}"
        choice = expected_choice(operation.get("responses") or {})
        if choice is None:
            assert (answer.status, answer.body) == (200, b""), label
            continue
        code, status = choice
        if (file, label) in UNSATISFIABLE:
            assert answer.status == 500, label
            assert label.upper() in json.loads(answer.body)["detail"].upper()
            continue
        assert answer.status == status, (label, answer)
        assert answer.source != "error", (label, answer)
        media_type, media = media_of(document, operation, code)
        sent = dict(answer.headers).get("content-type")
        if method == "head" or status in (204, 304) or media_type is None or not media:
            assert answer.body == b"", label
            continue
        assert sent is not None, label
        assert sent.split(";")[0] == media_type.split(";")[0], label
        assert ask(mock, method, path, given) == answer, label
        schema_at = _schema_pointer(document, template, method, operation, code, media_type)
        if "json" in media_type and comes_from_schema(media) and schema_at is not None:
            errors = list(
                validator(document, escaped(schema_at)).iter_errors(json.loads(answer.body))
            )
            assert errors == [], (label, answer.body, [error.message for error in errors])


def _schema_pointer(
    document: Mapping[str, Any],
    template: str,
    method: str,
    operation: Mapping[str, Any],
    code: str,
    media_type: str,
) -> str | None:
    response = operation["responses"][code]
    if "$ref" in response:
        at = response["$ref"][1:]
        response = resolved(document, response)
    else:
        at = pointer("paths", template, method, "responses", code)
    media = response["content"][media_type]
    return f"{at}{pointer('content', media_type, 'schema')}" if "schema" in media else None


def test_a_prefer_seed_changes_most_generated_bodies() -> None:
    generated = changed = 0
    for file in FILES:
        document, mock = mocked(file)
        for template, method, operation in operations(document):
            given = credentials(document, operation)
            path = concrete_path(template)
            answer = ask(mock, method, path, given)
            if answer.source != "generated" or not answer.body:
                continue
            generated += 1
            other = ask(mock, method, path, given, prefer="seed=12345")
            assert other.status == answer.status
            changed += other.body != answer.body
    assert generated > 50
    assert changed > generated / 2


@pytest.mark.parametrize("file", FILES)
def test_every_named_example_is_served_by_name(file: str) -> None:
    document, mock = mocked(file)
    for template, method, operation in operations(document):
        given = credentials(document, operation)
        for code, response in (operation.get("responses") or {}).items():
            if not code.isdigit() or code in ("204", "304") or method == "head":
                continue
            for media_type, media in (resolved(document, response).get("content") or {}).items():
                for name, item in (resolved(document, media).get("examples") or {}).items():
                    item = resolved(document, item)
                    prefer = f'code={code}, example="{name}"'
                    answer = ask(mock, method, concrete_path(template), given, prefer=prefer)
                    if "value" not in item:
                        assert answer.status == 400
                        continue
                    assert (answer.status, answer.source) == (int(code), name)
                    if "json" in media_type:
                        assert json.loads(answer.body) == item["value"]


def test_secured_operations_ask_for_credentials() -> None:
    asked = 0
    for file in FILES:
        document, mock = mocked(file)
        for template, method, operation in operations(document):
            given = credentials(document, operation)
            if not given["headers"] and not given["query"]:
                continue
            answer = ask(mock, method, concrete_path(template), {"headers": {}, "query": []})
            assert answer.status == 401, (file, method, template)
            assert dict(answer.headers)["www-authenticate"]
            asked += 1
    assert asked > 20
