"""Page parameters as a dependency, and the query that pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class PageParams:
    """The page asked for, with the URL to build `prev` and `next` from."""

    page: int
    per_page: int
    request: Request

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def link(self, page: int) -> str:
        return str(self.request.url.include_query_params(page=page, per_page=self.per_page))

    def meta(self, total: int) -> dict[str, Any]:
        """`page`, `per_page`, `total`, `prev` and `next` for a page of `total` rows."""
        last = max(1, -(-total // self.per_page))
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": total,
            "prev": self.link(min(self.page - 1, last)) if self.page > 1 else None,
            "next": self.link(self.page + 1) if self.page < last else None,
        }


def page_params(
    request: Request,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
    per_page: Annotated[
        int | None,
        Query(ge=1, le=MAX_PER_PAGE, description="Rows per page; default USER_PER_PAGE"),
    ] = None,
) -> PageParams:
    settings = request.app.state.settings
    return PageParams(page=page, per_page=per_page or settings.user_per_page, request=request)


PageDep = Annotated[PageParams, Depends(page_params)]


async def paginate(
    session: AsyncSession, statement: Select[RowT], params: PageParams
) -> tuple[Sequence[RowT], dict[str, Any]]:
    """The rows of the page asked for, and its `PageMeta` fields."""
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = (await session.scalars(statement.limit(params.per_page).offset(params.offset))).all()
    return rows, params.meta(total or 0)
