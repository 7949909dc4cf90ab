"""The import route: `POST /apps/import`, a document in, an app and its report out."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from apidock.apps.schemas import AppRead, Slug
from apidock.catalog.dependencies import DocsWriter
from apidock.config import Settings
from apidock.descriptions.intake import IntakeLimits
from apidock.descriptions.loading import syntax_of
from apidock.errors import BadRequest, UnsupportedMediaType
from apidock.http.dependencies import WorkDep
from apidock.http.errors import error_responses
from apidock.imports import service
from apidock.imports.schemas import ImportRead, ImportReport
from apidock.schemas import Envelope, Id

router = APIRouter(prefix="/apps", tags=["apps"])
# the path BodyLimits lets carry IMPORT_MAX_BYTES instead of MAX_BODY_SIZE
IMPORT_PATH = "/api/v1/apps/import"
MEDIA_TYPES = (
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "multipart/form-data",
)
_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "The document: OpenAPI 3.1/3.0, Swagger 2.0 or a Postman collection "
    "(v2.1/v2.0), as JSON or YAML, or a form with the document in the field `file`",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/yaml": {"schema": {"type": "string"}},
        "application/x-yaml": {"schema": {"type": "string"}},
        "text/yaml": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    },
}


@router.post(
    "/import",
    status_code=201,
    responses={
        200: {"model": Envelope[ImportRead], "description": "The app's description replaced"},
        **error_responses(400, 403, 404, 409, 415, 422),
    },
    openapi_extra={"requestBody": _REQUEST_BODY},
)
async def import_document(
    _: DocsWriter,
    work: WorkDep,
    request: Request,
    response: Response,
    slug: Annotated[
        Slug | None, Query(description="The new app's slug; default from the title")
    ] = None,
    app_id: Annotated[Id | None, Query(description="Replace this app's description")] = None,
    fail_on: Annotated[
        Literal["breaking", "warning"] | None,
        Query(
            description="With app_id: 409, importing nothing, when the document makes changes "
            "of this level or graver to the app's latest release (listed in `data`)"
        ),
    ] = None,
) -> Envelope[ImportRead]:
    """Import an API description as a new app (201) or as an app's new one (200), with a
    report of what was converted (`warnings`) and not carried (`lost`). Requires: write_docs."""
    raw, media_type = await _document(request)
    settings: Settings = request.app.state.settings
    imported = await service.import_document(
        work,
        raw=raw,
        media_type=media_type,
        limits=IntakeLimits.of(settings),
        slug=slug,
        app_id=app_id,
        fail_on=fail_on,
    )
    if not imported.created:
        response.status_code = 200
    return Envelope(
        data=ImportRead(
            app=AppRead.model_validate(imported.app),
            report=ImportReport.model_validate(imported.report),
        )
    )


async def _document(request: Request) -> tuple[bytes, str | None]:
    """The document's bytes and its media type (None for a form: read from the content)."""
    content_type = request.headers.get("content-type", "")
    essence = content_type.split(";", 1)[0].strip().lower()
    if essence == "multipart/form-data":
        async with request.form(max_files=1, max_fields=8) as form:
            upload = form.get("file")
            if isinstance(upload, UploadFile):
                return await upload.read(), None
            if isinstance(upload, str):
                return upload.encode(), None
        raise BadRequest("The form has no field `file` holding the document")
    if not content_type or syntax_of(content_type) is None:
        raise UnsupportedMediaType(
            "Send the document as " + ", ".join(MEDIA_TYPES) + f", not {essence or 'nothing'}"
        )
    return await request.body(), content_type
