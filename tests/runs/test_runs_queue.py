"""With REDIS_URL, runs go through saq's queue to `apidock worker` processes: a run queued
while no worker is up stays queued, then completes once one starts; two workers share a batch
and execute each run once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from apidock.runs.dispatch import QueuedRuns
from tests.catalog.helpers import API
from tests.conftest import TEST_JWT_SECRET, make_client, wipe_database
from tests.factories import bearer, create_user
from tests.runs.service_under_test import FAULTY_API, Service, running_service

REDIS_URL = os.environ.get("APIDOCK_TEST_REDIS_URL", "")
WORKER_TIMEOUT = 90
# what the workers wrote, told when a test fails
WORKER_OUTPUT: list[str] = []


@pytest.fixture
async def queued(
    settings: Settings, engine: AsyncEngine
) -> AsyncIterator[tuple[FastAPI, Settings, httpx.AsyncClient, dict[str, str]]]:
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    with_queue = settings.model_copy(
        update={"redis_url": REDIS_URL, "run_queue": f"apidock-test-{uuid.uuid4().hex}"}
    )
    database = Database(engine)
    application = create_app(with_queue, database=database)
    assert isinstance(application.state.runs, QueuedRuns)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        admin = await create_user(session, settings, role="Administrator")
        await session.commit()
    try:
        async with make_client(application) as client:
            yield application, with_queue, client, bearer(application, admin)
    finally:
        await application.state.runs.close()
        await application.state.run_executor.client.aclose()
        await database.core.close()
        await wipe_database(engine)


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


async def worker(settings: Settings, *options: str) -> int:
    """`apidock worker --burst` in a process of its own, until it has taken what is queued."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "APP_CONFIG": "testing",
        "DATABASE_URL": settings.database_url,
        "APP_VAR_DIR": str(settings.var_dir),
        "JWT_SECRET_KEY": TEST_JWT_SECRET,
        "REDIS_URL": REDIS_URL,
        "RUN_QUEUE": settings.run_queue,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "apidock",
        "worker",
        "--burst",
        *options,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, errors = await asyncio.wait_for(process.communicate(), WORKER_TIMEOUT)
    except TimeoutError:
        process.kill()
        raise
    assert process.returncode == 0, errors.decode()[-2000:]
    WORKER_OUTPUT.append(errors.decode()[-4000:])
    return process.returncode


async def prepared(
    client: httpx.AsyncClient, auth: dict[str, str], service: Service
) -> tuple[int, int]:
    imported = await client.post(
        f"{API}/apps/import",
        content=json.dumps(FAULTY_API),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    app_id = imported.json()["data"]["app"]["id"]
    listed = await client.get(
        f"{API}/apis", params={"app_id": app_id, "per_page": 100}, headers=auth
    )
    ok = next(api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "ok")
    made = await client.post(
        f"{API}/apps/{app_id}/environments",
        json={
            "name": "local",
            "base_url": service.base_url,
            "allow_hosts": [f"127.0.0.1:{service.port}"],
        },
        headers=auth,
    )
    assert made.status_code == 201, made.text
    case = await client.post(
        f"{API}/apis/{ok}/cases", json={"name": "ok", "contract": False}, headers=auth
    )
    assert case.status_code == 201, case.text
    return app_id, made.json()["data"]["id"]


async def read(client: httpx.AsyncClient, auth: dict[str, str], run_id: int) -> dict[str, Any]:
    answer = await client.get(f"{API}/runs/{run_id}", headers=auth)
    assert answer.status_code == 200, answer.text
    run: dict[str, Any] = answer.json()["data"]
    return run


async def test_a_run_queued_with_no_worker_up_completes_once_one_starts(
    queued: tuple[FastAPI, Settings, httpx.AsyncClient, dict[str, str]], service: Service
) -> None:
    _, settings, client, auth = queued
    app_id, env_id = await prepared(client, auth, service)
    asked = await client.post(
        f"{API}/apps/{app_id}/runs", json={"environment": env_id}, headers=auth
    )
    assert asked.status_code == 202, asked.text
    run_id = asked.json()["data"]["id"]
    await asyncio.sleep(0.5)
    assert (await read(client, auth, run_id))["status"] == "queued"
    assert service.seen == []
    await worker(settings)
    done = await read(client, auth, run_id)
    assert (done["status"], done["counts"]["total"]) == ("passed", 1)
    assert len(service.seen) == 1


async def test_two_workers_share_a_batch_and_run_each_run_once(
    queued: tuple[FastAPI, Settings, httpx.AsyncClient, dict[str, str]], service: Service
) -> None:
    _, settings, client, auth = queued
    app_id, env_id = await prepared(client, auth, service)
    slow = await slow_case(client, auth, app_id)
    ids = []
    for _ in range(10):
        asked = await client.post(
            f"{API}/apps/{app_id}/runs", json={"environment": env_id, "cases": [slow]}, headers=auth
        )
        ids.append(asked.json()["data"]["id"])
    # one run at a time each, every run a slow answer: the batch outlasts a worker's start
    one_at_a_time = ("--concurrency", "1")
    await asyncio.gather(worker(settings, *one_at_a_time), worker(settings, *one_at_a_time))
    runs = [await read(client, auth, run_id) for run_id in ids]
    assert [run["status"] for run in runs] == ["passed"] * 10, "\n".join(WORKER_OUTPUT)
    assert all(len(run["results"]) == 1 for run in runs)
    assert len(service.seen) == 10
    assert len({run["executed_by"] for run in runs}) == 2


async def slow_case(client: httpx.AsyncClient, auth: dict[str, str], app_id: int) -> int:
    listed = await client.get(
        f"{API}/apis", params={"app_id": app_id, "per_page": 100}, headers=auth
    )
    slow = next(api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "slow")
    case = await client.post(f"{API}/apis/{slow}/cases", json={"name": "slow"}, headers=auth)
    assert case.status_code == 201, case.text
    case_id: int = case.json()["data"]["id"]
    return case_id


async def test_a_run_id_seen_before_is_still_queued() -> None:
    """Ids start again in a new database while Redis remembers old jobs: a job is never
    dropped for a run id the queue saw before."""
    if not REDIS_URL:
        pytest.skip("APIDOCK_TEST_REDIS_URL is not set (CI sets it)")
    runs = QueuedRuns(REDIS_URL, f"apidock-test-{uuid.uuid4().hex}")
    try:
        await runs.submit(1)
        await runs.submit(1)
        info = await runs.queue.info()
        assert info["queued"] == 2
    finally:
        await runs.close()
