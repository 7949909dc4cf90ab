"""The application factory: lifespan, routers, the error handler, middleware and docs."""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request, routing
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from apidock import __version__
from apidock.apis.responses_router import examples_router, responses_router
from apidock.apis.router import router as apis_router
from apidock.apps.openapi_export import MOCK_PREFIX
from apidock.apps.router import router as apps_router
from apidock.auth.limiter import LoginLimiter
from apidock.auth.passwords import PasswordHasher
from apidock.auth.router import router as auth_router
from apidock.auth.tokens import TokenCodec
from apidock.cases.router import router as cases_router
from apidock.config import Settings, get_settings
from apidock.db import Database, create_engine
from apidock.environments.router import router as environments_router
from apidock.errors import RETRY_UNAVAILABLE_AFTER
from apidock.groups.router import router as groups_router
from apidock.http.docs_ui import add_docs_routes
from apidock.http.errors import COMMON_ERROR_RESPONSES, install_error_handler
from apidock.http.metrics_endpoint import METRICS_PATH, add_metrics_route
from apidock.http.middleware import BodyLimits, SecurityHeaders, TrustedHosts
from apidock.http.request_log import RequestRecorder
from apidock.http.trailing_slash import serve_paths_with_a_trailing_slash
from apidock.imports import pool as import_processes
from apidock.imports.router import IMPORT_PATH
from apidock.imports.router import router as imports_router
from apidock.log_queue import QueuedLogs
from apidock.logs.router import router as logs_router
from apidock.metrics import PoolSampler
from apidock.mock.router import router as mock_router
from apidock.mock.server import MockDispatch, MockServer
from apidock.readiness import ReadinessCheck
from apidock.revisions import recording  # noqa: F401  (its commit step records revisions)
from apidock.revisions.router import router as revisions_router
from apidock.roles.router import router as roles_router
from apidock.runs.dispatch import LocalRuns
from apidock.runs.router import router as runs_router
from apidock.runs.runtime import dispatcher_for, executor_for
from apidock.schemas import ErrorEnvelope, Health, RootInfo, ValidationErrorEnvelope
from apidock.users.router import router as users_router

API_PREFIX = "/api/v1"
# An app's components may be as large as an imported document's (PUT /apps/{id}/components)
COMPONENTS_PATHS = re.escape(API_PREFIX) + r"/apps/[0-9]+/components(?:/[^/]+/[^/]+)?"
OPENAPI_TAG_ORDER = (
    "users",
    "service",
    "auth",
    "apps",
    "revisions",
    "groups",
    "responses",
    "examples",
    "apis",
    "logs",
    "mock",
    "environments",
    "cases",
    "runs",
    "roles",
)
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
# liveness and readiness, answered for any Host (see TrustedHosts)
PROBES = ("/healthz", "/readyz")


# The service's endpoints are module functions reading their application from the request:
# an endpoint defined inside `create_app` would be a new function per application, held with
# its application by FastAPI's caches of callables (4,096 entries), so every application a
# process makes (a test's each) would stay in memory.


async def root(request: Request) -> RootInfo:
    """The service's name, version and links."""
    return RootInfo.model_validate(
        {
            "name": request.app.title,
            "version": __version__,
            "links": {
                "docs": "/docs",
                "redoc": "/redoc",
                "openapi": "/openapi.json",
                "api": API_PREFIX,
            },
        }
    )


async def healthz() -> Health:
    """The process is alive; the database is not asked."""
    return Health(status="ok")


async def readyz(request: Request) -> Health | JSONResponse:
    """The database answers and its schema is at the newest revision (asked at most
    every two seconds)."""
    readiness: ReadinessCheck = request.app.state.readiness
    answer = await readiness.check()
    if answer.problem is not None:
        body = ErrorEnvelope(message=answer.problem, data=answer.data)
        headers = {"Retry-After": RETRY_UNAVAILABLE_AFTER} if answer.unavailable else None
        return JSONResponse(body.model_dump(mode="json"), status_code=503, headers=headers)
    return Health(status="ok")


def _add_service_routes(app: FastAPI) -> None:
    """`/`, `/healthz` and `/readyz`, outside the API prefix."""
    app.get("/", tags=["service"], summary="Service information")(root)
    app.get("/healthz", tags=["service"], summary="Liveness")(healthz)
    app.get(
        "/readyz",
        tags=["service"],
        summary="Readiness",
        response_model=Health,
        responses={
            503: {
                "model": ErrorEnvelope,
                "description": "The database cannot be reached, or its schema is not at the "
                "revision this code needs; `message` says which and what to run",
            }
        },
    )(readyz)


def _use_the_envelope_for_validation_errors(app: FastAPI) -> None:
    """Document FastAPI's automatic 422 responses with the envelope that is really sent."""
    build_default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build_default()
        schemas = spec.get("components", {}).get("schemas", {})
        envelope_ref = "#/components/schemas/ValidationErrorEnvelope"
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                response = operation.get("responses", {}).get("422")
                if response is None:
                    continue
                content = response.get("content", {}).get("application/json", {})
                if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                    response["description"] = "Validation failed; `data` lists the fields"
                    content["schema"] = {"$ref": envelope_ref}
        if schemas.pop("HTTPValidationError", None) is not None:
            schemas.pop("ValidationError", None)
            schemas["ValidationErrorEnvelope"] = ValidationErrorEnvelope.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            schemas.update(
                ValidationErrorEnvelope.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                ).pop("$defs", {})
            )
            schemas["ValidationErrorEnvelope"].pop("$defs", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _outermost(app: FastAPI, middleware: Callable[..., ASGIApp], **options: Any) -> None:
    """Wrap `middleware` around the whole stack, Starlette's ServerErrorMiddleware included:
    `add_middleware` puts it inside that one, so a 500 would leave without its headers."""
    build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        return middleware(build(), **options)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application; the database is made from `settings` unless one is given."""
    settings = settings or get_settings()
    database = database or Database(create_engine(settings))

    login_limiter = LoginLimiter(settings)
    password_hasher = PasswordHasher(settings)
    mock = MockServer(database, settings, prefix=MOCK_PREFIX)
    run_executor = executor_for(database, settings)
    runs = dispatcher_for(settings, run_executor)
    pool_sampler = PoolSampler(lambda: database.engine.pool)

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        # FastAPI builds each endpoint's effective route (its dependencies, its models) when a
        # request's matching first reaches it: built here, the first requests of a process do
        # not pay for it (about 0.4 s for all of them)
        for _ in routing.iter_route_contexts(started.routes):
            pass
        # What start-up built lives as long as the process: out of the collector's sight, a
        # full collection no longer walks it, which kept pausing requests for milliseconds.
        gc.collect()
        gc.freeze()
        logs = QueuedLogs()
        logs.start()
        pool_sampler.start()
        if isinstance(runs, LocalRuns):
            # the runs queued before the server last stopped
            runs.resume_soon(run_executor.sessions)
        try:
            yield
        finally:
            await pool_sampler.stop()
            logs.stop()
        await runs.close()
        await run_executor.client.aclose()
        # the import processes, if an import started them (a thread: they may take a moment)
        await anyio.to_thread.run_sync(import_processes.shutdown)
        await login_limiter.store.close()
        password_hasher.close()
        await mock.close()
        await database.dispose()

    app = FastAPI(
        title="API Dock",
        version=__version__,
        description="Document the HTTP APIs of your applications and test them.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # the order of the groups in /docs, whatever the order the routes are tried in
        openapi_tags=[{"name": name} for name in OPENAPI_TAG_ORDER],
        responses=COMMON_ERROR_RESPONSES,
        telemetry=None if settings.telemetry else TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.readiness = ReadinessCheck(database.engine)
    app.state.token_codec = TokenCodec(settings)
    app.state.password_hasher = password_hasher
    app.state.login_limiter = login_limiter
    app.state.mock = mock
    app.state.runs = runs
    app.state.run_executor = run_executor
    install_error_handler(app)
    serve_paths_with_a_trailing_slash(app)
    # inside CORS, so a browser can read the 413 too
    app.add_middleware(
        BodyLimits,
        max_bytes=settings.max_body_size,
        timeout=settings.body_timeout,
        larger=dict.fromkeys(
            # with or without a trailing slash, served alike (apidock.http.trailing_slash)
            (re.escape(IMPORT_PATH) + "/?", COMPONENTS_PATHS + "/?"),
            max(settings.import_max_bytes, settings.max_body_size),
        ),
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials="*" not in settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    if settings.trusted_hosts:
        # outside CORS and the body limits: another host is refused before anything else runs
        app.add_middleware(
            TrustedHosts, hosts=settings.trusted_hosts, exempt_paths=(*PROBES, METRICS_PATH)
        )
    _outermost(app, SecurityHeaders, api_prefix=API_PREFIX)
    # `/mock/...` goes to the mock server before anything of the API's (its own headers, its
    # own body bound), the Host checked as for the API
    _outermost(
        app,
        MockDispatch,
        mock=(
            TrustedHosts(mock, hosts=settings.trusted_hosts, exempt_paths=())
            if settings.trusted_hosts
            else mock
        ),
    )
    # outermost: every answer gets its request id, its log line and its count (the mock's too)
    _outermost(app, RequestRecorder, mock_prefix=MOCK_PREFIX)
    # Routes are tried in order, each path against each route: the users' and the APIs'
    # routers, which hold the hottest reads and lists, come first. The paths of the routers
    # do not overlap, except `/apis/{api_id}` and its siblings `/apis/responses`, `/apis/examples`.
    app.include_router(users_router, prefix=API_PREFIX)
    # before the APIs' router, whose `/apis/{api_id}` would otherwise meet these paths first
    for catalog_router in (responses_router, examples_router, apis_router, groups_router):
        app.include_router(catalog_router, prefix=API_PREFIX)
    add_docs_routes(app, api_prefix=API_PREFIX)
    _add_service_routes(app)
    app.state.pool_sampler = pool_sampler
    add_metrics_route(app)
    app.include_router(auth_router, prefix=API_PREFIX)
    app.include_router(imports_router, prefix=API_PREFIX)
    app.include_router(apps_router, prefix=API_PREFIX)
    app.include_router(revisions_router, prefix=API_PREFIX)
    app.include_router(logs_router, prefix=API_PREFIX)
    app.include_router(mock_router, prefix=API_PREFIX)
    app.include_router(environments_router, prefix=API_PREFIX)
    app.include_router(cases_router, prefix=API_PREFIX)
    app.include_router(runs_router, prefix=API_PREFIX)
    app.include_router(roles_router, prefix=API_PREFIX)
    _use_the_envelope_for_validation_errors(app)
    return app
