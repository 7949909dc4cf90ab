"""The page parameters of a list route, read from the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from apidock.db.pages import PageParams

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000


async def page_params(
    request: Request,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
    per_page: Annotated[
        int | None,
        Query(ge=1, le=MAX_PER_PAGE, description="Rows per page; default USER_PER_PAGE"),
    ] = None,
) -> PageParams:
    settings = request.app.state.settings
    return PageParams(
        page=page,
        per_page=per_page or settings.user_per_page,
        path=request.scope["path"],
        query=tuple(request.query_params.multi_items()),
    )


PageDep = Annotated[PageParams, Depends(page_params)]
