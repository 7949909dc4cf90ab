"""Every real document of the corpus (tests/documents) through the whole intake: taken in, cut
into parts and joined back into a valid OpenAPI 3.1 document that takes itself in unchanged;
an OpenAPI 3.1 document imported without a report entry comes back equal to itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions.dumping import dump_json
from apidock.descriptions.intake import take_in
from apidock.descriptions.loading import load_document
from apidock.descriptions.parts import join_document

DOCUMENTS = Path(__file__).parent.parent / "documents"
MANIFEST: list[dict[str, Any]] = json.loads((DOCUMENTS / "manifest.json").read_text())


def exported(raw: bytes, media_type: str | None = None) -> dict[str, Any]:
    return join_document(take_in(raw, media_type=media_type).parts)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda entry: entry["file"])
def test_a_real_document_becomes_a_valid_stable_31_document(entry: dict[str, Any]) -> None:
    raw = (DOCUMENTS / entry["file"]).read_bytes()
    intake = take_in(raw, media_type=None)
    assert intake.report.format.startswith(entry["format"])
    document = join_document(intake.parts)
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []
    first = dump_json(document)
    assert dump_json(exported(first, "application/json")) == first


@pytest.mark.parametrize(
    "entry",
    [entry for entry in MANIFEST if entry["format"] == "openapi-3.1"],
    ids=lambda entry: entry["file"],
)
def test_an_openapi_31_document_keeps_every_part(entry: dict[str, Any]) -> None:
    raw = (DOCUMENTS / entry["file"]).read_bytes()
    intake = take_in(raw, media_type=None)
    # an export says 3.1.0 (SPEC, "Export"), whatever 3.1 patch release the source named
    source = {**load_document(raw), "openapi": "3.1.0"}
    document = join_document(intake.parts)
    if not intake.report.warnings and not intake.report.lost:
        assert document == source
    # whatever the fixes did, every path, operation, component and top-level key is there
    assert set(document) == set(source)
    assert set(document.get("paths", {})) == set(source.get("paths", {}))
    for template, item in source.get("paths", {}).items():
        assert set(document["paths"][template]) == set(item)
    for kind, members in source.get("components", {}).items():
        assert set(document["components"][kind]) == set(members)
    assert document.get("webhooks", {}).keys() == source.get("webhooks", {}).keys()
