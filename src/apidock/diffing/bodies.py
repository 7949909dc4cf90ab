"""The request body of an operation: added or removed, made required or optional, its media
types added or removed, a media type's schema appearing or going, and each pair of schemas
handed to the schema comparison (`request-body`).

A request body is followed through `components/requestBodies`. A schema appearing where
there was none narrows what the server accepts (breaking); one going widens it (info).
"""

from __future__ import annotations

from typing import Any

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.media import pair_media_types
from apidock.diffing.resolve import child
from apidock.diffing.walk import OperationPair, Walk, mapping, quoted

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
    old_content, new_content = mapping(old_node.get("content")), mapping(new_node.get("content"))
    pairs, removed, added = pair_media_types(list(old_content), list(new_content))
    for name in removed:
        changes.append(
            Change.of(
                "request-body-media-type-removed",
                operation=pair.label,
                pointer=child(old_pointer, "content", name),
                message=f"the request body media type {quoted(name)} was removed",
            )
        )
    for name in added:
        changes.append(
            Change.of(
                "request-body-media-type-added",
                operation=pair.label,
                pointer=child(new_pointer, "content", name),
                message=f"the request body media type {quoted(name)} was added",
            )
        )
    for old_name, new_name in pairs:
        changes += _compare_media_type(
            walk,
            pair.label,
            new_name,
            (old_content[old_name], child(old_pointer, "content", old_name)),
            (new_content[new_name], child(new_pointer, "content", new_name)),
            where=f"media type {quoted(new_name)}" if len(new_content) > 1 else None,
        )
    return changes


def _compare_media_type(
    walk: Walk,
    label: str,
    name: str,
    old: tuple[Any, str],
    new: tuple[Any, str],
    *,
    where: str | None,
) -> list[Change]:
    old_media, old_pointer = walk.old.deref(*old)
    new_media, new_pointer = walk.new.deref(*new)
    old_schema, new_schema = mapping(old_media).get("schema"), mapping(new_media).get("schema")
    if old_schema is None and new_schema is not None:
        return [
            Change.of(
                "request-body-media-type-schema-added",
                operation=label,
                pointer=child(new_pointer, "schema"),
                message=f"a schema was added to the request body media type {quoted(name)}, "
                "which accepted anything before",
            )
        ]
    if old_schema is not None and new_schema is None:
        return [
            Change.of(
                "request-body-media-type-schema-removed",
                operation=label,
                pointer=child(old_pointer, "schema"),
                message=f"the schema of the request body media type {quoted(name)} was removed",
            )
        ]
    if old_schema is None or new_schema is None:
        return []
    return walk.schemas(
        "request-body",
        label,
        old_schema,
        child(old_pointer, "schema"),
        new_schema,
        child(new_pointer, "schema"),
        media_type=name,
        where=where,
    )
