"""The soft delete of catalog rows and of every row that follows them.

Nothing in the catalog is removed: deleting an app marks it, its groups, its APIs and their
response fields and examples `deleted_at`, with one timestamp. Which rows follow which is
declared by the domain that owns the follower, next to the foreign key it follows:

    follows(Api.app_id, App)          # in apis/models.py: an app's APIs go with it

so a new domain adds its rows to the cascade of its parent without editing the parent's
delete. A model's module is imported before any of its rows is, so every declaration is
made by the time a delete runs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from apidock.db import Base
from apidock.db.queries import id_batches


@dataclass(frozen=True, slots=True)
class _Follower:
    model: type[Base]
    # the follower's column naming its parent row
    column: InstrumentedAttribute[Any]


_FOLLOWERS: dict[type[Base], list[_Follower]] = {}


def follows(column: InstrumentedAttribute[Any], parent: type[Base]) -> None:
    """Declare that the rows whose `column` names a row of `parent` are soft-deleted with it."""
    model = cast("type[Base]", column.class_)  # a mapped class's column, not an alias's
    _FOLLOWERS.setdefault(parent, []).append(_Follower(model, column))


def column(model: type[Base], name: str) -> ColumnElement[Any]:
    """The column `name` of the model `model` (its `id`, its `deleted_at`)."""
    found: ColumnElement[Any] = inspect(model).columns[name]
    return found


def live(model: type[Base]) -> ColumnElement[bool]:
    """The condition of a live row of `model`: not soft-deleted."""
    return column(model, "deleted_at").is_(None)


def _followers(parent: type[Base]) -> list[_Follower]:
    """The followers of `parent`, those that also follow another of them first: an app's
    APIs are marked as the app's, in one pass over its APIs, before its groups, whose own
    walk then finds their APIs marked already."""
    followers = _FOLLOWERS.get(parent, [])
    siblings = {follower.model for follower in followers}

    def follows_a_sibling(follower: _Follower) -> bool:
        return any(
            other.model is follower.model
            for sibling in siblings - {follower.model}
            for other in _FOLLOWERS.get(sibling, [])
        )

    return sorted(followers, key=lambda follower: not follows_a_sibling(follower))


async def _mark(
    session: AsyncSession, model: type[Base], where: ColumnElement[bool], at: datetime
) -> None:
    await session.execute(
        update(model)
        .where(where, live(model))
        .values(deleted_at=at)
        .execution_options(synchronize_session=False)
    )


async def soft_delete(
    session: AsyncSession, model: type[Base], ids: Collection[int], at: datetime
) -> None:
    """Mark the live rows `ids` of `model` deleted at `at`, then the live rows following them
    (and theirs), a batch of `id_batches` at a time; rows deleted already keep their time.

    The session's objects are not updated (refresh the ones still used). The caller holds
    the row locks its checks need (`lock_row`) before calling.
    """
    for batch in id_batches(ids):
        # The rows first: their row locks wait for a follower being added (which holds its
        # parent's row, `lock_row`), so the updates below see it; one added later sees its
        # parent deleted.
        await _mark(session, model, column(model, "id").in_(batch), at)
        for follower in _followers(model):
            where = follower.column.in_(batch)
            if follower.model not in _FOLLOWERS:
                await _mark(session, follower.model, where, at)
                continue
            # a follower followed in turn: its own followers are found by its ids
            found = await session.scalars(
                select(column(follower.model, "id")).where(where, live(follower.model))
            )
            await soft_delete(session, follower.model, found.all(), at)


async def followed(session: AsyncSession, model: type[Base], ids: Collection[int]) -> bool:
    """Whether any live row follows one of the rows `ids` of `model`."""
    for batch in id_batches(ids):
        for follower in _followers(model):
            statement = select(column(follower.model, "id")).where(
                follower.column.in_(batch), live(follower.model)
            )
            if await session.scalar(statement.limit(1)) is not None:
                return True
    return False
