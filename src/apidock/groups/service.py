"""Groups: a tree per app, moved without cycles and deleted with or without what they hold."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.apps import service as app_service
from apidock.apps.models import App
from apidock.database import utcnow
from apidock.exceptions import Conflict, Unprocessable
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.groups.schemas import GroupCreate, GroupNode, GroupUpdate
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
    """The live groups of an app as nested nodes, roots first, siblings by title."""
    groups = (await session.scalars(search(app_id=app_id))).all()
    nodes = {group.id: GroupNode.model_validate(group) for group in groups}
    roots: list[GroupNode] = []
    for group in groups:
        parent = nodes.get(group.pid)
        (parent.children if parent is not None else roots).append(nodes[group.id])
    return roots


async def descendant_ids(session: AsyncSession, *, group: ApiGroup) -> set[int]:
    """The ids of the live groups below `group`, at any depth, as the database has them now."""
    # columns, not objects: groups already in the session would keep a parent read earlier
    rows = await session.execute(
        select(ApiGroup.id, ApiGroup.pid).where(
            ApiGroup.app_id == group.app_id, ApiGroup.deleted_at.is_(None)
        )
    )
    children: dict[int, list[int]] = {}
    for group_id, pid in rows:
        children.setdefault(pid, []).append(group_id)
    found: set[int] = set()
    pending = list(children.get(group.id, []))
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, []))
    return found


async def _lock_tree(session: AsyncSession, *, app_id: int | None) -> None:
    """Take the app's row lock until the transaction ends: one move at a time per tree.

    Two moves checked at once (A under B, B under A) each see no cycle and together make one;
    the second waits here and then checks against the first's committed result. SQLite
    serialises writers already and ignores FOR UPDATE.
    """
    await session.execute(select(App.id).where(App.id == app_id).with_for_update())


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


async def create(
    session: AsyncSession, *, group_in: GroupCreate, actor_id: int, ip: str
) -> ApiGroup:
    """A new group of a live app, at the root or under a group of the same app."""
    if await app_service.get(session, app_id=group_in.app_id) is None:
        raise Unprocessable(
            "No such app",
            data=[{"field": "body.app_id", "message": "no such app", "type": "value_error"}],
        )
    await _check_parent(session, app_id=group_in.app_id, pid=group_in.pid)
    await _ensure_unique_title(
        session, app_id=group_in.app_id, pid=group_in.pid, title=group_in.title, exclude_id=None
    )
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
    """`group` renamed or moved; a move under itself or its own descendant is 409."""
    values = group_in.model_dump(exclude_unset=True)
    pid = values.get("pid", group.pid)
    if pid != group.pid:
        await _lock_tree(session, app_id=group.app_id)
        if pid == group.id or pid in await descendant_ids(session, group=group):
            raise Conflict("A group cannot move under itself or one of its descendants")
        await _check_parent(session, app_id=group.app_id, pid=pid)
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
    group_ids = {group.id} | await descendant_ids(session, group=group)
    api_ids = (
        await session.scalars(
            select(Api.id).where(Api.group_id.in_(group_ids), Api.deleted_at.is_(None))
        )
    ).all()
    if not cascade and (len(group_ids) > 1 or api_ids):
        raise Conflict(
            "The group still holds groups or APIs; delete them first or ask for cascade=true"
        )
    at = utcnow()
    await app_service.soft_delete_apis(session, api_ids=api_ids, at=at)
    await session.execute(
        update_rows(ApiGroup)
        .where(ApiGroup.id.in_(group_ids), ApiGroup.deleted_at.is_(None))
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
