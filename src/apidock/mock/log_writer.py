"""The mock log, written in batches off the request's path.

A mock request must not wait for a write: each answer adds one entry to a bounded in-memory
queue, and a task writes what is queued every `interval` in one INSERT, then keeps each
app's last `MOCK_LOG_KEPT` rows (two statements an app written to). The log's route flushes
the queue of its own process before it reads, so a request and then a look at the log agree
on one instance; another instance's entries arrive within `interval`. If the database
cannot take a batch, the batch is dropped with a warning: the mock keeps answering.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select

from apidock.mock.lookup import Sessions
from apidock.mock.models import (
    LOG_PATH_MAX_LENGTH,
    LOG_SOURCE_MAX_LENGTH,
    MOCK_LOG_KEPT,
    MockLogEntry,
)

logger = logging.getLogger("apidock.mock")
MAX_PENDING = 10_000


@dataclass(frozen=True, slots=True)
class LogEntry:
    app_id: int
    at: datetime
    method: str
    path: str
    status: int
    source: str

    def row(self) -> dict[str, object]:
        return {
            "app_id": self.app_id,
            "at": self.at,
            "method": self.method[:16],
            "path": self.path[:LOG_PATH_MAX_LENGTH],
            "status": self.status,
            "source": self.source[:LOG_SOURCE_MAX_LENGTH],
        }


def newest_of_each_app(batch: list[LogEntry]) -> list[LogEntry]:
    """The entries of `batch` that can still be among their app's last MOCK_LOG_KEPT, in
    order: a busy mock queues thousands a batch, and inserting them all only to delete them
    held the event loop for tens of milliseconds."""
    seen: dict[int, int] = {}
    kept: list[LogEntry] = []
    for entry in reversed(batch):
        count = seen.get(entry.app_id, 0)
        if count < MOCK_LOG_KEPT:
            seen[entry.app_id] = count + 1
            kept.append(entry)
    kept.reverse()
    return kept


class MockLogWriter:
    def __init__(self, sessions: Sessions, *, interval: float | None = 0.25) -> None:
        """`interval` None: written only by `flush` (a test's single connection)."""
        # where the entries are written (a test gives its own transaction's)
        self.sessions = sessions
        self._interval = interval
        self._pending: list[LogEntry] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def add(self, entry: LogEntry) -> None:
        """Queue `entry` (never waits); past MAX_PENDING the entry is counted and dropped."""
        if len(self._pending) >= MAX_PENDING:
            self.dropped += 1
            return
        self._pending.append(entry)
        if self._interval is not None and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._write_soon())

    async def _write_soon(self) -> None:
        await asyncio.sleep(self._interval or 0)
        await self.flush()

    async def flush(self) -> None:
        """Write every queued entry now (one batch at a time)."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                await self._write(batch)
            except Exception:  # the log is best effort: never the mock's failure
                self.dropped += len(batch)
                logger.warning("the mock log lost %d entries", len(batch), exc_info=True)

    async def _write(self, batch: list[LogEntry]) -> None:
        kept = newest_of_each_app(batch)
        async with self.sessions() as session:
            await session.execute(insert(MockLogEntry), [entry.row() for entry in kept])
            for app_id in sorted({entry.app_id for entry in batch}):
                cutoff = await session.scalar(
                    select(MockLogEntry.id)
                    .where(MockLogEntry.app_id == app_id)
                    .order_by(MockLogEntry.id.desc())
                    .offset(MOCK_LOG_KEPT)
                    .limit(1)
                )
                if cutoff is not None:
                    await session.execute(
                        delete(MockLogEntry).where(
                            MockLogEntry.app_id == app_id, MockLogEntry.id <= cutoff
                        )
                    )

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self.flush()
