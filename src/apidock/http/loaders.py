"""Loaders of the row a path names: the live row, or 404, after the caller's check.

    AppDep = Annotated[App, Depends(live_or_404(App, "app_id", "App not found", DocsReader))]

Every loader depends on a check of the caller (`after`), so that whatever the order of a
route's parameters nobody is told whether an id exists before 401 and 403.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Path

from apidock.errors import NotFound
from apidock.http.dependencies import WorkDep
from apidock.schemas import Id

ModelT = TypeVar("ModelT")


def live_or_404(
    model: type[ModelT], param: str, message: str, after: Any
) -> Callable[..., Awaitable[ModelT]]:
    """A dependency answering the live row of `model` whose id is the path parameter `param`
    (a bounded `Id`), or `NotFound(message)`; it runs after the dependency `after`."""

    async def load(**values: Any) -> ModelT:
        work = values["work"]
        row = await work.live(model, values[param])
        if row is None:
            raise NotFound(message)
        found: ModelT = row
        return found

    keyword = inspect.Parameter.KEYWORD_ONLY
    load.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("work", keyword, annotation=WorkDep),
            inspect.Parameter(param, keyword, annotation=Annotated[Id, Path()]),
            inspect.Parameter("_checked", keyword, annotation=after),
        ]
    )
    load.__name__ = f"{model.__name__.lower()}_or_404"
    load.__doc__ = f"The live {model.__name__} of the path's `{param}`, or 404."
    return load
