"""The service's Prometheus metrics: each family, and how `/metrics` reads them.

Each is counted where its event happens: the requests by the request middleware
(`apidock.http.request_log`), the logins in `auth`, the imports in `imports.service`, the mock's
answers in `mock.server`, the runs in `runs.executor`. What is a state rather than an event is
read when sampled: the database pool (`PoolSampler`), the runs queued (counted in the database
when `/metrics` is read, so that it is right whichever dispatcher holds them).

Every label's values are bounded by the code, never taken from a request: route templates (or
`<unmatched>`), a fixed list of methods, statuses, the formats and outcomes named here. A client
sending a million different paths adds no series.

Under `apidock serve --workers N` (N > 1) prometheus-client's multiprocess mode is on: `serve`
points `PROMETHEUS_MULTIPROC_DIR` at a fresh directory of its own before the workers start
(the mode is chosen when prometheus-client is imported), each worker writes its values to its
own files there, and the worker answering `/metrics` adds them all up. The pool's gauges are
the sum over the live workers, each worker sampling its own pool every few seconds.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    values,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# every route label of a request no route matched, and of the mock's paths
UNMATCHED_ROUTE = "<unmatched>"
MOCK_ROUTE = "/mock/{slug}"
# the methods a label may name; any other is counted as OTHER
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
# seconds; the hot reads answer in a millisecond or two, an import may take seconds
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# how often each worker writes its pool's use to the shared files (multiprocess mode only)
POOL_SAMPLE_SECONDS = 5.0
IMPORT_FORMATS = frozenset(
    {"openapi-3.1", "openapi-3.0", "swagger-2.0", "postman-2.1", "postman-2.0"}
)

# `*_created` series double the series and say nothing a counter's reset does not
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_REQUESTS = Counter(
    "apidock_http_requests",
    "HTTP requests answered, by route template, method and status",
    ("route", "method", "status"),
)
HTTP_DURATION = Histogram(
    "apidock_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template",
    ("route",),
    buckets=LATENCY_BUCKETS,
)
LOGIN_FAILURES = Counter(
    "apidock_login_failures",
    "Logins refused with 401: an unknown name, a wrong password, a blocked or deleted account",
)
LOGIN_RATE_LIMITED = Counter(
    "apidock_login_rate_limited",
    "Password attempts (logins, password changes) refused with 429: `limit` when the name or "
    "the address used up its attempts, `check_under_way` when one is being checked already",
    ("reason",),
)
IMPORTS = Counter(
    "apidock_imports",
    "Descriptions imported (created, replaced) or refused, by source format",
    ("format", "outcome"),
)
MOCK_ANSWERS = Counter("apidock_mock_answers", "Answers of the mock server, by status", ("status",))
RUNS_FINISHED = Counter(
    "apidock_runs_finished", "Contract-test runs finished, by outcome", ("outcome",)
)
POOL_CHECKED_OUT = Gauge(
    "apidock_db_pool_checked_out",
    "Database connections in use (checked out of the pool), all workers together",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "apidock_db_pool_size",
    "Connections the database pool keeps (its overflow not counted), all workers together",
    multiprocess_mode="livesum",
)

_mock_answers: dict[int, Any] = {}


def count_mock_answer(status: int) -> None:
    """One answer of the mock (its child counter made once per status: `labels` is slow)."""
    child = _mock_answers.get(status)
    if child is None:
        child = _mock_answers[status] = MOCK_ANSWERS.labels(str(status))
    child.inc()


def import_format(report_format: str | None) -> str:
    """The label of an import's format (`openapi-3.0.3` counts as `openapi-3.0`)."""
    family, _, version = (report_format or "").partition("-")
    label = f"{family}-{'.'.join(version.split('.')[:2])}"
    return label if label in IMPORT_FORMATS else "unknown"


def count_import(report_format: str | None, outcome: str) -> None:
    """One import: `created`, `replaced`, or `refused` (the document could not be taken)."""
    IMPORTS.labels(import_format(report_format), outcome).inc()


def multiprocess() -> bool:
    """Whether this process keeps its values in the shared files: prometheus-client chose when
    it was imported, from `PROMETHEUS_MULTIPROC_DIR` (see the module's docstring)."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def own_multiprocess_dir(workers: int) -> Path | None:
    """For `workers` > 1, a fresh `PROMETHEUS_MULTIPROC_DIR` for the workers to inherit, removed
    when this process exits (uvicorn returning or exiting); None with one worker, or when the
    environment names a directory already (a deployment's own, left as it is).

    Fresh, because the files of an earlier server would be added to this one's counts.
    """
    if workers <= 1 or os.environ.get(MULTIPROCESS_DIR_ENV):
        return None
    directory = Path(tempfile.mkdtemp(prefix="apidock-metrics-"))
    os.environ[MULTIPROCESS_DIR_ENV] = str(directory)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


class PoolSampler:
    """Writes the use of the pool that `pool_of()` gives into the pool's gauges.

    `sample` is called before every scrape (the answering worker's own values, exact); in
    multiprocess mode `start` also samples every `POOL_SAMPLE_SECONDS`, so that the other
    workers' values are as recent, and `stop` removes this worker's from the sums.
    """

    def __init__(self, pool_of: Callable[[], Any], interval: float = POOL_SAMPLE_SECONDS) -> None:
        self._pool_of = pool_of
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        pool = self._pool_of()
        checked_out, size = getattr(pool, "checkedout", None), getattr(pool, "size", None)
        if callable(checked_out) and callable(size):  # a queue pool (not SQLite's static one)
            POOL_CHECKED_OUT.set(checked_out())
            POOL_SIZE.set(size())

    def start(self) -> None:
        if multiprocess() and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._sample_every())

    async def _sample_every(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self._interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if multiprocess():
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class _Collected:
    """A collector of families made for one scrape (those sampled when it was asked)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


def exposition(accept: str | None, sampled: Iterable[Metric] = ()) -> tuple[bytes, str]:
    """Every metric, in the format the scraper's `Accept` asks for (Prometheus text, or
    OpenMetrics), with its content type: this process's, or all workers' added up."""
    encode, content_type = choose_encoder(accept or "")
    registry = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    registry.register(_Collected(sampled))
    return encode(registry), content_type
