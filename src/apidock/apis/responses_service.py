"""Response fields (dot paths with a data type) and examples of an API."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis import service as api_service
from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apis.schemas import (
    ExampleCreate,
    ExampleUpdate,
    ResponseFieldCreate,
    ResponseFieldUpdate,
)
from apidock.db import utcnow
from apidock.db.queries import contains_text, lock_row, lock_row_and_reload
from apidock.errors import Conflict, NotFound, Unprocessable
from apidock.logs import service as log_service

# An API holds at most this many live examples: each is a named example of its 200 in the
# export, and no reader needs more to see what an API answers.
MAX_EXAMPLES_PER_API = 100
# An API holds at most this many live response fields: each change of one checks it against
# all the others, on the event loop, and the export renders them all as one schema.
MAX_FIELDS_PER_API = 1000


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


def _field_error(message: str) -> Unprocessable:
    return Unprocessable(
        message, data=[{"field": "body.field", "message": message, "type": "value_error"}]
    )


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
    exclude_id: int | None,
) -> None:
    """409 on a duplicate path; 422 when a declared ancestor is not the container it must be,
    or when the field would become a scalar while fields are declared under it."""
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
            raise _field_error(
                f"{path!r} lies under {parent!r}, which is {declared.data_type}, not {needed}"
            )
    for other in fields:
        for ancestor, needed in parent_paths(other):
            if ancestor == path and needed != data_type:
                raise _field_error(f"{path!r} must be {needed}: {other!r} is declared under it")


async def _check_api(session: AsyncSession, *, api_id: int) -> None:
    if await api_service.get(session, api_id=api_id) is None:
        raise Unprocessable(
            "No such API",
            data=[{"field": "body.api_id", "message": "no such API", "type": "value_error"}],
        )


def search_fields(*, api_id: int | None = None, q: str | None = None) -> Select[ApiResponse]:
    """Live response fields, by API and path."""
    statement = (
        select(ApiResponse)
        .where(ApiResponse.deleted_at.is_(None))
        .order_by(ApiResponse.api_id, ApiResponse.field, ApiResponse.id)
    )
    if api_id is not None:
        statement = statement.where(ApiResponse.api_id == api_id)
    if q:
        statement = statement.where(
            or_(contains_text(ApiResponse.field, q), contains_text(ApiResponse.description, q))
        )
    return statement


async def get_field(session: AsyncSession, *, field_id: int) -> ApiResponse | None:
    """The live response field `field_id`, or None."""
    return await session.scalar(
        select(ApiResponse).where(ApiResponse.id == field_id, ApiResponse.deleted_at.is_(None))
    )


async def create_field(
    session: AsyncSession, *, field_in: ResponseFieldCreate, actor_id: int, ip: str
) -> ApiResponse:
    """A new response field of a live API."""
    # one change of fields at a time per API: the checks below see every committed field
    await lock_row(session, Api, field_in.api_id)
    await _check_api(session, api_id=field_in.api_id)
    await _check_field(
        session,
        api_id=field_in.api_id,
        path=field_in.field,
        data_type=field_in.data_type,
        exclude_id=None,
    )
    field = ApiResponse(**field_in.model_dump())
    session.add(field)
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="api_response.create",
        target_type="api_response",
        target_id=field.id,
        ip=ip,
    )
    return field


async def update_field(
    session: AsyncSession,
    *,
    field: ApiResponse,
    field_in: ResponseFieldUpdate,
    actor_id: int,
    ip: str,
) -> ApiResponse:
    """`field` with the attributes given in `field_in` changed."""
    values = field_in.model_dump(exclude_unset=True)
    if "field" in values or "data_type" in values:
        # the path and the type checked are those the field has now, not when it was loaded
        if not await lock_row_and_reload(session, Api, field.api_id, field):
            raise NotFound("Response field not found")
        await _check_field(
            session,
            api_id=field.api_id,
            path=values.get("field", field.field),
            data_type=values.get("data_type", field.data_type),
            exclude_id=field.id,
        )
    for name, value in values.items():
        setattr(field, name, value)
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="api_response.update",
        target_type="api_response",
        target_id=field.id,
        ip=ip,
    )
    return field


async def delete_field(
    session: AsyncSession, *, field: ApiResponse, actor_id: int, ip: str
) -> None:
    """Soft-delete a response field; 409 while fields are declared under it."""
    under = [
        other.field
        for other in await _live_fields(session, api_id=field.api_id)
        if any(ancestor == field.field for ancestor, _ in parent_paths(other.field))
    ]
    if under:
        raise Conflict(f"Fields are declared under {field.field!r}: {', '.join(sorted(under))}")
    field.deleted_at = utcnow()
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="api_response.delete",
        target_type="api_response",
        target_id=field.id,
        ip=ip,
    )


def search_examples(*, api_id: int | None = None) -> Select[ApiExample]:
    """Live examples, by API and title."""
    statement = (
        select(ApiExample)
        .where(ApiExample.deleted_at.is_(None))
        .order_by(ApiExample.api_id, ApiExample.title, ApiExample.id)
    )
    if api_id is not None:
        statement = statement.where(ApiExample.api_id == api_id)
    return statement


async def get_example(session: AsyncSession, *, example_id: int) -> ApiExample | None:
    """The live example `example_id`, or None."""
    return await session.scalar(
        select(ApiExample).where(ApiExample.id == example_id, ApiExample.deleted_at.is_(None))
    )


async def _ensure_room_for_example(session: AsyncSession, *, api_id: int) -> None:
    """409 when the API already holds MAX_EXAMPLES_PER_API live examples."""
    held = await session.scalar(
        select(func.count())
        .select_from(ApiExample)
        .where(ApiExample.api_id == api_id, ApiExample.deleted_at.is_(None))
    )
    if (held or 0) >= MAX_EXAMPLES_PER_API:
        raise Conflict(
            f"An API holds at most {MAX_EXAMPLES_PER_API} examples; delete one to add another"
        )


async def create_example(
    session: AsyncSession, *, example_in: ExampleCreate, actor_id: int, ip: str
) -> ApiExample:
    """A new example of a live API; 409 when it holds MAX_EXAMPLES_PER_API already."""
    # one create at a time per API, so that parallel creates each count the others
    await lock_row(session, Api, example_in.api_id)
    await _check_api(session, api_id=example_in.api_id)
    await _ensure_room_for_example(session, api_id=example_in.api_id)
    example = ApiExample(**example_in.model_dump())
    session.add(example)
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="api_example.create",
        target_type="api_example",
        target_id=example.id,
        ip=ip,
    )
    return example


async def update_example(
    session: AsyncSession,
    *,
    example: ApiExample,
    example_in: ExampleUpdate,
    actor_id: int,
    ip: str,
) -> ApiExample:
    """`example` with the attributes given in `example_in` changed."""
    for name, value in example_in.model_dump(exclude_unset=True).items():
        setattr(example, name, value)
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="api_example.update",
        target_type="api_example",
        target_id=example.id,
        ip=ip,
    )
    return example


async def delete_example(
    session: AsyncSession, *, example: ApiExample, actor_id: int, ip: str
) -> None:
    """Soft-delete an example."""
    example.deleted_at = utcnow()
    await session.flush()
    await log_service.record(
        session,
        actor_id=actor_id,
        action="api_example.delete",
        target_type="api_example",
        target_id=example.id,
        ip=ip,
    )
