"""Groups: a tree per app, moved without cycles and deleted with or without what they hold."""

from __future__ import annotations

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from apidock.apps.models import App
from apidock.catalog import service as catalog
from apidock.catalog.cascade import followed
from apidock.db.queries import lock_row, lock_row_and_reload
from apidock.errors import Conflict, NotFound, Unprocessable
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.groups.schemas import GroupCreate, GroupNode, GroupUpdate
from apidock.groups.tree import MAX_GROUP_DEPTH, MAX_GROUPS_PER_APP, depth_first
from apidock.work import Action, UnitOfWork


class GroupAction(Action):
    CREATE = "group.create"
    UPDATE = "group.update"
    DELETE = "group.delete"

    @property
    def target_type(self) -> str:
        """Groups are stored as `api_groups`, and their audit rows say so, as the original's."""
        return "api_group"


def search(*, app_id: int | None = None, pid: int | None = None) -> Select[ApiGroup]:
    """Live groups, by app and title, optionally of one app or one parent."""
    order = (ApiGroup.app_id, ApiGroup.title, ApiGroup.id)
    return catalog.live_rows(ApiGroup, *order, equal={ApiGroup.app_id: app_id, ApiGroup.pid: pid})


async def tree(session: AsyncSession, *, app_id: int) -> list[GroupNode]:
    """The live groups of an app as nested nodes, roots first, siblings by title.

    Nodes nest at most MAX_GROUP_DEPTH + 1 levels: a group deeper than MAX_GROUP_DEPTH (only
    in a database written before the bound) is listed, depth first, among the children of
    its ancestor at that level, its `pid` naming its real parent. A ring of groups under
    each other (which this API never makes) follows the roots, from its first member.
    """
    groups = (await session.scalars(search(app_id=app_id))).all()
    roots: list[GroupNode] = []
    children_of: dict[int, list[GroupNode]] = {}
    for group, parent, level in depth_first(groups):
        node = GroupNode.model_validate(group)
        siblings = roots if parent is None else children_of[parent.id]
        siblings.append(node)
        children_of[group.id] = node.children if level <= MAX_GROUP_DEPTH else siblings
    return roots


async def _levels_below(session: AsyncSession, *, group: ApiGroup) -> list[set[int]]:
    """The ids of the live groups below `group`, level by level, as the database has them now."""
    # columns, not objects: groups already in the session would keep a parent read earlier
    rows = await session.execute(
        select(ApiGroup.id, ApiGroup.pid).where(
            ApiGroup.app_id == group.app_id, ApiGroup.deleted_at.is_(None)
        )
    )
    children: dict[int, list[int]] = {}
    for group_id, pid in rows:
        children.setdefault(pid, []).append(group_id)
    levels: list[set[int]] = []
    seen = {group.id}
    frontier = {group.id}
    # `seen` ends the walk on a ring of groups under each other, as a database may hold
    while frontier := {child for above in frontier for child in children.get(above, ())} - seen:
        seen |= frontier
        levels.append(frontier)
    return levels


async def descendant_ids(session: AsyncSession, *, group: ApiGroup) -> set[int]:
    """The ids of the live groups below `group`, at any depth, as the database has them now."""
    return set().union(*await _levels_below(session, group=group))


async def _level(session: AsyncSession, *, app_id: int | None, group_id: int) -> int:
    """The level of the live group `group_id` (1 at the root; 0 for the root itself).

    Counted up to MAX_GROUP_DEPTH + 1 only, so a tree deeper than the bound (written before
    it) costs no more, and a ring of groups under each other counts as deeper.
    """
    if group_id == ROOT_PID:
        return 0
    up = (
        select(ApiGroup.id, ApiGroup.pid, literal_column("1").label("level"))
        .where(ApiGroup.id == group_id)
        .cte("up", recursive=True)
    )
    parent = aliased(ApiGroup)
    up = up.union_all(
        select(parent.id, parent.pid, (up.c.level + 1).label("level"))
        .join(up, parent.id == up.c.pid)
        .where(
            parent.app_id == app_id,
            parent.deleted_at.is_(None),
            up.c.level <= MAX_GROUP_DEPTH,
        )
    )
    return int(await session.scalar(select(func.max(up.c.level))) or 0)


def _too_deep(message: str) -> Unprocessable:
    return catalog.invalid(
        "pid", f"groups nest at most {MAX_GROUP_DEPTH} levels deep", message=message
    )


async def in_app(work: UnitOfWork, *, group_id: int, app_id: int | None) -> bool:
    """Whether `group_id` is a live group of the app `app_id` (one an API or a group may be
    put in)."""
    group = await work.live(ApiGroup, group_id)
    return group is not None and group.app_id == app_id


async def _check_parent(work: UnitOfWork, *, app_id: int | None, pid: int) -> None:
    """422 unless `pid` is the root or a live group of the same app."""
    if pid != ROOT_PID and not await in_app(work, group_id=pid, app_id=app_id):
        raise catalog.invalid(
            "pid",
            "no such group in this app",
            message="The parent group is not a group of this app",
        )


async def _ensure_unique_title(
    session: AsyncSession, *, app_id: int | None, pid: int, title: str, exclude_id: int | None
) -> None:
    """409 when a live sibling already has `title`."""
    siblings = (ApiGroup.app_id == app_id, ApiGroup.pid == pid, ApiGroup.title == title)
    if await catalog.count_live(session, ApiGroup, *siblings, other_than=exclude_id):
        raise Conflict(f"A group under this parent is already titled {title!r}")


async def create(work: UnitOfWork, *, group_in: GroupCreate) -> ApiGroup:
    """A new group of a live app, at the root or under a group of the same app, at most
    MAX_GROUP_DEPTH levels deep."""
    session = work.session
    # one change at a time per app's tree: the checks below see every committed sibling
    no_app = catalog.invalid("app_id", "no such app", message="No such app")
    await catalog.lock_parent(work, App, group_in.app_id, no_app)
    await _check_parent(work, app_id=group_in.app_id, pid=group_in.pid)
    if await _level(session, app_id=group_in.app_id, group_id=group_in.pid) >= MAX_GROUP_DEPTH:
        raise _too_deep(
            f"Groups nest at most {MAX_GROUP_DEPTH} levels deep; "
            "a group under this parent would lie deeper"
        )
    await _ensure_unique_title(
        session, app_id=group_in.app_id, pid=group_in.pid, title=group_in.title, exclude_id=None
    )
    holds = f"An app holds at most {MAX_GROUPS_PER_APP} groups"
    await catalog.ensure_room(session, ApiGroup.app_id, group_in.app_id, holds, MAX_GROUPS_PER_APP)
    return await catalog.add(work, GroupAction.CREATE, ApiGroup(**group_in.model_dump()))


async def update(work: UnitOfWork, *, group: ApiGroup, group_in: GroupUpdate) -> ApiGroup:
    """`group` renamed or moved; a move under itself or its own descendant is 409, a move
    that would put it or a group below it deeper than MAX_GROUP_DEPTH 422."""
    session = work.session
    values = group_in.model_dump(exclude_unset=True)
    # Two moves checked at once (A under B, B under A) each see no cycle and together make
    # one; two renames each see the title free. With the app's lock, the second checks
    # against the first's committed result, this group's own title and parent included.
    if not await lock_row_and_reload(session, App, group.app_id, group):
        raise NotFound("Group not found")
    pid = values.get("pid", group.pid)
    if pid != group.pid:
        below = await _levels_below(session, group=group)
        if pid == group.id or any(pid in level for level in below):
            raise Conflict("A group cannot move under itself or one of its descendants")
        await _check_parent(work, app_id=group.app_id, pid=pid)
        # the moved group brings the levels below it along
        deepest = await _level(session, app_id=group.app_id, group_id=pid) + 1 + len(below)
        if deepest > MAX_GROUP_DEPTH:
            raise _too_deep(
                f"Groups nest at most {MAX_GROUP_DEPTH} levels deep; under this parent, "
                f"this group and the {len(below)} levels below it would lie deeper"
            )
    await _ensure_unique_title(
        session,
        app_id=group.app_id,
        pid=pid,
        title=values.get("title", group.title),
        exclude_id=group.id,
    )
    return await catalog.change(work, GroupAction.UPDATE, group, values)


async def delete(work: UnitOfWork, *, group: ApiGroup, cascade: bool) -> None:
    """Soft-delete `group`; with `cascade`, its subgroups and what follows them too (their
    APIs, as declared in `apidock.catalog.cascade`), else 409 if it holds any."""
    # a subgroup or an API added at the same time would otherwise stay live in a deleted group
    await lock_row(work.session, App, group.app_id)
    group_ids = {group.id} | await descendant_ids(work.session, group=group)
    if not cascade and (len(group_ids) > 1 or await followed(work.session, ApiGroup, group_ids)):
        raise Conflict(
            "The group still holds groups or APIs; delete them first or ask for cascade=true"
        )
    await catalog.delete(work, GroupAction.DELETE, group, with_ids=group_ids)
