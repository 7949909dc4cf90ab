"""The processes that read imported documents (`imports.prepare`), apart from the server's.

A pool of IMPORT_PROCESSES processes, started on the first import ("spawn": the server's
threads and event loop are not copied into them) and stopped with the application. Each
process serves a number of imports, then is replaced, so that the memory a large document
took is given back to the system. A process that dies mid-import (killed, out of memory)
fails that import only: the pool is made anew for the next.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from apidock.descriptions.intake import IntakeLimits
from apidock.errors import ServiceUnavailable
from apidock.imports.prepare import PreparedImport, prepare_import

IMPORT_PROCESSES = 2
IMPORTS_PER_PROCESS = 50

_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ProcessPoolExecutor(
                max_workers=IMPORT_PROCESSES,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=IMPORTS_PER_PROCESS,
            )
        return _executor


def shutdown() -> None:
    """Stop the processes (the application's shutdown); the next import starts new ones."""
    global _executor
    with _lock:
        executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


def _discard(broken: ProcessPoolExecutor) -> None:
    global _executor
    with _lock:
        if _executor is broken:
            _executor = None
    broken.shutdown(wait=False, cancel_futures=True)


async def prepare(raw: bytes, *, media_type: str | None, limits: IntakeLimits) -> PreparedImport:
    """`prepare_import` in one of the pool's processes; its refusals are raised here."""
    executor = _pool()
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(executor, prepare_import, raw, media_type, limits)
    except BrokenProcessPool:
        _discard(executor)
        raise ServiceUnavailable("The process reading the document stopped; try again") from None
