"""The log thread: each line to its own logger's handlers, its request id taken where it was
logged, written in bursts; and the logging `apidock serve` configures."""

from __future__ import annotations

import io
import json
import logging
import threading

from apidock.config import LogFormat
from apidock.log_queue import QueuedLogs
from apidock.request_logs import (
    REQUEST_ID,
    REQUEST_LOGGER,
    JsonLines,
    LineHandler,
    RequestIdFilter,
    RequestRecord,
    TextLines,
    log_config,
)


class CountingStream(io.StringIO):
    """A stream that remembers who wrote to it and how often it was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.writers: set[str] = set()
        self.flushes = 0

    def write(self, text: str) -> int:
        self.writers.add(threading.current_thread().name)
        return super().write(text)

    def flush(self) -> None:
        self.flushes += 1


def line_handler(stream: io.StringIO) -> LineHandler:
    handler = LineHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestIdFilter())
    return handler


def test_each_line_goes_to_its_own_loggers_handlers_with_its_request_id() -> None:
    requests_stream, other_stream = CountingStream(), CountingStream()
    requests_logger = logging.getLogger("tests.lines.requests")
    other_logger = logging.getLogger("tests.lines.other")
    for logger, stream in ((requests_logger, requests_stream), (other_logger, other_stream)):
        logger.handlers = [line_handler(stream)]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logs = QueuedLogs(("tests.lines.requests", "tests.lines.other"))
    logs.start()
    try:
        token = REQUEST_ID.set("in-flight-1")
        try:
            other_logger.warning("said during the request")
            for _ in range(50):
                requests_logger.handle(
                    RequestRecord("in-flight-1", "GET", "/x/{n}", 200, 0.001, None, None)
                )
        finally:
            REQUEST_ID.reset(token)
        other_logger.warning("said after it")
    finally:
        logs.stop()
    request_lines = [json.loads(line) for line in requests_stream.getvalue().splitlines()]
    other_lines = [json.loads(line) for line in other_stream.getvalue().splitlines()]
    assert len(request_lines) == 50
    assert {line["route"] for line in request_lines} == {"/x/{n}"}
    assert [(line["message"], line["request_id"]) for line in other_lines] == [
        ("said during the request", "in-flight-1"),
        ("said after it", None),
    ]
    # written by the log thread, in bursts: far fewer flushes than lines
    assert threading.main_thread().name not in requests_stream.writers
    assert requests_stream.flushes < 50
    handler = requests_logger.handlers[0]
    assert isinstance(handler, LineHandler)
    assert not handler.batching, "stop gives the handler back as it was"


def test_a_line_handler_alone_writes_each_line_at_once() -> None:
    stream = CountingStream()
    logger = logging.getLogger("tests.lines.direct")
    logger.handlers = [line_handler(stream)]
    logger.propagate = False
    logger.warning("one")
    logger.warning("two")
    assert stream.flushes == 2
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == [
        "one",
        "two",
    ]


def test_serve_logs_in_the_format_asked_with_uvicorns_access_log_off() -> None:
    as_json = log_config(LogFormat.JSON)
    assert as_json["formatters"]["lines"]["()"].endswith(".JsonLines")
    assert log_config(LogFormat.TEXT)["formatters"]["lines"]["()"].endswith(".TextLines")
    loggers = as_json["loggers"]
    assert loggers["uvicorn.access"]["handlers"] == []
    assert loggers[REQUEST_LOGGER] == {
        "handlers": ["requests"],
        "level": "INFO",
        "propagate": False,
    }
    assert as_json["handlers"]["requests"]["stream"] == "ext://sys.stdout"
    assert all(handler["filters"] == ["request_id"] for handler in as_json["handlers"].values())
    quiet = log_config(LogFormat.JSON, request_lines=False)
    assert quiet["loggers"][REQUEST_LOGGER]["level"] == "WARNING"


def test_formatters_named_by_the_config_are_the_ones_defined() -> None:
    record = RequestRecord("r", "GET", "/healthz", 200, 0.0, None, "::1")
    assert json.loads(JsonLines().format(record))["client"] == "::1"
    assert TextLines().format(record).endswith("GET /healthz 200 0.0ms user=- client=::1")
