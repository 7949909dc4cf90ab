"""ASGI middleware: the request body limit."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apidock.exceptions import PayloadTooLarge


class BodySizeLimit:
    """Refuse a body over `max_bytes` with 413, counted while it streams, before any parsing.

    A declared `Content-Length` over the limit is refused before a byte is read; a body that
    grows past the limit (chunked, or lying about its length) stops at the first chunk
    that crosses it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._refuse(send)
                return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            # Past the limit, answer 413 ourselves and tell the app the client is gone.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"status": "error", "message": PayloadTooLarge.message, "data": None})
        await send(
            {
                "type": "http.response.start",
                "status": PayloadTooLarge.status_code,
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
