"""The routes every kind of catalog record answers the same way, built once: a page of them,
and one created, read, changed or soft-deleted.

A domain's router names its record once (`Record`: the loader of its path, its read model)
and adds the routes it has, each with its own docstring and service call; it writes by hand
only what is its own (an export, a tree, a delete with options). Each route is built as a
function with a real signature, which FastAPI reads as it reads a written one: the same
parameters, validation, dependencies (the permission check before the loader, so that 401
and 403 come before 404), operation name and OpenAPI document.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, status
from pydantic import BaseModel

from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.db import AnySelect
from apidock.db.pages import paginate
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope, PageMeta

RowT = TypeVar("RowT")

_KEYWORD = inspect.Parameter.KEYWORD_ONLY
# what a change may answer besides its success
CHANGE_ERRORS = (400, 401, 403, 404, 409, 422)
# what a route of one record by its id may answer besides its success
ONE_ERRORS = (401, 403, 404, 422)


@dataclass(frozen=True, slots=True)
class _Route:
    """One route as FastAPI is to read it: `parameters` (name: annotation) in order, then
    `optional` ones (defaulting to None), and what `run` does with their values."""

    method: str
    path: str
    name: str
    doc: str
    parameters: Mapping[str, Any]
    returns: Any
    run: Callable[[dict[str, Any]], Awaitable[Any]]
    errors: tuple[int, ...] = ONE_ERRORS
    optional: Mapping[str, Any] | None = None

    def add_to(self, router: APIRouter, status_code: int | None) -> None:
        """Add the route to `router`, answering `status_code` on success (FastAPI's 200 if
        None)."""
        run = self.run

        async def endpoint(**values: Any) -> Any:
            return await run(values)

        required = [
            inspect.Parameter(name, _KEYWORD, annotation=kind)
            for name, kind in self.parameters.items()
        ]
        optional = [
            inspect.Parameter(name, _KEYWORD, annotation=kind, default=None)
            for name, kind in (self.optional or {}).items()
        ]
        endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            required + optional, return_annotation=self.returns
        )
        endpoint.__name__ = self.name
        endpoint.__doc__ = self.doc
        router.add_api_route(
            self.path,
            endpoint,
            methods=[self.method],
            status_code=status_code,
            responses=error_responses(*self.errors),
        )


@dataclass(frozen=True, slots=True)
class Record(Generic[RowT]):
    """One kind of catalog record as its routes on `router` speak of it: `noun` names them
    (`create_app`, `list_apps`), `label` starts their messages ("App created."), `path` is
    the path of one (`/{app_id:int}`), whose row `loader` loads (`AppDep`), and `read` is the
    model a record is answered as.

    The service functions given to the routes are called as every catalog service is
    written: the unit of work, then the record as `<noun>=` and the body as `<noun>_in=`
    (`service.update(work, app=app, app_in=body)`).
    """

    router: APIRouter
    noun: str
    label: str
    path: str
    loader: Any
    read: type[BaseModel]

    def _add(self, route: _Route, status_code: int | None = None) -> None:
        route.add_to(self.router, status_code)

    def _answer(self, verb: str, row: RowT) -> Envelope[Any]:
        return Envelope(message=f"{self.label} {verb}.", data=self.read.model_validate(row))

    def add_list(
        self, page_model: type[PageMeta], search: Callable[..., AnySelect], doc: str, **filters: Any
    ) -> None:
        """GET "": a page of what `search(**filters)` selects, the query parameters `filters`
        (name: `Annotated` type) None when absent, answered as `page_model`, whose one field
        besides the page's holds the rows."""
        (key,) = page_model.model_fields.keys() - PageMeta.model_fields.keys()

        async def run(values: dict[str, Any]) -> Envelope[Any]:
            statement = search(**{name: values[name] for name in filters})
            rows, meta = await paginate(values["session"], statement, values["page"])
            return Envelope(data=page_model.model_validate(meta | {key: rows}))

        parameters = {"_": DocsReader, "session": SessionDep, "page": PageDep}
        returns = Envelope[page_model]  # type: ignore[valid-type]
        name = f"list_{self.noun}s"
        self._add(_Route("GET", "", name, doc, parameters, returns, run, (401, 403, 422), filters))

    def add_create(
        self, body: type[BaseModel], create: Callable[..., Awaitable[RowT]], doc: str
    ) -> None:
        """POST "": a new record, made by `create(work, <noun>_in=body)`, answered 201."""

        async def run(values: dict[str, Any]) -> Envelope[Any]:
            row = await create(values["work"], **{f"{self.noun}_in": values["body"]})
            return self._answer("created", row)

        parameters = {"_": DocsWriter, "body": body, "work": WorkDep}
        errors = (400, 401, 403, 409, 422)
        route = _Route(
            "POST", "", f"create_{self.noun}", doc, parameters, self._returns(), run, errors
        )
        self._add(route, status_code=status.HTTP_201_CREATED)

    def _returns(self) -> Any:
        return Envelope[self.read]  # type: ignore[name-defined]

    def add_read(self, doc: str) -> None:
        """GET the path: the record it names."""

        async def run(values: dict[str, Any]) -> Envelope[Any]:
            return Envelope(data=self.read.model_validate(values["row"]))

        parameters = {"_": DocsReader, "row": self.loader}
        self._add(
            _Route("GET", self.path, f"read_{self.noun}", doc, parameters, self._returns(), run)
        )

    def add_update(
        self,
        body: type[BaseModel],
        update: Callable[..., Awaitable[RowT]],
        doc: str,
        *,
        errors: tuple[int, ...] = CHANGE_ERRORS,
    ) -> None:
        """PATCH the path: the record it names, changed by
        `update(work, <noun>=row, <noun>_in=body)`."""

        async def run(values: dict[str, Any]) -> Envelope[Any]:
            given = {self.noun: values["row"], f"{self.noun}_in": values["body"]}
            return self._answer("updated", await update(values["work"], **given))

        parameters = {"_": DocsWriter, "row": self.loader, "body": body, "work": WorkDep}
        name = f"update_{self.noun}"
        self._add(_Route("PATCH", self.path, name, doc, parameters, self._returns(), run, errors))

    def add_delete(
        self,
        delete: Callable[..., Awaitable[None]],
        doc: str,
        *,
        deleter: Any = DocsWriter,
        errors: tuple[int, ...] = ONE_ERRORS,
    ) -> None:
        """DELETE the path: the record it names, soft-deleted by `delete(work, <noun>=row)`
        once the caller has the right `deleter` checks (by default, to write the catalog)."""

        async def run(values: dict[str, Any]) -> Envelope[None]:
            await delete(values["work"], **{self.noun: values["row"]})
            return Envelope(message=f"{self.label} deleted.")

        parameters = {"_": deleter, "row": self.loader, "work": WorkDep}
        name = f"delete_{self.noun}"
        self._add(_Route("DELETE", self.path, name, doc, parameters, Envelope[None], run, errors))
