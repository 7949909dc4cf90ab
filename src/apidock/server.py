"""The HTTP protocol `apidock serve` gives uvicorn: httptools, with bounds on the request head.

uvicorn's httptools protocol keeps whatever request line and headers a client sends, however
large (httptools has no limit; `h11_max_incomplete_event_size` only applies to h11), and waits
for them however long they take (its keep-alive timeout starts only after a response). This
subclass refuses a head larger than `MAX_HEADER_SIZE` with 431 and closes a connection whose
head is not complete within `HEADER_TIMEOUT` seconds of its first byte (or of the connection),
so a slow client holds a socket for a bounded time and a large one a bounded amount of memory.
"""

from __future__ import annotations

import asyncio
import json
import logging

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from apidock.config import get_settings

# what `uvicorn.run(http=...)` imports in each worker
PROTOCOL = "apidock.server:BoundedHttpToolsProtocol"

logger = logging.getLogger("apidock.server")


def _refusal(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"status": "error", "message": message, "data": None}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: application/json\r\n"
        "x-content-type-options: nosniff\r\n"
        "cache-control: no-store\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


HEAD_TOO_LARGE = _refusal(431, "Request Header Fields Too Large", "Request headers too large")


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size limit and a deadline on each request head."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, object],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()  # the worker's settings, as its application reads them
        self.max_head_size = settings.max_header_size
        self.header_timeout = settings.header_timeout
        self._reading_head = True
        self._head_size = 0  # bytes of the unfinished head received so far
        self._head_tail = b""  # its last bytes, where a chunk may begin its blank line
        self._message_done = False
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            if self._head_timer is None:
                self._start_head_clock()
            if not self._head_fits(data):
                self._stop_head_clock()
                self.transport.write(HEAD_TOO_LARGE)
                self.transport.close()
                return
        self._message_done = False
        super().data_received(data)
        # A chunk that finished a message may carry the start of the next head: that part is
        # not counted, so a pipelined head may pass the limit by less than one read.
        if self._reading_head and not self._message_done:
            self._head_size += len(data)
            self._head_tail = (self._head_tail + data)[-3:]

    def _head_fits(self, data: bytes) -> bool:
        """Whether the unfinished head, with `data`, ends within `max_head_size` bytes."""
        allowed = self.max_head_size - self._head_size
        if len(data) <= allowed:
            return True
        # the chunk carries more than the head may: fine only when the head ends in time
        window = self._head_tail + data[: max(allowed, 0) + 3]
        return b"\n\r\n" in window or b"\n\n" in window

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._head_size = 0
        self._head_tail = b""
        self._stop_head_clock()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_head = True
        self._message_done = True
        super().on_message_complete()

    def _start_head_clock(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_head_clock(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._reading_head:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # a pipelined head waits while the previous request is answered
            self._start_head_clock()
            return
        logger.debug(
            "closing %s: no complete request head in %ss", self.client, self.header_timeout
        )
        self.transport.close()
