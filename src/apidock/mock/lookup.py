"""Which app a mock request is for, whether it may be answered, and what answers it.

Every mock request asks the database one question, in one statement (`find_app`): the live
app of the slug, its flags, its stamp (`apidock.mock.stamps`) and whether the key sent is one
of its live keys. So a revoked key, a deleted app or a mock made private is refused by every
instance at its next request. What answers (`MockDocument`, built from the app's whole
description: CPU work, in a worker thread) is kept per app while its stamp stays the same, for
`CACHED_APPS` apps at most (the least recently used goes first); one build at a time per app,
the requests that wait for it sharing its result.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import anyio
from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps import service as apps
from apidock.apps.described_export import described_document
from apidock.apps.models import App
from apidock.db import CoreRunner, hot_statement
from apidock.mock.models import MockKey
from apidock.mock.stamps import MockStamp
from apidock.mocking.answers import MockDocument

CACHED_APPS = 64
Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
_BUILD_THREADS = anyio.CapacityLimiter(2)

_FIND_APP = hot_statement(
    "mock.find_app",
    select(
        App.id.label("id"),
        App.mock_public.label("public"),
        App.mock_strict.label("strict"),
        MockStamp.stamp.label("stamp"),
        exists()
        .where(
            and_(
                MockKey.app_id == App.id,
                MockKey.key_hash == bindparam("key_hash"),
                MockKey.revoked_at.is_(None),
            )
        )
        .label("keyed"),
    )
    .select_from(App)
    .outerjoin(MockStamp, MockStamp.app_id == App.id)
    .where(App.slug == bindparam("slug"), App.deleted_at.is_(None)),
)


@dataclass(frozen=True, slots=True)
class MockTarget:
    """A live app a mock request may be answered for."""

    app_id: int
    strict: bool
    stamp: str | None


async def find_app(core: CoreRunner, *, slug: str, key_hash: str | None) -> MockTarget | None:
    """The app of `slug` when its mock is public or `key_hash` is one of its live keys."""
    row = await core.fetch_one(_FIND_APP, {"slug": slug, "key_hash": key_hash or ""})
    if row is None or not (row["public"] or row["keyed"]):
        return None
    return MockTarget(app_id=row["id"], strict=bool(row["strict"]), stamp=row["stamp"])


@dataclass(slots=True)
class _Built:
    stamp: str | None
    document: MockDocument


class MockDocuments:
    """Each app's `MockDocument`, built once for each of its stamps."""

    def __init__(self, sessions: Sessions, *, size: int = CACHED_APPS) -> None:
        # where the app's rows are read (a test gives its own transaction's)
        self.sessions = sessions
        self._size = size
        self._built: OrderedDict[int, _Built] = OrderedDict()
        self._building: dict[tuple[int, str | None], asyncio.Future[MockDocument]] = {}

    async def of(self, target: MockTarget) -> MockDocument:
        built = self._built.get(target.app_id)
        if built is not None and built.stamp == target.stamp:
            self._built.move_to_end(target.app_id)
            return built.document
        key = (target.app_id, target.stamp)
        waiting = self._building.get(key)
        if waiting is not None:
            return await asyncio.shield(waiting)
        future: asyncio.Future[MockDocument] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            document = await self._build(target.app_id)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when none waited
            raise
        finally:
            del self._building[key]
        future.set_result(document)
        self._built[target.app_id] = _Built(target.stamp, document)
        self._built.move_to_end(target.app_id)
        while len(self._built) > self._size:
            self._built.popitem(last=False)
        return document

    def forget(self, app_id: int) -> None:
        self._built.pop(app_id, None)

    async def _build(self, app_id: int) -> MockDocument:
        async with self.sessions() as session:
            app = await session.get(App, app_id)
            if app is None:
                raise LookupError(app_id)
            parts, rows = await apps.read_description(session, app=app)

        def build() -> MockDocument:
            return MockDocument.build(described_document(parts, rows))

        return await anyio.to_thread.run_sync(build, limiter=_BUILD_THREADS)
