"""The walk on whole documents: real descriptions compared with themselves and damaged at
random, and documents taken in from Swagger 2.0 and OpenAPI 3.0 compared like their 3.1
forms."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from apidock.descriptions.intake import take_in
from apidock.descriptions.problems import DocumentRefused
from apidock.diffing.engine import diff_documents
from tests.diffing.walk_builders import HOSTILE_NODES

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
MANIFEST = json.loads((DOCUMENTS / "manifest.json").read_text(encoding="utf-8"))


def _corpus() -> list[tuple[str, dict[str, Any]]]:
    taken = []
    for entry in MANIFEST:
        try:
            intake = take_in((DOCUMENTS / entry["file"]).read_bytes(), media_type=None)
        except DocumentRefused:
            continue
        taken.append((entry["file"], intake.document))
    return taken


CORPUS = _corpus()


def _mutations(doc: dict[str, Any], seed: int, count: int) -> dict[str, Any]:
    """`doc` with `count` nodes replaced at random by hostile ones."""
    result = copy.deepcopy(doc)
    chooser = random.Random(seed)
    for _ in range(count):
        parent: Any = result
        for _depth in range(chooser.randint(1, 8)):
            keys = (
                list(parent)
                if isinstance(parent, dict)
                else list(range(len(parent)))
                if isinstance(parent, list)
                else []
            )
            if not keys:
                break
            key = chooser.choice(keys)
            child = parent[key]
            if not isinstance(child, dict | list) or chooser.random() < 0.2:
                parent[key] = chooser.choice(HOSTILE_NODES)
                break
            parent = child
    return result


@pytest.mark.parametrize(("name", "doc"), CORPUS, ids=[name for name, _ in CORPUS])
def test_a_real_document_compared_with_itself_says_nothing(name: str, doc: dict[str, Any]) -> None:
    assert diff_documents(doc, copy.deepcopy(doc)) == []


@pytest.mark.parametrize(("name", "doc"), CORPUS[::4], ids=[name for name, _ in CORPUS[::4]])
def test_a_real_document_damaged_at_random_never_raises(name: str, doc: dict[str, Any]) -> None:
    for seed in range(8):
        damaged = _mutations(doc, seed, 12)
        assert isinstance(diff_documents(doc, damaged), list)
        assert isinstance(diff_documents(damaged, doc), list)


def test_every_operation_of_a_removed_real_path_is_reported() -> None:
    name, doc = next(
        (name, doc) for name, doc in CORPUS if name.endswith("swagger-petstore-v3.yaml")
    )
    smaller = copy.deepcopy(doc)
    del smaller["paths"]["/pet/{petId}"]
    removed = [
        c for c in diff_documents(doc, smaller) if c.id == "api-path-removed-without-deprecation"
    ]
    assert {c.operation for c in removed} == {
        "GET /pet/{petId}",
        "POST /pet/{petId}",
        "DELETE /pet/{petId}",
    }, name


SWAGGER_2 = """
swagger: "2.0"
info: {title: Pets, version: "1"}
produces: [application/json]
consumes: [application/json]
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key}
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, type: string}
    get:
      tags: [pets]
      parameters:
        - {name: limit, in: query, type: integer LIMIT_REQUIRED}
        EXTRA_PARAMETER
      responses:
        "200":
          description: ok
          schema: {type: object}
          HEADERS
        NOT_FOUND
    DELETE_OPERATION
"""
OPENAPI_30 = """
openapi: 3.0.3
info: {title: Pets, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer} LIMIT_REQUIRED}
        EXTRA_PARAMETER
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: object}}}
          HEADERS
        NOT_FOUND
    DELETE_OPERATION
"""


def _variant(template: str, *, swagger: bool, new: bool) -> dict[str, Any]:
    header = "{type: integer}" if swagger else "{schema: {type: integer}}"
    parameter = (
        "{name: sort, in: query, type: string}"
        if swagger
        else "{name: sort, in: query, schema: {type: string}}"
    )
    text = (
        template.replace(" LIMIT_REQUIRED", ", required: true" if new else "")
        .replace("EXTRA_PARAMETER", f"- {parameter}" if new else "")
        .replace("HEADERS", "" if new else f"headers: {{X-Rate: {header}}}")
        .replace("NOT_FOUND", "" if new else '"404": {description: gone}')
        .replace(
            "DELETE_OPERATION", "" if new else 'delete: {responses: {"204": {description: done}}}'
        )
    )
    if new:
        text = text.replace("/pets/{petId}", "/pets/{id}").replace("name: petId", "name: id")
        text = text.replace(
            "tags: [pets]",
            "tags: [pets, store]\n      deprecated: true\n      security: [{key: []}]",
        )
    return take_in(text.encode(), media_type="application/yaml").document


def test_swagger_2_and_openapi_30_compare_like_their_31_forms() -> None:
    found = []
    openapi_31 = OPENAPI_30.replace("openapi: 3.0.3", "openapi: 3.1.0")
    for template, swagger in ((SWAGGER_2, True), (OPENAPI_30, False), (openapi_31, False)):
        old, new = (
            _variant(template, swagger=swagger, new=False),
            _variant(template, swagger=swagger, new=True),
        )
        found.append([(c.id, c.operation) for c in diff_documents(old, new)])
    expected = [
        ("api-removed-without-deprecation", "DELETE /pets/{petId}"),
        ("api-security-added", "GET /pets/{petId}"),
        ("api-tag-added", "GET /pets/{petId}"),
        ("endpoint-deprecated", "GET /pets/{petId}"),
        ("request-parameter-became-required", "GET /pets/{petId}"),
        ("new-optional-request-parameter", "GET /pets/{petId}"),
        ("response-non-success-status-removed", "GET /pets/{petId}"),
        ("optional-response-header-removed", "GET /pets/{petId}"),
    ]
    assert sorted(found[0]) == sorted(found[1]) == sorted(found[2]) == sorted(expected)
