"""Routes of apps: `/apps` and `/apps/{app_id}`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from apidock.apps import service
from apidock.apps.dependencies import AppBySlugDep, AppDep
from apidock.apps.models import App
from apidock.apps.schemas import AppCreate, AppPage, AppRead, AppUpdate
from apidock.catalog.dependencies import AppDeleter, DocsReader
from apidock.catalog.routes import Record
from apidock.http.dependencies import SessionDep
from apidock.http.errors import error_responses

router = APIRouter(prefix="/apps", tags=["apps"])
YAML_MEDIA_TYPE = "application/yaml"
APPS: Record[App] = Record(router, "app", "App", "/{app_id:int}", AppDep, AppRead)
AppSearch = Annotated[str | None, Query(max_length=80, description="Text in the title or slug")]

APPS.add_list(AppPage, service.search, "List apps by title. Requires: read_docs.", q=AppSearch)
APPS.add_create(AppCreate, service.create, "Create an app. Requires: write_docs.")
APPS.add_read("Read an app. Requires: read_docs.")
APPS.add_update(AppUpdate, service.update, "Change an app. Requires: write_docs.")
APPS.add_delete(
    service.delete,
    "Soft-delete an app with its groups, APIs, fields and examples. Requires: delete_apps.",
    deleter=AppDeleter,
)


# The export is a document for other tools, so its 200 is the bare document, not the envelope.
OPENAPI_DOCUMENT_RESPONSES = error_responses(401, 403, 404, 409, 422)
OPENAPI_DOCUMENT_RESPONSES[200] = {
    "description": "An OpenAPI 3.1.0 document (not wrapped in the envelope)",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@router.get(
    "/{app_id:int}/openapi.json",
    response_class=JSONResponse,
    responses=OPENAPI_DOCUMENT_RESPONSES,
)
async def export_openapi(_: DocsReader, app: AppDep, session: SessionDep) -> Response:
    """The app's catalog as an OpenAPI 3.1.0 document, bare, to import into other tools;
    errors still come in the envelope, 409 for a document past 32 MiB. Requires: read_docs."""
    return _document(await service.export_openapi(session, app=app))


@router.get(
    "/by-slug/{slug}/openapi.json",
    response_class=JSONResponse,
    responses=OPENAPI_DOCUMENT_RESPONSES,
)
async def export_openapi_by_slug(_: DocsReader, app: AppBySlugDep, session: SessionDep) -> Response:
    """The same OpenAPI 3.1.0 document, found by the app's slug (read by `/docs/apps/{slug}`);
    bare, errors in the envelope. Requires: read_docs."""
    return _document(await service.export_openapi(session, app=app))


OPENAPI_YAML_RESPONSES = error_responses(401, 403, 404, 409, 422)
OPENAPI_YAML_RESPONSES[200] = {
    "description": "The same OpenAPI 3.1.0 document as YAML (not wrapped in the envelope)",
    "content": {YAML_MEDIA_TYPE: {"schema": {"type": "string"}}},
}


@router.get("/{app_id:int}/openapi.yaml", response_class=Response, responses=OPENAPI_YAML_RESPONSES)
async def export_openapi_yaml(_: DocsReader, app: AppDep, session: SessionDep) -> Response:
    """The app's OpenAPI 3.1.0 document as YAML; errors in the envelope. Requires: read_docs."""
    pieces = await service.export_openapi(session, app=app, syntax="yaml")
    return _document(pieces, YAML_MEDIA_TYPE)


@router.get(
    "/by-slug/{slug}/openapi.yaml", response_class=Response, responses=OPENAPI_YAML_RESPONSES
)
async def export_openapi_yaml_by_slug(
    _: DocsReader, app: AppBySlugDep, session: SessionDep
) -> Response:
    """The app's OpenAPI 3.1.0 document as YAML, found by its slug. Requires: read_docs."""
    pieces = await service.export_openapi(session, app=app, syntax="yaml")
    return _document(pieces, YAML_MEDIA_TYPE)


def _document(pieces: list[bytes], media_type: str = JSONResponse.media_type) -> Response:
    """The pieces the service encoded off the event loop, sent as they are: never joined
    into one more copy of the document."""

    async def each() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    length = str(sum(len(piece) for piece in pieces))
    return StreamingResponse(each(), media_type=media_type, headers={"Content-Length": length})
