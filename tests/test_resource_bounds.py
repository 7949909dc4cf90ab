"""Resource bounds against a real `apidock serve` (SQLite): oversized heads, slow clients, idle
keep-alive connections, the concurrency limit, huge pages, deep JSON and large bodies get a 4xx
or are cut off, and the server keeps answering.

The limits are settings (`MAX_HEADER_SIZE`, `HEADER_TIMEOUT`, `TIMEOUT_KEEP_ALIVE`,
`LIMIT_CONCURRENCY`, `BACKLOG`, `MAX_BODY_SIZE`); see `apidock.server` for the head limits,
which uvicorn's httptools protocol lacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from scripts.live_server import ROOT_NAME, ROOT_PASSWORD, LiveServer, deploy, server_env, serving

from apidock import cli, server
from apidock.config import SettingsError, load_settings

HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 1.0
KEEP_ALIVE = 1
MAX_HEADER_SIZE = 32 * 1024
SLOW_CLIENTS = 50


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One deployed server for the module, with short timeouts so the tests stay short."""
    var_dir = tmp_path_factory.mktemp("bounds")
    env = server_env(
        f"sqlite:///{var_dir / 'apidock.db'}",
        var_dir,
        HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        BODY_TIMEOUT=str(BODY_TIMEOUT),
        TIMEOUT_KEEP_ALIVE=str(KEEP_ALIVE),
        MAX_HEADER_SIZE=str(MAX_HEADER_SIZE),
    )
    deploy(env)
    with serving(env) as live_server:
        yield live_server


def exchange(port: int, request: bytes, *, timeout: float = 5) -> bytes | None:
    """Send `request` raw and read until the server closes; None when it reset the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        # closed while we were still sending: what was answered is read below
        with contextlib.suppress(OSError):
            connection.sendall(request)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            return None
        return received


def assert_healthy(live: LiveServer) -> None:
    assert live.alive()
    answer = httpx.get(f"{live.base_url}/healthz", timeout=5)
    assert answer.status_code == 200, answer.text


def root_auth(live: LiveServer) -> dict[str, str]:
    answer = httpx.post(
        f"{live.base_url}/api/v1/login",
        json={"name": ROOT_NAME, "password": ROOT_PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['data']['access_token']}"}


@pytest.mark.parametrize(
    ("head", "read_fully"),
    [
        pytest.param(b"X-Big: " + b"a" * 200_000 + b"\r\n", False, id="one 200 KB header"),
        pytest.param(
            b"".join(b"X-%d: v\r\n" % n for n in range(10_000)), False, id="10,000 headers"
        ),
        pytest.param(b"X-Big: " + b"a" * 40_000 + b"\r\n", True, id="just over the limit"),
    ],
)
def test_an_oversized_head_is_refused_and_the_server_answers_after(
    live: LiveServer, head: bytes, read_fully: bool
) -> None:
    answer = exchange(live.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + head + b"\r\n")
    if read_fully:
        # small enough to be read whole before the server closes: the client sees the 431
        assert answer is not None
    # 431, or the connection cut while the client was still sending: never served
    assert answer is None or answer.startswith(b"HTTP/1.1 431 "), answer
    if answer:
        assert b'"status": "error"' in answer
    assert_healthy(live)


def test_a_huge_request_line_is_refused(live: LiveServer) -> None:
    answer = exchange(
        live.port, b"GET /healthz?q=" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    assert answer is None or answer.startswith(b"HTTP/1.1 431 "), answer
    assert_healthy(live)


def test_a_head_within_the_limit_is_served(live: LiveServer) -> None:
    answer = exchange(
        live.port,
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: "
        + b"a" * (MAX_HEADER_SIZE - 1024)
        + b"\r\n\r\n",
    )
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 200 "), answer


async def _slow_client(port: int, *, drip: bool, give_up: float) -> float | None:
    """A client that sends its request head one byte every 0.2 s (or nothing at all); the
    seconds until the server closed the connection, None if it was still open at `give_up`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    opened = time.monotonic()
    closed = asyncio.ensure_future(reader.read(1024))
    head = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: "
    sent = 0
    try:
        while time.monotonic() - opened < give_up:
            if drip:
                writer.write(head[sent : sent + 1] if sent < len(head) else b"a")
                sent += 1
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
            done, _ = await asyncio.wait({closed}, timeout=0.2)
            if done:
                # the server closed without serving anything
                assert closed.exception() is not None or not closed.result(), closed.result()
                return time.monotonic() - opened
        return None
    finally:
        closed.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_slow_clients_are_cut_off_and_never_hold_up_others(live: LiveServer) -> None:
    give_up = HEADER_TIMEOUT + 3
    clients = [
        asyncio.ensure_future(_slow_client(live.port, drip=number % 5 != 0, give_up=give_up))
        for number in range(SLOW_CLIENTS)
    ]
    await asyncio.sleep(0.3)
    latencies = []
    async with httpx.AsyncClient(base_url=live.base_url, timeout=5) as http:
        for _ in range(20):
            started = time.monotonic()
            answer = await http.get("/healthz")
            latencies.append(time.monotonic() - started)
            assert answer.status_code == 200
            await asyncio.sleep(0.05)
    held = await asyncio.wait_for(asyncio.gather(*clients), timeout=give_up + 5)
    # no answer waited for a slow client to be cut off (the bound leaves a busy machine room)
    assert max(latencies) < HEADER_TIMEOUT, latencies
    cut_after = [seconds for seconds in held if seconds is not None]
    # each was cut by the server, not before its timeout, and before the client gave up
    assert len(cut_after) == SLOW_CLIENTS, held
    assert all(HEADER_TIMEOUT - 0.5 <= seconds <= give_up for seconds in cut_after), cut_after
    assert_healthy(live)


def test_a_body_sent_too_slowly_is_408_and_the_connection_closed(live: LiveServer) -> None:
    head = (
        b"POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60\r\n\r\n"
    )
    started = time.monotonic()
    answer = exchange(live.port, head + b'{"name": "sysop", ', timeout=BODY_TIMEOUT + 5)
    waited = time.monotonic() - started
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"Request body not received in time" in answer
    assert BODY_TIMEOUT - 0.2 <= waited <= BODY_TIMEOUT + 5, "then closed by the server"
    assert_healthy(live)


def test_an_idle_keep_alive_connection_is_closed(live: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        first = connection.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 "), first
        idle_from = time.monotonic()
        while connection.recv(65536):
            pass
        idle = time.monotonic() - idle_from
    assert KEEP_ALIVE - 0.5 <= idle <= KEEP_ALIVE + 5, idle


def test_pages_bodies_and_nesting_beyond_the_limits_get_4xx(live: LiveServer) -> None:
    headers = root_auth(live)
    with httpx.Client(base_url=f"{live.base_url}/api/v1", headers=headers, timeout=10) as http:
        for path, params in (
            ("/users", {"page": 10**12}),
            ("/users", {"per_page": 10**9}),
            ("/apps", {"page": 10**30}),
            ("/apis", {"per_page": 101}),
            ("/logs", {"page": -1}),
        ):
            answer = http.get(path, params=params)
            assert answer.status_code == 422, (path, params, answer.text)
            assert answer.json()["status"] == "error"
        last_page = http.get("/users", params={"page": 1_000_000, "per_page": 100})
        assert last_page.status_code == 200, last_page.text
        assert last_page.json()["data"]["users"] == []

        deep = "[" * 100_000 + "]" * 100_000
        nested = http.post("/apps", content=deep, headers={"Content-Type": "application/json"})
        assert nested.status_code == 400, nested.text
        assert nested.json()["status"] == "error"
        big = http.post(
            "/apps",
            content=b'{"title": "' + b"a" * (2 * 1024 * 1024) + b'"}',
            headers={"Content-Type": "application/json"},
        )
        assert big.status_code == 413, big.text
    assert_healthy(live)


def test_the_concurrency_limit_answers_503_beyond_it(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'apidock.db'}", tmp_path, LIMIT_CONCURRENCY="3")
    # a fresh database: serve migrates it first (it refuses one not at head)
    with serving(env, args=["--deploy"]) as limited:
        idle = [socket.create_connection(("127.0.0.1", limited.port)) for _ in range(3)]
        try:
            time.sleep(0.2)
            over = httpx.get(f"{limited.base_url}/healthz", timeout=5)
            assert over.status_code == 503, over.text
        finally:
            for connection in idle:
                connection.close()
        time.sleep(0.2)
        assert httpx.get(f"{limited.base_url}/healthz", timeout=5).status_code == 200


def test_serve_hands_the_limits_to_uvicorn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "APP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'apidock.db'}",
        "TIMEOUT_KEEP_ALIVE": "7",
        "LIMIT_CONCURRENCY": "500",
        "BACKLOG": "128",
    }.items():
        monkeypatch.setenv(name, value)
    called: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: called.update(kwargs))
    # serve refuses a database not at head
    assert CliRunner().invoke(cli.cli, ["db", "upgrade"]).exit_code == 0
    # `serve --workers 2` hands its workers settings through the environment (the metrics'
    # directory, which it removes at exit, among them): none may outlive this test, or every
    # later subprocess of the run would inherit a directory that is gone
    before = set(os.environ)
    try:
        result = CliRunner().invoke(cli.cli, ["serve", "--workers", "2"])
    finally:
        for name in set(os.environ) - before:
            del os.environ[name]
    assert result.exit_code == 0, result.output
    assert called["http"] == server.PROTOCOL
    assert (called["timeout_keep_alive"], called["limit_concurrency"], called["backlog"]) == (
        7,
        500,
        128,
    )
    assert called["workers"] == 2


def test_limits_are_settings_with_bounds(tmp_path: Path) -> None:
    base: dict[str, Any] = {"_env_file": None, "APP_VAR_DIR": str(tmp_path)}
    defaults = load_settings(**base)
    assert (defaults.max_header_size, defaults.header_timeout) == (32 * 1024, 10.0)
    assert defaults.body_timeout == 60.0
    assert (defaults.timeout_keep_alive, defaults.limit_concurrency, defaults.backlog) == (
        5,
        None,
        2048,
    )
    assert load_settings(**base, LIMIT_CONCURRENCY="").limit_concurrency is None
    for name, bad in (
        ("MAX_HEADER_SIZE", 10),
        ("HEADER_TIMEOUT", 0),
        ("BODY_TIMEOUT", 0),
        ("LIMIT_CONCURRENCY", 0),
        ("BACKLOG", 0),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings(**base, **{name: bad})
