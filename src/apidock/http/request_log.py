"""The outermost middleware: each request's id, its log line and its metrics.

Per request it gives the request an id (its `X-Request-ID` when that is a plain token, else a
new one) for the time it runs (`apidock.request_logs.REQUEST_ID`), sends that id back as
`X-Request-ID` on the answer, whatever the answer (the mock's, a refusal of the middleware, a
500), then counts the request and writes its line. The error envelope itself is left as the
original api-dock's clients know it (`status`, `message`, `data`: tests pin that shape): an
error's request id is in its `X-Request-ID` header.

Pure ASGI (a `BaseHTTPMiddleware` would cost a task and a stream per request), and lean on
purpose: this runs on every request of the hottest path. The route's label is its full path
template, read from the route object the router matched (`scope["route"]`), never from the
path; the metrics' child counters are made once per route, method and status and kept; the
line is a `RequestRecord` queued as it is, formatted and written by the log thread.
"""

from __future__ import annotations

import logging
from time import perf_counter
from typing import Any, NamedTuple

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apidock.metrics import HTTP_DURATION, HTTP_REQUESTS, METHODS, MOCK_ROUTE, UNMATCHED_ROUTE
from apidock.request_logs import (
    REQUEST_ID,
    REQUEST_LOGGER,
    RequestRecord,
    chosen_request_id,
    new_request_id,
)

# where a dependency that authenticated the caller leaves their id for the request's line
CALLER_KEY = "apidock.caller_id"
_REQUEST_ID_HEADER = b"x-request-id"


class _Series(NamedTuple):
    route: str
    requests: Any
    duration: Any


def name_caller(scope: Scope, user_id: int) -> None:
    """Record `user_id` as the request's signed-in caller (its log line's `user_id`)."""
    scope[CALLER_KEY] = user_id


def _route_templates(app: Any) -> dict[int, str]:
    """The full path template of every route of `app`, by the route object's id.

    FastAPI 0.16x keeps an included router as one entry (its `original_router`, with the
    prefix in its `include_context`) and gives `scope["route"]` the router's own route, whose
    path lacks the prefix. The prefixes are added up walking the included routers: asking
    FastAPI for its route contexts instead (`iter_route_contexts`) would build the effective
    route of every endpoint at once, half a second on the first request of a process, which
    its router does only for the routes a request's matching reaches.
    """
    templates: dict[int, str] = {}
    pending: list[tuple[Any, str]] = [(app.routes, "")]
    while pending:
        routes, prefix = pending.pop()
        for route in routes:
            included = getattr(route, "original_router", None)
            included_prefix = getattr(getattr(route, "include_context", None), "prefix", None)
            if included is not None and isinstance(included_prefix, str):
                pending.append((included.routes, prefix + included_prefix))
                continue
            template = getattr(route, "path_format", None)
            if isinstance(template, str):
                templates[id(route)] = prefix + template
    return templates


class RequestRecorder:
    """Gives every HTTP request an id, its line in the log (`apidock.requests`) and its count
    and latency in the metrics; `mock_prefix` is where the mock's paths start ("" when the
    mock is all there is, as under `apidock mock`), and `mock_route` their label."""

    def __init__(self, app: ASGIApp, *, mock_prefix: str, mock_route: str = MOCK_ROUTE) -> None:
        self.app = app
        self._mock_prefix = mock_prefix
        self._mock_route = mock_route
        self._mock_subpaths = mock_prefix + "/"
        self._logger = logging.getLogger(REQUEST_LOGGER)
        # (route id or label, method, status) -> its label and its child metrics
        self._series: dict[tuple[int | str, str, int], _Series] = {}
        self._templates: dict[int, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        request_id = None
        for name, value in scope["headers"]:
            if name == _REQUEST_ID_HEADER:
                request_id = chosen_request_id(value)
                break
        if request_id is None:
            request_id = new_request_id()
        path: str = scope["path"]
        mocked = path == self._mock_prefix or path.startswith(self._mock_subpaths)
        id_header = (_REQUEST_ID_HEADER, request_id.encode())
        status = 500  # what uvicorn answers when nothing was sent

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", ())
                # a mock answer may document an X-Request-ID of its own: it stays
                if not mocked or all(name.lower() != _REQUEST_ID_HEADER for name, _ in headers):
                    message["headers"] = [*headers, id_header]
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
            self._record(scope, request_id, status, perf_counter() - started, mocked)

    def _record(
        self, scope: Scope, request_id: str, status: int, duration: float, mocked: bool
    ) -> None:
        route = scope.get("route")
        key: int | str = (
            id(route) if route is not None else self._mock_route if mocked else UNMATCHED_ROUTE
        )
        method: str = scope["method"]
        if method not in METHODS:
            method = "OTHER"
        series = self._series.get((key, method, status))
        if series is None:
            series = self._new_series(scope, route, key, method, status)
        series.requests.inc()
        series.duration.observe(duration)
        if self._logger.isEnabledFor(logging.INFO):
            # a 401 authenticated no one, whatever the token named
            user_id = scope.get(CALLER_KEY) if status != 401 else None
            client = scope.get("client")
            self._logger.handle(
                RequestRecord(
                    request_id,
                    scope["method"],
                    series.route,
                    status,
                    duration,
                    user_id,
                    client[0] if client else None,
                )
            )

    def _new_series(
        self, scope: Scope, route: Any, key: int | str, method: str, status: int
    ) -> _Series:
        label = key if isinstance(key, str) else self._template(scope, route)
        series = _Series(
            label, HTTP_REQUESTS.labels(label, method, str(status)), HTTP_DURATION.labels(label)
        )
        self._series[key, method, status] = series
        return series

    def _template(self, scope: Scope, route: Any) -> str:
        template = self._templates.get(id(route))
        if template is None:
            # a route added after the first request (the templates are read once, lazily)
            self._templates = _route_templates(scope["app"])
            template = self._templates.get(id(route))
        if template is None:
            template = getattr(route, "path_format", None)
        return template if isinstance(template, str) else UNMATCHED_ROUTE
