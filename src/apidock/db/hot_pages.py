"""Lists on the Core runner: a page of rows and the bounded count of all that match, in one
statement, for the lists an SPA calls most (`GET /users`, `GET /apis`).

The ORM path (`pages.paginate`) reads the page, then counts, each through a session; here
both come back from one round trip: the page's rows carry the count as one more column, a
scalar subquery the database evaluates once. Only a page past the end (no rows to carry
it) reads the count alone, and only more than `EXACT_TOTAL_LIMIT` matching rows read the
planner's estimate (or, on SQLite, the exact count), as `pages.count_rows` does (and with
the same `pages.EXACT_TOTAL_LIMIT`, a parameter of the statements); the estimate is kept a
few seconds for the same filters (`ESTIMATE_SECONDS`).

The filters a list takes are fixed, and each set of filters given is its own statement
(built once, on first use, and put on the closed list of hot statements): the SQL is the
same as the ORM path's for the same filters, and each plan fits its filters.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal, select
from sqlalchemy.sql import FromClause

from apidock.db import pages
from apidock.db.base import AnySelect
from apidock.db.core import CoreRunner, hot_statement
from apidock.db.pages import PageParams, explain, planned_rows

_TOTAL = "total_matching"
# how long the planner's estimate of a list's total is kept, and for how many sets of filters
ESTIMATE_SECONDS = 5.0
MAX_KEPT_ESTIMATES = 1024
_clock = time.monotonic


@dataclass(frozen=True, slots=True)
class _Statements:
    page: AnySelect
    count: AnySelect
    beyond: AnySelect  # the estimate (EXPLAIN) or, where there is no planner, the exact count


class HotList:
    """One list's columns, order and filters; `page` reads a page of it on the Core runner.

    `filters` maps a filter's name to its condition, written with one bind parameter of the
    same name, used when its value is given (not None); `switches` maps a name to a condition
    with no parameter, used when its value is true; `always` holds the conditions of every
    variant.
    """

    def __init__(
        self,
        name: str,
        *,
        source: FromClause,
        columns: Sequence[ColumnElement[Any]],
        order_by: Sequence[ColumnElement[Any]],
        filters: Mapping[str, ColumnElement[bool]],
        switches: Mapping[str, ColumnElement[bool]] | None = None,
        always: Sequence[ColumnElement[bool]] = (),
    ) -> None:
        self.name = name
        self._source = source
        self._columns = list(columns)
        self._order_by = list(order_by)
        self._filters = dict(filters)
        self._switches = dict(switches or {})
        self.conditions = self._filters | self._switches
        self._always = list(always)
        self._built: dict[tuple[str, frozenset[str]], _Statements] = {}
        self._estimates: dict[tuple[Any, ...], tuple[float, int]] = {}

    def variants(self) -> Iterator[frozenset[str]]:
        """Every set of filters a caller may give: the closed list of this list's statements."""
        names = sorted(self.conditions)
        for size in range(len(names) + 1):
            for chosen in combinations(names, size):
                yield frozenset(chosen)

    def statements(self, given: frozenset[str], dialect: str) -> _Statements:
        """The statements of the variant with the filters `given`, built once."""
        key = (dialect, given)
        built = self._built.get(key)
        if built is None:
            built = self._build(given, dialect)
            self._built[key] = built
        return built

    def _build(self, given: frozenset[str], dialect: str) -> _Statements:
        unknown = given - self.conditions.keys()
        if unknown:
            raise ValueError(f"{self.name}: no filter {sorted(unknown)}")
        conditions = [*self._always, *(self.conditions[name] for name in sorted(given))]
        matching = select(literal(1)).select_from(self._source).where(*conditions)
        bounded = select(func.count().label("counted")).select_from(
            matching.limit(bindparam("count_cap")).subquery()
        )
        page = (
            select(*self._columns, bounded.scalar_subquery().label(_TOTAL))
            .select_from(self._source)
            .where(*conditions)
            .order_by(*self._order_by)
            .limit(bindparam("page_limit"))
            .offset(bindparam("page_offset"))
        )
        if dialect in ("postgresql", "mysql"):
            beyond: AnySelect = explain(matching)  # type: ignore[assignment]
        else:
            beyond = select(func.count().label("counted")).select_from(matching.subquery())
        label = f"{self.name}[{','.join(sorted(given))}]"
        return _Statements(
            page=hot_statement(f"{label}.page.{dialect}", page),
            count=hot_statement(f"{label}.count.{dialect}", bounded),
            beyond=hot_statement(f"{label}.beyond.{dialect}", beyond),
        )

    async def page(
        self,
        core: CoreRunner,
        params: PageParams,
        **given: Any,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The rows of the page asked for and its `PageMeta` fields, with the filters whose
        values are given (not None) and the switches that are true."""
        unknown = given.keys() - self.conditions.keys()
        if unknown:
            raise ValueError(f"{self.name}: no filter {sorted(unknown)}")
        values = {
            name: value
            for name, value in given.items()
            if name in self._filters and value is not None
        }
        used = values.keys() | {name for name in self._switches if given.get(name)}
        dialect = core.dialect
        statements = self.statements(frozenset(used), dialect)
        exact_limit = pages.EXACT_TOTAL_LIMIT  # read now: one number for both paths
        values["count_cap"] = exact_limit + 1
        window = values | {"page_limit": params.per_page + 1, "page_offset": params.offset}
        rows = [dict(row) for row in await core.fetch_all(statements.page, window)]
        has_next = len(rows) > params.per_page
        rows = rows[: params.per_page]
        if rows:
            counted = int(rows[0][_TOTAL])
            for row in rows:
                del row[_TOTAL]
        else:
            found = await core.fetch_one(statements.count, values)
            counted = int(found["counted"]) if found is not None else 0
        total, estimated = counted, False
        if counted > exact_limit:
            total = await self._beyond(core, statements, values, dialect)
            estimated = dialect != "sqlite"
            total = max(counted, total)
        if rows:  # an estimate may undershoot: never fewer than the rows already seen
            total = max(total, params.offset + len(rows) + int(has_next))
        return rows, params.meta(total, has_next=has_next, estimated=estimated)

    async def _beyond(
        self, core: CoreRunner, statements: _Statements, values: dict[str, Any], dialect: str
    ) -> int:
        """The total past the exact limit: the exact count on SQLite; elsewhere the planner's
        estimate, kept `ESTIMATE_SECONDS` for the same filters and values (it moves with the
        table's statistics, not with each row: reading it again on every page was one more
        round trip a page, the list's costliest statement after the page itself)."""
        if dialect == "sqlite":
            found = await core.fetch_one(statements.beyond, values)
            return int(found["counted"]) if found is not None else 0
        key = (dialect, statements.beyond, tuple(sorted(values.items())))
        now = _clock()
        kept = self._estimates.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        estimate = planned_rows(await core.fetch_one(statements.beyond, values), dialect) or 0
        if len(self._estimates) >= MAX_KEPT_ESTIMATES:
            self._estimates.clear()
        self._estimates[key] = (now + ESTIMATE_SECONDS, estimate)
        return estimate
