"""Routes of apps: `/apps` and `/apps/{app_id}`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response, StreamingResponse

from apidock.apps import service
from apidock.apps.dependencies import AppBySlugDep, AppDeleter, AppDep, DocsReader, DocsWriter
from apidock.apps.schemas import AppCreate, AppPage, AppRead, AppUpdate
from apidock.db.pages import paginate
from apidock.http.dependencies import ClientAddress, SessionDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope

router = APIRouter(prefix="/apps", tags=["apps"])


@router.get("", responses=error_responses(401, 403, 422))
async def list_apps(
    _: DocsReader,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=80, description="Text in the title or slug")] = None,
) -> Envelope[AppPage]:
    """List apps by title. Requires: read_docs."""
    rows, meta = await paginate(session, service.search(q=q), page)
    return Envelope(data=AppPage.model_validate(meta | {"apps": rows}))


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 401, 403, 409, 422)
)
async def create_app(
    user: DocsWriter, body: AppCreate, session: SessionDep, address: ClientAddress
) -> Envelope[AppRead]:
    """Create an app. Requires: write_docs."""
    app = await service.create(session, app_in=body, actor_id=user.id, ip=address)
    return Envelope(message="App created.", data=AppRead.model_validate(app))


@router.get("/{app_id:int}", responses=error_responses(401, 403, 404, 422))
async def read_app(_: DocsReader, app: AppDep) -> Envelope[AppRead]:
    """Read an app. Requires: read_docs."""
    return Envelope(data=AppRead.model_validate(app))


@router.patch("/{app_id:int}", responses=error_responses(400, 401, 403, 404, 409, 422))
async def update_app(
    user: DocsWriter, app: AppDep, body: AppUpdate, session: SessionDep, address: ClientAddress
) -> Envelope[AppRead]:
    """Change an app. Requires: write_docs."""
    app = await service.update(session, app=app, app_in=body, actor_id=user.id, ip=address)
    return Envelope(message="App updated.", data=AppRead.model_validate(app))


@router.delete("/{app_id:int}", responses=error_responses(401, 403, 404, 422))
async def delete_app(
    user: AppDeleter, app: AppDep, session: SessionDep, address: ClientAddress
) -> Envelope[None]:
    """Soft-delete an app with its groups, APIs, fields and examples. Requires: delete_apps."""
    await service.delete(session, app=app, actor_id=user.id, ip=address)
    return Envelope(message="App deleted.")


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


def _document(pieces: list[bytes]) -> Response:
    """The pieces the service encoded off the event loop, sent as they are: never joined
    into one more copy of the document."""

    async def each() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    length = str(sum(len(piece) for piece in pieces))
    return StreamingResponse(
        each(), media_type=JSONResponse.media_type, headers={"Content-Length": length}
    )
