"""The audit trail: rows of `logs`, written in the transaction of the change they record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log
from apidock.logs.schemas import CLIENT_ACTION_PREFIX, LogCreate
from apidock.work import UnitOfWork


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    target_type: str | None,
    target_id: int | None,
    ip: str | None,
) -> Log:
    """Add an audit row for `action` by `actor_id` on a target; it lands only if the change does.

    For a service that takes no unit of work yet; one that does calls `UnitOfWork.audit`."""
    log = Log(
        user_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip=ip,
    )
    session.add(log)
    await session.flush()
    return log


def search(
    *,
    user_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Log]:
    """Audit rows, newest first, filtered by what is given; `since` inclusive, `until` not."""
    statement = select(Log).order_by(Log.created_at.desc(), Log.id.desc())
    if user_id is not None:
        statement = statement.where(Log.user_id == user_id)
    if action is not None:
        statement = statement.where(Log.action == action)
    if target_type is not None:
        statement = statement.where(Log.target_type == target_type)
    if target_id is not None:
        statement = statement.where(Log.target_id == target_id)
    if since is not None:
        statement = statement.where(Log.created_at >= since)
    if until is not None:
        statement = statement.where(Log.created_at < until)
    return statement


async def create(work: UnitOfWork, *, log_in: LogCreate) -> Log:
    """An event recorded by a client, its action prefixed so it never passes for the server's."""
    return await work.record(
        f"{CLIENT_ACTION_PREFIX}{log_in.action}",
        target_type=log_in.target_type,
        target_id=log_in.target_id,
    )
