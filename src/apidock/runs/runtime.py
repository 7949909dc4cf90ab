"""The pieces of run execution a process makes from its settings: the executor (with the
guarded outbound client and the key of the environments' secrets), the dispatcher the server
hands runs to, and the saq settings of `apidock worker`."""

from __future__ import annotations

from typing import Any

from apidock.config import Settings
from apidock.db import Database, create_engine
from apidock.environments.secrets import settings_key
from apidock.outbound.client import OutboundClient
from apidock.runs.dispatch import (
    JOB_NAME,
    LocalRuns,
    QueuedRuns,
    RunDispatcher,
    job_function,
)
from apidock.runs.executor import RunExecutor, Sessions

_EXECUTOR = "apidock.executor"
_DATABASE = "apidock.database"


def executor_for(
    database: Database, settings: Settings, sessions: Sessions | None = None
) -> RunExecutor:
    return RunExecutor(
        sessions or database.transaction,
        OutboundClient(),
        secret_key=settings_key(settings),
    )


def dispatcher_for(settings: Settings, executor: RunExecutor) -> RunDispatcher:
    """Saq's queue with `REDIS_URL`, else this process."""
    if settings.redis_url:
        return QueuedRuns(settings.redis_url, settings.run_queue)
    return LocalRuns(executor, concurrency=settings.run_concurrency)


def worker_settings(settings: Settings, *, concurrency: int, burst: bool) -> dict[str, Any]:
    """What saq's Worker takes: the queue, the job, and a database and executor per worker."""
    assert settings.redis_url is not None
    queued = QueuedRuns(settings.redis_url, settings.run_queue)

    async def startup(ctx: dict[str, Any]) -> None:
        database = Database(create_engine(settings))
        ctx[_DATABASE] = database
        ctx[_EXECUTOR] = executor_for(database, settings)

    async def shutdown(ctx: dict[str, Any]) -> None:
        executor: RunExecutor | None = ctx.get(_EXECUTOR)
        if executor is not None:
            await executor.client.aclose()
        database: Database | None = ctx.get(_DATABASE)
        if database is not None:
            await database.dispose()

    job = job_function(lambda ctx: ctx[_EXECUTOR])
    assert job.__name__ == JOB_NAME
    return {
        "queue": queued.queue,
        "functions": [(JOB_NAME, job)],
        "concurrency": concurrency,
        "startup": startup,
        "shutdown": shutdown,
        "burst": burst,
        # how long a worker waits for a job before it looks again (and, with --burst, stops)
        "dequeue_timeout": 1.0,
    }
