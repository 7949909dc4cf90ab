"""`/metrics`: requests by route template, method and status, the latency histogram, the pool,
logins, imports, the mock, runs and their queue; bounded labels; the token guard."""

from __future__ import annotations

import atexit
import json
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock import metrics
from apidock.config import Settings
from apidock.db import Database
from apidock.main import create_app
from apidock.users.models import User
from tests.catalog.helpers import API
from tests.conftest import make_client, make_settings
from tests.factories import DEFAULT_PASSWORD
from tests.mock.helpers import SHOP, import_app, keyed, make_key
from tests.observability.conftest import requests_counted, sample
from tests.runs.service_under_test import FAULTY_API

TOKEN = "metrics-" + "7" * 40
USERS_BY_ID = "/api/v1/users/{user_id}"


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def request_series() -> set[tuple[str, str, str]]:
    """Every (route, method, status) the requests counter holds."""
    return {
        (item.labels["route"], item.labels["method"], item.labels["status"])
        for family in REGISTRY.collect()
        if family.name == "apidock_http_requests"
        for item in family.samples
        if item.name == "apidock_http_requests_total"
    }


async def test_requests_are_counted_by_template_method_and_status(
    client: httpx.AsyncClient, reader: User, reader_auth: dict[str, str]
) -> None:
    ok, refused = (
        requests_counted(USERS_BY_ID, "GET", 200),
        requests_counted(USERS_BY_ID, "GET", 403),
    )
    timed = sample("apidock_http_request_duration_seconds_count", route=USERS_BY_ID)
    slowest = sample("apidock_http_request_duration_seconds_bucket", route=USERS_BY_ID, le="+Inf")
    for _ in range(2):
        assert (await client.get(f"{API}/users/{reader.id}", headers=reader_auth)).is_success
    denied = await client.get(f"{API}/users/{reader.id + 1000}", headers=reader_auth)
    assert denied.status_code == 403
    assert requests_counted(USERS_BY_ID, "GET", 200) == ok + 2
    assert requests_counted(USERS_BY_ID, "GET", 403) == refused + 1
    assert sample("apidock_http_request_duration_seconds_count", route=USERS_BY_ID) == timed + 3
    assert sample("apidock_http_request_duration_seconds_bucket", route=USERS_BY_ID, le="+Inf") == (
        slowest + 3
    )
    buckets = [
        sample("apidock_http_request_duration_seconds_bucket", route=USERS_BY_ID, le=str(bound))
        for bound in metrics.LATENCY_BUCKETS
    ]
    assert buckets == sorted(buckets), "cumulative buckets"


async def test_the_endpoint_answers_the_prometheus_text_format(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await client.get("/healthz")
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = families(answer.text)
    healthz = [
        item
        for item in found["apidock_http_requests"].samples
        if item.labels == {"route": "/healthz", "method": "GET", "status": "200"}
    ]
    assert healthz
    assert healthz[0].value >= 1
    assert found["apidock_http_request_duration_seconds"].type == "histogram"
    for name in (
        "apidock_login_failures",
        "apidock_login_rate_limited",
        "apidock_imports",
        "apidock_mock_answers",
        "apidock_runs_finished",
        "apidock_runs_queued",
        "apidock_db_pool_checked_out",
        "apidock_db_pool_size",
    ):
        assert name in found, name
    pool = app.state.database.engine.pool
    assert found["apidock_db_pool_size"].samples[0].value == pool.size()
    assert not any(name.endswith("_created") for name in found)


async def test_openmetrics_when_the_scraper_asks(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.endswith("# EOF\n")


@pytest.fixture
async def guarded(
    settings: Settings, engine: AsyncEngine, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    with_token = make_settings(settings.database_url, tmp_path, METRICS_TOKEN=TOKEN)
    async with make_client(create_app(with_token, database=Database(engine))) as http:
        yield http


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", ""],
    ids=["none", "wrong", "basic", "longer", "shorter", "empty"],
)
async def test_a_token_guards_the_metrics(
    guarded: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = await guarded.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json() == {"status": "error", "message": "Not authenticated", "data": None}


async def test_the_right_token_opens_the_metrics(guarded: httpx.AsyncClient) -> None:
    for scheme in ("Bearer", "bearer"):
        answer = await guarded.get("/metrics", headers={"Authorization": f"{scheme} {TOKEN}"})
        assert answer.status_code == 200
        assert "apidock_http_requests_total" in answer.text


async def test_without_a_token_the_metrics_are_open(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 200


def test_a_blank_token_is_no_token(tmp_path: Path) -> None:
    loaded = make_settings(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, METRICS_TOKEN="  ")
    assert loaded.metrics_token is None


async def test_hostile_paths_and_methods_add_no_series(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await client.get("/healthz")
    before = request_series()
    tokens = [secrets.token_hex(6) for _ in range(40)]
    for number, token in enumerate(tokens):
        method = ("GET", "BREW", "get", f"X{token}")[number % 4]
        for path in (
            f"/{token}",
            f"{API}/users/{token}",
            f"{API}/{token}/{number}",
            f"/mock/{token}/{token}",
            f"/static/docs/{token}.js",
            f"{API}/users/{number}",
        ):
            await client.request(method, path)
    added = request_series() - before
    assert len(added) <= 12, sorted(added)
    templates = {
        context.path_format for context in iter_route_contexts(app.routes) if context.path_format
    }
    allowed_routes = templates | {metrics.UNMATCHED_ROUTE, metrics.MOCK_ROUTE}
    for route, method, status in added:
        assert route in allowed_routes
        assert method in metrics.METHODS | {"OTHER"}
        assert status.isdigit()
    shown = (await client.get("/metrics")).text
    assert not any(token in shown for token in tokens)


async def test_login_failures_and_refusals_are_counted(
    client: httpx.AsyncClient, reader: User, settings: Settings
) -> None:
    failures = sample("apidock_login_failures_total")
    limited = sample("apidock_login_rate_limited_total", reason="limit")
    for _ in range(settings.login_max_failures):
        wrong = await client.post(f"{API}/login", json={"name": reader.name, "password": "nope"})
        assert wrong.status_code == 401
    refused = await client.post(f"{API}/login", json={"name": reader.name, "password": "nope"})
    assert refused.status_code == 429
    unknown = await client.post(f"{API}/login", json={"name": "nobody-here", "password": "x"})
    assert unknown.status_code == 401
    assert sample("apidock_login_failures_total") == failures + settings.login_max_failures + 1
    assert sample("apidock_login_rate_limited_total", reason="limit") == limited + 1


async def test_a_right_password_is_no_failure(client: httpx.AsyncClient, reader: User) -> None:
    failures = sample("apidock_login_failures_total")
    signed_in = await client.post(
        f"{API}/login", json={"name": reader.name, "password": DEFAULT_PASSWORD}
    )
    assert signed_in.status_code == 200
    assert sample("apidock_login_failures_total") == failures


async def test_imports_are_counted_by_format_and_outcome(
    client: httpx.AsyncClient, admin_auth: dict[str, str]
) -> None:
    def counted(fmt: str, outcome: str) -> float:
        return sample("apidock_imports_total", format=fmt, outcome=outcome)

    created, replaced = counted("openapi-3.1", "created"), counted("openapi-3.1", "replaced")
    refused = counted("unknown", "refused")
    app = await import_app(client, admin_auth)
    again = await client.post(
        f"{API}/apps/import",
        params={"app_id": app["id"]},
        content=json.dumps(SHOP),
        headers={**admin_auth, "Content-Type": "application/json"},
    )
    assert again.status_code == 200, again.text
    not_a_description = await client.post(
        f"{API}/apps/import",
        content=json.dumps({"hello": "world"}),
        headers={**admin_auth, "Content-Type": "application/json"},
    )
    assert not_a_description.status_code == 422
    assert counted("openapi-3.1", "created") == created + 1
    assert counted("openapi-3.1", "replaced") == replaced + 1
    assert counted("unknown", "refused") == refused + 1


@pytest.mark.parametrize(
    ("reported", "label"),
    [
        ("openapi-3.1.0", "openapi-3.1"),
        ("openapi-3.0.99999", "openapi-3.0"),
        ("swagger-2.0", "swagger-2.0"),
        ("postman-2.1.0", "postman-2.1"),
        ("postman-2.0.0", "postman-2.0"),
        ("openapi-9.9", "unknown"),
        ("made-up", "unknown"),
        (None, "unknown"),
    ],
)
def test_an_imports_format_label_is_one_of_a_few(reported: str | None, label: str) -> None:
    assert metrics.import_format(reported) == label


async def test_mock_answers_are_counted_by_status(
    client: httpx.AsyncClient, admin_auth: dict[str, str]
) -> None:
    app = await import_app(client, admin_auth)
    key = (await make_key(client, admin_auth, app["id"]))["key"]
    answered, missing = (
        sample("apidock_mock_answers_total", status="200"),
        sample("apidock_mock_answers_total", status="404"),
    )
    mocked = requests_counted(metrics.MOCK_ROUTE, "GET", 200)
    assert (await client.get(f"/mock/{app['slug']}/items", headers=keyed(key))).status_code == 200
    assert (await client.get("/mock/no-such-app/items")).status_code == 404
    assert sample("apidock_mock_answers_total", status="200") == answered + 1
    assert sample("apidock_mock_answers_total", status="404") == missing + 1
    assert requests_counted(metrics.MOCK_ROUTE, "GET", 200) == mocked + 1


async def test_runs_are_counted_by_outcome_and_the_queue_measured(
    client: httpx.AsyncClient, app: FastAPI, admin_auth: dict[str, str]
) -> None:
    imported = await client.post(
        f"{API}/apps/import",
        content=json.dumps(FAULTY_API),
        headers={**admin_auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    app_id = imported.json()["data"]["app"]["id"]
    listed = await client.get(
        f"{API}/apis", params={"app_id": app_id, "per_page": 100}, headers=admin_auth
    )
    [api_id] = [api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "ok"]
    # a target nothing allows: the run fails on its transport, nothing is sent
    environment = await client.post(
        f"{API}/apps/{app_id}/environments",
        json={"name": "nowhere", "base_url": "http://127.0.0.1:9"},
        headers=admin_auth,
    )
    assert environment.status_code == 201, environment.text
    made = await client.post(
        f"{API}/apis/{api_id}/cases", json={"name": "a case"}, headers=admin_auth
    )
    assert made.status_code == 201, made.text
    failed = sample("apidock_runs_finished_total", outcome="failed")
    queued = await client.post(
        f"{API}/apps/{app_id}/runs",
        json={"environment": environment.json()["data"]["id"]},
        headers=admin_auth,
    )
    assert queued.status_code == 202, queued.text
    waiting = families((await client.get("/metrics")).text)["apidock_runs_queued"]
    assert waiting.samples[0].value == 1
    await app.state.runs.drain()
    done = await client.get(f"{API}/runs/{queued.json()['data']['id']}", headers=admin_auth)
    assert done.json()["data"]["status"] == "failed"
    assert sample("apidock_runs_finished_total", outcome="failed") == failed + 1
    waiting = families((await client.get("/metrics")).text)["apidock_runs_queued"]
    assert waiting.samples[0].value == 0


async def test_the_pool_is_sampled(engine: AsyncEngine) -> None:
    sampler = metrics.PoolSampler(lambda: engine.pool)
    async with engine.connect():
        sampler.sample()
        assert sample("apidock_db_pool_checked_out") >= 1
    sampler.sample()
    assert sample("apidock_db_pool_size") == engine.pool.size()  # type: ignore[attr-defined]


def test_a_pool_that_keeps_no_count_leaves_the_gauges_as_they_were() -> None:
    metrics.POOL_SIZE.set(3)
    metrics.PoolSampler(lambda: object()).sample()
    assert sample("apidock_db_pool_size") == 3


async def test_the_metrics_answer_while_the_database_does_not(tmp_path: Path) -> None:
    unreachable = make_settings("postgresql://root@127.0.0.1:1/none", tmp_path, DB_POOL_TIMEOUT=2)
    application = create_app(unreachable)
    async with make_client(application) as http:
        answer = await http.get("/metrics")
    await application.state.database.dispose()
    assert answer.status_code == 200
    found = families(answer.text)
    assert "apidock_http_requests" in found
    assert "apidock_runs_queued" not in found


def test_serve_owns_a_fresh_directory_for_several_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # set empty (taken as unset), so that the directory named below is unset again afterwards
    monkeypatch.setenv(metrics.MULTIPROCESS_DIR_ENV, "")
    cleanups: list[Any] = []
    monkeypatch.setattr(
        atexit, "register", lambda *call, **options: cleanups.append((call, options))
    )
    assert metrics.own_multiprocess_dir(1) is None
    directory = metrics.own_multiprocess_dir(2)
    assert directory is not None
    assert directory.is_dir()
    assert list(directory.iterdir()) == []
    assert os.environ[metrics.MULTIPROCESS_DIR_ENV] == str(directory)
    # one already named (a deployment's own) is used as it is
    assert metrics.own_multiprocess_dir(4) is None
    [((remove, *arguments), options)] = cleanups
    remove(*arguments, **options)
    assert not directory.exists()
    monkeypatch.setenv(metrics.MULTIPROCESS_DIR_ENV, str(tmp_path))
    assert metrics.own_multiprocess_dir(2) is None
