"""A Redis outage: every route that needs the shared store answers 503, never 500, in time.

Redis is a closed port, a server that accepts and never answers, or the real one behind a TCP
proxy the test cuts and restores (as tests/test_outage.py does to PostgreSQL). Routes that do
not need it, `/healthz` first, keep answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from apidock.models import User
from tests.conftest import make_client, make_settings, wipe_database
from tests.factories import DEFAULT_PASSWORD, bearer, create_user

REDIS_URL = os.environ.get("APIDOCK_TEST_REDIS_URL", "")
API = "/api/v1"
TIMEOUT = 0.5  # REDIS_TIMEOUT of these tests
SILENT_TIMEOUT = 3.0  # REDIS_TIMEOUT of the Redis that never answers
UNAVAILABLE = {"status": "error", "message": "Shared store unavailable", "data": None}


class CuttableProxy:
    """Forwards 127.0.0.1:`port` to a target; `cut` drops the listener and every connection,
    those still being opened too."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._cuts = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            functools.partial(self._forward, self._cuts), "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is None:
            return
        self._cuts += 1
        self._server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        await self._server.wait_closed()
        self._server = None

    async def _forward(
        self, cuts: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if cuts != self._cuts:  # accepted before a cut, handed over after it
            writer.transport.abort()
            return
        self._open.add(writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        if writer not in self._open:  # cut while the upstream connection was opened
            upstream_writer.transport.abort()
            return
        self._open.add(upstream_writer)
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        self._open -= {writer, upstream_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Outage:
    """Applications on the live database (parallel requests need their own connections)."""

    settings: Settings
    engine: AsyncEngine
    tmp_path: Path
    made: list[FastAPI] = field(default_factory=list)

    def app_on(self, redis_url: str, timeout: float = TIMEOUT) -> FastAPI:
        limited = make_settings(
            self.settings.database_url,
            self.tmp_path,
            REDIS_URL=redis_url,
            REDIS_TIMEOUT=timeout,
            # parallel logins of one name stay below the limit: only the outage refuses them
            LOGIN_MAX_FAILURES=100,
        )
        application = create_app(limited, database=Database(self.engine))
        self.made.append(application)
        return application

    async def user(self) -> User:
        async with self.made[0].state.database.transaction() as session:
            return await create_user(session, self.settings, name=f"out{secrets.token_hex(4)}")


@pytest.fixture
async def outage(settings: Settings, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[Outage]:
    made = Outage(settings, engine, tmp_path)
    try:
        yield made
    finally:
        for application in made.made:
            await application.state.login_limiter.store.close()
            application.state.password_hasher.close()
            await application.state.database.core.close()
        await wipe_database(engine)


# How long a request may take before it counts as hung on the store: far above REDIS_TIMEOUT (a
# busy CI machine stalls for tens of seconds), far below forever. That each wait on the store is
# bounded by REDIS_TIMEOUT is shown by ordering (the silent-server test), not by a clock.
HUNG_AFTER = 60.0


async def unavailable(request: Awaitable[httpx.Response]) -> None:
    """`request` answers the store's 503 (with `Retry-After`) rather than hanging."""
    answer = await asyncio.wait_for(request, timeout=HUNG_AFTER)
    assert answer.status_code == 503, answer.text
    assert answer.json() == UNAVAILABLE
    assert int(answer.headers["retry-after"]) >= 1


async def every_store_route_is_503(client: httpx.AsyncClient, app: FastAPI, user: User) -> None:
    await unavailable(
        client.post(f"{API}/login", json={"name": user.name, "password": DEFAULT_PASSWORD})
    )
    await unavailable(
        client.post(f"{API}/token", data={"username": user.name, "password": DEFAULT_PASSWORD})
    )
    await unavailable(
        client.patch(
            f"{API}/users/me",
            json={"password": "a brand new password", "current_password": DEFAULT_PASSWORD},
            headers=bearer(app, user),
        )
    )
    # what needs no store still works
    assert (await client.get("/healthz")).status_code == 200
    me = await client.get(f"{API}/users/me", headers=bearer(app, user))
    assert me.status_code == 200, me.text


async def test_redis_on_a_closed_port_is_503(outage: Outage) -> None:
    application = outage.app_on(f"redis://127.0.0.1:{closed_port()}/0")
    user = await outage.user()
    async with make_client(application) as client:
        await every_store_route_is_503(client, application, user)


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A server that accepts connections and never answers; its port."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in held:
            writer.transport.abort()
        await server.wait_closed()


async def test_redis_that_never_answers_is_503_within_the_timeout(outage: Outage) -> None:
    async with silent_server() as port:
        url = f"redis://127.0.0.1:{port}/0"
        # the event loop is not held up while Redis is waited for: /healthz answers while a
        # login is still waiting, and the login then gives up on its own (orderings on a longer
        # wait, not wall-clock bounds that a busy CI machine breaks)
        waiting = outage.app_on(url, timeout=SILENT_TIMEOUT)
        user = await outage.user()
        async with make_client(waiting) as client:
            pending = asyncio.create_task(
                client.post(f"{API}/login", json={"name": user.name, "password": DEFAULT_PASSWORD})
            )
            await asyncio.sleep(0.05)
            assert (await client.get("/healthz")).status_code == 200
            assert not pending.done()
            await unavailable(pending)
        application = outage.app_on(url)
        async with make_client(application) as client:
            await every_store_route_is_503(client, application, user)


@pytest.fixture
async def proxied_redis() -> AsyncIterator[tuple[CuttableProxy, str]]:
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    direct = Redis.from_url(REDIS_URL)
    pool = direct.connection_pool.connection_kwargs
    await direct.aclose()
    proxy = CuttableProxy(pool.get("host", "127.0.0.1"), pool.get("port", 6379))
    await proxy.start()
    try:
        yield proxy, f"redis://127.0.0.1:{proxy.port}/{pool.get('db', 0)}"
    finally:
        await proxy.cut()


async def test_redis_cut_mid_run_is_503_then_recovers(
    outage: Outage, proxied_redis: tuple[CuttableProxy, str]
) -> None:
    proxy, url = proxied_redis
    application = outage.app_on(url)
    user = await outage.user()
    body = {"name": user.name, "password": DEFAULT_PASSWORD}
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    async with make_client(application, address) as client:
        assert (await client.post(f"{API}/login", json=body)).status_code == 200
        in_flight = [asyncio.create_task(client.post(f"{API}/login", json=body)) for _ in range(10)]
        await asyncio.sleep(0.01)
        await proxy.cut()
        answers = await asyncio.wait_for(asyncio.gather(*in_flight), timeout=HUNG_AFTER)
        assert {answer.status_code for answer in answers} <= {200, 503}
        await every_store_route_is_503(client, application, user)

        await proxy.start()
        deadline = time.monotonic() + HUNG_AFTER
        while (await client.post(f"{API}/login", json=body)).status_code != 200:
            assert time.monotonic() < deadline, "no login a minute after Redis returned"
            await asyncio.sleep(0.1)
