"""Where runs are executed: never on a request's path.

- `LocalRuns` (no `REDIS_URL`): in the server's process, `RUN_CONCURRENCY` runs at a time; the
  runs still queued when the server starts (it stopped before running them) are taken up then.
- `QueuedRuns` (`REDIS_URL`): through saq, a maintained job queue on Redis, to `apidock worker`
  processes, any number on any machine. A job names only its run's id; a run queued while no
  worker is up waits in Redis (and its row stays `queued`) until one starts. A worker started
  with `--burst` takes what is queued and stops.

Either way the executor claims a run before it runs it (`RunExecutor.execute`), so a run is
executed once even when it is handed to two executors.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from saq import Queue
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.runs.executor import RunExecutor, Sessions
from apidock.runs.models import Run, RunStatus

logger = logging.getLogger("apidock.runs")
QUEUE_NAME = "apidock-runs"
JOB_NAME = "execute_run"
# the longest a run may take in a worker before saq aborts it (1,000 cases of 30 s, 8 at once)
JOB_TIMEOUT_SECONDS = 3600
JOB_RETRIES = 3


async def count_queued(session: AsyncSession) -> int:
    """The runs waiting for an executor: the queue's depth, whichever dispatcher holds them
    (saq's jobs name a run whose row stays `queued` until an executor claims it)."""
    statement = select(func.count()).select_from(Run).where(Run.status == RunStatus.QUEUED)
    return int(await session.scalar(statement) or 0)


class RunDispatcher(Protocol):
    async def submit(self, run_id: int) -> None: ...

    async def close(self) -> None: ...


class LocalRuns:
    """Runs executed in this process, `concurrency` at a time. `deferred`: kept until `drain`
    executes them in its caller's task (a test whose requests share one connection)."""

    def __init__(
        self, executor: RunExecutor, *, concurrency: int = 2, deferred: bool = False
    ) -> None:
        self.executor = executor
        self._limit = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._deferred: list[int] | None = [] if deferred else None

    async def submit(self, run_id: int) -> None:
        if self._deferred is not None:
            self._deferred.append(run_id)
            return
        task = asyncio.get_running_loop().create_task(self._execute(run_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, run_id: int) -> None:
        async with self._limit:
            try:
                await self.executor.execute(run_id)
            except Exception:
                logger.exception("run %d failed to execute", run_id)

    async def resume(self, sessions: Sessions) -> int:
        """Submit every run still queued; how many (none when the database cannot tell: a
        server starts whether or not its database answers)."""
        try:
            async with sessions() as session:
                queued = list(
                    await session.scalars(
                        select(Run.id).where(Run.status == RunStatus.QUEUED).order_by(Run.id)
                    )
                )
        except Exception as error:
            logger.warning("the queued runs could not be read at start-up: %s", error)
            return 0
        for run_id in queued:
            await self.submit(run_id)
        return len(queued)

    def resume_soon(self, sessions: Sessions) -> None:
        """`resume` in a task of its own: start-up does not wait for the database."""
        task = asyncio.get_running_loop().create_task(self._resume(sessions))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resume(self, sessions: Sessions) -> None:
        await self.resume(sessions)

    async def drain(self) -> None:
        """Wait for the runs submitted so far (tests, and the command line)."""
        while self._deferred:
            await self._execute(self._deferred.pop(0))
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


class QueuedRuns:
    """Runs handed to `apidock worker`s through the saq queue on `redis_url`."""

    def __init__(self, redis_url: str, name: str = QUEUE_NAME) -> None:
        self.queue = Queue.from_url(redis_url, name=name)

    async def submit(self, run_id: int) -> None:
        # A job that fails (its worker lost the database a moment) is tried again; a run
        # already claimed is never run twice (the executor's claim). No job key of the run's
        # id: saq drops a job whose key it still holds, and ids start again in a new database
        # while Redis remembers the old jobs (that run would never execute).
        await self.queue.enqueue(
            JOB_NAME,
            run_id=run_id,
            timeout=JOB_TIMEOUT_SECONDS,
            retries=JOB_RETRIES,
            retry_delay=1.0,
        )

    async def close(self) -> None:
        await self.queue.disconnect()


def job_function(executor_of: Any) -> Any:
    """The saq job of a worker: `executor_of(ctx)` gives the worker's RunExecutor."""

    async def execute_run(ctx: dict[str, Any], *, run_id: int) -> str | None:
        executor: RunExecutor = executor_of(ctx)
        return await executor.execute(run_id)

    execute_run.__name__ = JOB_NAME
    return execute_run
