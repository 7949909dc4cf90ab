"""The server's log lines written by a thread of their own, never by the event loop.

uvicorn's handlers write each line to standard output as it is logged, from the event loop,
and flush it: one write a request with the access log on. A write that waits (a pipe whose
reader lags, as a container's log collector does, or a disk flushing its pages) holds up every
request of the worker meanwhile. Here the loop only puts the record on a queue; a listener
thread formats and writes it with uvicorn's own handlers and formatters, so the lines are the
same. The records are queued as they are, not formatted first: uvicorn's access formatter
reads the record's arguments (the client, the request line, the status).
"""

from __future__ import annotations

import logging
import queue
from logging.handlers import QueueHandler, QueueListener

# the loggers uvicorn writes to, with its handlers (`uvicorn.run` configures them)
QUEUED_LOGGERS = ("uvicorn.access", "uvicorn.error")


class _RecordQueueHandler(QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


class QueuedLogs:
    """Moves the handlers of `loggers` behind one queue while started; `stop` writes what is
    queued and gives the loggers their handlers back."""

    def __init__(self, loggers: tuple[str, ...] = QUEUED_LOGGERS) -> None:
        self._names = loggers
        self._moved: dict[str, list[logging.Handler]] = {}
        self._listener: QueueListener | None = None

    def start(self) -> None:
        records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        handler = _RecordQueueHandler(records)
        targets: list[logging.Handler] = []
        for name in self._names:
            logger = logging.getLogger(name)
            if not logger.handlers or any(isinstance(h, QueueHandler) for h in logger.handlers):
                continue  # nothing to move, or queued already (another application's)
            self._moved[name] = list(logger.handlers)
            targets += [h for h in logger.handlers if h not in targets]
            logger.handlers = [handler]
        if targets:
            self._listener = QueueListener(records, *targets, respect_handler_level=True)
            self._listener.start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()  # writes every record queued before it returns
            self._listener = None
        for name, handlers in self._moved.items():
            logging.getLogger(name).handlers = handlers
        self._moved.clear()
