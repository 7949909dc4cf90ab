"""`apidock profile`: an ASGI middleware writing one cProfile report per HTTP request."""

from __future__ import annotations

import asyncio
import cProfile
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def report_name(method: str, path: str, status: int, elapsed: float, started: datetime) -> str:
    """A file name that sorts by time and tells the request: `…-GET-api.v1.users-200-12ms.prof`."""
    dotted = re.sub(r"\.{2,}", ".", path.strip("/").replace("/", "."))
    slug = _UNSAFE.sub("_", dotted) or "root"
    stamp = started.strftime("%Y%m%dT%H%M%S.%f")
    return f"{stamp}-{method}-{slug[:80]}-{status}-{round(elapsed * 1000)}ms.prof"


class ProfilerMiddleware:
    """Profile each HTTP request with cProfile and write the report under `directory`.

    The profiler sees everything the event loop runs, so requests are profiled one at a
    time: a report never mixes two requests. Read a report with
    `python -m pstats FILE` or any viewer of `.prof` files (snakeviz, tuna).
    """

    def __init__(self, app: ASGIApp, directory: Path) -> None:
        self.app = app
        self.directory = directory
        self._one_at_a_time = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        async with self._one_at_a_time:
            profiler = cProfile.Profile()
            started = datetime.now(UTC)
            begin = time.perf_counter()
            profiler.enable()
            try:
                await self.app(scope, receive, send_and_note_status)
            finally:
                profiler.disable()
                elapsed = time.perf_counter() - begin
                self.directory.mkdir(parents=True, exist_ok=True)
                name = report_name(scope["method"], scope["path"], status, elapsed, started)
                profiler.dump_stats(self.directory / name)
