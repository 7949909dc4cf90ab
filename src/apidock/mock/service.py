"""Mock keys and the mock log of an app: what the routes of `/apps/{id}/mock-*` do."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.models import App
from apidock.db import utcnow
from apidock.db.queries import lock_row
from apidock.errors import NotFound
from apidock.mock.keys import key_hash, new_key
from apidock.mock.models import KEY_PREFIX_LENGTH, MOCK_LOG_KEPT, MockKey, MockLogEntry
from apidock.work import Action, UnitOfWork


class MockAction(Action):
    KEY_CREATE = "mock_key.create"
    KEY_REVOKE = "mock_key.revoke"


async def create_key(work: UnitOfWork, *, app: App, name: str) -> tuple[MockKey, str]:
    """A new key of `app`'s mock, and its secret (never stored: only its SHA-256 is)."""
    secret = new_key()
    row = MockKey(
        app_id=app.id,
        name=name,
        key_hash=key_hash(secret),
        prefix=secret[:KEY_PREFIX_LENGTH],
        created_by=work.actor_id,
    )
    work.session.add(row)
    await work.audit(MockAction.KEY_CREATE, row, {"app_id": app.id})
    return row, secret


async def list_keys(session: AsyncSession, *, app: App) -> list[MockKey]:
    """`app`'s keys, live and revoked, oldest first."""
    found = await session.scalars(
        select(MockKey).where(MockKey.app_id == app.id).order_by(MockKey.id)
    )
    return list(found)


async def revoke_key(work: UnitOfWork, *, app: App, key_id: int) -> None:
    """Revoke `app`'s live key `key_id` (404 for another app's, a revoked or an unknown one):
    the next mock request with it is refused, on every instance."""
    await lock_row(work.session, MockKey, key_id)
    row = await work.session.get(MockKey, key_id, populate_existing=True)
    if row is None or row.app_id != app.id or row.revoked_at is not None:
        raise NotFound("Mock key not found")
    row.revoked_at = utcnow()
    await work.audit(MockAction.KEY_REVOKE, row, {"app_id": app.id})


async def read_log(session: AsyncSession, *, app: App) -> list[MockLogEntry]:
    """The app's last MOCK_LOG_KEPT mock requests, the newest first."""
    found = await session.scalars(
        select(MockLogEntry)
        .where(MockLogEntry.app_id == app.id)
        .order_by(MockLogEntry.id.desc())
        .limit(MOCK_LOG_KEPT)
    )
    return list(found)
