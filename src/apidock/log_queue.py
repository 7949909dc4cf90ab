"""The server's log lines written by a thread of their own, never by the event loop.

uvicorn's handlers write each line to standard output as it is logged, from the event loop,
and flush it: one write a request with the access log on. A write that waits (a pipe whose
reader lags, as a container's log collector does, or a disk flushing its pages) holds up every
request of the worker meanwhile. Here the loop only puts the record on a queue; a listener
thread formats and writes it with the handlers and formatters the logger had (under `apidock
serve`, those of `apidock.request_logs.log_config`), so the lines are the same. The records
are queued as they are, not formatted first: a formatter may read the record's arguments, and
formatting is work the loop need not do.

Each record goes to the handlers of the logger that queued it, not to every handler moved (the
request lines to standard output, the rest to standard error), and carries the id of the
request it was logged in (`apidock.request_logs.RequestIdFilter`, run before it is queued,
where that id is known).
"""

from __future__ import annotations

import logging
import queue
import time
from logging.handlers import QueueHandler, QueueListener
from typing import Any

from apidock.request_logs import REQUEST_LOGGER, LineHandler, RequestIdFilter

# the loggers uvicorn and the application write to, with the handlers `uvicorn.run` gives them
# (`apidock.request_logs.log_config` under `apidock serve`)
QUEUED_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "apidock", REQUEST_LOGGER)

# lines written before the log thread flushes, however long the queue stays full
FLUSH_EVERY = 256
# seconds the log thread rests once it has written all that was queued: under load it wakes a
# few dozen times a second for a burst of lines, not once a line (each waking is a hand-over
# of the interpreter's lock between it and the event loop)
REST_SECONDS = 0.02

_Routed = tuple[list[logging.Handler], logging.LogRecord]


class _RecordQueueHandler(QueueHandler):
    """Queues each record with the handlers it is for: those of the logger it replaced."""

    def __init__(self, records: queue.SimpleQueue[Any], targets: list[logging.Handler]) -> None:
        super().__init__(records)
        self.targets = targets
        self.addFilter(RequestIdFilter())

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        self.queue.put_nowait((self.targets, record))


class _RoutingListener(QueueListener):
    """Hands each queued record to its own handlers (`_RecordQueueHandler.targets`), and
    flushes the `LineHandler`s written to once nothing more is queued (or every
    `FLUSH_EVERY` lines): a burst of lines is one write. Then it rests (`REST_SECONDS`)."""

    def __init__(self, records: queue.SimpleQueue[Any], rest: float = REST_SECONDS) -> None:
        super().__init__(records)
        self._rest = rest
        self._records = records
        self._unflushed: set[LineHandler] = set()
        self._written = 0

    def handle(self, record: Any) -> None:
        routed: _Routed = record
        handlers, entry = routed
        for handler in handlers:
            if entry.levelno >= handler.level:
                handler.handle(entry)
                if isinstance(handler, LineHandler):
                    self._unflushed.add(handler)
        self._written += 1
        drained = self._records.empty()
        if self._written >= FLUSH_EVERY or drained:
            for written in self._unflushed:
                written.flush_batch()
            self._unflushed.clear()
            self._written = 0
        if drained:
            time.sleep(self._rest)


class QueuedLogs:
    """Moves the handlers of `loggers` behind one queue while started; `stop` writes what is
    queued and gives the loggers their handlers back."""

    def __init__(self, loggers: tuple[str, ...] = QUEUED_LOGGERS) -> None:
        self._names = loggers
        self._moved: dict[str, list[logging.Handler]] = {}
        self._listener: QueueListener | None = None

    def start(self) -> None:
        records: queue.SimpleQueue[_Routed] = queue.SimpleQueue()
        for name in self._names:
            logger = logging.getLogger(name)
            if not logger.handlers or any(isinstance(h, QueueHandler) for h in logger.handlers):
                continue  # nothing to move, or queued already (another application's)
            self._moved[name] = list(logger.handlers)
            logger.handlers = [_RecordQueueHandler(records, list(logger.handlers))]
            for handler in self._moved[name]:
                if isinstance(handler, LineHandler):
                    handler.batching = True
        if self._moved:
            self._listener = _RoutingListener(records)
            self._listener.start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()  # writes every record queued before it returns
            self._listener = None
        for name, handlers in self._moved.items():
            logging.getLogger(name).handlers = handlers
            for handler in handlers:
                if isinstance(handler, LineHandler):
                    handler.batching = False
                    handler.flush()
        self._moved.clear()
