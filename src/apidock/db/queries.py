"""Pieces of statements every domain shares: the row lock that makes a check-then-write
safe under concurrency (with the record changed read again under it), and the literal text
search of the lists' filters."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from apidock.db.base import Base


async def lock_row(session: AsyncSession, model: type[Base], row_id: int | None) -> None:
    """Hold the row lock of `model` `row_id` until the transaction ends.

    A check of what the database holds (no sibling with this title, no cycle in the tree)
    followed by a write is a race: two transactions both check before either writes, and
    both pass. Each takes the lock of the parent row they share first (the app of groups and
    APIs, the API of response fields), so the second waits, then checks against the first's
    committed result (in READ COMMITTED each statement sees what committed before it). No
    unique index is needed, which soft-deleted rows, keeping their names, would trip over.
    SQLite has no FOR UPDATE: there a write transaction begins IMMEDIATE (`Database`), which
    serialises writers already.
    """
    (key,) = inspect(model).primary_key
    await session.execute(select(key).where(key == row_id).with_for_update())


async def lock_row_and_reload(
    session: AsyncSession, model: type[Base], row_id: int | None, record: Base
) -> bool:
    """`lock_row`, then `record` (a row under that parent, read before) read again: whether
    it is still live.

    A change checks the values its record will have, and those it does not set are the ones
    read when the request loaded it, before the lock: a rename and a move of one group, or
    a path and a method change of one API, would each check against the other's old values
    and together make what neither check allowed. Read again under the lock, they are the
    values the previous change committed.
    """
    await lock_row(session, model, row_id)
    await session.refresh(record)
    return getattr(record, "deleted_at", None) is None


# ids bound in one `IN (…)`: PostgreSQL (asyncpg) and SQLite take at most 32,767 parameters in
# a statement, and a cascade may name more rows than that (an app of 40,000 APIs)
IDS_PER_STATEMENT = 10_000


def id_batches(ids: Collection[int]) -> Iterator[list[int]]:
    """`ids` in lists of at most IDS_PER_STATEMENT, each one statement's `IN (…)`."""
    ordered = list(ids)
    for start in range(0, len(ordered), IDS_PER_STATEMENT):
        yield ordered[start : start + IDS_PER_STATEMENT]


LIKE_ESCAPE = "/"


def escape_like(fragment: str) -> str:
    """`fragment` as a LIKE pattern's literal text, for a condition written with a bind
    parameter and `escape=LIKE_ESCAPE` (what `contains_text` does to a value it is given)."""
    return (
        fragment.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_text(
    column: QueryableAttribute[Any] | ColumnElement[Any], fragment: str, *, ignore_case: bool = True
) -> ColumnElement[bool]:
    """`column` holds `fragment`, each character taken literally; by default in any case
    (`ignore_case=False` for a column kept folded already, such as a user's name key).

    `%` and `_` in a search are the characters a user typed, not LIKE's wildcards: they are
    escaped with `/`, named in an ESCAPE clause so that no database's default escape (the
    backslash of PostgreSQL and MariaDB) applies, and `/` itself is escaped as `//`.
    """
    if ignore_case:
        return column.icontains(fragment, autoescape=True)
    return column.contains(fragment, autoescape=True)
