"""ASGI middleware: the request body's limits, and the headers every answer carries."""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apidock.exceptions import ApiError, PayloadTooLarge, RequestTimeout


class BodyLimits:
    """Bound each request body in size (413) and in time (408), before any parsing.

    Size: a declared `Content-Length` over `max_bytes` is refused before a byte is read; a
    body that grows past it (chunked, or lying about its length) stops at the first chunk
    that crosses it. Time: the whole body must arrive within `timeout` seconds of its first
    read, so that a client trickling bytes cannot hold a request open (uvicorn times the
    request head, not the body). Either way the answer is sent here, the connection closed
    after it, and the app told that the client is gone.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await _refuse(send, PayloadTooLarge)
                return
        received = 0
        complete = False
        refused = False
        deadline: float | None = None

        async def limited_receive() -> Message:
            nonlocal received, complete, refused, deadline
            if refused:
                return {"type": "http.disconnect"}
            if complete:  # only a disconnect can come now; waiting for it is not timed
                return await receive()
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.timeout
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                refused = True
                await _refuse(send, RequestTimeout)
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > self.max_bytes:
                    refused = True
                    await _refuse(send, PayloadTooLarge)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _refuse(send: Send, error: type[ApiError]) -> None:
    """Answer `error` in the envelope and close the connection after it."""
    body = json.dumps({"status": "error", "message": error.message, "data": None})
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class SecurityHeaders:
    """Headers every answer carries; API answers are kept out of shared and browser caches."""

    COMMON = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith(self.api_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in self.COMMON if item[0] not in present)
                if is_api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                    headers.append((b"pragma", b"no-cache"))  # for HTTP/1.0 caches
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
