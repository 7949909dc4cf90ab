"""Routes of response fields (`/apis/responses`) and examples (`/apis/examples`): an API's
rows, or for an API described in OpenAPI the views of its operation (`views`). The lists and
the reads by id are written here, not by `Record`: each builds the stale views it shows
first (`views_lazy`), a write in a read request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from apidock.apis import responses_service as service
from apidock.apis.dependencies import ExampleDep, FieldDep
from apidock.apis.models import ApiExample, ApiResponse
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
from apidock.catalog.dependencies import DocsReader
from apidock.catalog.routes import ONE_ERRORS, Record
from apidock.http.dependencies import WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope, Id

responses_router = APIRouter(prefix="/apis/responses", tags=["responses"])
examples_router = APIRouter(prefix="/apis/examples", tags=["examples"])

ApiFilter = Annotated[Id | None, Query(description="Those of this API")]
_LIST_ERRORS = error_responses(401, 403, 422)


@responses_router.get("", responses=_LIST_ERRORS)
async def list_fields(
    _: DocsReader,
    work: WorkDep,
    page: PageDep,
    api_id: ApiFilter = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Envelope[ResponseFieldPage]:
    """List response fields by API and path (of a described API: the properties of its
    operation's success body). Requires: read_docs."""
    rows, meta = await service.list_fields(work, page=page, api_id=api_id, q=q)
    return Envelope(data=ResponseFieldPage.model_validate(meta | {"responses": rows}))


@responses_router.get("/{field_id:int}", responses=error_responses(*ONE_ERRORS))
async def read_field(_: DocsReader, row: FieldDep, work: WorkDep) -> Envelope[ResponseFieldRead]:
    """Read a response field. Requires: read_docs."""
    field = await service.read_field(work, field=row)
    return Envelope(data=ResponseFieldRead.model_validate(field))


FIELDS: Record[ApiResponse] = Record(
    responses_router, "field", "Response field", "/{field_id:int}", FieldDep, ResponseFieldRead
)
FIELDS.add_create(
    ResponseFieldCreate,
    service.create_field,
    "Document a response field of an API (of a described API: in its operation's schema, "
    "or the shared component the field lies in). Requires: write_docs.",
)
FIELDS.add_update(
    ResponseFieldUpdate, service.update_field, "Change a response field. Requires: write_docs."
)
FIELDS.add_delete(
    service.delete_field,
    "Soft-delete a response field; 409 while fields lie under it. Requires: write_docs.",
    errors=(*ONE_ERRORS, 409),
)


@examples_router.get("", responses=_LIST_ERRORS)
async def list_examples(
    _: DocsReader, work: WorkDep, page: PageDep, api_id: ApiFilter = None
) -> Envelope[ExamplePage]:
    """List examples by API and title (of a described API: the named examples of its
    operation's success body). Requires: read_docs."""
    rows, meta = await service.list_examples(work, page=page, api_id=api_id)
    return Envelope(data=ExamplePage.model_validate(meta | {"examples": rows}))


@examples_router.get("/{example_id:int}", responses=error_responses(*ONE_ERRORS))
async def read_example(_: DocsReader, row: ExampleDep, work: WorkDep) -> Envelope[ExampleRead]:
    """Read an example. Requires: read_docs."""
    example = await service.read_example(work, example=row)
    return Envelope(data=ExampleRead.model_validate(example))


EXAMPLES: Record[ApiExample] = Record(
    examples_router, "example", "Example", "/{example_id:int}", ExampleDep, ExampleRead
)
EXAMPLES.add_create(
    ExampleCreate,
    service.create_example,
    "Add an example to an API; 409 past 100 examples per API. Requires: write_docs.",
)
# 409 only for a described API: its operation changed under the request
EXAMPLES.add_update(
    ExampleUpdate, service.update_example, "Change an example. Requires: write_docs."
)
EXAMPLES.add_delete(
    service.delete_example,
    "Soft-delete an example. Requires: write_docs.",
    errors=(*ONE_ERRORS, 409),
)
