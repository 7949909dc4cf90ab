"""The group tree an imported document implies: one group per tag, nested by the tags' names.

An operation's group is the group of its first tag (SPEC). A tag's place in the tree comes
from, in this order: an `x-apidock-group-parent` extension naming its parent tag (the Postman
converter writes it for nested folders); else its name read as a path, `Parent / Child`, the
way API Dock's own export names a nested group; else the root. A title longer than a group's
(GROUP_TITLE_MAX characters) is cut, and a tag nested deeper than MAX_GROUP_DEPTH levels is
put in its deepest ancestor that fits, each with a warning; past MAX_GROUPS_PER_APP groups,
operations are left without a group, with a warning. The tags themselves stay in the
document exactly as written: the groups are the catalog's way through them, not their copy.
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
    memo: dict[str, tuple[tuple[str, ...], bool]] = {}
    groups: dict[tuple[str, ...], PlannedGroup] = {}
    full = False

    def place(name: str, at: str) -> tuple[str, ...] | None:
        nonlocal full
        if name in keys:
            return keys[name]
        key, cut = _key(name, declared, memo)
        if cut:
            where = " / ".join(key)[:200]
            report.warn(at, f"the tag {name[:80]!r} is in the group {where!r}", "group.title")
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


def _key(
    name: str,
    declared: dict[str, dict[str, Any]],
    memo: dict[str, tuple[tuple[str, ...], bool]],
) -> tuple[tuple[str, ...], bool]:
    """The titles from the root to the group of tag `name`, and whether they had to be cut
    to fit (a title to GROUP_TITLE_MAX characters, the depth to MAX_GROUP_DEPTH: a deeper tag's
    operations go to its deepest ancestor that fits).

    Each tag's chain is worked out once (`memo`): a deep folder tree costs time linear in its
    tags, not in their depth times their number.
    """
    chain: list[str] = []  # `name`, its parent, … up to the first tag already known
    seen: set[str] = set()
    anchor: str | None = None  # the nearest ancestor whose key is known
    current: str | None = name
    while current is not None and current not in seen:
        if current in memo:
            anchor = current
            break
        seen.add(current)
        chain.append(current)
        parent = declared.get(current, {}).get(PARENT_EXTENSION)
        current = parent if isinstance(parent, str) and parent in declared else None
    key, cut = memo[anchor] if anchor is not None else ((), False)
    parent_name = anchor
    for tag in reversed(chain):
        if parent_name is None:  # the root of the chain: its name read as a path
            titles = [title.strip() for title in tag.split(PATH_SEPARATOR)]
            titles = [title for title in titles if title] or [tag.strip() or tag]
        else:
            titles = [_own_title(tag, parent_name)]
        fitted = tuple(title[:GROUP_TITLE_MAX] for title in titles)
        tag_cut = cut or fitted != tuple(titles)
        key = (*key, *fitted)
        if len(key) > MAX_GROUP_DEPTH:
            key, tag_cut = key[:MAX_GROUP_DEPTH], True
        memo[tag] = (key, tag_cut)
        key, cut, parent_name = key, tag_cut, tag
    return memo[name]


def _own_title(name: str, parent: str) -> str:
    """A nested tag's own title: its name without its parent's path (`A / B` under `A`: `B`)."""
    prefix = parent + PATH_SEPARATOR
    return name[len(prefix) :] if name.startswith(prefix) and len(name) > len(prefix) else name
