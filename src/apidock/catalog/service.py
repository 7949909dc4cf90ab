"""The steps every catalog service takes the same way: the live rows of a list, the counts
that its checks make (a sibling with the same name, a parent full already), the parent row a
body names locked and found live, or 422, and a row added, changed or soft-deleted with its
audit row."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from apidock.catalog import cascade
from apidock.catalog.cascade import column, live
from apidock.db import Base, utcnow
from apidock.db.queries import lock_row
from apidock.errors import Conflict, Unprocessable
from apidock.work import Action, Row, UnitOfWork

RowT = TypeVar("RowT", bound=Row)
ModelT = TypeVar("ModelT", bound=Base)


def live_rows(
    model: type[ModelT],
    *order: InstrumentedAttribute[Any],
    equal: Mapping[InstrumentedAttribute[Any], Any] | None = None,
) -> Select[ModelT]:
    """The live rows of `model` in the `order` of its columns, those whose columns in `equal`
    hold the value given (a value of None: any), as a list's filters have it."""
    statement = select(model).where(live(model)).order_by(*order)
    for attribute, value in (equal or {}).items():
        if value is not None:
            statement = statement.where(attribute == value)
    return statement


async def count_live(
    session: AsyncSession,
    model: type[Base],
    *conditions: ColumnElement[bool],
    other_than: int | None = None,
) -> int:
    """How many live rows of `model` meet `conditions`, besides the row `other_than` (the one
    a change checks its new values for)."""
    statement = select(func.count()).select_from(model).where(live(model), *conditions)
    if other_than is not None:
        statement = statement.where(column(model, "id") != other_than)
    return await session.scalar(statement) or 0


async def ensure_room(
    session: AsyncSession,
    parent: InstrumentedAttribute[Any],
    parent_id: int,
    holds: str,
    limit: int,
) -> None:
    """409 when the parent `parent_id` already holds `limit` live rows, those whose column
    `parent` names it; `holds` says how many it may (“An app holds at most 1000 groups”)."""
    model = cast("type[Base]", parent.class_)
    if await count_live(session, model, parent == parent_id) >= limit:
        raise Conflict(f"{holds}; delete one to add another")


def invalid(field: str, detail: str, *, message: str | None = None) -> Unprocessable:
    """422 naming the body's `field` and what is wrong with it (`detail`, also the message
    unless one is given), in the shape of a validation error."""
    return Unprocessable(
        message or detail,
        data=[{"field": f"body.{field}", "message": detail, "type": "value_error"}],
    )


async def lock_parent(
    work: UnitOfWork, model: type[Base], row_id: int, refusal: Unprocessable
) -> None:
    """Hold the row lock of the parent `row_id` a body names (`lock_row`: one change of its
    children at a time, so each check sees every committed sibling), then raise `refusal`
    unless it is live."""
    await lock_row(work.session, model, row_id)
    if await work.live(model, row_id) is None:
        raise refusal


async def add(work: UnitOfWork, action: Action, row: RowT) -> RowT:
    """`row` added to the session, with the audit row of `action`."""
    work.session.add(row)
    await work.audit(action, row)
    return row


async def change(work: UnitOfWork, action: Action, row: RowT, values: Mapping[str, Any]) -> RowT:
    """`row` with `values` set (the fields a PATCH body gives, as the columns keep them),
    with the audit row of `action`."""
    for name, value in values.items():
        setattr(row, name, value)
    await work.audit(action, row)
    return row


async def delete(
    work: UnitOfWork, action: Action, row: RowT, *, with_ids: Collection[int] = ()
) -> None:
    """Soft-delete `row` (and the rows `with_ids` of its model) with every row that follows
    them (`cascade`), at one time, with the audit row of `action`. The caller holds the locks
    its checks need."""
    model = cast("type[Base]", type(row))
    ids = {row.id, *with_ids}
    await cascade.soft_delete(work.session, model, ids, utcnow())
    await work.session.refresh(row, ["deleted_at"])
    await work.audit(action, row)
