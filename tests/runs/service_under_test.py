"""A live service on 127.0.0.1 with seeded faults, for runs to test: a plain asyncio HTTP/1.1
server answering each path with a canned answer (and counting the requests it saw)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"
ITEM = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def _operation(name: str, *, header: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": "An item",
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Item"}}},
    }
    if header:
        response["headers"] = {"X-Rate": {"required": True, "schema": {"type": "integer"}}}
    return {"operationId": name, "responses": {"200": response}}


# the description of the service: every path documents one valid item answer
FAULTY_API: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Faulty", "version": "1"},
    "paths": {
        "/ok": {"get": _operation("ok", header=True)},
        "/wrong-type": {"get": _operation("wrongType")},
        "/missing": {"get": _operation("missing")},
        "/undocumented-status": {"get": _operation("undocumentedStatus")},
        "/wrong-content-type": {"get": _operation("wrongContentType")},
        "/no-header": {"get": _operation("noHeader", header=True)},
        "/extra": {"get": _operation("extra")},
        "/slow": {"get": _operation("slow")},
        "/echo/{word}": {
            "get": {
                "operationId": "echo",
                "parameters": [
                    {"name": "word", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "The request seen",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {"schemas": {"Item": ITEM}},
}

GOOD = {"id": 1, "name": "cup"}
ANSWERS: dict[str, tuple[int, str, dict[str, str], bytes]] = {
    "/ok": (200, JSON, {"X-Rate": "10"}, json.dumps(GOOD).encode()),
    "/wrong-type": (200, JSON, {}, json.dumps({"id": "one", "name": "cup"}).encode()),
    "/missing": (200, JSON, {}, json.dumps({"id": 1}).encode()),
    "/undocumented-status": (418, JSON, {}, json.dumps(GOOD).encode()),
    "/wrong-content-type": (200, "text/plain", {}, b"cup"),
    "/no-header": (200, JSON, {}, json.dumps(GOOD).encode()),
    "/extra": (200, JSON, {}, json.dumps({**GOOD, "colour": "red"}).encode()),
    "/slow": (200, JSON, {}, json.dumps(GOOD).encode()),
}
SLOW_SECONDS = 0.3


@dataclass
class Service:
    port: int
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _handle(
    service: Service, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        length = int(headers.get("content-length", "0") or 0)
        body = await reader.readexactly(length) if length else b""
        path = target.split("?", 1)[0]
        service.seen.append({"method": method, "target": target, "headers": headers, "body": body})
        if path.startswith("/echo/"):
            answer = (
                200,
                JSON,
                {},
                json.dumps({"target": target, "headers": headers, "body": body.decode()}).encode(),
            )
        else:
            answer = ANSWERS.get(path, (404, JSON, {}, b"{}"))
        if path == "/slow":
            await asyncio.sleep(SLOW_SECONDS)
        status, media_type, extra, content = answer
        out = [
            f"HTTP/1.1 {status} X",
            f"Content-Type: {media_type}",
            f"Content-Length: {len(content)}",
            "Connection: close",
        ]
        out += [f"{name}: {value}" for name, value in extra.items()]
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + content)
        await writer.drain()
    except (asyncio.IncompleteReadError, TimeoutError, ValueError, ConnectionError):
        pass
    finally:
        writer.close()


@asynccontextmanager
async def running_service() -> AsyncIterator[Service]:
    service = Service(port=0)
    server = await asyncio.start_server(lambda r, w: _handle(service, r, w), "127.0.0.1", 0)
    service.port = server.sockets[0].getsockname()[1]
    try:
        yield service
    finally:
        server.close()
        await server.wait_closed()
