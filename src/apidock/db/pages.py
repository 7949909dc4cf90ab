"""The page asked for, and the query that pages.

Counting every row of a large table on each page costs time in proportion to the table, so
`total` is exact up to `EXACT_TOTAL_LIMIT` matching rows and the planner's estimate beyond
(`total_is_estimate` says which); `next` never depends on it: one row more than the page is
read to know whether another page follows. On SQLite the total is always exact.

`prev` and `next` are relative, a path and a query as the original's `url_for` made them: a
link built from the request's Host header would send clients wherever that header said.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from sqlalchemy import ClauseElement, Executable, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from apidock.db.base import AnySelect

EXACT_TOTAL_LIMIT = 10_000

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class PageParams:
    """The page asked for, with the path and query to build `prev` and `next` from."""

    page: int
    per_page: int
    # the request's path (with its mount point) and its query items, in order
    path: str
    query: tuple[tuple[str, str], ...] = ()

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def link(self, page: int) -> str:
        """This request's path and query, at `page`."""
        kept = [(name, value) for name, value in self.query if name not in ("page", "per_page")]
        query = urlencode([*kept, ("page", page), ("per_page", self.per_page)])
        return f"{quote(self.path)}?{query}"

    def meta(self, total: int, *, has_next: bool, estimated: bool = False) -> dict[str, Any]:
        """`page`, `per_page`, `total`, `prev` and `next` of a page of `total` rows."""
        last = max(1, -(-total // self.per_page))
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": total,
            "total_is_estimate": estimated,
            "prev": self.link(min(self.page - 1, last)) if self.page > 1 else None,
            "next": self.link(self.page + 1) if has_next else None,
        }


class _Explain(Executable, ClauseElement):
    """`EXPLAIN` of a SELECT, to read the planner's estimate of its rows."""

    inherit_cache = False

    def __init__(self, statement: AnySelect) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _explain_postgresql(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


@compiles(_Explain, "mysql")
def _explain_mysql(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


def explain(statement: AnySelect) -> Executable:
    """`EXPLAIN` of `statement` (PostgreSQL's as JSON), to read the planner's estimate from."""
    return _Explain(statement)


def planned_rows(row: Mapping[Any, Any] | None, dialect: str) -> int | None:
    """The planner's estimate of the rows, read from the first row of an `explain`."""
    if row is None:
        return None
    if dialect == "postgresql":
        (plan,) = row.values()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])
    return int(row["rows"]) if row.get("rows") is not None else None


async def _estimate(session: AsyncSession, statement: AnySelect) -> int | None:
    """The planner's estimate of the rows of `statement`; None where there is no planner."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "mysql"):
        return None
    result = await session.execute(explain(statement))
    return planned_rows(result.mappings().first(), dialect)


async def count_rows(session: AsyncSession, statement: AnySelect) -> tuple[int, bool]:
    """The rows `statement` matches, and whether that number is an estimate."""
    matching = statement.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
    if session.get_bind().dialect.name == "sqlite":
        exact = await session.scalar(select(func.count()).select_from(matching.subquery()))
        return exact or 0, False
    bounded = matching.limit(EXACT_TOTAL_LIMIT + 1).subquery()
    counted = await session.scalar(select(func.count()).select_from(bounded)) or 0
    if counted <= EXACT_TOTAL_LIMIT:
        return counted, False
    estimate = await _estimate(session, matching)
    return max(counted, estimate or 0), True


async def paginate(
    session: AsyncSession, statement: Select[RowT], params: PageParams
) -> tuple[Sequence[RowT], dict[str, Any]]:
    """The rows of the page asked for, and its `PageMeta` fields."""
    window = statement.limit(params.per_page + 1).offset(params.offset)
    rows = (await session.scalars(window)).all()
    has_next = len(rows) > params.per_page
    rows = rows[: params.per_page]
    total, estimated = await count_rows(session, statement)
    if rows:  # an estimate may undershoot: never fewer than the rows already seen
        total = max(total, params.offset + len(rows) + int(has_next))
    return rows, params.meta(total, has_next=has_next, estimated=estimated)
