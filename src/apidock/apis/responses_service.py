"""Response fields (dot paths with a data type) and examples of an API: for an API described
in OpenAPI, the views of its operation (`views`), built at the first read of an import's
APIs (`views_lazy`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis import views, views_lazy, views_writes
from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apis.schemas import (
    ExampleCreate,
    ExampleUpdate,
    ResponseFieldCreate,
    ResponseFieldUpdate,
)

# the bounds of an API's rows, shared with its view (`views_schema`), named here as before
from apidock.apis.views_schema import MAX_EXAMPLES_PER_API as MAX_EXAMPLES_PER_API
from apidock.apis.views_schema import MAX_FIELDS_PER_API as MAX_FIELDS_PER_API
from apidock.catalog import service as catalog
from apidock.db.pages import PageParams
from apidock.db.queries import contains_text, lock_row_and_reload
from apidock.errors import Conflict, NotFound
from apidock.work import Action, UnitOfWork

ViewRowT = TypeVar("ViewRowT", ApiResponse, ApiExample)


class FieldAction(Action):
    CREATE = "api_response.create"
    UPDATE = "api_response.update"
    DELETE = "api_response.delete"


class ExampleAction(Action):
    CREATE = "api_example.create"
    UPDATE = "api_example.update"
    DELETE = "api_example.delete"


def parent_paths(path: str) -> list[tuple[str, str]]:
    """Each ancestor of a dot path with the container type it must have, nearest last.

    `data.items[].id` → `[("data", "object"), ("data.items", "array")]`: the segment
    `items[]` names the elements of the array `data.items`, and a plain segment a property.
    """
    segments = path.split(".")
    parents: list[tuple[str, str]] = []
    prefix = ""
    for index, segment in enumerate(segments):
        name = segment.removesuffix("[]")
        current = f"{prefix}.{name}" if prefix else name
        if segment.endswith("[]"):
            parents.append((current, "array"))
        if index < len(segments) - 1:
            if not segment.endswith("[]"):
                parents.append((current, "object"))
            prefix = f"{current}[]" if segment.endswith("[]") else current
    return parents


async def _live_fields(session: AsyncSession, *, api_id: int | None) -> Sequence[ApiResponse]:
    return (
        await session.scalars(
            select(ApiResponse).where(
                ApiResponse.api_id == api_id, ApiResponse.deleted_at.is_(None)
            )
        )
    ).all()


async def _check_field(
    session: AsyncSession,
    *,
    api_id: int | None,
    path: str,
    data_type: str,
    exclude_id: int | None = None,
) -> None:
    """409 on a duplicate path; 422 when a declared ancestor is not the container it must be,
    or when the field would become a scalar while fields are declared under it."""
    if path == "[]" or path.startswith("[]."):
        # the export of an API's rows gives a body that is an object (`openapi_export`)
        raise catalog.invalid(
            "field", "`[]` (a body that is an array) is for an API described in OpenAPI"
        )
    fields = {
        field.field: field
        for field in await _live_fields(session, api_id=api_id)
        if field.id != exclude_id
    }
    if path in fields:
        raise Conflict(f"The API already documents the field {path!r}")
    if exclude_id is None and len(fields) >= MAX_FIELDS_PER_API:
        raise Conflict(
            f"An API holds at most {MAX_FIELDS_PER_API} response fields; delete one to add another"
        )
    for parent, needed in parent_paths(path):
        declared = fields.get(parent)
        if declared is not None and declared.data_type != needed:
            raise catalog.invalid(
                "field",
                f"{path!r} lies under {parent!r}, which is {declared.data_type}, not {needed}",
            )
    for other in fields:
        for ancestor, needed in parent_paths(other):
            if ancestor == path and needed != data_type:
                raise catalog.invalid(
                    "field", f"{path!r} must be {needed}: {other!r} is declared under it"
                )


async def _lock_api(work: UnitOfWork, *, api_id: int) -> None:
    """The API's row lock (one change of its fields or examples at a time, so each check
    sees every committed one), then 422 unless the API is live."""
    no_api = catalog.invalid("api_id", "no such API", message="No such API")
    await catalog.lock_parent(work, Api, api_id, no_api)


def search_fields(*, api_id: int | None = None, q: str | None = None) -> Select[ApiResponse]:
    """Live response fields, by API and path."""
    order = (ApiResponse.api_id, ApiResponse.field, ApiResponse.id)
    statement = catalog.live_rows(ApiResponse, *order, equal={ApiResponse.api_id: api_id})
    if q:
        statement = statement.where(
            or_(contains_text(ApiResponse.field, q), contains_text(ApiResponse.description, q))
        )
    return statement


async def list_fields(
    work: UnitOfWork, *, page: PageParams, api_id: int | None = None, q: str | None = None
) -> tuple[Sequence[ApiResponse], dict[str, Any]]:
    """A page of `search_fields`, the stale views it shows built first; its `PageMeta`."""
    statement = search_fields(api_id=api_id, q=q)
    return await views_lazy.page_of(
        work.session, statement, ApiResponse.api_id, page, of_api=api_id
    )


async def read_field(work: UnitOfWork, *, field: ApiResponse) -> ApiResponse:
    """`field` as its API's view shows it now (404 when it no longer does)."""
    await views_lazy.fresh_row(work.session, field, NotFound("Response field not found"))
    return field


async def create_field(work: UnitOfWork, *, field_in: ResponseFieldCreate) -> ApiResponse:
    """A new response field of a live API (for a described API, of its operation: `views`)."""

    async def on_view(api: Api) -> ApiResponse:
        return await views_writes.create_field(work, api=api, field_in=field_in)

    if (row := await _through_view(work, field_in.api_id, FieldAction.CREATE, on_view)) is not None:
        return row
    await _lock_api(work, api_id=field_in.api_id)
    await _check_field(
        work.session, api_id=field_in.api_id, path=field_in.field, data_type=field_in.data_type
    )
    return await catalog.add(work, FieldAction.CREATE, ApiResponse(**field_in.model_dump()))


async def update_field(
    work: UnitOfWork, *, field: ApiResponse, field_in: ResponseFieldUpdate
) -> ApiResponse:
    """`field` with the attributes given in `field_in` changed."""
    values = field_in.model_dump(exclude_unset=True)

    on_view = partial(views_writes.update_field, work, field=field, values=values)
    if (row := await _through_view(work, field.api_id, FieldAction.UPDATE, on_view)) is not None:
        return row
    if "field" in values or "data_type" in values:
        # the path and the type checked are those the field has now, not when it was loaded
        if not await lock_row_and_reload(work.session, Api, field.api_id, field):
            raise NotFound("Response field not found")
        await _check_field(
            work.session,
            api_id=field.api_id,
            path=values.get("field", field.field),
            data_type=values.get("data_type", field.data_type),
            exclude_id=field.id,
        )
    return await catalog.change(work, FieldAction.UPDATE, field, values)


async def delete_field(work: UnitOfWork, *, field: ApiResponse) -> None:
    """Soft-delete a response field; 409 while fields are declared under it."""

    on_view = partial(views_writes.delete_field, work, field=field)
    if await _deleted_through_view(work, field, FieldAction.DELETE, on_view):
        return
    under = [
        other.field
        for other in await _live_fields(work.session, api_id=field.api_id)
        if any(ancestor == field.field for ancestor, _ in parent_paths(other.field))
    ]
    if under:
        raise Conflict(f"Fields are declared under {field.field!r}: {', '.join(sorted(under))}")
    await catalog.delete(work, FieldAction.DELETE, field)


def search_examples(*, api_id: int | None = None) -> Select[ApiExample]:
    """Live examples, by API and title."""
    order = (ApiExample.api_id, ApiExample.title, ApiExample.id)
    return catalog.live_rows(ApiExample, *order, equal={ApiExample.api_id: api_id})


async def list_examples(
    work: UnitOfWork, *, page: PageParams, api_id: int | None = None
) -> tuple[Sequence[ApiExample], dict[str, Any]]:
    """A page of `search_examples`, the stale views it shows built first; its `PageMeta`."""
    statement = search_examples(api_id=api_id)
    return await views_lazy.page_of(work.session, statement, ApiExample.api_id, page, of_api=api_id)


async def read_example(work: UnitOfWork, *, example: ApiExample) -> ApiExample:
    """`example` as its API's view shows it now (404 when it no longer does)."""
    await views_lazy.fresh_row(work.session, example, NotFound("Example not found"))
    return example


async def create_example(work: UnitOfWork, *, example_in: ExampleCreate) -> ApiExample:
    """A new example of a live API; 409 when it holds MAX_EXAMPLES_PER_API already."""

    async def on_view(api: Api) -> ApiExample:
        return await views_writes.create_example(work, api=api, example_in=example_in)

    api_id = example_in.api_id
    if (row := await _through_view(work, api_id, ExampleAction.CREATE, on_view)) is not None:
        return row
    # under the API's lock, so that parallel creates each count the others
    await _lock_api(work, api_id=example_in.api_id)
    holds = f"An API holds at most {MAX_EXAMPLES_PER_API} examples"
    await catalog.ensure_room(
        work.session, ApiExample.api_id, example_in.api_id, holds, MAX_EXAMPLES_PER_API
    )
    return await catalog.add(work, ExampleAction.CREATE, ApiExample(**example_in.model_dump()))


async def update_example(
    work: UnitOfWork, *, example: ApiExample, example_in: ExampleUpdate
) -> ApiExample:
    """`example` with the attributes given in `example_in` changed."""
    values = example_in.model_dump(exclude_unset=True)

    on_view = partial(views_writes.update_example, work, example=example, values=values)
    updated = await _through_view(work, example.api_id, ExampleAction.UPDATE, on_view)
    if updated is not None:
        return updated
    return await catalog.change(work, ExampleAction.UPDATE, example, values)


async def delete_example(work: UnitOfWork, *, example: ApiExample) -> None:
    """Soft-delete an example."""

    on_view = partial(views_writes.delete_example, work, example=example)
    if await _deleted_through_view(work, example, ExampleAction.DELETE, on_view):
        return
    await catalog.delete(work, ExampleAction.DELETE, example)


async def _through_view(
    work: UnitOfWork,
    api_id: int | None,
    action: Action,
    write: Callable[..., Awaitable[ViewRowT]],
) -> ViewRowT | None:
    """`write` done on the view of API `api_id`'s operation and audited as `action`, when the
    API has an operation; None for an API of the original's rows, which the caller writes."""
    api = await views.described(work, api_id)
    if api is None:
        return None
    row = await write(api=api)
    await work.audit(action, row)
    return row


async def _deleted_through_view(
    work: UnitOfWork, row: ViewRowT, action: Action, delete: Callable[..., Awaitable[None]]
) -> bool:
    """Whether `row` was deleted from the view of its API's operation (`_through_view`)."""

    async def on_view(api: Api) -> ViewRowT:
        await delete(api=api)
        return row

    return await _through_view(work, row.api_id, action, on_view) is not None
