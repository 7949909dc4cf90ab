"""Small OpenAPI 3.1 documents for the walk's tests, and the pair/near-pair table they share.

Each rule is tested by a `Case`: a pair of documents that must report it and a near pair
(usually the same old document with a smaller edit) that must not.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from apidock.diffing.changes import Change
from apidock.diffing.engine import diff_documents
from apidock.diffing.walk import DiffPolicy

TODAY = date(2025, 6, 1)
POLICY = DiffPolicy(today=TODAY)
PAST, FUTURE = "2025-01-15", "2025-12-31"

# Nodes of the wrong type (or references to nowhere) a hostile document puts anywhere.
HOSTILE_NODES: list[Any] = [
    None,
    1,
    "text",
    [],
    {},
    [1, "a"],
    {"$ref": "#/nowhere"},
    {"$ref": 5},
    True,
]


def document(paths: dict[str, Any] | None = None, **members: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "2025-06"},
        "paths": paths if paths is not None else {},
        **members,
    }


def operation(**members: Any) -> dict[str, Any]:
    return {"responses": {"200": {"description": "ok"}}, **members}


def single(path: str = "/pets", method: str = "get", **members: Any) -> dict[str, Any]:
    """A document with one operation whose members are `members` (responses by default)."""
    return document({path: {method: operation(**members)}})


def changed(base: dict[str, Any], edit: Any) -> dict[str, Any]:
    """A deep copy of `base` after `edit(copy)`."""
    result = copy.deepcopy(base)
    edit(result)
    return result


def diff(old: dict[str, Any], new: dict[str, Any], policy: DiffPolicy = POLICY) -> list[Change]:
    return diff_documents(old, new, policy=policy)


def rule_ids(old: dict[str, Any], new: dict[str, Any], policy: DiffPolicy = POLICY) -> list[str]:
    return [change.id for change in diff(old, new, policy)]


@dataclass(frozen=True)
class Case:
    """`rule` is reported from `old` to `new`, and not from `near_old` (`old` by default) to
    `near_new`."""

    rule: str
    old: dict[str, Any]
    new: dict[str, Any]
    near_new: dict[str, Any]
    near_old: dict[str, Any] | None = None
    policy: DiffPolicy = field(default=POLICY)

    def check(self) -> None:
        found = rule_ids(self.old, self.new, self.policy)
        assert self.rule in found, found
        near = rule_ids(
            self.old if self.near_old is None else self.near_old, self.near_new, self.policy
        )
        assert self.rule not in near, near


def case_id(case: Case) -> str:
    return case.rule
