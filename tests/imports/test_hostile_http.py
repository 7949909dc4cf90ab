"""Hostile documents are ordinary input to `POST /apps/import`: each gets a clear 4xx, reads
nothing outside the document, opens no connection, writes nothing, and the server goes on."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.models import App
from tests.catalog.helpers import API
from tests.imports.test_import_http import PETSTORE

Auth = dict[str, str]

BILLION_LAUGHS = b"""openapi: 3.1.0
info: {title: lol, version: "1"}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
paths: {}
"""


def document_with(**paths: Any) -> bytes:
    return json.dumps({**PETSTORE, "paths": paths}).encode()


def deep_json(depth: int) -> bytes:
    inner = b'{"a":' * depth + b"1" + b"}" * depth
    return (
        b'{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{},"x-deep":' + inner + b"}"
    )


def deep_yaml(depth: int) -> bytes:
    lines = ["openapi: 3.1.0", "info: {title: x, version: '1'}", "paths: {}", "x-deep:"]
    lines += ["  " * (level + 1) + "a:" for level in range(depth)]
    return ("\n".join(lines) + " 1\n").encode()


HOSTILE: dict[str, tuple[bytes, str, int]] = {
    "a YAML alias bomb": (BILLION_LAUGHS, "application/yaml", 422),
    "10,000-deep JSON": (deep_json(10_000), "application/json", 422),
    "10,000-deep JSON arrays": (
        b'{"openapi":"3.1.0","x":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "application/json",
        422,
    ),
    # block YAML 10,000 deep is over 20 MiB of indentation alone (413): 2,000 levels is 4 MiB
    "2,000-deep YAML": (deep_yaml(2_000), "application/yaml", 422),
    "10,000-deep flow YAML": (
        b"openapi: 3.1.0\nx: " + b"[" * 10_000 + b"]" * 10_000,
        "application/yaml",
        422,
    ),
    "a number past a float": (
        b'{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{},"x-n":1e400}',
        "application/json",
        422,
    ),
    "NaN": (b'{"openapi":"3.1.0","x-n":NaN}', "application/json", 422),
    "invalid UTF-8": (b'{"openapi":"3.1.0","info":{"title":"\xff\xfe"}}', "application/json", 422),
    "not JSON": (b'{"openapi": 3.1.0', "application/json", 422),
    "not an object": (b"[1, 2, 3]", "application/json", 422),
    "an unknown version": (b'{"swagger":"1.2","apis":[]}', "application/json", 422),
    "a Python tag": (
        b"openapi: !!python/object/apply:os.system ['true']\n",
        "application/yaml",
        422,
    ),
    "a $ref to a file": (
        document_with(**{"/x": {"get": {"responses": {"200": {"$ref": "file:///etc/passwd"}}}}}),
        "application/json",
        422,
    ),
    "a $ref that resolves nowhere": (
        document_with(
            **{"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}
        ),
        "application/json",
        422,
    ),
}


async def count_apps(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(App)) or 0


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
async def test_a_hostile_document_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession, case: str
) -> None:
    body, media_type, status = HOSTILE[case]
    before = await count_apps(session)
    response = await client.post(
        f"{API}/apps/import", content=body, headers={**dev_auth, "Content-Type": media_type}
    )
    assert response.status_code == status, response.text
    refusal = response.json()
    assert refusal["status"] == "error"
    assert refusal["data"], refusal
    assert all({"field", "message", "type"} <= set(entry) for entry in refusal["data"])
    assert await count_apps(session) == before
    assert (await client.get("/healthz")).status_code == 200


async def test_a_body_over_import_max_bytes_is_413_before_it_is_read(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    big = b'{"openapi":"3.1.0","x":"' + b"a" * (25 * 1024 * 1024) + b'"}'
    response = await client.post(
        f"{API}/apps/import", content=big, headers={**dev_auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413

    async def chunks() -> Any:
        for _ in range(26):
            yield b"a" * (1024 * 1024)

    chunked = await client.post(
        f"{API}/apps/import",
        content=chunks(),
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"type": "object"}')

        def log_message(self, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def test_a_ref_to_a_url_is_refused_by_name_and_never_fetched(
    client: httpx.AsyncClient, dev_auth: Auth, listener: tuple[str, list[str]]
) -> None:
    base, seen = listener
    schema_ref = {"$ref": f"{base}/pet.json"}
    body = document_with(
        **{
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema_ref}},
                        }
                    }
                }
            },
            "/y": {"$ref": f"{base}/path-item.json"},
        }
    )
    response = await client.post(
        f"{API}/apps/import", content=body, headers={**dev_auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    fields = {entry["field"]: entry["message"] for entry in response.json()["data"]}
    at = "/paths/~1x/get/responses/200/content/application~1json/schema/$ref"
    assert f"{base}/pet.json" in fields[at]
    assert f"{base}/path-item.json" in fields["/paths/~1y/$ref"]
    assert seen == []


async def test_legitimate_recursion_imports_and_exports_with_its_ref_kept(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    tree = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
        },
    }
    document = {
        **PETSTORE,
        "components": {
            **PETSTORE["components"],
            "schemas": {**PETSTORE["components"]["schemas"], "Tree": tree},
        },
    }
    imported = await client.post(
        f"{API}/apps/import",
        content=json.dumps(document),
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    app_id = imported.json()["data"]["app"]["id"]
    exported = (await client.get(f"{API}/apps/{app_id}/openapi.json", headers=dev_auth)).json()
    assert exported["components"]["schemas"]["Tree"] == tree


async def test_components_may_be_as_large_as_an_import_but_other_bodies_may_not(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    """MAX_BODY_SIZE (1 MiB) bounds every body but an import's and an app's components."""
    imported = await client.post(
        f"{API}/apps/import",
        content=json.dumps(PETSTORE),
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    app_id = imported.json()["data"]["app"]["id"]
    schemas = {f"S{n}": {"type": "string", "description": "d" * 1000} for n in range(1500)}
    components = {
        **PETSTORE["components"],
        "schemas": {**PETSTORE["components"]["schemas"], **schemas},
    }
    body = json.dumps(components)
    assert len(body) > 1024 * 1024
    put = await client.put(
        f"{API}/apps/{app_id}/components",
        content=body,
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert put.status_code == 200, put.text[:300]
    too_big = await client.patch(
        f"{API}/apps/{app_id}",
        content=json.dumps({"summary": "s" * (1024 * 1024)}),
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert too_big.status_code == 413
