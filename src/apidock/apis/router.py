"""Routes of APIs: `/apis` and `/apis/{api_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from apidock.apis import service
from apidock.apis.dependencies import ApiDep
from apidock.apis.schemas import ApiCreate, ApiPage, ApiRead, ApiStatusName, ApiUpdate, Method
from apidock.apps.dependencies import DocsReader, DocsWriter
from apidock.db.pages import paginate
from apidock.http.dependencies import ClientAddress, SessionDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope, Id

router = APIRouter(prefix="/apis", tags=["apis"])


@router.get("", responses=error_responses(401, 403, 422))
async def list_apis(
    _: DocsReader,
    session: SessionDep,
    page: PageDep,
    app_id: Annotated[Id | None, Query()] = None,
    group_id: Annotated[Id | None, Query()] = None,
    method: Annotated[Method | None, Query()] = None,
    api_status: Annotated[ApiStatusName | None, Query(alias="status")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Text in title, URL or description")
    ] = None,
) -> Envelope[ApiPage]:
    """List APIs, filtered by app, group, method, status and text. Requires: read_docs."""
    statement = service.search(
        app_id=app_id, group_id=group_id, method=method, status=api_status, q=q
    )
    rows, meta = await paginate(session, statement, page)
    return Envelope(data=ApiPage.model_validate(meta | {"apis": rows}))


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 401, 403, 409, 422)
)
async def create_api(
    user: DocsWriter, body: ApiCreate, session: SessionDep, address: ClientAddress
) -> Envelope[ApiRead]:
    """Document an API of an app. Requires: write_docs."""
    api = await service.create(session, api_in=body, actor_id=user.id, ip=address)
    return Envelope(message="API created.", data=ApiRead.model_validate(api))


@router.get("/{api_id:int}", responses=error_responses(401, 403, 404, 422))
async def read_api(_: DocsReader, api: ApiDep) -> Envelope[ApiRead]:
    """Read an API. Requires: read_docs."""
    return Envelope(data=ApiRead.model_validate(api))


@router.patch("/{api_id:int}", responses=error_responses(400, 401, 403, 404, 409, 422))
async def update_api(
    user: DocsWriter, api: ApiDep, body: ApiUpdate, session: SessionDep, address: ClientAddress
) -> Envelope[ApiRead]:
    """Change an API. Requires: write_docs."""
    api = await service.update(session, api=api, api_in=body, actor_id=user.id, ip=address)
    return Envelope(message="API updated.", data=ApiRead.model_validate(api))


@router.delete("/{api_id:int}", responses=error_responses(401, 403, 404, 422))
async def delete_api(
    user: DocsWriter, api: ApiDep, session: SessionDep, address: ClientAddress
) -> Envelope[None]:
    """Soft-delete an API with its response fields and examples. Requires: write_docs."""
    await service.delete(session, api=api, actor_id=user.id, ip=address)
    return Envelope(message="API deleted.")
