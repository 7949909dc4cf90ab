"""A run end to end: cases against a live local service with seeded faults; exactly those
failures, each with its check and pointer; the JUnit file's counts; secrets never shown."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.catalog.helpers import API
from tests.runs.service_under_test import FAULTY_API, SLOW_SECONDS, Service, running_service

Auth = dict[str, str]
CANARY = "s3cr3t-canary-7f1c"


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


async def described(client: httpx.AsyncClient, auth: Auth) -> tuple[dict[str, Any], dict[str, int]]:
    imported = await client.post(
        f"{API}/apps/import",
        content=json.dumps(FAULTY_API),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    app = imported.json()["data"]["app"]
    listed = await client.get(
        f"{API}/apis", params={"app_id": app["id"], "per_page": 100}, headers=auth
    )
    return app, {api["title"]: api["id"] for api in listed.json()["data"]["apis"]}


async def environment(client: httpx.AsyncClient, auth: Auth, app_id: int, service: Service) -> int:
    made = await client.post(
        f"{API}/apps/{app_id}/environments",
        json={
            "name": "local",
            "base_url": service.base_url,
            "variables": {"word": "hello"},
            "secrets": {"token": CANARY},
            "allow_hosts": [f"127.0.0.1:{service.port}"],
        },
        headers=auth,
    )
    assert made.status_code == 201, made.text
    env_id: int = made.json()["data"]["id"]
    return env_id


async def case(client: httpx.AsyncClient, auth: Auth, api_id: int, **body: Any) -> int:
    made = await client.post(
        f"{API}/apis/{api_id}/cases", json={"name": f"case {api_id}", **body}, headers=auth
    )
    assert made.status_code == 201, made.text
    case_id: int = made.json()["data"]["id"]
    return case_id


async def finished_run(
    client: httpx.AsyncClient, app: FastAPI, auth: Auth, app_id: int, **body: Any
) -> dict[str, Any]:
    queued = await client.post(f"{API}/apps/{app_id}/runs", json=body, headers=auth)
    assert queued.status_code == 202, queued.text
    assert queued.json()["data"]["status"] == "queued"
    await app.state.runs.drain()
    read = await client.get(f"{API}/runs/{queued.json()['data']['id']}", headers=auth)
    assert read.status_code == 200, read.text
    run: dict[str, Any] = read.json()["data"]
    return run


async def test_a_run_reports_exactly_the_seeded_faults(
    client: httpx.AsyncClient,
    app: FastAPI,
    admin_auth: Auth,
    service: Service,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    described_app, apis = await described(client, admin_auth)
    env_id = await environment(client, admin_auth, described_app["id"], service)
    auth_header = {"headers": {"Authorization": "Bearer {{token}}"}}
    for title in (
        "ok",
        "wrongType",
        "missing",
        "undocumentedStatus",
        "wrongContentType",
        "noHeader",
        "extra",
    ):
        await case(client, admin_auth, apis[title], request=auth_header)
    await case(client, admin_auth, apis["slow"], expect={"max_ms": int(SLOW_SECONDS * 1000 / 3)})
    await case(
        client,
        admin_auth,
        apis["echo"],
        request={"path": {"word": "{{word}}"}, "headers": {"X-Token": "{{token}}"}},
        expect={"status": 200, "body": [{"path": "$.target", "equals": "/echo/hello"}]},
    )
    run = await finished_run(
        client, app, admin_auth, described_app["id"], environment=env_id, strict=True
    )
    assert run["status"] == "failed"
    assert run["counts"] == {"total": 9, "passed": 2, "failed": 7}
    by_api = {result["api"]: result for result in run["results"]}
    checks = {
        title: sorted(
            (failure["check"], failure["pointer"]) for failure in by_api[api_id]["failures"]
        )
        for title, api_id in apis.items()
    }
    assert checks["ok"] == []
    assert checks["echo"] == []
    assert checks["wrongType"] == [("schema", "/id")]
    assert [check for check, _ in checks["missing"]] == ["schema"]
    assert [check for check, _ in checks["undocumentedStatus"]] == ["status"]
    assert [check for check, _ in checks["wrongContentType"]] == ["content-type"]
    assert [check for check, _ in checks["noHeader"]] == ["header"]
    assert checks["extra"] == [("schema", "/colour")]
    assert [check for check, _ in checks["slow"]] == ["time"]
    for result in run["results"]:
        assert result["failures"] == [] or all(f["message"] for f in result["failures"])
    # the service saw the secret; nothing API Dock shows does
    assert any(seen["headers"].get("authorization") == f"Bearer {CANARY}" for seen in service.seen)
    assert CANARY not in json.dumps(run)
    assert by_api[apis["ok"]]["request"]["headers"]["Authorization"] == "Bearer ***"
    echo = by_api[apis["echo"]]
    assert CANARY not in echo["response"]["body"]
    junit = await client.get(f"{API}/runs/{run['id']}/junit.xml", headers=admin_auth)
    assert junit.status_code == 200
    assert CANARY not in junit.text
    suite = ET.fromstring(junit.content)  # noqa: S314 (our own answer, in a test)
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", "0")) == 9
    failing = [tc for tc in suite.iter("testcase") if tc.find("failure") is not None]
    assert len(failing) == 7
    # nor any log line written meanwhile, at any level
    assert CANARY not in caplog.text
    history = await client.get(f"{API}/apps/{described_app['id']}/runs", headers=admin_auth)
    assert [item["id"] for item in history.json()["data"]["runs"]] == [run["id"]]


async def test_a_lenient_run_does_not_flag_undeclared_properties(
    client: httpx.AsyncClient, app: FastAPI, admin_auth: Auth, service: Service
) -> None:
    described_app, apis = await described(client, admin_auth)
    env_id = await environment(client, admin_auth, described_app["id"], service)
    extra = await case(client, admin_auth, apis["extra"])
    run = await finished_run(
        client, app, admin_auth, described_app["id"], environment=env_id, cases=[extra]
    )
    assert (run["status"], run["counts"]) == ("passed", {"total": 1, "passed": 1, "failed": 0})


async def test_a_target_not_allowed_is_a_transport_failure_and_nothing_is_sent(
    client: httpx.AsyncClient, app: FastAPI, admin_auth: Auth, service: Service
) -> None:
    described_app, apis = await described(client, admin_auth)
    made = await client.post(
        f"{API}/apps/{described_app['id']}/environments",
        json={"name": "unguarded", "base_url": service.base_url},
        headers=admin_auth,
    )
    assert made.status_code == 201, made.text
    ok = await case(client, admin_auth, apis["ok"])
    run = await finished_run(
        client,
        app,
        admin_auth,
        described_app["id"],
        environment=made.json()["data"]["id"],
        cases=[ok],
    )
    failures = run["results"][0]["failures"]
    assert [failure["check"] for failure in failures] == ["transport"]
    assert "loopback" in failures[0]["message"] or "allow_hosts" in failures[0]["message"]
    assert service.seen == []


async def test_runs_are_refused_for_another_apps_environment_or_cases(
    client: httpx.AsyncClient, admin_auth: Auth, reader_auth: Auth, service: Service
) -> None:
    one, _ = await described(client, admin_auth)
    other = await client.post(
        f"{API}/apps/import",
        params={"slug": "faulty-two"},
        content=json.dumps(FAULTY_API),
        headers={**admin_auth, "Content-Type": "application/json"},
    )
    other_id = other.json()["data"]["app"]["id"]
    env_other = await environment(client, admin_auth, other_id, service)
    refused = await client.post(
        f"{API}/apps/{one['id']}/runs", json={"environment": env_other}, headers=admin_auth
    )
    assert refused.status_code == 422
    env_one = await environment(client, admin_auth, one["id"], service)
    refused = await client.post(
        f"{API}/apps/{one['id']}/runs",
        json={"environment": env_one, "cases": [999999]},
        headers=admin_auth,
    )
    assert refused.status_code == 422
    assert (
        await client.post(
            f"{API}/apps/{one['id']}/runs", json={"environment": env_one}, headers=reader_auth
        )
    ).status_code == 403
    assert (await client.get(f"{API}/runs/999999", headers=admin_auth)).status_code == 404
