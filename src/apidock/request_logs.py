"""The server's log lines: one per request, JSON lines by default (`LOG_FORMAT=text` for people
reading a terminal), every line written during a request carrying its id.

- The request id lives in a context variable (`REQUEST_ID`) for the time of its request: set by
  the request middleware (`apidock.http.request_log`), read by `RequestIdFilter` on the calling
  thread, so that a service's `logger.warning(...)` carries it without being handed it.
- A request's own line is a `RequestRecord`, a log record built without what `LogRecord()`
  looks up for every record (the caller's frame, the thread, the process): about 1 µs on the
  event loop instead of 6. It is formatted, like every line, by the listener thread of
  `apidock.log_queue.QueuedLogs`, never on the event loop.
- `log_config` is what `apidock serve` hands uvicorn, so uvicorn's own lines come out in the
  same format; uvicorn's access log is off, these lines replace it.

This module knows no HTTP: the middleware and the services both import it.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextvars import ContextVar
from typing import Any

import orjson

from apidock.config import LogFormat
from apidock.logs.models import REQUEST_ID_MAX_LENGTH

# the logger of the request lines (their handler writes to standard output)
REQUEST_LOGGER = "apidock.requests"
# an id a client may choose: printable, no spaces, no quotes, as long as the audit rows' column
# at most; anything else is replaced, so that a header cannot forge a log line or a field
REQUEST_ID_PATTERN = rf"[A-Za-z0-9._:/+=@-]{{1,{REQUEST_ID_MAX_LENGTH}}}"
_REQUEST_ID_RE = re.compile(REQUEST_ID_PATTERN)
_REQUEST_ID_BYTES_RE = re.compile(REQUEST_ID_PATTERN.encode())

REQUEST_ID: ContextVar[str | None] = ContextVar("apidock_request_id", default=None)


def new_request_id() -> str:
    """A fresh id: 32 random hex digits, as `uuid4().hex` gives, for a third of its cost."""
    return os.urandom(16).hex()


def chosen_request_id(given: str | bytes | None) -> str | None:
    """`given` (an `X-Request-ID`) when it is a plain token of at most 64 characters."""
    if isinstance(given, bytes):
        return given.decode("ascii") if _REQUEST_ID_BYTES_RE.fullmatch(given) else None
    return given if given and _REQUEST_ID_RE.fullmatch(given) else None


class RequestRecord(logging.LogRecord):
    """The log record of one answered request.

    `LogRecord.__init__` is not called: what it would compute for every record is fixed here
    (class attributes), so that making one costs a handful of assignments on the event loop.
    `duration` is in seconds; `user_id` is the signed-in caller's, if any; `client` the
    client's address.
    """

    name = REQUEST_LOGGER
    levelno = logging.INFO
    levelname = "INFO"
    msg = "request"
    args = ()
    pathname = ""
    filename = ""
    module = ""
    lineno = 0
    funcName = ""
    exc_info = None
    exc_text = None
    stack_info = None
    thread = None
    threadName = None
    process = None
    processName = None
    taskName = None
    relativeCreated = 0.0

    def __init__(
        self,
        request_id: str,
        method: str,
        route: str,
        status: int,
        duration: float,
        user_id: int | None,
        client: str | None,
    ) -> None:
        self.created = created = time.time()
        self.msecs = (created - int(created)) * 1000
        self.request_id = request_id
        self.method = method
        self.route = route
        self.status = status
        self.duration = duration
        self.user_id = user_id
        self.client = client

    def getMessage(self) -> str:
        return f"{self.method} {self.route} {self.status}"


class RequestIdFilter(logging.Filter):
    """Gives a record the id of the request it was logged in (None outside any request).

    It must run on the thread that logs, where the context variable is set: on the queue's
    handler, and on a stream handler that writes directly. A record that has one keeps it (the
    listener thread, which runs the stream handler's filters too, sees none).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


# the last second formatted, and its text: most lines of a busy server share their second
_second: tuple[int, str] = (-1, "")


def _timestamp(created: float) -> str:
    """`created` in UTC as ISO 8601 to the millisecond (`2026-01-31T12:00:00.123Z`)."""
    global _second
    whole = int(created)
    second, text = _second
    if whole != second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _second = (whole, text)  # one tuple, swapped whole: safe from any thread
    return f"{text}.{int((created - whole) * 1000):03d}Z"


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message and request id; a request's line
    adds method, route, status, duration_ms, user_id and client; a failure, its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if isinstance(record, RequestRecord):
            entry["method"] = record.method
            entry["route"] = record.route
            entry["status"] = record.status
            entry["duration_ms"] = round(record.duration * 1000, 3)
            entry["user_id"] = record.user_id
            entry["client"] = record.client
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


class TextLines(logging.Formatter):
    """`time LEVEL logger request-id message`, a request's line ending in its duration, user
    and client. A message's line breaks are escaped: a logged value cannot forge a line."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\r", "\\r").replace("\n", "\\n")
        if isinstance(record, RequestRecord):
            user = "-" if record.user_id is None else record.user_id
            message += f" {record.duration * 1000:.1f}ms user={user} client={record.client or '-'}"
        request_id = getattr(record, "request_id", None) or "-"
        line = f"{_timestamp(record.created)} {record.levelname:<7} {record.name} {request_id} "
        line += message
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that may leave its lines in the stream's buffer for a while.

    `StreamHandler` flushes after every line: one write to the pipe per request. While the
    log thread writes (`apidock.log_queue`, which sets `batching`), it flushes once it has
    written what was queued, so that a burst of lines is one write.
    """

    batching = False

    def flush(self) -> None:
        if not self.batching:
            super().flush()

    def flush_batch(self) -> None:
        """Write what the stream holds (the log thread, when the queue is empty)."""
        with self.lock:  # type: ignore[union-attr]
            stream = self.stream
            if stream and hasattr(stream, "flush"):
                stream.flush()


FORMATTERS: dict[LogFormat, type[logging.Formatter]] = {
    LogFormat.JSON: JsonLines,
    LogFormat.TEXT: TextLines,
}


def log_config(log_format: LogFormat, *, request_lines: bool = True) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a server process (uvicorn's `log_config`).

    uvicorn's lines and the application's (`apidock.*`) go to standard error, the request lines
    to standard output, as uvicorn's access lines did; other libraries' warnings to standard
    error too, in the same format. `request_lines=False` leaves the request lines out
    (`serve --no-access-log`). uvicorn's access logger gets no handler: its log is off.
    """
    formatter = FORMATTERS[log_format]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"lines": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "default": {
                "class": f"{__name__}.LineHandler",
                "formatter": "lines",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            },
            "requests": {
                "class": f"{__name__}.LineHandler",
                "formatter": "lines",
                "filters": ["request_id"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "apidock": {"handlers": ["default"], "level": "INFO", "propagate": False},
            REQUEST_LOGGER: {
                "handlers": ["requests"],
                "level": "INFO" if request_lines else "WARNING",
                "propagate": False,
            },
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
