"""The server's log lines leave the event loop: a slow writer holds up no request."""

from __future__ import annotations

import io
import logging
import threading

from uvicorn.logging import AccessFormatter

from apidock.log_queue import QueuedLogs


class SlowStream(io.StringIO):
    """A stream whose writes wait until `released` is set, as a pipe whose reader lags does."""

    def __init__(self) -> None:
        super().__init__()
        self.writers: list[str] = []
        self.released = threading.Event()

    def write(self, text: str) -> int:
        self.writers.append(threading.current_thread().name)
        self.released.wait(timeout=30)
        return super().write(text)


def test_access_lines_are_written_by_a_thread_as_uvicorn_formats_them() -> None:
    logger = logging.getLogger("tests.access")
    stream = SlowStream()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logs = QueuedLogs(("tests.access",))
    logs.start()
    try:
        for number in range(5):
            logger.info(
                '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/x/{number}", "1.1", 200
            )
        # every call returned while the writer is still held on (at most) the first line
        assert stream.getvalue() == "", "the logging call waited for the write"
    finally:
        stream.released.set()
        logs.stop()
    lines = stream.getvalue().splitlines()
    assert lines == [f'127.0.0.1:5000 - "GET /x/{n} HTTP/1.1" 200 OK' for n in range(5)]
    assert threading.main_thread().name not in stream.writers
    assert logger.handlers == [handler], "stop gives the logger its handlers back"


def test_starting_twice_queues_once() -> None:
    logger = logging.getLogger("tests.twice")
    handler = logging.StreamHandler(io.StringIO())
    logger.handlers = [handler]
    first, second = QueuedLogs(("tests.twice",)), QueuedLogs(("tests.twice",))
    first.start()
    second.start()
    try:
        assert len(logger.handlers) == 1
    finally:
        second.stop()
        first.stop()
    assert logger.handlers == [handler]
