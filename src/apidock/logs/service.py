"""The audit trail: rows of `logs`, written in the transaction of the change they record."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    target_type: str | None,
    target_id: int | None,
    ip: str | None,
) -> Log:
    """Add an audit row for `action` by `actor_id` on a target; it lands only if the change does."""
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
