"""The request body of an operation: added or removed, made required or optional, its media
types added or removed, a media type's schema appearing or going, and each pair of schemas
handed to the schema comparison (`request-body`).

A request body is followed through `components/requestBodies`. A schema appearing where
there was none narrows what the server accepts (breaking); one going widens it (info).
"""

from __future__ import annotations

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.media import ContentRules, MediaTypeRule, compare_content
from apidock.diffing.resolve import child
from apidock.diffing.walk import OperationPair, Walk, quoted

RULES: dict[str, Level] = {
    "request-body-added-required": "breaking",
    "request-body-added-optional": "info",
    "request-body-removed": "breaking",
    "request-body-became-required": "breaking",
    "request-body-became-optional": "info",
    "request-body-media-type-added": "info",
    "request-body-media-type-removed": "breaking",
    "request-body-media-type-schema-added": "breaking",
    "request-body-media-type-schema-removed": "info",
}
declare(RULES)

_CONTENT = ContentRules(
    place="request-body",
    removed=MediaTypeRule(
        "request-body-media-type-removed",
        lambda name: f"the request body media type {quoted(name)} was removed",
    ),
    added=MediaTypeRule(
        "request-body-media-type-added",
        lambda name: f"the request body media type {quoted(name)} was added",
    ),
    schema_added=MediaTypeRule(
        "request-body-media-type-schema-added",
        lambda name: (
            f"a schema was added to the request body media type {quoted(name)}, "
            "which accepted anything before"
        ),
    ),
    schema_removed=MediaTypeRule(
        "request-body-media-type-schema-removed",
        lambda name: f"the schema of the request body media type {quoted(name)} was removed",
    ),
    where=lambda name, several: f"media type {quoted(name)}" if several else None,
)


def compare_request_bodies(walk: Walk, pair: OperationPair) -> list[Change]:
    """Every change of the operation's request body."""
    old_node, old_pointer = walk.old.deref(
        pair.old.get("requestBody"), child(pair.old_pointer, "requestBody")
    )
    new_node, new_pointer = walk.new.deref(
        pair.new.get("requestBody"), child(pair.new_pointer, "requestBody")
    )
    if not isinstance(new_node, dict):
        if not isinstance(old_node, dict):
            return []
        return [
            Change.of(
                "request-body-removed",
                operation=pair.label,
                pointer=old_pointer,
                message="the request body was removed: clients sending one may be refused",
            )
        ]
    new_required = new_node.get("required") is True
    if not isinstance(old_node, dict):
        return [
            Change.of(
                "request-body-added-required" if new_required else "request-body-added-optional",
                operation=pair.label,
                pointer=new_pointer,
                message=f"a{' required' if new_required else 'n optional'} request body was added",
            )
        ]
    changes: list[Change] = []
    if (old_node.get("required") is True) != new_required:
        changes.append(
            Change.of(
                "request-body-became-required" if new_required else "request-body-became-optional",
                operation=pair.label,
                pointer=child(new_pointer, "required"),
                message=f"the request body became {'required' if new_required else 'optional'}",
            )
        )
    changes += compare_content(
        walk, pair.label, _CONTENT, (old_node, old_pointer), (new_node, new_pointer)
    )
    return changes
