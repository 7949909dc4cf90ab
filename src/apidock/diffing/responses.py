"""The responses of an operation: statuses added or removed, their media types added, removed
or renamed, a media type's schema appearing or going, then each pair of schemas handed to
the schema comparison (`response-body`) and the headers to `headers`.

A response is followed through `components/responses`. Statuses are matched by their code
(`2xx` is `2XX`); a success is a 2xx code or the `2XX` range, anything else but `default` is
a non-success. Removing a success a client relies on breaks it; a media type renamed to a more
general one (`application/problem+json` → `application/json`) may carry what the client can't
read, while a more specific one is only `info`.
"""

from __future__ import annotations

from typing import Any, Literal

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.headers import compare_headers
from apidock.diffing.media import contained, pair_media_types, parameters_differ
from apidock.diffing.resolve import child
from apidock.diffing.walk import OperationPair, Walk, is_extension, mapping, quoted

RULES: dict[str, Level] = {
    "response-success-status-added": "info",
    "response-success-status-removed": "breaking",
    "response-non-success-status-added": "info",
    "response-non-success-status-removed": "info",
    "response-media-type-added": "info",
    "response-media-type-removed": "breaking",
    "response-media-type-name-changed": "info",
    "response-media-type-name-generalized": "breaking",
    "response-media-type-name-specialized": "info",
    "response-body-media-type-schema-added": "info",
    "response-body-media-type-schema-removed": "warning",
}
declare(RULES)

StatusClass = Literal["success", "non-success"]


def status_class(status: str) -> StatusClass | None:
    """Which family of rules a status belongs to (None for `default` and the unreadable)."""
    code = status.upper()
    if code.isdigit():
        return "success" if 200 <= int(code) <= 299 else "non-success"
    if len(code) == 3 and code[0] in "12345" and code[1:] == "XX":
        return "success" if code[0] == "2" else "non-success"
    return None


def compare_responses(walk: Walk, pair: OperationPair) -> list[Change]:
    """Every change of the operation's responses."""
    old_pointer, new_pointer = (
        child(pair.old_pointer, "responses"),
        child(pair.new_pointer, "responses"),
    )
    old = _by_code(pair.old.get("responses"))
    new = _by_code(pair.new.get("responses"))
    changes: list[Change] = []
    for code, (old_status, old_response) in sorted(old.items()):
        found = new.get(code)
        if found is None:
            changes += _status_change(
                "removed", pair.label, old_status, child(old_pointer, old_status)
            )
            continue
        new_status, new_response = found
        changes += compare_response(
            walk,
            pair.label,
            new_status,
            (old_response, child(old_pointer, old_status)),
            (new_response, child(new_pointer, new_status)),
        )
    for code, (new_status, _) in sorted(new.items()):
        if code not in old:
            changes += _status_change(
                "added", pair.label, new_status, child(new_pointer, new_status)
            )
    return changes


def _by_code(responses: Any) -> dict[str, tuple[str, Any]]:
    """Each status of a responses object (as written, and its response) by its upper-cased
    code."""
    return {
        str(status).upper(): (str(status), response)
        for status, response in mapping(responses).items()
        if not is_extension(str(status))
    }


def _status_change(
    kind: Literal["added", "removed"], label: str, status: str, pointer: str
) -> list[Change]:
    family = status_class(status)
    if family is None:
        return []
    return [
        Change.of(
            f"response-{family}-status-{kind}",
            operation=label,
            pointer=pointer,
            message=f"the {family} response {quoted(status)} was {kind}",
        )
    ]


def compare_response(
    walk: Walk, label: str, status: str, old: tuple[Any, str], new: tuple[Any, str]
) -> list[Change]:
    """Two responses of the same status: headers, media types, schemas."""
    old_node, old_pointer = walk.old.deref(*old)
    new_node, new_pointer = walk.new.deref(*new)
    old_response, new_response = mapping(old_node), mapping(new_node)
    changes = compare_headers(
        walk,
        label,
        status,
        (old_response.get("headers"), child(old_pointer, "headers")),
        (new_response.get("headers"), child(new_pointer, "headers")),
    )
    old_content, new_content = (
        mapping(old_response.get("content")),
        mapping(new_response.get("content")),
    )
    pairs, removed, added = pair_media_types(list(old_content), list(new_content))
    for name in removed:
        changes.append(
            Change.of(
                "response-media-type-removed",
                operation=label,
                pointer=child(old_pointer, "content", name),
                message=f"the media type {quoted(name)} was removed from the response "
                f"{quoted(status)}",
            )
        )
    for name in added:
        changes.append(
            Change.of(
                "response-media-type-added",
                operation=label,
                pointer=child(new_pointer, "content", name),
                message=f"the media type {quoted(name)} was added to the response {quoted(status)}",
            )
        )
    for old_name, new_name in pairs:
        at = child(new_pointer, "content", new_name)
        if old_name != new_name:
            changes.append(_renamed(label, status, old_name, new_name, at))
        several = f", media type {quoted(new_name)}" if len(new_content) > 1 else ""
        changes += _compare_media_type(
            walk,
            label,
            status,
            new_name,
            (old_content[old_name], child(old_pointer, "content", old_name)),
            (new_content[new_name], at),
            where=f"response {quoted(status)}{several}",
        )
    return changes


def _renamed(label: str, status: str, old_name: str, new_name: str, pointer: str) -> Change:
    if parameters_differ(old_name, new_name):
        rule, how = "response-media-type-name-changed", "changed"
    elif contained(old_name, new_name):
        rule, how = "response-media-type-name-specialized", "narrowed"
    else:
        rule, how = "response-media-type-name-generalized", "widened"
    return Change.of(
        rule,
        operation=label,
        pointer=pointer,
        message=f"the media type {quoted(old_name)} of the response {quoted(status)} was {how} "
        f"to {quoted(new_name)}",
    )


def _compare_media_type(
    walk: Walk,
    label: str,
    status: str,
    name: str,
    old: tuple[Any, str],
    new: tuple[Any, str],
    *,
    where: str,
) -> list[Change]:
    old_media, old_pointer = walk.old.deref(*old)
    new_media, new_pointer = walk.new.deref(*new)
    old_schema, new_schema = mapping(old_media).get("schema"), mapping(new_media).get("schema")
    media = f"the media type {quoted(name)} of the response {quoted(status)}"
    if old_schema is None and new_schema is not None:
        return [
            Change.of(
                "response-body-media-type-schema-added",
                operation=label,
                pointer=child(new_pointer, "schema"),
                message=f"a schema was added to {media}",
            )
        ]
    if old_schema is not None and new_schema is None:
        return [
            Change.of(
                "response-body-media-type-schema-removed",
                operation=label,
                pointer=child(old_pointer, "schema"),
                message=f"the schema of {media} was removed: its body is no longer described",
            )
        ]
    if old_schema is None or new_schema is None:
        return []
    return walk.schemas(
        "response-body",
        label,
        old_schema,
        child(old_pointer, "schema"),
        new_schema,
        child(new_pointer, "schema"),
        media_type=name,
        where=where,
    )
