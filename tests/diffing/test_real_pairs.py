"""The engine on successive public releases of real APIs (`tests/documents/diff/real/`).

Each pair is two releases of one API as its publisher shipped them (provenance and licences in
`manifest.json` beside them). What the engine must find was established by reading the two
documents, with a comparison written apart from the engine: an operation's request body that
appeared as required, a request property that became required, response properties that were
removed or became optional or nullable. Beyond those, what holds for any pair: the diff returns,
twice the same; a release against itself has no change; no operation was removed in these pairs,
so none is reported removed; and an operation only the later release has can only be an
addition, never a breaking change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from apidock.descriptions.intake import take_in
from apidock.diffing.changes import Change, at_least, catalogue
from apidock.diffing.engine import diff_documents

REAL = Path(__file__).resolve().parent.parent / "documents" / "diff" / "real"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Pair:
    name: str
    base: str
    revision: str
    # (rule id, operation) the engine must report, found by reading the two releases
    expected: tuple[tuple[str, str], ...]
    adds_operations: bool = True


PAIRS = (
    Pair(
        "moby-engine",
        "moby-engine-v1.43.yaml",
        "moby-engine-v1.44.yaml",
        (
            # ImageSummary.VirtualSize (optional) is gone from the image list's items
            ("response-optional-property-removed", "GET /images/json"),
            # ImageInspect.VirtualSize is gone too ...
            ("response-optional-property-removed", "GET /images/{name}/json"),
            # ... and ImageInspect.Created went from x-nullable: false to x-nullable: true
            ("response-property-became-nullable", "GET /images/{name}/json"),
            # the 201 body's `Warning` string became a `Warnings` array (ServiceCreateResponse)
            ("response-optional-property-removed", "POST /services/create"),
        ),
        adds_operations=False,  # 107 operations in both
    ),
    Pair(
        "blockfrost",
        "blockfrost-0.1.54.yaml",
        "blockfrost-0.1.60.yaml",
        (
            # both had no requestBody in 0.1.54; 0.1.60 gives them a required CBOR body
            ("request-body-added-required", "POST /tx/submit"),
            ("request-body-added-required", "POST /utils/txs/evaluate"),
        ),
    ),
    Pair(
        "adyen-legal-entity",
        "adyen-legal-entity-v2.yaml",
        "adyen-legal-entity-v3.yaml",
        (
            # BusinessLineInfo gains `service`, required
            ("new-required-request-property", "POST /businessLines"),
            # BusinessLine's `capability` is no longer required in what comes back
            ("response-property-became-optional", "GET /businessLines/{id}"),
            ("response-property-became-optional", "PATCH /businessLines/{id}"),
            ("response-property-became-optional", "POST /businessLines"),
        ),
    ),
    Pair(
        "adyen-transfers",
        "adyen-transfers-v3.yaml",
        "adyen-transfers-v4.yaml",
        (
            # Transaction loses accountHolderId, balanceAccountId, createdAt, reference, ...
            # all of them required in v3
            ("response-required-property-removed", "GET /transactions/{id}"),
            # Transfer loses balanceAccountId, paymentInstrumentId and priority (optional)
            ("response-optional-property-removed", "POST /transfers"),
        ),
    ),
)
REMOVAL_RULES = (
    "api-removed-without-deprecation",
    "api-removed-before-sunset",
    "api-path-removed-without-deprecation",
    "api-path-removed-before-sunset",
)


def _fresh(file: str) -> dict[str, Any]:
    return take_in((REAL / file).read_bytes(), media_type=None).document


@cache
def _diff(pair: Pair) -> list[Change]:
    return diff_documents(_fresh(pair.base), _fresh(pair.revision))


def _operations(document: dict[str, Any]) -> set[str]:
    """Every "METHOD /path" the document declares, read without the engine."""
    found: set[str] = set()
    for path, item in document.get("paths", {}).items():
        if isinstance(item, dict):
            found |= {f"{method.upper()} {path}" for method in METHODS if method in item}
    return found


def _shown(changes: list[Change]) -> str:
    return "\n".join(f"  {c.id} [{c.level}] {c.operation} {c.pointer}" for c in changes)


def test_the_manifest_names_every_file() -> None:
    manifest = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
    files = {entry[side]["file"] for entry in manifest for side in ("base", "revision")}
    assert files == {name for pair in PAIRS for name in (pair.base, pair.revision)}
    assert files == {path.name for path in REAL.glob("*.yaml")}
    assert all(entry["licence"] in {"MIT", "Apache-2.0"} for entry in manifest)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_the_diff_returns_declared_changes_the_same_twice(pair: Pair) -> None:
    first = _diff(pair)
    again = diff_documents(_fresh(pair.base), _fresh(pair.revision))
    assert first == again
    declared = catalogue()
    assert [c.id for c in first if declared.get(c.id) != c.level] == []


@pytest.mark.parametrize(
    "file", sorted({name for pair in PAIRS for name in (pair.base, pair.revision)})
)
def test_a_release_against_itself_has_no_change(file: str) -> None:
    changes = diff_documents(_fresh(file), _fresh(file))
    assert changes == [], _shown(changes)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_the_breaking_changes_read_by_hand_are_found(pair: Pair) -> None:
    changes = _diff(pair)
    reported = {(c.id, c.operation) for c in changes}
    missing = [expected for expected in pair.expected if expected not in reported]
    assert missing == [], f"missing {missing}; the engine reported:\n{_shown(changes)}"


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_no_operation_is_reported_removed(pair: Pair) -> None:
    kept = _operations(_fresh(pair.base)) <= _operations(_fresh(pair.revision))
    assert kept, "the pair's premise: every operation of the base is in the revision"
    removed = [c for c in _diff(pair) if c.id in REMOVAL_RULES]
    assert removed == [], _shown(removed)


@pytest.mark.parametrize(
    "pair", [pair for pair in PAIRS if pair.adds_operations], ids=lambda pair: pair.name
)
def test_an_operation_only_the_revision_has_is_an_addition(pair: Pair) -> None:
    added = _operations(_fresh(pair.revision)) - _operations(_fresh(pair.base))
    assert added, "the pair's premise: the revision adds operations"
    changes = _diff(pair)
    graver = [c for c in changes if c.operation in added and at_least(c.level, "warning")]
    assert graver == [], _shown(graver)
    announced = {c.operation for c in changes if c.id == "endpoint-added"}
    assert sorted(added - announced) == []
