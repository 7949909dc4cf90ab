"""Groups: a tree per app, moved without cycles and deleted with or without what they hold."""

from __future__ import annotations

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from apidock.apis.models import Api
from apidock.apps import service as app_service
from apidock.apps.models import App
from apidock.db import utcnow
from apidock.db.queries import id_batches, lock_row, lock_row_and_reload
from apidock.errors import Conflict, NotFound, Unprocessable
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.groups.schemas import GroupCreate, GroupNode, GroupUpdate
from apidock.groups.tree import MAX_GROUP_DEPTH, MAX_GROUPS_PER_APP, depth_first
from apidock.logs import service as log_service


def search(*, app_id: int | None = None, pid: int | None = None) -> Select[ApiGroup]:
    """Live groups, by app and title, optionally of one app or one parent."""
    statement = (
        select(ApiGroup)
        .where(ApiGroup.deleted_at.is_(None))
        .order_by(ApiGroup.app_id, ApiGroup.title, ApiGroup.id)
    )
    if app_id is not None:
        statement = statement.where(ApiGroup.app_id == app_id)
    if pid is not None:
        statement = statement.where(ApiGroup.pid == pid)
    return statement


async def get(session: AsyncSession, *, group_id: int) -> ApiGroup | None:
    """The live group `group_id`, or None."""
    return await session.scalar(
        select(ApiGroup).where(ApiGroup.id == group_id, ApiGroup.deleted_at.is_(None))
    )


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
    return Unprocessable(
        message,
        data=[
            {
                "field": "body.pid",
                "message": f"groups nest at most {MAX_GROUP_DEPTH} levels deep",
                "type": "value_error",
            }
        ],
    )


async def _check_parent(session: AsyncSession, *, app_id: int | None, pid: int) -> None:
    """422 unless `pid` is the root or a live group of the same app."""
    if pid == ROOT_PID:
        return
    parent = await get(session, group_id=pid)
    if parent is None or parent.app_id != app_id:
        raise Unprocessable(
            "The parent group is not a group of this app",
            data=[
                {"field": "body.pid", "message": "no such group in this app", "type": "value_error"}
            ],
        )


async def _ensure_unique_title(
    session: AsyncSession, *, app_id: int | None, pid: int, title: str, exclude_id: int | None
) -> None:
    """409 when a live sibling already has `title`."""
    statement = select(func.count()).where(
        ApiGroup.app_id == app_id,
        ApiGroup.pid == pid,
        ApiGroup.title == title,
        ApiGroup.deleted_at.is_(None),
    )
    if exclude_id is not None:
        statement = statement.where(ApiGroup.id != exclude_id)
    if await session.scalar(statement):
        raise Conflict(f"A group under this parent is already titled {title!r}")


async def _ensure_room(session: AsyncSession, *, app_id: int) -> None:
    """409 when the app already holds MAX_GROUPS_PER_APP live groups."""
    held = await session.scalar(
        select(func.count())
        .select_from(ApiGroup)
        .where(ApiGroup.app_id == app_id, ApiGroup.deleted_at.is_(None))
    )
    if (held or 0) >= MAX_GROUPS_PER_APP:
        raise Conflict(
            f"An app holds at most {MAX_GROUPS_PER_APP} groups; delete one to add another"
        )


async def create(
    session: AsyncSession, *, group_in: GroupCreate, actor_id: int, ip: str
) -> ApiGroup:
    """A new group of a live app, at the root or under a group of the same app, at most
    MAX_GROUP_DEPTH levels deep."""
    # one change at a time per app's tree: the checks below see every committed sibling
    await lock_row(session, App, group_in.app_id)
    if await app_service.get(session, app_id=group_in.app_id) is None:
        raise Unprocessable(
            "No such app",
            data=[{"field": "body.app_id", "message": "no such app", "type": "value_error"}],
        )
    await _check_parent(session, app_id=group_in.app_id, pid=group_in.pid)
    if await _level(session, app_id=group_in.app_id, group_id=group_in.pid) >= MAX_GROUP_DEPTH:
        raise _too_deep(
            f"Groups nest at most {MAX_GROUP_DEPTH} levels deep; "
            "a group under this parent would lie deeper"
        )
    await _ensure_unique_title(
        session, app_id=group_in.app_id, pid=group_in.pid, title=group_in.title, exclude_id=None
    )
    await _ensure_room(session, app_id=group_in.app_id)
    group = ApiGroup(**group_in.model_dump())
    session.add(group)
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="group.create",
        target_type="api_group",
        target_id=group.id,
        ip=ip,
    )
    return group


async def update(
    session: AsyncSession, *, group: ApiGroup, group_in: GroupUpdate, actor_id: int, ip: str
) -> ApiGroup:
    """`group` renamed or moved; a move under itself or its own descendant is 409, a move
    that would put it or a group below it deeper than MAX_GROUP_DEPTH 422."""
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
        await _check_parent(session, app_id=group.app_id, pid=pid)
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
    for name, value in values.items():
        setattr(group, name, value)
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="group.update",
        target_type="api_group",
        target_id=group.id,
        ip=ip,
    )
    return group


async def delete(
    session: AsyncSession, *, group: ApiGroup, cascade: bool, actor_id: int, ip: str
) -> None:
    """Soft-delete `group`; with `cascade`, its subgroups and their APIs too, else 409 if any."""
    # a subgroup or an API added at the same time would otherwise stay live in a deleted group
    await lock_row(session, App, group.app_id)
    group_ids = {group.id} | await descendant_ids(session, group=group)
    api_ids = [
        api_id
        for batch in id_batches(group_ids)
        for api_id in await session.scalars(
            select(Api.id).where(Api.group_id.in_(batch), Api.deleted_at.is_(None))
        )
    ]
    if not cascade and (len(group_ids) > 1 or api_ids):
        raise Conflict(
            "The group still holds groups or APIs; delete them first or ask for cascade=true"
        )
    at = utcnow()
    await app_service.soft_delete_apis(session, api_ids=api_ids, at=at)
    for batch in id_batches(group_ids):
        await session.execute(
            update_rows(ApiGroup)
            .where(ApiGroup.id.in_(batch), ApiGroup.deleted_at.is_(None))
            .values(deleted_at=at)
            .execution_options(synchronize_session=False)
        )
    group.deleted_at = at
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="group.delete",
        target_type="api_group",
        target_id=group.id,
        ip=ip,
    )
