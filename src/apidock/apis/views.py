"""The rows of `api_responses` and `api_examples` of a described API (one with an
`operation`): the index of its view (`views_schema`, `views_examples`), rebuilt from the
operation whenever it is written, so that the original's routes read, list, search and
address them by id as before.

- `sync_views(session, api)` after an operation is written (the operation PATCH),
  `sync_app_views(session, app)` after several are, or the app's components are (a
  components PUT): each API's live rows are made what its view shows, a row keeping its id
  while its dot path stays (a field) or while its title stays (an example: the table has no
  column for the example's key, so a row stands for the first example of its title, in
  order), and its `views_stale` mark cleared. The caller holds the locks and audits the
  write; rows soft-deleted here are not audited one by one (the write that removed them
  from the operation is). An import builds no rows: it marks its APIs stale, and the first
  read or write of their rows builds them (`views_lazy`).
- A write through the flat routes (`lock`, then `edit`) takes the app's row lock, as every
  write of a description does (one at a time per app: a field of a component changes other
  APIs' views), then the API's, as the original's writes do, and builds a stale view first;
  it edits a copy of the operation and of the components (`views_edit`, `views_examples`),
  checks the document as every description write is checked, stores them, and rebuilds the
  rows in the same transaction: only this API's rows when the components are untouched, else
  every described API's of the app. A rename keeps the ids of the rows under the field it
  moves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import anyio
from sqlalchemy import Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apis.views_edit import Draft, ViewRefused
from apidock.apis.views_examples import ExampleView, read_examples
from apidock.apis.views_schema import FieldView, read_fields
from apidock.apps.description import described_operations, parts_of, refuse_invalid
from apidock.apps.models import App
from apidock.catalog import service as catalog
from apidock.db import utcnow
from apidock.db.queries import id_batches, lock_row, lock_row_and_reload
from apidock.descriptions.parts import OperationPart
from apidock.errors import ApiError, Conflict
from apidock.work import UnitOfWork

T = TypeVar("T")
SelectedT = TypeVar("SelectedT")
ViewRowT = TypeVar("ViewRowT", ApiResponse, ApiExample)
_INSERT_BATCH = 500
# APIs whose views are computed on the event loop; more (an import) go to a worker thread
_ON_LOOP = 20


@dataclass(frozen=True, slots=True)
class Hints:
    """What a flat write knows of the rows it changes: the field it renamed (old, new), and
    the example key of each example row before the write."""

    renamed: tuple[str, str] | None = None
    example_keys: dict[int, str] | None = None


@dataclass(slots=True)
class _Views:
    fields: list[FieldView]
    examples: list[ExampleView]


@dataclass(slots=True)
class _Rows:
    fields: dict[int, list[ApiResponse]] = field(default_factory=dict)
    examples: dict[int, list[ApiExample]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Described:
    """A described API and its app, read under their row locks."""

    api: Api
    app: App | None


async def sync_views(session: AsyncSession, api: Api) -> None:
    """Rebuild the rows of `api`'s view from its operation (nothing for an API without one)."""
    if api.operation is None:
        return
    app = await session.get(App, api.app_id) if api.app_id is not None else None
    await rebuild(session, app.components if app else None, [(api.id, api.operation)])


async def sync_app_views(session: AsyncSession, app: App) -> None:
    """Rebuild the rows of every live described API of `app`."""
    await _sync_app(session, app, {})


async def _sync_app(session: AsyncSession, app: App, hints: dict[int, Hints]) -> None:
    await session.flush()
    described = await session.execute(
        select(Api.id, Api.operation)
        .where(Api.app_id == app.id, Api.deleted_at.is_(None), Api.operation.is_not(None))
        .order_by(Api.id)
    )
    operations = [(api_id, operation) for api_id, operation in described if operation is not None]
    await rebuild(session, app.components, operations, hints)


async def described(work: UnitOfWork, api_id: int | None) -> Api | None:
    """The live API `api_id` if it has an operation, else None (the original's rows)."""
    api = await work.live(Api, api_id) if api_id is not None else None
    return api if api is not None and api.operation is not None else None


async def lock(work: UnitOfWork, api: Api, missing: ApiError) -> Described:
    """The row locks of `api`'s app and of `api`, both read again; `missing` when the API is
    deleted meanwhile, 409 when its operation was taken away meanwhile."""
    session = work.session
    await lock_row(session, App, api.app_id)
    if not await lock_row_and_reload(session, Api, api.id, api):
        raise missing
    if api.operation is None:
        raise Conflict("The API's operation changed meanwhile; try again")
    app = await session.get(App, api.app_id) if api.app_id is not None else None
    if app is not None:
        await session.refresh(app)
    if api.views_stale:
        await rebuild(session, app.components if app else None, [(api.id, api.operation)])
    return Described(api, app)


async def edit(
    work: UnitOfWork, target: Described, change: Callable[[Draft], T], hints: Hints
) -> T:
    """`change` applied to the operation and components of `target`, checked in the app's
    whole document as every write of a description is (422 with its problems), stored, and
    the rows rebuilt; a `ViewRefused` answered as the original's routes answer the same
    mistake."""
    api, app = target.api, target.app
    assert api.operation is not None
    draft = Draft(api.operation, app.components if app else None)
    try:
        result = change(draft)
    except ViewRefused as refused:
        if refused.status == 409:
            raise Conflict(refused.message) from None
        raise catalog.invalid(refused.field, refused.message) from None
    session = work.session
    operation = draft.roots["operation"]
    components = draft.roots["components"] or None
    if app is not None:
        await _refuse_invalid(session, app, api, operation, components)
    api.operation = operation
    if "components" in draft.touched and app is not None:
        app.components = components
        await _sync_app(session, app, {api.id: hints})
    else:
        await session.flush()
        current = app.components if app else None
        await rebuild(session, current, [(api.id, operation)], {api.id: hints})
    return result


async def _refuse_invalid(
    session: AsyncSession,
    app: App,
    api: Api,
    operation: dict[str, Any],
    components: dict[str, Any] | None,
) -> None:
    """422 when the document with the edit has problems it had not before. An edit made by
    the view is valid by construction; this is the same guard every description write has."""
    described = await described_operations(session, app_id=app.id)
    before = parts_of(app, [part for _, part in described])
    placed = dict(described)
    placed[api.id] = OperationPart(api.request_url, api.request_method.lower(), operation)
    after = dataclasses.replace(
        before, operations=[placed[key] for key in sorted(placed)], components=components
    )
    await refuse_invalid(after=after, before=before, written=[])


async def live_fields(session: AsyncSession, api_id: int) -> list[ApiResponse]:
    return (await _live_fields_of(session, [api_id])).get(api_id, [])


async def live_examples(session: AsyncSession, api_id: int) -> list[ApiExample]:
    return (await _live_examples_of(session, [api_id])).get(api_id, [])


def field_row(rows: Sequence[ApiResponse], path: str) -> ApiResponse | None:
    """The row of `path` (compared here: MySQL's collation takes `id` and `ID` for one)."""
    return next((row for row in rows if row.field == path), None)


def example_keys(rows: Sequence[ApiExample], views: Sequence[ExampleView]) -> dict[int, str]:
    """Each row's example: in order, each example takes the first row (by id) of its title
    not taken yet."""
    free: dict[str, list[ApiExample]] = {}
    for row in rows:
        free.setdefault(row.title, []).append(row)
    keys: dict[int, str] = {}
    for example in views:
        candidates = free.get(example.title)
        if candidates:
            keys[candidates.pop(0).id] = example.key
    return keys


def current_examples(target: Described) -> list[ExampleView]:
    assert target.api.operation is not None
    return read_examples(target.api.operation, target.app.components if target.app else None)


async def clear_stale(session: AsyncSession, api_ids: list[int]) -> None:
    """The `views_stale` marks of `api_ids` cleared, their `updated_at` kept: building the
    rows of a view changes no API."""
    for batch in id_batches(api_ids):
        await session.execute(
            update(Api)
            .where(Api.id.in_(batch), Api.views_stale)
            .values(views_stale=False, updated_at=Api.updated_at)
        )


async def rebuild(
    session: AsyncSession,
    components: dict[str, Any] | None,
    operations: list[tuple[int, dict[str, Any]]],
    hints: dict[int, Hints] | None = None,
) -> int:
    """The rows of the APIs of `operations` (id, operation) made their views through
    `components`, their marks cleared (the caller holds the locks); the rows added."""
    if not operations:
        return 0
    hints = hints or {}
    views = await _views(components, operations)
    rows = await _live_rows(session, [api_id for api_id, _ in operations])
    now = utcnow()
    new_fields: list[dict[str, Any]] = []
    new_examples: list[dict[str, Any]] = []
    for (api_id, _), wanted in zip(operations, views, strict=True):
        hint = hints.get(api_id, Hints())
        fields = rows.fields.get(api_id, [])
        new_fields += _field_changes(api_id, fields, wanted.fields, hint.renamed, now)
        examples = rows.examples.get(api_id, [])
        keys = hint.example_keys
        if keys is None:
            keys = example_keys(examples, wanted.examples)
        new_examples += _example_changes(api_id, examples, wanted.examples, keys, now)
    await session.flush()
    for model, values in ((ApiResponse, new_fields), (ApiExample, new_examples)):
        for start in range(0, len(values), _INSERT_BATCH):
            await session.execute(insert(model), values[start : start + _INSERT_BATCH])
    await clear_stale(session, [api_id for api_id, _ in operations])
    return len(new_fields) + len(new_examples)


async def _views(
    components: dict[str, Any] | None, operations: list[tuple[int, dict[str, Any]]]
) -> list[_Views]:
    def compute() -> list[_Views]:
        return [
            _Views(read_fields(operation, components), read_examples(operation, components))
            for _, operation in operations
        ]

    if len(operations) <= _ON_LOOP:
        return compute()
    return await anyio.to_thread.run_sync(compute)


async def _live_rows(session: AsyncSession, api_ids: list[int]) -> _Rows:
    return _Rows(
        fields=await _live_fields_of(session, api_ids),
        examples=await _live_examples_of(session, api_ids),
    )


async def _live_fields_of(
    session: AsyncSession, api_ids: list[int]
) -> dict[int, list[ApiResponse]]:
    return await _live_rows_of(session, ApiResponse, api_ids)


async def _live_examples_of(
    session: AsyncSession, api_ids: list[int]
) -> dict[int, list[ApiExample]]:
    return await _live_rows_of(session, ApiExample, api_ids)


async def _live_rows_of(
    session: AsyncSession, model: type[ViewRowT], api_ids: list[int]
) -> dict[int, list[ViewRowT]]:
    """The live rows of `model` (fields or examples) of each API of `api_ids`, by id."""
    table: Any = model
    rows: dict[int, list[ViewRowT]] = {}
    for batch in id_batches(api_ids):
        statement = select(model).where(table.api_id.in_(batch), table.deleted_at.is_(None))
        for row in await session.scalars(_fresh(statement.order_by(table.id))):
            rows.setdefault(row.api_id or 0, []).append(row)
    return rows


def _fresh(statement: Select[SelectedT]) -> Select[SelectedT]:
    """`statement` reading the rows' columns again into the objects the session holds."""
    return statement.execution_options(populate_existing=True)


def _renamed(path: str, renamed: tuple[str, str] | None) -> str:
    if renamed is None:
        return path
    old, new = renamed
    if path == old or path.startswith((f"{old}.", f"{old}[]")):
        return new + path[len(old) :]
    return path


def _field_changes(
    api_id: int,
    rows: list[ApiResponse],
    wanted: list[FieldView],
    renamed: tuple[str, str] | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """Rows changed in place to `wanted`, and the values of the rows to add."""
    by_path: dict[str, ApiResponse] = {}
    for row in rows:
        path = _renamed(row.field, renamed)
        if path in by_path:
            row.deleted_at = now
        else:
            by_path[path] = row
    wanted_values = [
        (
            view.path,
            {
                "field": view.path,
                "data_type": view.data_type,
                "nullable": view.nullable,
                "description": view.description,
            },
        )
        for view in wanted
    ]
    return _merge(api_id, by_path, wanted_values, now)


def _example_changes(
    api_id: int,
    rows: list[ApiExample],
    wanted: list[ExampleView],
    keys: dict[int, str],
    now: datetime,
) -> list[dict[str, Any]]:
    by_key: dict[str, ApiExample] = {}
    for row in rows:
        key = keys.get(row.id)
        if key is None or key in by_key:
            row.deleted_at = now
        else:
            by_key[key] = row
    wanted_values = [(view.key, {"title": view.title, "body": view.body}) for view in wanted]
    return _merge(api_id, by_key, wanted_values, now)


def _merge(
    api_id: int,
    kept: dict[str, ViewRowT],
    wanted: list[tuple[str, dict[str, Any]]],
    now: datetime,
) -> list[dict[str, Any]]:
    """The rows `kept` (by key) set to the values `wanted` of their key, the others deleted;
    the values of the rows to add for the keys no row has."""
    added: list[dict[str, Any]] = []
    for key, values in wanted:
        row = kept.pop(key, None)
        if row is None:
            added.append({"api_id": api_id, **values, "created_at": now, "updated_at": now})
        else:
            _set(row, values)
    for row in kept.values():
        row.deleted_at = now
    return added


def _set(row: ApiResponse | ApiExample, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
