"""The Swagger 2.0 converter against the reference converter, swagger2openapi.

For each document (those made here to cover every rule, and every real one under
tests/documents/swagger-2.0/), the reference's output and ours must have the same
operations, parameters (name, in) per operation, request-body media types, response statuses
and their media types, component names per kind, and server URLs. Request bodies shared
between operations must be shared by the same operations (their names may differ: SPEC
"Export details").

The reference is installed outside the repository:
`npm install --no-audit --no-fund --prefix .tools/node swagger2openapi@7`, found at
`.tools/node/node_modules/.bin/swagger2openapi` or at `$APIDOCK_SWAGGER2OPENAPI`. Without it
these tests are skipped, and fail when `CI` is set. It runs once, over every document, in
one Node process (its `--patch --warnOnly` options: fix what it can, never stop).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions.from_swagger2 import convert_swagger2
from apidock.descriptions.loading import load_document
from apidock.descriptions.problems import DocumentRefused, Report
from tests.descriptions.swagger2_documents import MADE

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "documents" / "swagger-2.0"
DEFAULT_BINARY = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "swagger2openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Converts each file named on the command line with the package's own API, in one process.
BATCH = """
const converter = require(process.argv[1]);
const fs = require('fs');
(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      const document = JSON.parse(fs.readFileSync(file, 'utf8'));
      out[file] = (await converter.convertObj(document, {patch: true, warnOnly: true})).openapi;
    } catch (error) {
      out[file] = {error: String(error && error.message || error)};
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def _real_documents() -> dict[str, Any]:
    """Every real document, as the import reads it (None for one it refuses to read)."""
    documents: dict[str, Any] = {}
    for path in sorted(REAL.glob("*")):
        if path.suffix in (".json", ".yaml", ".yml"):
            try:
                documents[f"real/{path.name}"] = load_document(path.read_bytes())
            except DocumentRefused:
                documents[f"real/{path.name}"] = None
    return documents


def _reference_binary() -> Path:
    configured = os.environ.get("APIDOCK_SWAGGER2OPENAPI")
    return Path(configured) if configured else DEFAULT_BINARY


def _run_reference(binary: Path, documents: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is needed to run swagger2openapi"
    package = binary.resolve().parent
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for index, (name, document) in enumerate(documents.items()):
            path = Path(folder) / f"{index}.json"
            path.write_text(json.dumps(document), encoding="utf-8")
            files[str(path)] = name
        if (package / "index.js").exists():
            command = [node, "-e", BATCH, str(package / "index.js"), *files]
            done = subprocess.run(command, capture_output=True, check=True, timeout=60)
            results = json.loads(done.stdout)
        else:  # a wrapper named by APIDOCK_SWAGGER2OPENAPI: one run per document
            results = {}
            for file in files:
                command = [str(binary), "--patch", "--warnOnly", file]
                done = subprocess.run(command, capture_output=True, check=True, timeout=60)
                results[file] = json.loads(done.stdout)
    return {files[file]: result for file, result in results.items()}


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    binary = _reference_binary()
    if not binary.exists():
        message = f"swagger2openapi is not installed at {binary}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    documents = {
        name: document
        for name, document in {**MADE, **_real_documents()}.items()
        if document is not None
    }
    references = _run_reference(binary, documents)
    return {
        name: (references[name], convert_swagger2(document, Report()))
        for name, document in documents.items()
    }


def _follow(document: dict[str, Any], value: Any, kind: str) -> Any:
    prefix = f"#/components/{kind}/"
    for _ in range(8):
        ref = value.get("$ref") if isinstance(value, dict) else None
        if not (isinstance(ref, str) and ref.startswith(prefix)):
            break
        value = document.get("components", {}).get(kind, {}).get(ref[len(prefix) :], {})
    return value


def _operations(document: dict[str, Any]) -> dict[str, Any]:
    """What must agree, per operation `METHOD path`."""
    operations: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if path.startswith("x-") or not isinstance(item, dict):
            continue
        inherited = [_follow(document, p, "parameters") for p in item.get("parameters", [])]
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            own = [_follow(document, p, "parameters") for p in operation.get("parameters", [])]
            parameters = {(p.get("name"), p.get("in")) for p in inherited + own}
            body = _follow(document, operation.get("requestBody"), "requestBodies")
            responses = {
                status: sorted(_follow(document, response, "responses").get("content") or {})
                for status, response in (operation.get("responses") or {}).items()
                if not status.startswith("x-")
            }
            operations[f"{method.upper()} {path}"] = {
                "parameters": sorted(parameters, key=str),
                "request body": None if body is None else sorted(body.get("content") or {}),
                "responses": responses,
            }
    return operations


def _shared_bodies(document: dict[str, Any]) -> list[list[str]]:
    """Which operations share each request-body component (whatever its name)."""
    groups: dict[str, list[str]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if isinstance(body, dict) and isinstance(body.get("$ref"), str):
                groups.setdefault(body["$ref"], []).append(f"{method.upper()} {path}")
    return sorted(sorted(group) for group in groups.values())


def _component_names(document: dict[str, Any]) -> dict[str, list[str]]:
    components = document.get("components") or {}
    return {kind: sorted(names) for kind, names in components.items() if kind != "requestBodies"}


def _names() -> list[str]:
    return [*MADE, *_real_documents()]


def _pair(
    pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    if name not in pairs:
        pytest.skip("the import refuses to read this document: it is never converted")
    reference, ours = pairs[name]
    assert "error" not in reference, reference
    return reference, ours


@pytest.mark.parametrize("name", _names())
def test_the_same_operations_parameters_bodies_and_responses(
    pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str
) -> None:
    reference, ours = _pair(pairs, name)
    assert _operations(ours) == _operations(reference)


@pytest.mark.parametrize("name", _names())
def test_the_same_components_servers_and_shared_bodies(
    pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str
) -> None:
    reference, ours = _pair(pairs, name)
    assert _component_names(ours) == _component_names(reference)
    assert [s["url"] for s in ours.get("servers", [])] == [
        s["url"] for s in reference.get("servers", [])
    ]
    assert _shared_bodies(ours) == _shared_bodies(reference)


@pytest.mark.parametrize("name", sorted(MADE))
def test_each_made_document_converts_to_valid_openapi_31_without_changing_it(name: str) -> None:
    document = MADE[name]
    before = copy.deepcopy(document)
    result = convert_swagger2(document, Report())
    assert result["openapi"] == "3.1.0"
    assert not {"swagger", "definitions", "consumes", "produces", "host"} & set(result)
    assert list(OpenAPIV31SpecValidator(result).iter_errors()) == []
    assert document == before


def test_the_made_documents_cover_every_rule() -> None:
    """The hand-made set says each thing the converter has a rule for, at least once."""
    text = json.dumps(MADE)
    for needle in (
        '"in": "formData"',
        '"type": "file"',
        '"in": "body"',
        '"$ref": "#/parameters/',
        '"$ref": "#/responses/',
        '"x-nullable": true',
        '"discriminator": "',
        '"flow": "implicit"',
        '"flow": "password"',
        '"flow": "application"',
        '"flow": "accessCode"',
        '"type": "basic"',
        '"collectionFormat": "ssv"',
        '"collectionFormat": "pipes"',
        '"collectionFormat": "multi"',
        '"collectionFormat": "tsv"',
        '"examples": {"application/json"',
        '"headers": {',
        '"x-ms-paths"',
        '"x-ms-parameterized-host"',
    ):
        assert needle in text, needle
