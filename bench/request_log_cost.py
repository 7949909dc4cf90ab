"""What the request middleware (`apidock.http.request_log.RequestRecorder`: the request id,
the log line, the metrics) costs per request, against no middleware at all, and what
uvicorn's access log cost that it replaced. Not a test: run it by hand.

    .venv/bin/python bench/request_log_cost.py [--requests 50000] [--rounds 5]

Each variant answers `--requests` requests of an ASGI application that does nothing but set
the matched route (`GET /api/v1/users/{user_id}` of the real app) and send a 200, on one
event loop, pinned to one core when the machine allows it. Two numbers per request, each the
median of the rounds minus the bare application's: the event loop's time (what a request
waits for), and the process's CPU time, the log thread's included (the lines are formatted
and written by it, to a file here, and every line is written before the round ends), since a
worker pinned to one core pays both.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.logging import AccessFormatter

from apidock.config import LogFormat, load_settings
from apidock.http.request_log import RequestRecorder
from apidock.log_queue import QueuedLogs
from apidock.main import create_app
from apidock.request_logs import REQUEST_LOGGER, log_config

ASGI = ASGIApp
PATH = "/api/v1/users/7"


def users_route(app: FastAPI) -> Any:
    """The route object the router hands the scope for `GET /api/v1/users/{id}`."""
    for context in iter_route_contexts(app.routes):
        if context.path_format == "/api/v1/users/{user_id}" and "GET" in (context.methods or ()):
            return context.original_route
    raise SystemExit("no GET /api/v1/users/{user_id} route")


def bare_application(route: Any) -> ASGI:
    start = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    body = {"type": "http.response.body", "body": b"{}"}

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = route
        await send(dict(start))
        await send(body)

    return answer


def uvicorn_access_log(inner: ASGI) -> ASGI:
    """What uvicorn's httptools protocol does per request with its access log on."""
    access = logging.getLogger("uvicorn.access")

    async def logged(scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await inner(scope, receive, sent)
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:50000",
            scope["method"],
            scope["path"],
            scope["http_version"],
            status,
        )

    return logged


def configure(log_format: LogFormat, request_lines: bool, output: Path) -> QueuedLogs:
    """The logging `apidock serve` sets up, writing to `output`, queued as in the lifespan."""
    logging.config.dictConfig(log_config(log_format, request_lines=request_lines))
    stream = output.open("a")
    for name in ("apidock", REQUEST_LOGGER, "uvicorn"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(stream)
    access_handler = logging.StreamHandler(stream)
    access_handler.setFormatter(
        AccessFormatter('%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s')
    )
    access = logging.getLogger("uvicorn.access")
    access.handlers = [access_handler]
    access.setLevel(logging.INFO)
    access.propagate = False
    logs = QueuedLogs()
    logs.start()
    return logs


async def one_round(application: ASGI, app: FastAPI, requests: int) -> tuple[float, float]:
    """Seconds of the loop and of the process's CPU for `requests` requests."""
    template = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer x" * 20)],
        "client": ("127.0.0.1", 50000),
        "app": app,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        await application(dict(template), receive, send)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(variant: str, app: FastAPI, route: Any, args: argparse.Namespace) -> dict[str, float]:
    output = Path(tempfile.mkdtemp()) / f"{variant}.log"
    bare = bare_application(route)
    applications: dict[str, tuple[ASGI, LogFormat, bool]] = {
        "bare": (bare, LogFormat.JSON, False),
        "uvicorn access log (replaced)": (uvicorn_access_log(bare), LogFormat.JSON, False),
        "recorder, lines off (metrics, id)": (
            RequestRecorder(bare, mock_prefix="/mock"),
            LogFormat.JSON,
            False,
        ),
        "recorder, JSON lines": (RequestRecorder(bare, mock_prefix="/mock"), LogFormat.JSON, True),
        "recorder, text lines": (RequestRecorder(bare, mock_prefix="/mock"), LogFormat.TEXT, True),
    }
    application, log_format, request_lines = applications[variant]
    loops, cpus = [], []
    for _ in range(args.rounds):
        logs = configure(log_format, request_lines, output)
        cpu_before = time.process_time()
        loop_seconds, _ = asyncio.run(one_round(application, app, args.requests))
        logs.stop()  # every queued line written: its CPU is the round's
        loops.append(loop_seconds)
        cpus.append(time.process_time() - cpu_before)
    lines = sum(1 for _ in output.open()) if output.exists() else 0
    return {
        "loop_us": statistics.median(loops) / args.requests * 1e6,
        "cpu_us": statistics.median(cpus) / args.requests * 1e6,
        "lines": lines / args.rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    var_dir = tempfile.mkdtemp()
    settings = load_settings(
        _env_file=None,
        APP_CONFIG="testing",
        APP_VAR_DIR=var_dir,
        DATABASE_URL=f"sqlite:///{var_dir}/bench.db",
    )
    app = create_app(settings)
    route = users_route(app)
    variants = [
        "bare",
        "uvicorn access log (replaced)",
        "recorder, lines off (metrics, id)",
        "recorder, JSON lines",
        "recorder, text lines",
    ]
    results = {variant: measure(variant, app, route, args) for variant in variants}
    bare = results["bare"]
    python = sys.version.split()[0]
    print(f"{args.requests:,} requests x {args.rounds} rounds, medians, Python {python}")
    print(f"{'variant':<36} {'loop µs/req':>12} {'CPU µs/req':>11} {'lines/round':>12}")
    for variant, result in results.items():
        loop = result["loop_us"] - (0 if variant == "bare" else bare["loop_us"])
        cpu = result["cpu_us"] - (0 if variant == "bare" else bare["cpu_us"])
        shown = "(itself)" if variant == "bare" else "+"
        print(f"{variant:<36} {shown:>2}{loop:>10.2f} {cpu:>11.2f} {result['lines']:>12,.0f}")


if __name__ == "__main__":
    main()
