"""What belongs to the document rather than to one path: webhooks added or removed (and the
operations of the ones kept, compared like paths'), component schemas removed, and whether
`info.version` says what the changes say.

A webhook kept on both sides is walked like a path named `webhook:<name>` (oasdiff's own
naming), so its operations are "POST webhook:newPet". The versioning rules speak only when a
breaking change was found and both versions are semantic versions: a breaking change wants a
major increase (a minor one below 1.0.0).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.paths import compare_path_items
from apidock.diffing.resolve import child
from apidock.diffing.walk import Walk, mapping, quoted

RULES: dict[str, Level] = {
    "webhook-added": "info",
    "webhook-removed": "breaking",
    "api-schema-removed": "info",
    "api-version-not-bumped": "info",
    "api-version-decreased": "info",
    "api-major-version-not-bumped": "info",
}
declare(RULES)

_SEMVER = re.compile(
    r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


def compare_webhooks(walk: Walk) -> list[Change]:
    old = mapping(walk.old.document.get("webhooks"))
    new = mapping(walk.new.document.get("webhooks"))
    changes = [
        Change.of(
            "webhook-removed",
            operation=None,
            pointer=child("/webhooks", name),
            message=f"the webhook {quoted(name)} was removed",
        )
        for name in sorted(old.keys() - new.keys())
    ]
    changes += [
        Change.of(
            "webhook-added",
            operation=None,
            pointer=child("/webhooks", name),
            message=f"the webhook {quoted(name)} was added",
        )
        for name in sorted(new.keys() - old.keys())
    ]
    for name in sorted(old.keys() & new.keys()):
        pointer = child("/webhooks", name)
        changes += compare_path_items(
            walk, f"webhook:{name}", (old[name], pointer), (new[name], pointer), {}
        )
    return changes


def compare_component_schemas(walk: Walk) -> list[Change]:
    """Schemas gone from `components/schemas` (info: nothing used them, or the operations
    using them report what changed)."""
    old = mapping(mapping(walk.old.document.get("components")).get("schemas"))
    new = mapping(mapping(walk.new.document.get("components")).get("schemas"))
    return [
        Change.of(
            "api-schema-removed",
            operation=None,
            pointer=child("/components/schemas", name),
            message=f"the schema {quoted(name)} was removed from the components",
        )
        for name in sorted(old.keys() - new.keys())
    ]


def versioning(walk: Walk, changes: Sequence[Change]) -> list[Change]:
    """The version rule a breaking change breaks, if any."""
    old_version = mapping(walk.old.document.get("info")).get("version")
    new_version = mapping(walk.new.document.get("info")).get("version")
    if not isinstance(old_version, str) or not isinstance(new_version, str):
        return []
    old_match, new_match = _SEMVER.fullmatch(old_version), _SEMVER.fullmatch(new_version)
    if old_match is None or new_match is None:
        return []
    if not any(change.level == "breaking" for change in changes):
        return []
    old_numbers = tuple(int(part) for part in old_match.groups())
    new_numbers = tuple(int(part) for part in new_match.groups())
    if old_version == new_version:
        rule, message = (
            "api-version-not-bumped",
            f"a breaking change, and the version stays {quoted(new_version)}",
        )
    elif new_numbers <= old_numbers:
        rule, message = (
            "api-version-decreased",
            f"a breaking change, and the version went down from {quoted(old_version)} to "
            f"{quoted(new_version)}",
        )
    elif not _major_bumped(old_numbers, new_numbers):
        rule, message = (
            "api-major-version-not-bumped",
            f"a breaking change, and the major version did not go up ({quoted(old_version)} "
            f"to {quoted(new_version)})",
        )
    else:
        return []
    return [Change.of(rule, operation=None, pointer="/info/version", message=message)]


def _major_bumped(old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    if old[0] == 0 and new[0] == 0:
        return new[1] > old[1]
    return new[0] > old[0]
