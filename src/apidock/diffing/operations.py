"""One operation present in both documents: its stability, deprecation and sunset, its
operationId and tags, then its parameters, request body, responses and security.

As in oasdiff, an operation whose new stability level is below the threshold (alpha or draft
by default) is only checked for that level: what changes in an unstable endpoint is allowed
to change. An unreadable level is reported only when the operation changed at all, so a
document compared with itself says nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from apidock.diffing import bodies, lifecycle, parameters, responses, security
from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.resolve import child
from apidock.diffing.walk import OperationPair, Walk, quoted, sequence

RULES: dict[str, Level] = {
    "api-operation-id-added": "info",
    "api-operation-id-removed": "info",
    "api-tag-added": "info",
    "api-tag-removed": "info",
}
declare(RULES)


def compare_operation(walk: Walk, pair: OperationPair) -> list[Change]:
    """Every change of one operation."""
    old_stability = lifecycle.stability_of(pair.old)
    new_stability = lifecycle.stability_of(pair.new)
    changes: list[Change] = []
    if old_stability is not None and new_stability is not None:
        moved = lifecycle.stability_change(
            old_stability, new_stability, pair.new_pointer, operation=pair.label, policy=walk.policy
        )
        if moved is not None:
            changes.append(moved)
    if new_stability is None or lifecycle.included(new_stability, walk.policy):
        changes += _lifecycle_changes(walk, pair, new_stability)
        changes += _identity_changes(pair)
        changes += parameters.compare_parameters(walk, pair, new_stability)
        changes += bodies.compare_request_bodies(walk, pair)
        changes += responses.compare_responses(walk, pair)
        changes += security.compare_operation_security(pair)
    if changes or _differ(pair.old, pair.new):
        if old_stability is None:
            changes.append(lifecycle.invalid_stability(pair.old, pair.old_pointer, pair.label))
        if new_stability is None:
            changes.append(lifecycle.invalid_stability(pair.new, pair.new_pointer, pair.label))
    return changes


def _differ(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two operations differ as written (one nested past Python's recursion limit,
    which no imported document is, counts as different rather than raising)."""
    try:
        return old != new
    except RecursionError:
        return True


def _lifecycle_changes(walk: Walk, pair: OperationPair, stability: str | None) -> list[Change]:
    """The endpoint's deprecation and sunset."""
    return lifecycle.deprecation_changes(
        lifecycle.OPERATION_DEPRECATION,
        (pair.old, pair.old_pointer),
        (pair.new, pair.new_pointer),
        subject="the endpoint",
        operation=pair.label,
        stability=stability,
        policy=walk.policy,
        today=walk.today,
    )


def _identity_changes(pair: OperationPair) -> list[Change]:
    """operationId and tags: what generated clients and documentation are organised by."""
    changes: list[Change] = []
    old_id, new_id = _operation_id(pair.old), _operation_id(pair.new)
    if old_id != new_id:
        at = ("operationId",)
        if not old_id:
            changes.append(
                _member_change(pair, "added", "api-operation-id-added", at, "operationId", new_id)
            )
        else:
            replaced = f", replaced with {quoted(new_id)}" if new_id else ""
            changes.append(
                _member_change(
                    pair, "removed", "api-operation-id-removed", at, "operationId", old_id, replaced
                )
            )
    old_tags, new_tags = _tags(pair.old), _tags(pair.new)
    changes += [
        _member_change(pair, "removed", "api-tag-removed", ("tags", old_tags[tag]), "tag", tag)
        for tag in sorted(old_tags.keys() - new_tags.keys())
    ]
    changes += [
        _member_change(pair, "added", "api-tag-added", ("tags", new_tags[tag]), "tag", tag)
        for tag in sorted(new_tags.keys() - old_tags.keys())
    ]
    return changes


def _member_change(
    pair: OperationPair,
    how: Literal["added", "removed"],
    rule: str,
    at: tuple[str | int, ...],
    noun: str,
    value: str,
    detail: str = "",
) -> Change:
    """`rule`: "the {noun} `value` was {how}{detail}", pointing at `at` inside the new
    operation when added, the old one when removed."""
    pointer = child(pair.new_pointer if how == "added" else pair.old_pointer, *at)
    message = f"the {noun} {quoted(value)} was {how}{detail}"
    return Change.of(rule, operation=pair.label, pointer=pointer, message=message)


def _operation_id(operation: dict[str, Any]) -> str:
    value = operation.get("operationId")
    return value if isinstance(value, str) else ""


def _tags(operation: dict[str, Any]) -> dict[str, int]:
    """Each tag with its first index."""
    found: dict[str, int] = {}
    for index, tag in enumerate(sequence(operation.get("tags"))):
        if isinstance(tag, str):
            found.setdefault(tag, index)
    return found
