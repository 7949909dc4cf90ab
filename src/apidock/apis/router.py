"""Routes of APIs: `/apis` and `/apis/{api_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from apidock.apis import hot_list, service
from apidock.apis.dependencies import ApiDep
from apidock.apis.models import Api
from apidock.apis.schemas import (
    ApiCreate,
    ApiDetail,
    ApiPage,
    ApiStatusName,
    ApiUpdate,
    Method,
)
from apidock.auth.hot_dependencies import DocsReaderOnCore
from apidock.catalog.routes import Record
from apidock.http.dependencies import CoreDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope, Id

router = APIRouter(prefix="/apis", tags=["apis"])
# one API's answers carry its operation; the list (`hot_list`) is of catalog rows only
APIS: Record[Api] = Record(router, "api", "API", "/{api_id:int}", ApiDep, ApiDetail)


@router.get("", responses=error_responses(401, 403, 422))
async def list_apis(
    _: DocsReaderOnCore,
    core: CoreDep,
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
    rows, meta = await hot_list.page(
        core, params=page, app_id=app_id, group_id=group_id, method=method, status=api_status, q=q
    )
    return Envelope(data=ApiPage.model_validate(meta | {"apis": rows}))


APIS.add_create(ApiCreate, service.create, "Document an API of an app. Requires: write_docs.")
APIS.add_read("Read an API. Requires: read_docs.")
APIS.add_update(
    ApiUpdate,
    service.update,
    "Change an API; `operation` replaces its OpenAPI Operation Object. Requires: write_docs.",
)
APIS.add_delete(
    service.delete,
    "Soft-delete an API with its response fields and examples. Requires: write_docs.",
)
