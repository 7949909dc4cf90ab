"""A real `apidock serve` in a subprocess, on a database of its own: for the hardening scripts
(`fuzz.py`, `load.py`) and the tests whose behaviour lives in uvicorn.

Every server started here is stopped when its `with` block ends, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from apidock.config import to_async_url

# Tests and scripts only: a fixed key, cheap password hashing, login limits out of the way.
SERVER_ENV = {
    "APP_CONFIG": "development",
    "JWT_SECRET_KEY": "hardening-secret-that-is-long-enough-for-hs256-0123456789",
    "ARGON2_MEMORY_COST": "1024",
    "ARGON2_TIME_COST": "1",
    "PASSWORD_HASH_CONCURRENCY": "4",
    "LOGIN_MAX_FAILURES": "1000",
    "LOGIN_MAX_FAILURES_PER_IP": "100000",
}
ROOT_NAME = "sysop"
ROOT_PASSWORD = "hardening root password"  # noqa: S105 (a throwaway test database's)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _recreate(server_url: str) -> None:
    url = make_url(to_async_url(server_url))
    name = url.database
    admin_url = url.set(database="postgres" if url.get_backend_name() == "postgresql" else None)
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            if url.get_backend_name() == "postgresql":
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                await connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    finally:
        await admin.dispose()


def recreate_database(url: str) -> None:
    """Drop and create the PostgreSQL or MySQL database that `url` names (empty afterwards)."""
    asyncio.run(_recreate(url))


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of an `apidock` subprocess on `database_url`, with state under `var_dir`."""
    # nor another server's metrics directory: each `apidock serve` owns its own
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("APIDOCK_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    # `var_dir` as the project directory too: whose `.env` is read (none), not the checkout's
    own = {"DATABASE_URL": database_url, "APP_VAR_DIR": str(var_dir)}
    return env | SERVER_ENV | own | {"APIDOCK_PROJECT_DIR": str(var_dir)} | extra


def apidock(
    args: Sequence[str], env: Mapping[str, str], *, stdin: str | None = None, timeout: float = 120
) -> str:
    """Run one `apidock` command to its end; its standard output, or an error with its output."""
    done = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "apidock", *args],
        env=dict(env),
        cwd=env["APP_VAR_DIR"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"apidock {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def deploy(env: Mapping[str, str], *, users: Mapping[str, str] = {}) -> None:
    """`apidock deploy` with the root password `ROOT_PASSWORD`, then `create-user` per name."""
    apidock(["deploy"], dict(env) | {"APP_ROOT_ADMIN_PASSWORD": ROOT_PASSWORD})
    for name, password in users.items():
        apidock(["create-user", name, "--password-stdin"], env, stdin=password + "\n")


@dataclass
class LiveServer:
    base_url: str
    port: int
    process: subprocess.Popen[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None


def _wait_ready(server: LiveServer, deadline: float) -> None:
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"apidock serve exited with {server.process.returncode}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"apidock serve did not become ready on {server.base_url}")


def stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; always reaps the process."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)


@contextmanager
def serving(
    env: Mapping[str, str],
    *,
    workers: int = 1,
    args: Sequence[str] = (),
    port: int | None = None,
    ready_timeout: float = 60,
    log: Path | None = None,
) -> Iterator[LiveServer]:
    """`apidock serve` on 127.0.0.1 and a free port until the block ends."""
    port = port or free_port()
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    command = [sys.executable, "-m", "apidock", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [*command, "--workers", str(workers), *args],
        env=dict(env),
        cwd=env["APP_VAR_DIR"],
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", port=port, process=process)
    try:
        _wait_ready(server, time.monotonic() + ready_timeout)
        yield server
    finally:
        stop(process)
        if log is not None and not isinstance(output, int):
            output.close()
