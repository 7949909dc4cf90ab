"""ASGI middleware: the request body's limits, the trusted hosts, and the headers every answer
carries."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import URL
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apidock.config import HOST_NAME
from apidock.errors import ApiError, BadRequest, PayloadTooLarge, RequestTimeout

# a Host header: a name (a trailing dot allowed) or an IPv6 literal, and an optional port
_HOST_HEADER_RE = re.compile(
    rf"(?P<name>{HOST_NAME}|\[[0-9a-f:.]+\])\.?(?::[0-9]{{1,5}})?", re.IGNORECASE
)


class BodyLimits:
    """Bound each request body in size (413) and in time (408), before any parsing.

    Size: a declared `Content-Length` over `max_bytes` is refused before a byte is read; a
    body that grows past it (chunked, or lying about its length) stops at the first chunk
    that crosses it. Time: the whole body must arrive within `timeout` seconds of its first
    read, so that a client trickling bytes cannot hold a request open (uvicorn times the
    request head, not the body). Either way the answer is sent here, the connection closed
    after it, and the app told that the client is gone.

    `larger` gives paths (regular expressions a path must match whole) whose bodies may be
    larger than `max_bytes`, each with its own limit: an import's document, an app's
    components.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        timeout: float,
        larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.larger = [(re.compile(path), limit) for path, limit in (larger or {}).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.max_bytes
        for path, limit in self.larger:
            if path.fullmatch(scope["path"]):
                max_bytes = limit
                break
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > max_bytes):
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
                if received > max_bytes:
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


class InvalidHost(BadRequest):
    message = "Invalid host"


class TrustedHosts:
    """Refuse (400) a request whose Host header names none of `hosts`, before the app runs.

    `hosts` are TRUSTED_HOSTS entries (lower case, IPv6 in brackets, `*.` for subdomains); the
    port of the header is not compared. `exempt_paths` answer whatever the Host: the probes,
    which a kubelet sends to the pod's address and whose answers reflect nothing.
    """

    def __init__(
        self, app: ASGIApp, hosts: Iterable[str], exempt_paths: Collection[str] = ()
    ) -> None:
        self.app = app
        hosts = list(hosts)
        self.names = frozenset(host for host in hosts if not host.startswith("*."))
        self.suffixes = tuple(host[1:] for host in hosts if host.startswith("*."))
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.answered(scope):
            await _refuse(send, InvalidHost)
            return
        await self.app(scope, receive, send)

    def answered(self, scope: Scope) -> bool:
        return _route_path(scope) in self.exempt_paths or self.trusted(scope)

    def trusted(self, scope: Scope) -> bool:
        values = [value for name, value in scope["headers"] if name == b"host"]
        if len(values) != 1:  # none (HTTP/1.0), or several that could be read either way
            return False
        match = _HOST_HEADER_RE.fullmatch(values[0].decode("latin-1"))
        if match is None:
            return False
        name = match["name"].lower()
        if name.startswith("["):
            try:
                name = f"[{ipaddress.IPv6Address(name[1:-1])}]"
            except ValueError:
                return False
        return name in self.names or name.endswith(self.suffixes)


def _route_path(scope: Scope) -> str:
    """The path below the mount point (`root_path`), as routes see it."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


def relative_location(location: bytes, scope: Scope) -> bytes:
    """`location` without scheme and host when it names this server, as the Host header did.

    Starlette builds a redirect's URL from the request's Host header (the trailing-slash
    redirects, StaticFiles), which a client chooses: a path alone points to the same server
    and names no host. A location elsewhere, or on another scheme, is left as it is.
    """
    target = urlsplit(location.decode("latin-1"))
    own = URL(scope=scope)
    # on another scheme (a redirect to https, say) it is not this server's own location
    same_server = target.netloc.lower() == own.netloc.lower() and target.scheme in ("", own.scheme)
    if not target.netloc or not same_server:
        return location
    # a path `//x` or `/\x` would be read as the host x
    path = (target.path or "/").replace("\\", "%5C")
    if path.startswith("//"):
        path = "/%2F" + path[2:]
    return urlunsplit(("", "", path, target.query, target.fragment)).encode("latin-1")


def _relative_if_location(name: bytes, value: bytes, scope: Scope) -> bytes:
    return relative_location(value, scope) if name.lower() == b"location" else value


class SecurityHeaders:
    """Headers every answer carries; API answers are kept out of shared and browser caches, and
    a redirect to this server names no host (`relative_location`).

    An answer that sets no Content-Security-Policy of its own (the docs pages do) gets one that
    lets nothing load or run, nor frame it: API answers are data, never a page.
    """

    COMMON = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    )

    def __init__(self, app: ASGIApp, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # below the mount point: under a `root_path` the path starts with it, not the prefix
        is_api = _route_path(scope).startswith(self.api_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"location" in present:
                    headers = [
                        (name, _relative_if_location(name, value, scope)) for name, value in headers
                    ]
                headers.extend(item for item in self.COMMON if item[0] not in present)
                if is_api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                    headers.append((b"pragma", b"no-cache"))  # for HTTP/1.0 caches
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
