"""The API, response field or example of a path, or 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apidock.apis import responses_service, service
from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apps.dependencies import DocsReader
from apidock.errors import NotFound
from apidock.http.dependencies import SessionDep
from apidock.schemas import Id


async def api_or_404(session: SessionDep, api_id: Annotated[Id, Path()], _: DocsReader) -> Api:
    """The live API of the path; a deleted one is not found (after 401 and 403, as in apps)."""
    api = await service.get(session, api_id=api_id)
    if api is None:
        raise NotFound("API not found")
    return api


async def field_or_404(
    session: SessionDep, field_id: Annotated[Id, Path()], _: DocsReader
) -> ApiResponse:
    """The live response field of the path."""
    field = await responses_service.get_field(session, field_id=field_id)
    if field is None:
        raise NotFound("Response field not found")
    return field


async def example_or_404(
    session: SessionDep, example_id: Annotated[Id, Path()], _: DocsReader
) -> ApiExample:
    """The live example of the path."""
    example = await responses_service.get_example(session, example_id=example_id)
    if example is None:
        raise NotFound("Example not found")
    return example


ApiDep = Annotated[Api, Depends(api_or_404)]
FieldDep = Annotated[ApiResponse, Depends(field_or_404)]
ExampleDep = Annotated[ApiExample, Depends(example_or_404)]
