"""The mock server: an ASGI application answering every documented app from its description.

It is mounted on the API's port at `/mock/{slug}/...` (`MockDispatch` sends those paths to it
before the API's middleware) and runs alone under `apidock mock`, serving `/{slug}/...`, or
one app at `/` with `--app`. It is plain ASGI, not FastAPI: a mock answer is one statement
(`lookup.find_app`) and a few microseconds of Python (`apidock.mocking`), and a framework's
routing and middleware would cost more than both.

Every answer carries `Content-Security-Policy: sandbox`, `X-Content-Type-Options: nosniff`
and `Cache-Control: no-store` (whatever the description documents: its Set-Cookie and
Cache-Control are never sent), and CORS for any origin without credentials. A preflight is
answered without a key, for any path, known or not. An unknown slug and a private app asked
without a live key of its own get the same 404, byte for byte. Requests refused so are not
logged (anyone knowing a slug could otherwise push the app's own requests out of its log);
every other answer is, with its status, including the mock's 404s and 405s.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from datetime import UTC, datetime
from typing import Any

import orjson

from apidock.apps.openapi_export import MOCK_PREFIX
from apidock.config import Settings
from apidock.db import CoreRunner, Database
from apidock.log_queue import QueuedLogs
from apidock.metrics import count_mock_answer
from apidock.mock.keys import MAX_KEY_LENGTH, key_hash
from apidock.mock.log_writer import LogEntry, MockLogWriter
from apidock.mock.lookup import MockDocuments, MockTarget, find_app
from apidock.mocking.answers import MockAnswer, MockRequest

logger = logging.getLogger("apidock.mock")
# ASGI's types, spelled as Starlette's are (this module imports no framework)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
FIXED_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", b"sandbox"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"*"),
)
PREFLIGHT_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE"
PREFLIGHT_MAX_AGE = b"600"
# what a preflight may ask for: header names (tokens), comma-separated, bounded
_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_HEADER_NAMES = re.compile(rb"^" + _TOKEN + rb"(?:[ \t]*,[ \t]*" + _TOKEN + rb")*$")
_MAX_PREFLIGHT_HEADERS = 2048
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _problem(status: int, title: str, detail: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return status, [(b"content-type", b"application/problem+json")], body


NOT_FOUND = _problem(404, "Not Found", "No mock answers here")


class MockServer:
    """The ASGI application of the mock. `app_slug` serves one app at the root; otherwise
    every app at `/{slug}` under `prefix` ("" alone, "/mock" on the API's port)."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        prefix: str = "",
        app_slug: str | None = None,
        log: MockLogWriter | None = None,
        owns_database: bool = False,
        queue_logs: bool = False,
    ) -> None:
        self.database = database
        # how the mock reaches the database (a test puts its own transaction's in their place)
        self.core: CoreRunner = database.core
        self.documents = MockDocuments(lambda: database.transaction(write=False))
        self.log = log or MockLogWriter(database.transaction)
        self._prefix = prefix.encode()
        self._app_slug = app_slug
        self._max_body = settings.max_body_size
        self._body_timeout = settings.body_timeout
        self._owns_database = owns_database
        # a server of its own (`apidock mock`) writes its lines from the log thread, as the
        # API's does (its lifespan starts that thread; here the mock's does)
        self._logs = QueuedLogs() if queue_logs else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no WebSocket mock: the connection is closed unanswered
        status, headers, body, logged = await self._answer(scope, receive)
        count_mock_answer(status)
        await send(
            {"type": "http.response.start", "status": status, "headers": [*headers, *FIXED_HEADERS]}
        )
        if scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.body", "body": body})
        if logged is not None:
            self.log.add(logged)

    async def _answer(
        self, scope: Scope, receive: Receive
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, LogEntry | None]:
        raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        headers = _headers(scope["headers"])
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            return (*_preflight(headers), None)
        found = self._split(raw)
        if found is None:
            return (*NOT_FOUND, None)
        slug, rest = found
        key = headers.get("x-mock-key", "")
        hashed = key_hash(key) if 0 < len(key) <= MAX_KEY_LENGTH else None
        target = await find_app(self.core, slug=slug, key_hash=hashed)
        if target is None:
            return (*NOT_FOUND, None)
        # a request that announces no body has none: nothing to wait for
        announced = "content-length" in headers or "transfer-encoding" in headers
        body = await self._body(receive) if announced else b""
        if body is None:
            status, out, content = _problem(413, "Content Too Large", "The body is too large")
            return status, out, content, _entry(target, scope, rest, status, "error")
        answer = await self._mock_answer(target, scope, rest, headers, body)
        out = [_safe(name, value) for name, value in answer.headers if _sendable(name, value)]
        logged = _entry(target, scope, rest, answer.status, answer.source)
        return answer.status, out, answer.body, logged

    async def _mock_answer(
        self, target: MockTarget, scope: Scope, rest: str, headers: dict[str, str], body: bytes
    ) -> MockAnswer:
        document = await self.documents.of(target)
        request = MockRequest(
            method=scope["method"],
            path=rest,
            query_string=scope.get("query_string", b""),
            headers=headers,
            body=body,
            strict=target.strict,
        )
        return document.answer(request)

    def _split(self, raw: bytes) -> tuple[str, str] | None:
        """The slug and the path after it, or None when the path names no app."""
        if self._app_slug is not None:
            if self._prefix and not raw.startswith(self._prefix):
                return None
            rest = raw[len(self._prefix) :] or b"/"
            return self._app_slug, rest.decode("latin-1")
        if not raw.startswith(self._prefix + b"/"):
            return None
        tail = raw[len(self._prefix) + 1 :]
        slug, slash, rest = tail.partition(b"/")
        text = slug.decode("latin-1")
        if not _SLUG.match(text) or len(text) > 80:
            return None
        return text, "/" + rest.decode("latin-1") if slash else "/"

    async def _body(self, receive: Receive) -> bytes | None:
        """The request's body, or None past the size bound (or when it comes too slowly)."""
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self._body_timeout):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self._max_body:
                        return None
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            return None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self._logs is not None:
                    self._logs.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        await self.log.close()
        if self._owns_database:
            await self.database.dispose()
        if self._logs is not None:
            self._logs.stop()


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request's headers by lower-case name, repeated ones joined with ", "."""
    headers: dict[str, str] = {}
    for name, value in raw:
        text_name = name.decode("latin-1").lower()
        text_value = value.decode("latin-1")
        headers[text_name] = (
            f"{headers[text_name]}, {text_value}" if text_name in headers else text_value
        )
    return headers


def _sendable(name: str, value: str) -> bool:
    """A header the description documents may be sent: a token for a name, no line break or
    NUL in the value (no response splitting, whatever a description says)."""
    return bool(_HEADER_NAMES.match(name.encode("latin-1", "replace"))) and not any(
        char in value for char in "\r\n\0"
    )


def _safe(name: str, value: str) -> tuple[bytes, bytes]:
    return name.lower().encode("ascii"), value.encode("latin-1", "replace")


def _preflight(headers: dict[str, str]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    allowed = [
        (b"access-control-allow-methods", PREFLIGHT_METHODS),
        (b"access-control-max-age", PREFLIGHT_MAX_AGE),
    ]
    asked = headers.get("access-control-request-headers", "").strip().encode("latin-1")
    if asked and len(asked) <= _MAX_PREFLIGHT_HEADERS and _HEADER_NAMES.match(asked):
        allowed.append((b"access-control-allow-headers", asked))
    else:
        allowed.append((b"access-control-allow-headers", b"x-mock-key, content-type, prefer"))
    return 204, allowed, b""


def _entry(target: MockTarget, scope: Scope, rest: str, status: int, source: str) -> LogEntry:
    return LogEntry(
        app_id=target.app_id,
        at=datetime.now(UTC),
        method=scope["method"],
        path=rest,
        status=status,
        source=source,
    )


class MockDispatch:
    """The API's ASGI application with `/mock/...` sent to the mock server first."""

    def __init__(self, api: ASGIApp, mock: ASGIApp) -> None:
        self._api = api
        self._mock = mock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            scope["path"] == MOCK_PREFIX or scope["path"].startswith(MOCK_PREFIX + "/")
        ):
            await self._mock(scope, receive, send)
            return
        await self._api(scope, receive, send)
