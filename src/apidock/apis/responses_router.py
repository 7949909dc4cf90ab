"""Routes of response fields (`/apis/responses`) and examples (`/apis/examples`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from apidock.apis import responses_service as service
from apidock.apis.dependencies import ExampleDep, FieldDep
from apidock.apis.schemas import (
    ExampleCreate,
    ExamplePage,
    ExampleRead,
    ExampleUpdate,
    ResponseFieldCreate,
    ResponseFieldPage,
    ResponseFieldRead,
    ResponseFieldUpdate,
)
from apidock.apps.dependencies import DocsReader, DocsWriter
from apidock.db.pages import paginate
from apidock.http.dependencies import ClientAddress, SessionDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope, Id

responses_router = APIRouter(prefix="/apis/responses", tags=["responses"])
examples_router = APIRouter(prefix="/apis/examples", tags=["examples"])

ApiFilter = Annotated[Id | None, Query(description="Those of this API")]


@responses_router.get("", responses=error_responses(401, 403, 422))
async def list_fields(
    _: DocsReader,
    session: SessionDep,
    page: PageDep,
    api_id: ApiFilter = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Envelope[ResponseFieldPage]:
    """List response fields by API and path. Requires: read_docs."""
    rows, meta = await paginate(session, service.search_fields(api_id=api_id, q=q), page)
    return Envelope(data=ResponseFieldPage.model_validate(meta | {"responses": rows}))


@responses_router.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 401, 403, 409, 422)
)
async def create_field(
    user: DocsWriter, body: ResponseFieldCreate, session: SessionDep, address: ClientAddress
) -> Envelope[ResponseFieldRead]:
    """Document a response field of an API. Requires: write_docs."""
    field = await service.create_field(session, field_in=body, actor_id=user.id, ip=address)
    return Envelope(message="Response field created.", data=ResponseFieldRead.model_validate(field))


@responses_router.get("/{field_id:int}", responses=error_responses(401, 403, 404, 422))
async def read_field(_: DocsReader, field: FieldDep) -> Envelope[ResponseFieldRead]:
    """Read a response field. Requires: read_docs."""
    return Envelope(data=ResponseFieldRead.model_validate(field))


@responses_router.patch("/{field_id:int}", responses=error_responses(400, 401, 403, 404, 409, 422))
async def update_field(
    user: DocsWriter,
    field: FieldDep,
    body: ResponseFieldUpdate,
    session: SessionDep,
    address: ClientAddress,
) -> Envelope[ResponseFieldRead]:
    """Change a response field. Requires: write_docs."""
    field = await service.update_field(
        session, field=field, field_in=body, actor_id=user.id, ip=address
    )
    return Envelope(message="Response field updated.", data=ResponseFieldRead.model_validate(field))


@responses_router.delete("/{field_id:int}", responses=error_responses(401, 403, 404, 409, 422))
async def delete_field(
    user: DocsWriter, field: FieldDep, session: SessionDep, address: ClientAddress
) -> Envelope[None]:
    """Soft-delete a response field; 409 while fields lie under it. Requires: write_docs."""
    await service.delete_field(session, field=field, actor_id=user.id, ip=address)
    return Envelope(message="Response field deleted.")


@examples_router.get("", responses=error_responses(401, 403, 422))
async def list_examples(
    _: DocsReader, session: SessionDep, page: PageDep, api_id: ApiFilter = None
) -> Envelope[ExamplePage]:
    """List examples by API and title. Requires: read_docs."""
    rows, meta = await paginate(session, service.search_examples(api_id=api_id), page)
    return Envelope(data=ExamplePage.model_validate(meta | {"examples": rows}))


@examples_router.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 401, 403, 409, 422)
)
async def create_example(
    user: DocsWriter, body: ExampleCreate, session: SessionDep, address: ClientAddress
) -> Envelope[ExampleRead]:
    """Add an example to an API; 409 past 100 examples per API. Requires: write_docs."""
    example = await service.create_example(session, example_in=body, actor_id=user.id, ip=address)
    return Envelope(message="Example created.", data=ExampleRead.model_validate(example))


@examples_router.get("/{example_id:int}", responses=error_responses(401, 403, 404, 422))
async def read_example(_: DocsReader, example: ExampleDep) -> Envelope[ExampleRead]:
    """Read an example. Requires: read_docs."""
    return Envelope(data=ExampleRead.model_validate(example))


@examples_router.patch("/{example_id:int}", responses=error_responses(400, 401, 403, 404, 422))
async def update_example(
    user: DocsWriter,
    example: ExampleDep,
    body: ExampleUpdate,
    session: SessionDep,
    address: ClientAddress,
) -> Envelope[ExampleRead]:
    """Change an example. Requires: write_docs."""
    example = await service.update_example(
        session, example=example, example_in=body, actor_id=user.id, ip=address
    )
    return Envelope(message="Example updated.", data=ExampleRead.model_validate(example))


@examples_router.delete("/{example_id:int}", responses=error_responses(401, 403, 404, 422))
async def delete_example(
    user: DocsWriter, example: ExampleDep, session: SessionDep, address: ClientAddress
) -> Envelope[None]:
    """Soft-delete an example. Requires: write_docs."""
    await service.delete_example(session, example=example, actor_id=user.id, ip=address)
    return Envelope(message="Example deleted.")
