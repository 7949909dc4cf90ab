"""A database outage: PostgreSQL reached through a TCP proxy the test cuts and restores.

While it is cut, requests answer 503 in the envelope within the pool timeout, `/readyz` is 503
and `/healthz` 200; once restored the same application recovers, and every write answered
with success, before or around the cut, is in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from apidock.apps.models import App
from apidock.db import Base
from apidock.main import create_app
from tests.conftest import (
    _backend,
    _server_urls,
    create_database,
    drop_database,
    make_client,
    make_settings,
    mark_at_head,
    seed_test_roles,
)
from tests.factories import bearer, create_user

POSTGRES = next((url for url in _server_urls() if _backend(url) == "postgresql"), None)
pytestmark = pytest.mark.skipif(
    POSTGRES is None, reason="APIDOCK_TEST_DATABASES names no PostgreSQL"
)
POOL_TIMEOUT = 1.0


class TcpProxy:
    """Forwards 127.0.0.1:`port` to a target; `cut` drops every connection and the listener."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._forward, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()
        self._server = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )
        self._writers -= {writer, upstream_writer}


@pytest.fixture
async def outage_database() -> AsyncIterator[URL]:
    assert POSTGRES is not None
    name = f"apidock_outage_{os.getpid()}"
    url = await create_database(POSTGRES, name)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            await seed_test_roles(connection)
            await mark_at_head(connection)
    finally:
        await engine.dispose()
    yield url
    await drop_database(POSTGRES, name)


async def test_cut_database_gives_503_then_recovers_losing_no_acknowledged_write(
    outage_database: URL, tmp_path: Path
) -> None:
    proxy = TcpProxy(outage_database.host or "127.0.0.1", outage_database.port or 5432)
    await proxy.start()
    proxied = outage_database.set(host="127.0.0.1", port=proxy.port)
    settings = make_settings(
        proxied.render_as_string(hide_password=False), tmp_path, DB_POOL_TIMEOUT=POOL_TIMEOUT
    )
    application = create_app(settings)
    async with application.state.database.transaction() as session:
        admin = await create_user(session, settings, role="Administrator")
    auth = bearer(application, admin)
    acknowledged: list[int] = []
    answered: list[int] = []

    async def write(http: httpx.AsyncClient, number: int) -> None:
        answer = await http.post(
            "/api/v1/apps", json={"title": f"Outage {number}"}, headers=auth, timeout=30
        )
        answered.append(answer.status_code)
        if answer.status_code == 201:
            acknowledged.append(answer.json()["data"]["id"])
        else:
            assert answer.status_code == 503, answer.text
            assert answer.json() == {
                "status": "error",
                "message": "Database unavailable",
                "data": None,
            }

    try:
        async with make_client(application) as http:
            # writes in flight while the proxy is cut
            writers = [asyncio.create_task(write(http, number)) for number in range(12)]
            await asyncio.sleep(0.05)
            await proxy.cut()
            await asyncio.wait_for(asyncio.gather(*writers), timeout=30)

            started = time.monotonic()
            down = await http.get("/api/v1/apps", headers=auth)
            assert down.status_code == 503, down.text
            assert down.json()["status"] == "error"
            assert down.headers["retry-after"]
            # answered by the pool's timeout, not hung (the slack is for a stalled CI machine)
            assert time.monotonic() - started < POOL_TIMEOUT + 60
            assert (await http.get("/readyz")).status_code == 503
            assert (await http.get("/healthz")).status_code == 200
            more = [asyncio.create_task(write(http, 100 + number)) for number in range(4)]
            await asyncio.wait_for(asyncio.gather(*more), timeout=30)

            await proxy.start()
            deadline = time.monotonic() + 20
            while (await http.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "not ready 20 s after the database returned"
                await asyncio.sleep(0.2)
            assert (await http.get("/api/v1/apps", headers=auth)).status_code == 200
            await write(http, 200)
            assert answered[-1] == 201
    finally:
        await application.state.database.dispose()
        with contextlib.suppress(AssertionError):
            await proxy.cut()

    assert 503 in answered
    direct = create_async_engine(outage_database)
    try:
        async with direct.connect() as connection:
            stored = set((await connection.execute(select(App.id))).scalars())
    finally:
        await direct.dispose()
    assert set(acknowledged) <= stored, set(acknowledged) - stored
