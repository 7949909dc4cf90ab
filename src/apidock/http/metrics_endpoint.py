"""`GET /metrics`: the service's metrics for Prometheus, outside `/api/v1` as the probes are.

Open when `METRICS_TOKEN` is unset (a server on a private network, scraped from it); with it
set, the scraper sends `Authorization: Bearer <token>`, compared in constant time, and anything
else is 401 in the envelope. Set it wherever the port is reachable by others: the metrics tell
routes, traffic and failures. Like the probes, the path answers whatever the Host header
(`TRUSTED_HOSTS`): Prometheus scrapes a pod by its address.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

import anyio
from fastapi import Depends, FastAPI, Request, Response
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from apidock.config import Settings
from apidock.errors import Unauthorized
from apidock.http.dependencies import SessionDep
from apidock.http.errors import error_responses
from apidock.metrics import PoolSampler, exposition
from apidock.runs.dispatch import count_queued

METRICS_PATH = "/metrics"
# a database that does not answer leaves the queue's depth out of a scrape, not the scrape
QUEUE_COUNT_TIMEOUT = 2.0

logger = logging.getLogger("apidock.metrics")


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


async def check_metrics_token(request: Request) -> None:
    """401 unless `METRICS_TOKEN` is unset or the request bears it."""
    settings: Settings = request.app.state.settings
    if settings.metrics_token is None:
        return
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    expected = _digest(settings.metrics_token.get_secret_value())
    # digests of equal length: the comparison tells nothing of the token's length either
    if not (scheme.lower() == "bearer" and hmac.compare_digest(_digest(given.strip()), expected)):
        raise Unauthorized()


async def _queued_runs(session: SessionDep) -> list[Metric]:
    try:
        async with asyncio.timeout(QUEUE_COUNT_TIMEOUT):
            queued = await count_queued(session)
    except Exception as error:
        logger.warning("/metrics: the runs queued could not be counted: %s", type(error).__name__)
        return []
    return [
        GaugeMetricFamily(
            "apidock_runs_queued", "Contract-test runs waiting for an executor", value=queued
        )
    ]


async def metrics(request: Request, session: SessionDep) -> Response:
    """Requests, latencies, the pool, logins, imports, the mock, runs (Prometheus).
    Requires `Authorization: Bearer <METRICS_TOKEN>` when that is set."""
    pool_sampler: PoolSampler = request.app.state.pool_sampler
    pool_sampler.sample()
    sampled = await _queued_runs(session)
    # all workers' files are read and added up: off the event loop
    body, content_type = await anyio.to_thread.run_sync(
        exposition, request.headers.get("accept"), sampled
    )
    return Response(body, media_type=content_type)


def add_metrics_route(app: FastAPI) -> None:
    """Route `GET /metrics` on `app`; the pool is sampled before each scrape by
    `app.state.pool_sampler`. (A module function, not one made per application: FastAPI's
    caches of callables would keep each application made alive.)"""
    app.get(
        METRICS_PATH,
        tags=["service"],
        summary="Metrics",
        dependencies=[Depends(check_metrics_token)],
        response_class=Response,
        responses={
            200: {
                "description": "The Prometheus text format, or OpenMetrics when `Accept` asks",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            **error_responses(401),
        },
    )(metrics)
