"""Every response, request-body and response-header schema of the real documents in
tests/documents, taken in as the import does, generated with two seeds and validated.

Decisions:
- The validator is independent of the generator: jsonschema-rs with format validation, the
  document registered once as a resource, and each schema reached by its own JSON Pointer in
  it (so its `$ref`s resolve exactly where the document put them).
- A GenerationLimit is a failure too unless the schema is listed in UNSATISFIABLE with the
  reason why no value can exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema_rs
import pytest

from apidock.descriptions.intake import take_in
from apidock.descriptions.json_values import local_target
from apidock.descriptions.parts import join_document
from apidock.descriptions.problems import child
from apidock.descriptions.refs import fragment_of
from apidock.descriptions.validation_vendored import refuse_retrieval
from apidock.mocking.generate import GenerationLimit, generate

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
MANIFEST: list[dict[str, Any]] = json.loads((DOCUMENTS / "manifest.json").read_text())
DOCUMENT_URI = "urn:apidock:test-document"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SEEDS = (1, 2)
_IDENTICAL_ONE_OF = "a oneOf whose branches are the same schema but for annotations"
_SELF_REQUIRED = "TreeNode requires `parent`, a TreeNode: no finite value exists"
_STRING_AND_INTEGER = "allOf of a string and an integer schema"
_LEGACY = "openapi-3.0/readme-legacy-api.json"
_JSON_BODY = "content/application~1json/schema"
# (document, pointer) -> why no value can satisfy the schema (each checked by hand).
UNSATISFIABLE: dict[tuple[str, str], str] = {
    **{
        ("openapi-3.0/readme-circular-request-bodies.json", f"/paths/~1direct/post/{part}"): (
            _SELF_REQUIRED
        )
        for part in (f"requestBody/{_JSON_BODY}", f"responses/200/{_JSON_BODY}")
    },
    (
        "openapi-3.0/readme-discriminators.yaml",
        f"/paths/~1potentially-undefined-formData/post/requestBody/{_JSON_BODY}",
    ): _IDENTICAL_ONE_OF,
    (_LEGACY, f"/components/responses/authUnauthorized/{_JSON_BODY}"): _IDENTICAL_ONE_OF,
    (_LEGACY, f"/paths/~1api-specification/post/responses/400/{_JSON_BODY}"): _IDENTICAL_ONE_OF,
    (_LEGACY, f"/paths/~1api-specification~1{{id}}/put/responses/400/{_JSON_BODY}"): (
        _IDENTICAL_ONE_OF
    ),
    (_LEGACY, f"/paths/~1version/post/responses/400/{_JSON_BODY}"): _IDENTICAL_ONE_OF,
    **{
        (
            "openapi-3.1/readme-schema-types.yaml",
            f"/paths/~1anything~1quirks~1polymorphism/{method}/requestBody/{_JSON_BODY}",
        ): _STRING_AND_INTEGER
        for method in ("patch", "put")
    },
}


def _through(document: dict[str, Any], value: Any, pointer: str) -> tuple[Any, str]:
    """A Reference Object followed to what it names (the pointer moves with it)."""
    for _ in range(16):
        if not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
            break
        reference = value["$ref"]
        target = local_target(document, reference)
        if target is None:
            break
        value, pointer = target, unquote(reference[1:])
    return value, pointer


def _content_schemas(document: dict[str, Any], holder: Any, at: str) -> Iterator[str]:
    content = holder.get("content") if isinstance(holder, dict) else None
    for media_type, media in (content or {}).items():
        if isinstance(media, dict) and "schema" in media:
            yield child(at, "content", media_type, "schema")


def schema_pointers(document: dict[str, Any]) -> Iterator[str]:
    """The pointers of the request-body, response and response-header schemas."""
    for section in ("paths", "webhooks"):
        for template, item in (document.get(section) or {}).items():
            item, item_at = _through(document, item, child("", section, template))
            for method in METHODS:
                operation = item.get(method) if isinstance(item, dict) else None
                if not isinstance(operation, dict):
                    continue
                at = child(item_at, method)
                body_at = child(at, "requestBody")
                body, body_at = _through(document, operation.get("requestBody"), body_at)
                yield from _content_schemas(document, body, body_at)
                for status, response in (operation.get("responses") or {}).items():
                    response_at = child(at, "responses", status)
                    response, response_at = _through(document, response, response_at)
                    yield from _content_schemas(document, response, response_at)
                    headers = response.get("headers") if isinstance(response, dict) else None
                    for name, header in (headers or {}).items():
                        header, header_at = _through(
                            document, header, child(response_at, "headers", name)
                        )
                        if isinstance(header, dict) and "schema" in header:
                            yield child(header_at, "schema")


def _taken_in(entry: dict[str, Any]) -> dict[str, Any]:
    raw = (DOCUMENTS / entry["file"]).read_bytes()
    return join_document(take_in(raw, media_type=None).parts)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda entry: entry["file"])
def test_every_schema_of_a_real_document_generates_valid_data(entry: dict[str, Any]) -> None:
    document = _taken_in(entry)
    registry = jsonschema_rs.Registry([(DOCUMENT_URI, document)], retriever=refuse_retrieval)
    failures: list[str] = []
    pointers = sorted(set(schema_pointers(document)))
    for pointer in pointers:
        schema = local_target(document, fragment_of(pointer))
        validator = jsonschema_rs.validator_for(
            {"$ref": DOCUMENT_URI + fragment_of(pointer)},
            registry=registry,
            validate_formats=True,
            offline=True,
        )
        for seed in SEEDS:
            try:
                value = generate(schema, document, seed)
            except GenerationLimit as limit:
                if (entry["file"], pointer) not in UNSATISFIABLE:
                    failures.append(f"{pointer} seed {seed}: GenerationLimit {limit}")
                continue
            if (entry["file"], pointer) in UNSATISFIABLE:
                failures.append(f"{pointer} seed {seed}: generated although listed unsatisfiable")
            errors = [
                f"{error.instance_path}: {error.message}" for error in validator.iter_errors(value)
            ]
            if errors:
                failures.append(f"{pointer} seed {seed}: {errors[:3]} in {json.dumps(value)[:300]}")
    assert failures == []


def test_the_corpus_has_schemas_to_generate() -> None:
    counted = sum(len(set(schema_pointers(_taken_in(entry)))) for entry in MANIFEST[:10])
    assert counted > 50
