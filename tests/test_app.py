"""The application shell: service routes, docs without a CDN, and the one error handler."""

from __future__ import annotations

import asyncio
import gc
import re
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI, routing
from pydantic import Field
from sqlalchemy import exc as sa_exc

from apidock.config import Settings
from apidock.http.dependencies import SessionDep
from apidock.main import create_app
from apidock.models import Role
from apidock.schemas import Envelope, RequestModel
from tests.conftest import make_client, make_settings


class ProbeIn(RequestModel):
    name: str = Field(min_length=2, max_length=20)
    tags: list[str] = Field(default_factory=list)


probe = APIRouter(prefix="/probe")


@probe.post("/echo")
async def echo(body: ProbeIn) -> Envelope[ProbeIn]:
    return Envelope(data=body)


@probe.post("/roles")
async def add_role(body: ProbeIn, session: SessionDep) -> Envelope[int]:
    role = Role(title=body.name, permissions=0)
    session.add(role)
    await session.flush()
    return Envelope(data=role.id)


@probe.get("/too-many-connections")
async def too_many_connections() -> Envelope[None]:
    raise asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already")


@probe.get("/lost-connection")
async def lost_connection() -> Envelope[None]:
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    raise sa_exc.DBAPIError("COMMIT", None, lost)


@probe.get("/crash")
async def crash() -> Envelope[None]:
    raise RuntimeError("secret internals: password=hunter2 at /srv/app.py")


@pytest.fixture
def probed_app(app: FastAPI) -> FastAPI:
    app.include_router(probe)
    return app


@pytest.fixture
async def probe_client(probed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(probed_app) as http:
        yield http


async def test_root_names_the_service_and_links(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "API Dock"
    assert body["version"]
    assert body["links"] == {
        "docs": "/docs",
        "redoc": "/redoc",
        "openapi": "/openapi.json",
        "api": "/api/v1",
    }


async def test_healthz_and_readyz_are_ok(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_docs_load_nothing_from_outside(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets, "the page names its assets"
    for asset in assets:
        assert asset.startswith("/"), f"{asset} leaves the machine"
        assert (await client.get(asset)).status_code == 200
    assert "https://" not in response.text.replace("https://swagger.io", "")


async def test_openapi_documents_the_error_envelope(probe_client: httpx.AsyncClient) -> None:
    spec = (await probe_client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert {"ErrorEnvelope", "ValidationErrorEnvelope", "FieldError"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    healthz = spec["paths"]["/healthz"]["get"]["responses"]
    assert healthz["503"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorEnvelope"
    )
    echo = spec["paths"]["/probe/echo"]["post"]["responses"]
    assert echo["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ValidationErrorEnvelope"
    )


async def test_envelope_is_a_generic_typed_model(probe_client: httpx.AsyncClient) -> None:
    spec = (await probe_client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    envelope = schemas["Envelope_ProbeIn_"]
    assert envelope["properties"]["status"]["enum"] == ["success", "error"]
    assert {"$ref": "#/components/schemas/ProbeIn"} in envelope["properties"]["data"]["anyOf"]


async def test_unknown_route_is_404_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Not Found", "data": None}


async def test_wrong_method_is_405_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.post("/healthz")
    assert response.status_code == 405
    assert response.json()["status"] == "error"


async def test_validation_error_is_422_with_field_paths(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.post("/probe/echo", json={"name": "x", "extra": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "error"
    fields = {item["field"] for item in body["data"]}
    assert fields == {"body.name", "body.extra"}


async def test_malformed_json_is_400(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.post(
        "/probe/echo", content=b'{"name": "ab",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["status"] == "error"


async def test_duplicate_key_is_409(probe_client: httpx.AsyncClient) -> None:
    first = await probe_client.post("/probe/roles", json={"name": "Writers"})
    assert first.status_code == 200
    second = await probe_client.post("/probe/roles", json={"name": "Writers"})
    assert second.status_code == 409
    assert second.json()["status"] == "error"


async def test_unexpected_error_is_500_without_internals(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.get("/probe/crash")
    assert response.status_code == 500
    assert response.json() == {"status": "error", "message": "Internal server error", "data": None}
    assert "hunter2" not in response.text


async def test_body_over_the_limit_is_413_before_parsing(
    settings: Settings, engine: object, tmp_path: Path
) -> None:
    small = make_settings(settings.database_url, tmp_path, MAX_BODY_SIZE=1024)
    application = create_app(small)
    application.include_router(probe)
    async with make_client(application) as http:
        declared = await http.post(
            "/probe/echo", content=b"x" * 2000, headers={"content-type": "application/json"}
        )
        assert declared.status_code == 413
        assert declared.json()["status"] == "error"

        async def stream() -> AsyncIterator[bytes]:
            for _ in range(4):
                yield b" " * 512

        streamed = await http.post(
            "/probe/echo", content=stream(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        fits = await http.post("/probe/echo", json={"name": "ok"})
        assert fits.status_code == 200
    await application.state.database.dispose()


async def test_a_body_not_complete_in_time_is_408_and_a_timely_one_is_served(
    settings: Settings, tmp_path: Path
) -> None:
    patient = make_settings(settings.database_url, tmp_path, BODY_TIMEOUT=0.3)
    application = create_app(patient)
    application.include_router(probe)
    async with make_client(application) as http:

        async def trickle(pause: float) -> AsyncIterator[bytes]:
            for part in (b'{"na', b'me": ', b'"ok"}'):
                yield part
                await asyncio.sleep(pause)

        headers = {"content-type": "application/json"}
        slow = await http.post("/probe/echo", content=trickle(0.2), headers=headers)
        assert slow.status_code == 408
        assert slow.json() == {
            "status": "error",
            "message": "Request body not received in time",
            "data": None,
        }
        assert slow.headers["connection"] == "close"
        timely = await http.post("/probe/echo", content=trickle(0.01), headers=headers)
        assert timely.status_code == 200, timely.text
    await application.state.database.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://root@127.0.0.1:1/none",
        "mysql://root@127.0.0.1:1/none",
        "sqlite:////nonexistent-directory/for/apidock.db",
    ],
)
async def test_unreachable_database_is_503(tmp_path: Path, url: str) -> None:
    settings = make_settings(url, tmp_path, DB_POOL_TIMEOUT=2)
    application = create_app(settings)
    application.include_router(probe)
    async with make_client(application) as http:
        response = await http.post("/probe/roles", json={"name": "Writers"})
        assert response.status_code == 503
        assert response.json() == {
            "status": "error",
            "message": "Database unavailable",
            "data": None,
        }
        assert (await http.get("/readyz")).status_code == 503
        assert (await http.get("/healthz")).status_code == 200
    await application.state.database.dispose()


async def test_answers_carry_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/healthz", "/api/v1/nothing-here"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    api = await client.get("/api/v1/nothing-here")
    assert api.headers["cache-control"] == "no-store"
    assert api.headers["pragma"] == "no-cache"


async def test_cors_preflight_allows_any_origin_without_credentials(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/api/v1/login",
        headers={
            "Origin": "https://spa.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_cors_with_listed_origins_refuses_others(settings: Settings, tmp_path: Path) -> None:
    listed = make_settings(
        settings.database_url, tmp_path, CORS_ORIGINS="https://a.example, https://b.example"
    )
    assert listed.cors_origins == ["https://a.example", "https://b.example"]
    application = create_app(listed)
    preflight = {"Access-Control-Request-Method": "GET"}
    async with make_client(application) as http:
        allowed = await http.options(
            "/api/v1/login", headers={"Origin": "https://b.example", **preflight}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://b.example"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        refused = await http.options(
            "/api/v1/login", headers={"Origin": "https://evil.example", **preflight}
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    await application.state.database.dispose()


def test_no_dependency_runs_in_a_worker_thread(app: FastAPI) -> None:
    """FastAPI runs a plain `def` dependency in a thread: on every request, that is slow."""
    import inspect

    import fastapi.routing

    def sync_calls(dependant: Any) -> set[str]:
        found: set[str] = set()
        for sub in dependant.dependencies:
            call = sub.call
            if call is not None and not (
                inspect.iscoroutinefunction(call)
                or inspect.isasyncgenfunction(call)
                or inspect.iscoroutinefunction(type(call).__call__)
                or inspect.isclass(call)  # request models such as OAuth2PasswordRequestForm
            ):
                found.add(call.__qualname__)
            found |= sync_calls(sub)
        return found

    routes = fastapi.routing.iter_route_contexts(app.routes)
    offenders: set[str] = set()
    for route in routes:
        dependant = getattr(getattr(route, "original_route", route), "dependant", None)
        if dependant is not None:
            offenders |= sync_calls(dependant)
    assert offenders == set()


async def test_driver_refusing_connections_is_503(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.get("/probe/too-many-connections")
    assert response.status_code == 503
    assert response.json()["message"] == "Database unavailable"
    assert "too many clients" not in response.text


async def test_connection_lost_under_sqlalchemy_is_503(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.get("/probe/lost-connection")
    assert response.status_code == 503


async def test_an_application_let_go_is_freed(tmp_path: Path) -> None:
    """Nothing of the process keeps an application once it is dropped: its endpoints are module
    functions, not functions made per application that FastAPI's caches of callables (4,096
    entries) would hold with it. The suite makes one per test: kept, they were ~2 MB each and
    slowed every later garbage collection."""

    async def used_then_dropped() -> weakref.ref[FastAPI]:
        application = create_app(make_settings(f"sqlite:///{tmp_path / 'freed.db'}", tmp_path))
        async with make_client(application) as http:
            for path in ("/", "/healthz", "/readyz", "/docs", "/docs/apps/pets", "/redoc"):
                await http.get(path)
            await http.get("/metrics")
            await http.get("/api/v1/apps")
        for _ in routing.iter_route_contexts(application.routes):  # every route built
            pass
        application.state.password_hasher.close()
        await application.state.database.dispose()
        return weakref.ref(application)

    dropped = await used_then_dropped()
    gc.collect()
    assert dropped() is None
