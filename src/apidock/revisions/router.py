"""Routes of an app's history: `/apps/{app_id}/revisions`, `/releases` and `/diff`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from apidock.apps.dependencies import AppDep
from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.db.pages import paginate
from apidock.descriptions.intake import IntakeLimits
from apidock.diffing.report import changelog_markdown, summary
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.revisions import service
from apidock.revisions.schemas import (
    DiffRead,
    Format,
    ReleaseCreate,
    ReleasePage,
    ReleaseRead,
    RevisionPage,
    RevisionRead,
)
from apidock.schemas import Envelope, Id

router = APIRouter(prefix="/apps", tags=["revisions"])
ONE = "/{app_id:int}/revisions/{number:int}"
RELEASE = "/{app_id:int}/releases/{version}"
Number = Annotated[Id, Path(description="The revision's number, from 1")]
Version = Annotated[str, Path(max_length=100, description="The release's version")]
REFERENCE = "A revision number or a release version"
READ_ERRORS = error_responses(401, 403, 404, 422)
# a revision's or a release's document is for other tools: bare, errors in the envelope
DOCUMENT_RESPONSES = error_responses(401, 403, 404, 422)
DOCUMENT_RESPONSES[200] = {
    "description": "An OpenAPI 3.1.0 document (not wrapped in the envelope)",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
DIFF_RESPONSES = error_responses(401, 403, 404, 422)
DIFF_RESPONSES[200] = {
    "description": "The changes (`format=markdown`: a changelog, `text/markdown`)",
    "content": {"text/markdown": {"schema": {"type": "string"}}},
}


def _mock_base(request: Request) -> str | None:
    base: str | None = request.app.state.settings.mock_base_url
    return base


def _document(content: bytes) -> Response:
    return Response(content, media_type=JSONResponse.media_type)


@router.get("/{app_id:int}/revisions", responses=READ_ERRORS)
async def list_revisions(
    _: DocsReader, app: AppDep, session: SessionDep, page: PageDep
) -> Envelope[RevisionPage]:
    """The app's revisions in number order, each change of its description. Requires:
    read_docs."""
    rows, meta = await paginate(session, service.search(app_id=app.id), page)
    return Envelope(data=RevisionPage.model_validate(meta | {"revisions": rows}))


@router.get(ONE, responses=READ_ERRORS)
async def read_revision(
    _: DocsReader, app: AppDep, number: Number, session: SessionDep
) -> Envelope[RevisionRead]:
    """One revision of the app. Requires: read_docs."""
    revision = await service.get(session, app=app, number=number)
    return Envelope(data=RevisionRead.model_validate(revision))


@router.get(f"{ONE}/openapi.json", response_class=JSONResponse, responses=DOCUMENT_RESPONSES)
async def revision_document(
    _: DocsReader, app: AppDep, number: Number, session: SessionDep, request: Request
) -> Response:
    """The revision's OpenAPI 3.1.0 document, bare, as the app's export answered it (the
    app's export after restoring the revision gives these bytes). Requires: read_docs."""
    content = await service.served_document(
        session, app=app, number=number, mock_base=_mock_base(request)
    )
    return _document(content)


@router.post(f"{ONE}/restore", status_code=201, responses=error_responses(401, 403, 404, 409, 422))
async def restore_revision(
    _: DocsWriter, app: AppDep, number: Number, work: WorkDep, request: Request
) -> Envelope[RevisionRead]:
    """Make the revision's document the app's description again (as an import replacing it
    does): a new revision with its content and hash. Requires: write_docs."""
    limits = IntakeLimits.of(request.app.state.settings)
    revision = await service.restore(work, app=app, number=number, limits=limits)
    return Envelope(
        message=f"Revision {number} restored.", data=RevisionRead.model_validate(revision)
    )


@router.post(
    "/{app_id:int}/releases", status_code=201, responses=error_responses(401, 403, 404, 409, 422)
)
async def create_release(
    _: DocsWriter, app: AppDep, body: ReleaseCreate, work: WorkDep
) -> Envelope[ReleaseRead]:
    """Name the app's current revision a release; 409 for a version the app has already.
    Requires: write_docs."""
    release = await service.create_release(work, app=app, release_in=body)
    return Envelope(message="Release created.", data=ReleaseRead.model_validate(release))


@router.get("/{app_id:int}/releases", responses=READ_ERRORS)
async def list_releases(
    _: DocsReader, app: AppDep, session: SessionDep, page: PageDep
) -> Envelope[ReleasePage]:
    """The app's releases in the order they were made. Requires: read_docs."""
    rows, meta = await paginate(session, service.search_releases(app_id=app.id), page)
    return Envelope(data=ReleasePage.model_validate(meta | {"releases": rows}))


@router.get(RELEASE, responses=READ_ERRORS)
async def read_release(
    _: DocsReader, app: AppDep, version: Version, session: SessionDep
) -> Envelope[ReleaseRead]:
    """One release of the app. Requires: read_docs."""
    release = await service.get_release(session, app=app, version=version)
    return Envelope(data=ReleaseRead.model_validate(release))


@router.get(f"{RELEASE}/openapi.json", response_class=JSONResponse, responses=DOCUMENT_RESPONSES)
async def release_document(
    _: DocsReader, app: AppDep, version: Version, session: SessionDep, request: Request
) -> Response:
    """The released revision's OpenAPI 3.1.0 document, bare. Requires: read_docs."""
    release = await service.get_release(session, app=app, version=version)
    content = await service.served_document(
        session, app=app, number=release.revision_number, mock_base=_mock_base(request)
    )
    return _document(content)


@router.get("/{app_id:int}/diff", response_model=Envelope[DiffRead], responses=DIFF_RESPONSES)
async def diff(
    _: DocsReader,
    app: AppDep,
    session: SessionDep,
    from_: Annotated[str, Query(alias="from", max_length=100, description=REFERENCE)],
    to: Annotated[
        str | None, Query(max_length=100, description=f"{REFERENCE}; default: now")
    ] = None,
    format: Annotated[Format, Query(description="`markdown`: a changelog")] = "json",
) -> Envelope[DiffRead] | Response:
    """What changed between two revisions or releases of the app, by oasdiff's rules and
    levels; 404 for an unknown one. Requires: read_docs."""
    compared = await service.compare(session, app=app, old=from_, new=to)
    if format == "markdown":
        title = f"{app.title}: changes from {compared.old} to {compared.new}"
        text = changelog_markdown(compared.changes, title=title)
        return Response(text, media_type="text/markdown; charset=utf-8")
    changes = [change.as_json() for change in compared.changes]
    data = DiffRead.model_validate({"changes": changes, "summary": summary(compared.changes)})
    return Envelope(data=data)
