"""The service the contract tests of bench/runs_speed.py run against: every operation of
bench/runs_document.py answered with a body valid for its schema.

    .venv/bin/python bench/runs_target.py --port 8831

A bare ASGI function under uvicorn with uvloop and httptools, no framework, no access log: the
bodies are made once at start-up, a request is routed by its method and path segments and
answered with prebuilt bytes (a request body is read and dropped). `GET /__ready` answers 200
with no body. It counts what it answered (`GET /__count`), so the benchmark can check that
every case reached it. bench/runs_speed.py measures how many requests a second it can answer
and reports it beside the runs: it must be far faster than what it serves, so that neither
client waits for it.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from runs_cases import answers, variant_of

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON_HEADERS = [(b"content-type", b"application/json")]
_ROUTES = [
    (method, template.strip("/").split("/"), status, bodies)
    for (method, template), (status, bodies) in answers().items()
]
_counted = {"answered": 0}


def _route(method: str, path: str) -> tuple[int, bytes] | None:
    segments = path.strip("/").split("/")
    for route_method, template, status, bodies in _ROUTES:
        if route_method != method or len(template) != len(segments):
            continue
        if all(t == s or t.startswith("{") for t, s in zip(template, segments, strict=True)):
            return status, bodies[variant_of(path)]
    return None


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if not message.get("more_body"):
            return


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await _drain(receive)
    path, method = scope["path"], scope["method"]
    headers: list[tuple[bytes, bytes]] = []
    if path == "/__ready":
        status, body = 200, b""
    elif path == "/__count":
        status, body = 200, str(_counted["answered"]).encode()
    else:
        found = _route(method, path)
        status, body = found if found is not None else (404, b'{"error":"no such route"}')
        _counted["answered"] += 1
        if body:
            headers = _JSON_HEADERS
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description="The target service of bench/runs_speed.py")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        backlog=256,
    )


if __name__ == "__main__":
    main()
