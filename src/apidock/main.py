"""The application factory: lifespan, routers, the error handler, middleware and docs."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import text

from apidock import __version__
from apidock.apis.responses_router import examples_router, responses_router
from apidock.apis.router import router as apis_router
from apidock.apps.docs_page import app_docs_html
from apidock.apps.router import router as apps_router
from apidock.apps.schemas import SLUG_RE
from apidock.auth.limiter import LoginLimiter
from apidock.auth.passwords import PasswordHasher
from apidock.auth.router import router as auth_router
from apidock.auth.tokens import TokenCodec
from apidock.config import Settings, get_settings
from apidock.database import Database, create_engine
from apidock.exceptions import COMMON_ERROR_RESPONSES, NotFound, install_error_handler
from apidock.groups.router import router as groups_router
from apidock.logs.router import router as logs_router
from apidock.middleware import BodyLimits, SecurityHeaders
from apidock.roles.router import router as roles_router
from apidock.schemas import Health, RootInfo, ValidationErrorEnvelope
from apidock.users.router import router as users_router

API_PREFIX = "/api/v1"
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/static/docs"


def _add_docs_routes(app: FastAPI) -> None:
    """Swagger UI and ReDoc from assets shipped in a dependency: no request leaves the machine."""
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    oauth2_redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            oauth2_redirect_url=oauth2_redirect_url,
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/docs/apps/{slug}", include_in_schema=False)
    async def app_swagger_ui(slug: str) -> HTMLResponse:
        # no database read: the page is the same for every slug (see apps/docs_page.py)
        if len(slug) > 80 or not SLUG_RE.fullmatch(slug):
            raise NotFound("No such page")
        return HTMLResponse(
            app_docs_html(
                slug=slug,
                document_url=f"{API_PREFIX}/apps/by-slug/{slug}/openapi.json",
                assets_url=DOCS_ASSETS_URL,
                swagger_ui_parameters=swagger_ui_default_parameters,
            )
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )


def _add_service_routes(app: FastAPI) -> None:
    """`/`, `/healthz` and `/readyz`, outside the API prefix."""

    @app.get("/", tags=["service"], summary="Service information")
    async def root() -> RootInfo:
        """The service's name, version and links."""
        return RootInfo.model_validate(
            {
                "name": app.title,
                "version": __version__,
                "links": {
                    "docs": "/docs",
                    "redoc": "/redoc",
                    "openapi": "/openapi.json",
                    "api": API_PREFIX,
                },
            }
        )

    @app.get("/healthz", tags=["service"], summary="Liveness")
    async def healthz() -> Health:
        """The process is alive; the database is not asked."""
        return Health(status="ok")

    @app.get(
        "/readyz",
        tags=["service"],
        summary="Readiness",
        response_model=Health,
        responses={503: {"model": Health, "description": "The database cannot be reached"}},
    )
    async def readyz(request: Request) -> Health | JSONResponse:
        """The database answers a query."""
        database: Database = request.app.state.database
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return Health(status="ok")


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


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application; the database is made from `settings` unless one is given."""
    settings = settings or get_settings()
    database = database or Database(create_engine(settings), settings)

    login_limiter = LoginLimiter(settings)
    password_hasher = PasswordHasher(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What start-up built lives as long as the process: out of the collector's sight, a
        # full collection no longer walks it, which kept pausing requests for milliseconds.
        gc.collect()
        gc.freeze()
        yield
        await login_limiter.store.close()
        password_hasher.close()
        await database.dispose()

    app = FastAPI(
        title="API Dock",
        version=__version__,
        description="Document the HTTP APIs of your applications and test them.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses=COMMON_ERROR_RESPONSES,
        telemetry=None if settings.telemetry else TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.token_codec = TokenCodec(settings)
    app.state.password_hasher = password_hasher
    app.state.login_limiter = login_limiter
    install_error_handler(app)
    # inside CORS, so a browser can read the 413 too
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_size, timeout=settings.body_timeout)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials="*" not in settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_middleware(SecurityHeaders, api_prefix=API_PREFIX)
    # routes are tried in order: the users' router holds the hottest read
    app.include_router(users_router, prefix=API_PREFIX)
    _add_docs_routes(app)
    _add_service_routes(app)
    app.include_router(auth_router, prefix=API_PREFIX)
    app.include_router(apps_router, prefix=API_PREFIX)
    # before the APIs' router, whose `/apis/{api_id}` would otherwise meet these paths first
    for catalog_router in (groups_router, responses_router, examples_router, apis_router):
        app.include_router(catalog_router, prefix=API_PREFIX)
    app.include_router(logs_router, prefix=API_PREFIX)
    app.include_router(roles_router, prefix=API_PREFIX)
    _use_the_envelope_for_validation_errors(app)
    return app
