"""What the observability tests share: the log records a request writes, read as they are
handed to the handlers; the metrics' values as the default registry holds them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from apidock.request_logs import REQUEST_LOGGER, RequestIdFilter, RequestRecord
from tests.catalog.conftest import (  # noqa: F401  (fixtures)
    admin,
    admin_auth,
    reader,
    reader_auth,
)


class Catcher(logging.Handler):
    """Keeps every record it is handed, its request id given on the logging thread."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def requests(self) -> list[RequestRecord]:
        return [record for record in self.records if isinstance(record, RequestRecord)]

    def only_request(self) -> RequestRecord:
        lines = self.requests()
        assert len(lines) == 1, [line.getMessage() for line in lines]
        return lines[0]


@pytest.fixture
def lines() -> Iterator[Catcher]:
    """The records of the `apidock` loggers (request lines among them) while the test runs."""
    logger = logging.getLogger("apidock")
    catcher = Catcher()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(catcher)
    try:
        yield catcher
    finally:
        logger.removeHandler(catcher)
        logger.setLevel(level)


def sample(name: str, **labels: str) -> float:
    """The current value of one sample of the default registry (0 when it has none yet)."""
    value = REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


def requests_counted(route: str, method: str, status: int) -> float:
    return sample("apidock_http_requests_total", route=route, method=method, status=str(status))


__all__ = ["REQUEST_LOGGER", "Catcher", "requests_counted", "sample"]
