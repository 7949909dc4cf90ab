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
from apidock.diffing.media import (
    ContentRules,
    MediaTypeRule,
    compare_content,
    contained,
    parameters_differ,
)
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
    changes += compare_content(
        walk,
        label,
        _content_rules(status),
        (old_response, old_pointer),
        (new_response, new_pointer),
    )
    return changes


def _content_rules(status: str) -> ContentRules:
    """The rules of the content of the response `status`."""
    response = f"the response {quoted(status)}"
    return ContentRules(
        place="response-body",
        removed=MediaTypeRule(
            "response-media-type-removed",
            lambda name: f"the media type {quoted(name)} was removed from {response}",
        ),
        added=MediaTypeRule(
            "response-media-type-added",
            lambda name: f"the media type {quoted(name)} was added to {response}",
        ),
        schema_added=MediaTypeRule(
            "response-body-media-type-schema-added",
            lambda name: f"a schema was added to the media type {quoted(name)} of {response}",
        ),
        schema_removed=MediaTypeRule(
            "response-body-media-type-schema-removed",
            lambda name: (
                f"the schema of the media type {quoted(name)} of {response} was removed: "
                "its body is no longer described"
            ),
        ),
        where=lambda name, several: (
            f"response {quoted(status)}" + (f", media type {quoted(name)}" if several else "")
        ),
        renamed=lambda label, old_name, new_name, at: _renamed(
            label, status, old_name, new_name, at
        ),
    )


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
