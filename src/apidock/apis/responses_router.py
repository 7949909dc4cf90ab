"""Routes of response fields (`/apis/responses`) and examples (`/apis/examples`): an API's
rows, or for an API described in OpenAPI the views of its operation (`views`)."""

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
from apidock.catalog.routes import ONE_ERRORS, Record
from apidock.schemas import Id

responses_router = APIRouter(prefix="/apis/responses", tags=["responses"])
examples_router = APIRouter(prefix="/apis/examples", tags=["examples"])

ApiFilter = Annotated[Id | None, Query(description="Those of this API")]

FIELDS: Record[ApiResponse] = Record(
    responses_router, "field", "Response field", "/{field_id:int}", FieldDep, ResponseFieldRead
)
FIELDS.add_list(
    ResponseFieldPage,
    service.search_fields,
    "List response fields by API and path (of a described API: the properties of its "
    "operation's success body). Requires: read_docs.",
    api_id=ApiFilter,
    q=Annotated[str | None, Query(max_length=100)],
)
FIELDS.add_create(
    ResponseFieldCreate,
    service.create_field,
    "Document a response field of an API (of a described API: in its operation's schema, "
    "or the shared component the field lies in). Requires: write_docs.",
)
FIELDS.add_read("Read a response field. Requires: read_docs.")
FIELDS.add_update(
    ResponseFieldUpdate, service.update_field, "Change a response field. Requires: write_docs."
)
FIELDS.add_delete(
    service.delete_field,
    "Soft-delete a response field; 409 while fields lie under it. Requires: write_docs.",
    errors=(*ONE_ERRORS, 409),
)

EXAMPLES: Record[ApiExample] = Record(
    examples_router, "example", "Example", "/{example_id:int}", ExampleDep, ExampleRead
)
EXAMPLES.add_list(
    ExamplePage,
    service.search_examples,
    "List examples by API and title (of a described API: the named examples of its "
    "operation's success body). Requires: read_docs.",
    api_id=ApiFilter,
)
EXAMPLES.add_create(
    ExampleCreate,
    service.create_example,
    "Add an example to an API; 409 past 100 examples per API. Requires: write_docs.",
)
EXAMPLES.add_read("Read an example. Requires: read_docs.")
# 409 only for a described API: its operation changed under the request
EXAMPLES.add_update(
    ExampleUpdate, service.update_example, "Change an example. Requires: write_docs."
)
EXAMPLES.add_delete(
    service.delete_example,
    "Soft-delete an example. Requires: write_docs.",
    errors=(*ONE_ERRORS, 409),
)
