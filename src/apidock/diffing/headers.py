"""The headers of a response: added, removed (a required one breaks clients reading it), made
optional, and their schemas handed to the schema comparison (`response-header`).

Headers are matched by name case-insensitively, as HTTP does, and followed through
`components/headers`.
"""

from __future__ import annotations

from typing import Any

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.parameters import schema_pairs
from apidock.diffing.resolve import child
from apidock.diffing.walk import Walk, mapping, quoted

RULES: dict[str, Level] = {
    "response-header-added": "info",
    "required-response-header-removed": "breaking",
    "optional-response-header-removed": "warning",
    "response-header-became-optional": "breaking",
}
declare(RULES)


def compare_headers(
    walk: Walk, label: str, status: str, old: tuple[Any, str], new: tuple[Any, str]
) -> list[Change]:
    """Every change between two responses' `headers` (each with its pointer)."""
    old_headers, new_headers = _by_name(old[0]), _by_name(new[0])
    where = f"the response {quoted(status)}"
    changes: list[Change] = []
    for key, (name, raw) in sorted(old_headers.items()):
        old_header, old_pointer = walk.old.deref(raw, child(old[1], name))
        found = new_headers.get(key)
        if found is None:
            required = mapping(old_header).get("required") is True
            changes.append(
                Change.of(
                    "required-response-header-removed"
                    if required
                    else "optional-response-header-removed",
                    operation=label,
                    pointer=child(old[1], name),
                    message=f"the {'required' if required else 'optional'} header {quoted(name)} "
                    f"was removed from {where}",
                )
            )
            continue
        new_name, new_raw = found
        new_header, new_pointer = walk.new.deref(new_raw, child(new[1], new_name))
        changes += _compare_header(
            walk,
            label,
            where,
            new_name,
            (mapping(old_header), old_pointer),
            (mapping(new_header), new_pointer),
        )
    for key, (name, _) in sorted(new_headers.items()):
        if key not in old_headers:
            changes.append(
                Change.of(
                    "response-header-added",
                    operation=label,
                    pointer=child(new[1], name),
                    message=f"the header {quoted(name)} was added to {where}",
                )
            )
    return changes


def _by_name(headers: Any) -> dict[str, tuple[str, Any]]:
    return {str(name).lower(): (str(name), header) for name, header in mapping(headers).items()}


def _compare_header(
    walk: Walk,
    label: str,
    where: str,
    name: str,
    old: tuple[dict[str, Any], str],
    new: tuple[dict[str, Any], str],
) -> list[Change]:
    (old_header, old_pointer), (new_header, new_pointer) = old, new
    changes: list[Change] = []
    if old_header.get("required") is True and new_header.get("required") is not True:
        changes.append(
            Change.of(
                "response-header-became-optional",
                operation=label,
                pointer=child(new_pointer, "required"),
                message=f"the header {quoted(name)} of {where} became optional",
            )
        )
    for media_type, old_schema, old_at, new_schema, new_at in schema_pairs(
        old_header, old_pointer, new_header, new_pointer
    ):
        changes += walk.schemas(
            "response-header",
            label,
            old_schema,
            old_at,
            new_schema,
            new_at,
            name=name,
            media_type=media_type,
            where=where,
        )
    return changes
