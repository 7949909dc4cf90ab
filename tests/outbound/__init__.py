"""Tests of apidock.outbound, and the local listener they share.

`Listener` is a plain asyncio HTTP/1.1 server on a loopback address that counts every TCP
connection it accepts and records every request it reads; a test of a refusal asserts that it
saw no connection at all. All traffic of these tests stays on 127.0.0.0/8 and ::1: addresses off
this machine are only ever judged, never connected to.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

from apidock.outbound.guard import Resolver


@dataclass
class Received:
    """A request as the listener read it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None


Respond = Callable[[Received, asyncio.StreamWriter], Awaitable[None]]


def response_bytes(
    status: int = 200, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    """An HTTP/1.1 response with a Content-Length."""
    lines = [f"HTTP/1.1 {status} Status", *(f"{name}: {value}" for name, value in headers)]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def answering(
    status: int = 200, headers: Sequence[tuple[str, str]] = (), body: bytes = b"ok"
) -> Respond:
    """A responder that gives every request the same answer."""

    async def respond(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(response_bytes(status, headers, body))
        await writer.drain()

    return respond


def resolving(*addresses: str, calls: list[tuple[str, int]] | None = None) -> Resolver:
    """A resolver that answers every name with `addresses`, noting each call in `calls`."""

    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append((host, port))
        return list(addresses)

    return resolve


class Listener:
    """A counting HTTP listener on a loopback address; `async with` starts and stops it."""

    def __init__(
        self,
        respond: Respond | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._respond = respond or answering()
        self.host = host
        self.port = port
        self._tls = tls
        self.connections = 0
        self.requests: list[Received] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Listener:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{self.authority}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while not writer.is_closing():
                received = await self._read_request(reader)
                self.requests.append(received)
                await self._respond(received, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> Received:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.rstrip("\r\n").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = [
            (name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in header_lines)
        ]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        body = await reader.readexactly(length)
        return Received(method=method, target=target, headers=headers, body=body)
