"""The group tree an imported document implies: one group per tag, nested by the tags' names.

An operation's group is the group of its first tag (SPEC). A tag's place in the tree comes
from, in this order: an `x-apidock-group-parent` extension naming its parent tag (the Postman
converter writes it for nested folders); else its name read as a path, `Parent / Child`, the
way API Dock's own export names a nested group; else the root. A tag whose title does not fit
a group (GROUP_TITLE_MAX characters, MAX_GROUP_DEPTH levels) becomes a root group of its name
cut to size, with a warning; past MAX_GROUPS_PER_APP groups, operations are left without a
group, with a warning. The tags themselves stay in the document exactly as written: the
groups are the catalog's way through them, not their copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from apidock.descriptions.parts import OperationPart
from apidock.descriptions.problems import Report, pointer
from apidock.groups.tree import MAX_GROUP_DEPTH, MAX_GROUPS_PER_APP

GROUP_TITLE_MAX = 80
PATH_SEPARATOR = " / "
PARENT_EXTENSION = "x-apidock-group-parent"


@dataclass(frozen=True, slots=True)
class PlannedGroup:
    """A group to create: `key` names it in the plan, `parent` is its parent's key or None."""

    key: tuple[str, ...]
    title: str

    @property
    def parent(self) -> tuple[str, ...] | None:
        return self.key[:-1] or None


@dataclass(slots=True)
class GroupPlan:
    """The groups in creation order (parents first) and each operation's group key."""

    groups: list[PlannedGroup]
    operation_groups: list[tuple[str, ...] | None]


def plan_groups(
    tags: list[Any] | None, operations: Iterable[OperationPart], report: Report
) -> GroupPlan:
    """The groups of `tags` and of the operations' first tags (see the module's doc)."""
    declared: dict[str, dict[str, Any]] = {}
    for tag in tags or ():
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            declared.setdefault(tag["name"], tag)
    keys: dict[str, tuple[str, ...]] = {}
    groups: dict[tuple[str, ...], PlannedGroup] = {}
    full = False

    def place(name: str, at: str) -> tuple[str, ...] | None:
        nonlocal full
        if name in keys:
            return keys[name]
        key = _key(name, declared)
        if key is None:
            key = (name[:GROUP_TITLE_MAX],)
            report.warn(at, f"the group of tag {name[:80]!r} is named {key[0]!r}", "group.title")
        missing = [key[:level] for level in range(1, len(key) + 1) if key[:level] not in groups]
        if len(groups) + len(missing) > MAX_GROUPS_PER_APP:
            if not full:
                message = f"an app holds at most {MAX_GROUPS_PER_APP} groups; later tags get none"
                report.warn(at, message, "group.limit")
                full = True
            return None
        for prefix in missing:
            groups[prefix] = PlannedGroup(prefix, prefix[-1])
        keys[name] = key
        return key

    for index, name in enumerate(declared):
        place(name, pointer("tags", index))
    operation_groups: list[tuple[str, ...] | None] = []
    for part in operations:
        first = _first_tag(part.operation)
        at = pointer("paths", part.path, part.method, "tags", 0)
        operation_groups.append(place(first, at) if first is not None else None)
    return GroupPlan(groups=list(groups.values()), operation_groups=operation_groups)


def _first_tag(operation: dict[str, Any]) -> str | None:
    tags = operation.get("tags")
    if isinstance(tags, list) and tags and isinstance(tags[0], str) and tags[0].strip():
        first: str = tags[0]
        return first
    return None


def _key(name: str, declared: dict[str, dict[str, Any]]) -> tuple[str, ...] | None:
    """The titles from the root to the group of tag `name`, or None when they don't fit."""
    titles: list[str] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None:
        if current in seen:  # a parent cycle: the chain so far stands, from the root
            break
        seen.add(current)
        parent = declared.get(current, {}).get(PARENT_EXTENSION)
        if isinstance(parent, str) and parent in declared and parent != current:
            prefix = declared[parent].get("name", parent)
            titles.append(_own_title(current, prefix))
            current = parent
        else:
            titles.extend(reversed(current.split(PATH_SEPARATOR)))
            current = None
    key = tuple(reversed(titles))
    fits = len(key) <= MAX_GROUP_DEPTH and all(
        title.strip() and len(title) <= GROUP_TITLE_MAX for title in key
    )
    return key if fits else None


def _own_title(name: str, parent: str) -> str:
    """A nested tag's own title: its name without its parent's path (`A / B` under `A`: `B`)."""
    prefix = parent + PATH_SEPARATOR
    return name[len(prefix) :] if name.startswith(prefix) and len(name) > len(prefix) else name
