"""The shape of a group tree: how deep it may grow, and the one walk over it that the tree
of `/apis/groups/tree` and the tags of the OpenAPI export both follow.

Plain data in, plain data out: the walk is iterative, so no tree is too deep for it, and it
meets every group once, so a database written around the API (a group under itself, a ring
of groups under each other) cannot make it loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, TypeVar

# A group lies at most this many levels deep (1 at the root): a tree stays a size that its
# readers (nested JSON, tag names that spell the path) take in time linear in the groups.
MAX_GROUP_DEPTH = 32
# An app holds at most this many live groups: `/apis/groups/tree` answers them all, unpaged,
# to any reader, as often as asked.
MAX_GROUPS_PER_APP = 1000


class TreeGroup(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def pid(self) -> int: ...


G = TypeVar("G", bound=TreeGroup)


def depth_first(groups: Sequence[G]) -> Iterator[tuple[G, G | None, int]]:
    """Each group once, depth first: with the group it is met under (None at the top) and
    its level (1 at the top). Siblings come in the order of `groups`.

    A group whose parent is not among `groups` (the root, a deleted parent, itself) is at
    the top; so is, of each ring that no such group leads into, its first member in
    `groups`. A group deeper than MAX_GROUP_DEPTH exists only in a database written before
    the bound; it is met like any other, at its real level.
    """
    by_id = {group.id: group for group in groups}
    children: dict[int, list[G]] = {}
    tops: list[G] = []
    for group in groups:
        if group.pid in by_id and group.pid != group.id:
            children.setdefault(group.pid, []).append(group)
        else:
            tops.append(group)
    met: set[int] = set()

    def walk(top: G) -> Iterator[tuple[G, G | None, int]]:
        pending: list[tuple[G, G | None, int]] = [(top, None, 1)]
        while pending:
            group, parent, level = pending.pop()
            if group.id in met:
                continue
            met.add(group.id)
            yield group, parent, level
            below = children.get(group.id, [])
            pending.extend((child, group, level + 1) for child in reversed(below))

    for top in tops:
        yield from walk(top)
    # what is left lies on rings or under them: climb from it to its ring, whose first
    # member then stands at the top of all that hangs from the ring
    position = {group.id: index for index, group in enumerate(groups)}
    for group in groups:
        if group.id in met:
            continue
        path: list[int] = []
        on_path: set[int] = set()
        current = group.id
        while current not in on_path:
            path.append(current)
            on_path.add(current)
            current = by_id[current].pid
        ring = path[path.index(current) :]
        yield from walk(by_id[min(ring, key=position.__getitem__)])
