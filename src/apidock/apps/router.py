"""Routes of apps: `/apps` and `/apps/{app_id}`, its components and its exports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from apidock.apps import components, service
from apidock.apps.dependencies import AppBySlugDep, AppDep
from apidock.apps.models import App
from apidock.apps.schemas import (
    AppCreate,
    AppPage,
    AppRead,
    AppUpdate,
    ComponentIn,
    ComponentKind,
    ComponentName,
    ComponentsIn,
)
from apidock.catalog.dependencies import AppDeleter, DocsReader, DocsWriter
from apidock.catalog.routes import CHANGE_ERRORS, ONE_ERRORS, Record
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.schemas import Envelope

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

KindPath = Annotated[ComponentKind, Path(description="The kind: a member of a Components Object")]
NamePath = Annotated[ComponentName, Path(description="The component's name in its kind")]
COMPONENT = "/{app_id:int}/components/{kind}/{name}"


@router.get("/{app_id:int}/components", responses=error_responses(*ONE_ERRORS))
async def read_components(_: DocsReader, app: AppDep) -> Envelope[dict[str, Any]]:
    """The app's OpenAPI Components Object (`{}` when it has none). Requires: read_docs."""
    return Envelope(data=components.read_all(app=app))


@router.put("/{app_id:int}/components", responses=error_responses(*CHANGE_ERRORS))
async def replace_components(
    _: DocsWriter, app: AppDep, body: Annotated[ComponentsIn, Body()], work: WorkDep
) -> Envelope[dict[str, Any]]:
    """Replace the app's whole Components Object, once the document it makes is valid
    OpenAPI 3.1 (422 with JSON Pointers into the body). Requires: write_docs."""
    data = await components.replace_all(work, app=app, components=body)
    return Envelope(message="Components replaced.", data=data)


@router.get(COMPONENT, responses=error_responses(*ONE_ERRORS))
async def read_component(
    _: DocsReader, app: AppDep, kind: KindPath, name: NamePath
) -> Envelope[Any]:
    """One component of the app, by kind and name. Requires: read_docs."""
    return Envelope(data=components.read_one(app=app, kind=kind, name=name))


@router.put(
    COMPONENT,
    responses={
        **error_responses(*CHANGE_ERRORS),
        201: {"description": "Component created", "model": Envelope[Any]},
    },
)
async def put_component(
    _: DocsWriter,
    app: AppDep,
    kind: KindPath,
    name: NamePath,
    body: Annotated[ComponentIn, Body()],
    work: WorkDep,
    response: Response,
) -> Envelope[Any]:
    """Create (201) or replace (200) one component, once the document it makes is valid
    OpenAPI 3.1 (422 with JSON Pointers into the body). Requires: write_docs."""
    created = await components.put_one(work, app=app, kind=kind, name=name, component=body)
    response.status_code = 201 if created else 200
    return Envelope(message=f"Component {'created' if created else 'replaced'}.", data=body)


@router.delete(COMPONENT, responses=error_responses(*ONE_ERRORS, 409))
async def delete_component(
    _: DocsWriter, app: AppDep, kind: KindPath, name: NamePath, work: WorkDep
) -> Envelope[None]:
    """Delete one component; 409 while anything in the app's document refers to it, naming
    where. Requires: write_docs."""
    await components.delete_one(work, app=app, kind=kind, name=name)
    return Envelope(message="Component deleted.")


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
async def export_openapi(
    _: DocsReader, app: AppDep, session: SessionDep, request: Request
) -> Response:
    """The app's catalog as an OpenAPI 3.1.0 document, bare, to import into other tools;
    errors still come in the envelope, 409 for a document past 32 MiB. Requires: read_docs."""
    return _document(await service.export_openapi(session, app=app, mock_base=_mock_base(request)))


@router.get(
    "/by-slug/{slug}/openapi.json",
    response_class=JSONResponse,
    responses=OPENAPI_DOCUMENT_RESPONSES,
)
async def export_openapi_by_slug(
    _: DocsReader, app: AppBySlugDep, session: SessionDep, request: Request
) -> Response:
    """The same OpenAPI 3.1.0 document, found by the app's slug (read by `/docs/apps/{slug}`);
    bare, errors in the envelope. Requires: read_docs."""
    return _document(await service.export_openapi(session, app=app, mock_base=_mock_base(request)))


OPENAPI_YAML_RESPONSES = error_responses(401, 403, 404, 409, 422)
OPENAPI_YAML_RESPONSES[200] = {
    "description": "The same OpenAPI 3.1.0 document as YAML (not wrapped in the envelope)",
    "content": {YAML_MEDIA_TYPE: {"schema": {"type": "object"}}},
}


@router.get("/{app_id:int}/openapi.yaml", response_class=Response, responses=OPENAPI_YAML_RESPONSES)
async def export_openapi_yaml(
    _: DocsReader, app: AppDep, session: SessionDep, request: Request
) -> Response:
    """The app's OpenAPI 3.1.0 document as YAML; errors in the envelope. Requires: read_docs."""
    pieces = await service.export_openapi(
        session, app=app, syntax="yaml", mock_base=_mock_base(request)
    )
    return _document(pieces, YAML_MEDIA_TYPE)


@router.get(
    "/by-slug/{slug}/openapi.yaml", response_class=Response, responses=OPENAPI_YAML_RESPONSES
)
async def export_openapi_yaml_by_slug(
    _: DocsReader, app: AppBySlugDep, session: SessionDep, request: Request
) -> Response:
    """The app's OpenAPI 3.1.0 document as YAML, found by its slug. Requires: read_docs."""
    pieces = await service.export_openapi(
        session, app=app, syntax="yaml", mock_base=_mock_base(request)
    )
    return _document(pieces, YAML_MEDIA_TYPE)


def _mock_base(request: Request) -> str | None:
    """MOCK_BASE_URL: where an export without servers says the app's mock is."""
    base: str | None = request.app.state.settings.mock_base_url
    return base


def _document(pieces: list[bytes], media_type: str = JSONResponse.media_type) -> Response:
    """The pieces the service encoded off the event loop, sent as they are: never joined
    into one more copy of the document."""

    async def each() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    length = str(sum(len(piece) for piece in pieces))
    return StreamingResponse(each(), media_type=media_type, headers={"Content-Length": length})
