"""What belongs to the document: webhooks, component schemas removed, and the version a
breaking change asks for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.diffing.walk_builders import Case, case_id, diff, document, operation, single

PET = {"type": "object"}


def hooks(**found: Any) -> dict[str, Any]:
    return document(webhooks=found)


def versioned(version: str, *, breaking: bool) -> dict[str, Any]:
    doc = single() if not breaking else document()
    doc["info"]["version"] = version
    return doc


def released(version: str) -> dict[str, Any]:
    return versioned(version, breaking=False)


new_pet = {"post": operation()}

CASES = [
    Case("webhook-added", hooks(), hooks(newPet=new_pet), near_new=hooks()),
    Case(
        "webhook-removed",
        hooks(newPet=new_pet),
        hooks(),
        near_new=hooks(newPet={"post": operation(summary="New")}),
    ),
    Case(
        "api-schema-removed",
        document(components={"schemas": {"Pet": PET}}),
        document(),
        near_new=document(components={"schemas": {"Pet": {}}}),
    ),
    Case(
        "api-version-not-bumped",
        released("1.2.0"),
        versioned("1.2.0", breaking=True),
        near_new=versioned("2.0.0", breaking=True),
    ),
    Case(
        "api-version-not-bumped",
        released("1.2.0"),
        versioned("1.2.0", breaking=True),
        near_new=released("1.2.0"),
    ),
    Case(
        "api-version-decreased",
        released("1.2.0"),
        versioned("1.1.9", breaking=True),
        near_new=versioned("v2.0.0", breaking=True),
    ),
    Case(
        "api-major-version-not-bumped",
        released("1.2.0"),
        versioned("1.3.0", breaking=True),
        near_new=versioned("2.0.0-rc.1", breaking=True),
    ),
    Case(
        "api-major-version-not-bumped",
        released("0.4.1"),
        versioned("0.4.2", breaking=True),
        near_new=versioned("0.5.0", breaking=True),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_rule(case: Case) -> None:
    case.check()


def test_versions_that_are_not_semantic_are_left_alone() -> None:
    assert [c.id for c in diff(released("2024-05"), versioned("2024-05", breaking=True))] == [
        "api-path-removed-without-deprecation"
    ]


def test_a_kept_webhook_is_walked_like_a_path() -> None:
    old = hooks(newPet={"post": operation()})
    new = hooks(newPet={"post": operation(), "put": operation()})
    new["webhooks"]["newPet"]["post"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {}},
    }
    changes = diff(old, new)
    assert [(c.id, c.operation, c.pointer) for c in changes] == [
        ("endpoint-added", "PUT webhook:newPet", "/webhooks/newPet/put"),
        ("request-body-added-required", "POST webhook:newPet", "/webhooks/newPet/post/requestBody"),
    ]


def test_document_changes_have_no_operation() -> None:
    (change,) = diff(hooks(newPet=new_pet), hooks())
    assert (change.operation, change.pointer, change.level) == (
        None,
        "/webhooks/newPet",
        "breaking",
    )
