"""`apidock test`, as a CI step runs it: `--spec FILE --base-url URL` with no server and no
database, and `APP --env NAME` on the database; one line a case, JUnit XML, exit 1 on a failure."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from tests.catalog.helpers import API
from tests.conftest import TEST_JWT_SECRET, make_client, wipe_database
from tests.factories import bearer, create_user
from tests.runs.service_under_test import FAULTY_API, Service, running_service

TIMEOUT = 90


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


async def apidock(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "apidock",
        *args,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_a_spec_is_tested_against_a_live_base_url_without_settings(
    tmp_path: Path, service: Service
) -> None:
    spec = tmp_path / "faulty.json"
    spec.write_text(json.dumps(FAULTY_API))
    junit = tmp_path / "junit.xml"
    code, output = await apidock(
        "test", "--spec", str(spec), "--base-url", service.base_url, "--junit", str(junit)
    )
    assert code == 1, output
    lines = output.splitlines()
    assert "PASS ok" in lines
    assert any(line.startswith("FAIL wrongType: schema") for line in lines)
    assert any(line.startswith("FAIL undocumentedStatus: status") for line in lines)
    # extra and slow pass: not strict, and no max_ms without a case
    assert lines[-1].startswith("4 passed, 5 failed, 9 in all")
    suite = ET.parse(junit).getroot()  # noqa: S314 (the file this test had written)
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert suite is not None
    names = {case.get("name") for case in suite.iter("testcase")}
    assert {"ok", "wrongType", "echo"} <= {name for name in names if name}
    assert int(suite.get("tests", "0")) == 9
    assert int(suite.get("failures", "0")) + int(suite.get("errors", "0")) == 5


async def test_a_spec_run_passes_when_every_answer_does(tmp_path: Path, service: Service) -> None:
    only_good = {**FAULTY_API, "paths": {"/ok": FAULTY_API["paths"]["/ok"]}}
    spec = tmp_path / "good.json"
    spec.write_text(json.dumps(only_good))
    code, output = await apidock("test", "--spec", str(spec), "--base-url", service.base_url)
    assert code == 0, output
    assert output.splitlines()[-1].startswith("1 passed, 0 failed")


async def test_the_spec_mode_refuses_what_it_is_not_given(tmp_path: Path) -> None:
    spec = tmp_path / "good.json"
    spec.write_text(json.dumps(FAULTY_API))
    code, output = await apidock("test", "--spec", str(spec))
    assert code == 2, output
    code, output = await apidock("test", "--spec", str(spec), "--base-url", "ftp://x")
    assert code == 1, output


async def test_an_apps_cases_run_from_the_command_line(
    settings: Settings, engine: AsyncEngine, service: Service, tmp_path: Path
) -> None:
    database = Database(engine)
    application = create_app(settings, database=database)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            admin = await create_user(session, settings, role="Administrator")
            await session.commit()
        auth = bearer(application, admin)
        async with make_client(application) as client:
            imported = await client.post(
                f"{API}/apps/import",
                content=json.dumps(FAULTY_API),
                headers={**auth, "Content-Type": "application/json"},
            )
            app = imported.json()["data"]["app"]
            listed = await client.get(
                f"{API}/apis", params={"app_id": app["id"], "per_page": 100}, headers=auth
            )
            apis = {api["title"]: api["id"] for api in listed.json()["data"]["apis"]}
            made = await client.post(
                f"{API}/apps/{app['id']}/environments",
                json={
                    "name": "local",
                    "base_url": service.base_url,
                    "allow_hosts": [f"127.0.0.1:{service.port}"],
                },
                headers=auth,
            )
            assert made.status_code == 201, made.text
            for title in ("ok", "missing"):
                await client.post(
                    f"{API}/apis/{apis[title]}/cases", json={"name": title}, headers=auth
                )
        env = {
            "APP_CONFIG": "testing",
            "DATABASE_URL": settings.database_url,
            "APP_VAR_DIR": str(settings.var_dir),
            "JWT_SECRET_KEY": TEST_JWT_SECRET,
        }
        junit = tmp_path / "run.xml"
        code, output = await apidock(
            "test", app["slug"], "--env", "local", "--junit", str(junit), env=env
        )
        assert code == 1, output
        assert "PASS ok" in output.splitlines()
        assert any(line.startswith("FAIL missing: schema") for line in output.splitlines())
        assert "1 passed, 1 failed, 2 in all (failed)" in output
        assert junit.read_bytes().startswith(b"<?xml")
        code, output = await apidock("test", app["slug"], "--env", "nowhere", env=env)
        assert code == 1
        assert "no environment" in output
    finally:
        await application.state.run_executor.client.aclose()
        await database.core.close()
        await wipe_database(engine)
