"""Every real document of the corpus (tests/documents), taken in as an import takes it: its
planned requests made, and answers of every kind checked against it, strict or not, without a
crash; each failure is one of SPEC's checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apidock.contracts.checks import ContractChecker, Observed
from apidock.contracts.exchange import CHECKS
from apidock.contracts.spec_requests import planned_requests
from apidock.descriptions.intake import take_in

DOCUMENTS = Path(__file__).parent.parent / "documents"
MANIFEST: list[dict[str, Any]] = json.loads((DOCUMENTS / "manifest.json").read_text())
ANSWERS = [
    Observed(status, headers, body, 3.0)
    for status in (200, 201, 204, 400, 404, 500)
    for headers, body in (
        ({"content-type": "application/json"}, b'{"id": 1, "name": "x", "items": [1, "a"]}'),
        ({"content-type": "application/json; charset=utf-8"}, b"[{}]"),
        ({"content-type": "text/plain"}, b"plain"),
        ({"content-type": "application/xml", "x-rate-limit": "abc"}, b"<a/>"),
        ({}, b""),
    )
]


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda entry: entry["file"])
def test_a_real_document_plans_and_checks_without_a_crash(entry: dict[str, Any]) -> None:
    document = take_in((DOCUMENTS / entry["file"]).read_bytes(), media_type=None).document
    planned = planned_requests(document)
    operations = sum(
        1
        for item in document.get("paths", {}).values()
        for method in item
        if method in ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    )
    assert len(planned) == operations
    assert len({(request.method, request.path_template) for request in planned}) == operations
    checker = ContractChecker.build(document)
    for request in planned:
        assert request.path.startswith("/") or request.path_template == request.path
        assert "{" not in request.path
        assert (request.body is None) == (request.media_type is None)
        for answer in ANSWERS:
            for strict in (False, True):
                for failure in checker.check(
                    request.method, request.path_template, answer, strict=strict
                ):
                    assert failure.check in CHECKS
                    assert failure.message
