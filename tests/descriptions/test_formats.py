"""Which description a document is, from its own version field; the rest refused there."""

from typing import Any

import pytest

from apidock.descriptions.formats import SUPPORTED, SourceFormat, detect_format
from apidock.descriptions.loading import load_document
from apidock.descriptions.problems import DocumentRefused

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"


def refused(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(DocumentRefused) as refusal:
        detect_format(document)
    problems: list[dict[str, str]] = refusal.value.data
    assert len(problems) == 1
    return problems[0]


@pytest.mark.parametrize(
    ("document", "label"),
    [
        ({"openapi": "3.1.0", "paths": {}}, "openapi-3.1.0"),
        ({"openapi": "3.1.1", "webhooks": {}}, "openapi-3.1.1"),
        ({"openapi": "3.1.0", "components": {"schemas": {}}}, "openapi-3.1.0"),
        ({"openapi": "3.0.3", "paths": {}}, "openapi-3.0.3"),
        ({"openapi": "3.0.0", "paths": {}}, "openapi-3.0.0"),
        ({"swagger": "2.0", "paths": {}}, "swagger-2.0"),
        ({"info": {"schema": V21}, "item": []}, "postman-2.1.0"),
        ({"info": {"schema": V20}, "item": []}, "postman-2.0.0"),
        (
            {"info": {"schema": "https://schema.postman.com/json/collection/v2.1.0/"}, "item": []},
            "postman-2.1.0",
        ),
        (
            {"info": {"schema": "http://schema.getpostman.com/collection/v2.0.0"}, "item": []},
            "postman-2.0.0",
        ),
    ],
)
def test_known_formats_are_labelled_with_their_own_version(
    document: dict[str, Any], label: str
) -> None:
    found = detect_format(document)
    assert found.label == label
    assert found.notes == ()


def test_the_label_is_family_and_version() -> None:
    assert SourceFormat("openapi", "3.0.3").label == "openapi-3.0.3"
    assert SourceFormat("postman", "2.1.0").family == "postman"


def test_assumptions_come_as_notes() -> None:
    found = detect_format({"info": {"name": "No schema"}, "item": [{"name": "x"}]})
    assert found.label == "postman-2.1.0"
    assert [note.pointer for note in found.notes] == ["/info"]
    found = detect_format({"openapi": "3.0", "paths": {}})
    assert found.label == "openapi-3.0"
    assert [note.pointer for note in found.notes] == ["/openapi"]


def test_an_unquoted_yaml_version_is_read_as_its_text_with_a_note() -> None:
    for raw, label in (
        (b"openapi: 3.1\npaths: {}\n", "openapi-3.1"),
        (b"openapi: 3.0\npaths: {}\n", "openapi-3.0"),
        (b"swagger: 2.0\npaths: {}\n", "swagger-2.0"),
    ):
        found = detect_format(load_document(raw, media_type="application/yaml"))
        assert found.label == label
        assert len(found.notes) == 1
        assert "the number" in found.notes[0].message
    for document, field in (
        ({"openapi": 3.2, "paths": {}}, "/openapi"),
        ({"swagger": 2}, "/swagger"),
    ):
        assert refused(document)["field"] == field
    for version in (True, ["3.1.0"], None, {"v": 1}):
        problem = refused({"openapi": version, "paths": {}})
        assert problem["field"] == "/openapi"
        assert "must be a string" in problem["message"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"openapi": "3.2.0", "paths": {}}, "/openapi"),
        ({"openapi": "4.0.0", "paths": {}}, "/openapi"),
        ({"openapi": "2.0", "paths": {}}, "/openapi"),
        ({"openapi": "3.1.0-rc0", "paths": {}}, "/openapi"),
        ({"openapi": "3.01.0", "paths": {}}, "/openapi"),
        ({"swagger": "1.2", "paths": {}}, "/swagger"),
        ({"swagger": "3.0", "paths": {}}, "/swagger"),
        ({"swaggerVersion": "1.2", "apis": []}, "/swaggerVersion"),
        ({"info": {"schema": V21.replace("v2.1.0", "v1.0.0")}, "item": []}, "/info/schema"),
        ({"info": {"schema": V21.replace("v2.1.0", "v3.0.0")}, "item": []}, "/info/schema"),
        (
            {"info": {"schema": "https://example.com/collection/v2.1.0/"}, "item": []},
            "/info/schema",
        ),
        ({"info": {"schema": "http://[::1/collection/v2.1.0/"}, "item": []}, "/info/schema"),
        ({"info": {"schema": 2.1}, "item": []}, "/info/schema"),
        ({"id": "x", "name": "v1", "order": [], "requests": []}, ""),
        ({"title": "nothing known"}, ""),
        ({}, ""),
    ],
)
def test_unknown_formats_and_versions_are_refused_naming_what_is_taken(
    document: dict[str, Any], field: str
) -> None:
    problem = refused(document)
    assert problem["field"] == field
    assert problem["type"] in {"format.version", "format.unknown"}
    assert SUPPORTED in problem["message"]


def test_postman_v1_is_told_to_export_again() -> None:
    assert "export it again as v2.1" in refused({"requests": [], "order": []})["message"]
    v1 = {"info": {"schema": V21.replace("v2.1.0", "v1.0.0")}, "item": []}
    assert "export it again as v2.1" in refused(v1)["message"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"openapi": "3.1.0", "info": {}}, ""),
        ({"openapi": "3.1.0", "paths": None}, "/paths"),
        ({"openapi": "3.1.0", "webhooks": []}, "/webhooks"),
        ({"openapi": "3.0.3", "components": {"schemas": {}}}, ""),
        ({"openapi": "3.0.3", "paths": "none"}, "/paths"),
        ({"swagger": "2.0", "definitions": {}}, ""),
        ({"info": {"schema": V21}}, ""),
        ({"info": {"schema": V21}, "item": {}}, "/item"),
    ],
)
def test_a_document_with_nothing_to_import_is_refused(document: dict[str, Any], field: str) -> None:
    problem = refused(document)
    assert (problem["field"], problem["type"]) == (field, "format.content")
