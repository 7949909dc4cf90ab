"""The rows of a described API's view built when they are first needed.

An import writes no rows of the flat routes: read through every `$ref`, a 1 MB document's
views were 166,000 rows, which made its import seventy times slower. It marks each API it
writes `views_stale` instead, and whatever reads those rows builds the stale views it shows
first, in the request's transaction, with `views.rebuild` (the same merge as every rebuild:
a row keeps its id while its path or title stays). A write of an operation or of the
components rebuilds the rows itself and clears the mark (`views.sync_views`,
`sync_app_views`); a write through the flat routes builds a stale view under its locks
(`views.lock`).

Decisions:
- Locks: the app's row lock, then the API rows' (in id order), the order every write of a
  description takes them in, so that no lock cycle forms with one; then the marks are read
  again. Of two first reads, one builds and the other, waiting on the locks, finds the mark
  cleared and reads the rows the first committed: one set of rows.
- SQLite has no row locks, and a read request's transaction begins deferred: once it has
  read, it cannot become a writer after another writer commits (SQLITE_BUSY_SNAPSHOT). A
  read that must build ends its reads (it has written nothing) and begins a write
  transaction (IMMEDIATE) in the same session, which waits its turn as every SQLite writer
  does; that transaction is the one the request commits.
- A list by API (`api_id`), a search in it, and a record by id build that one API: at most
  MAX_FIELDS_PER_API fields and MAX_EXAMPLES_PER_API examples.
- A list across APIs (no `api_id`) is ordered by API first, so its page is made of the rows
  of a prefix of the APIs: the stale APIs are built in id order, a run of one app at a time
  of 1, 2, 4, … of them, until the rows before the first stale API left are enough for the
  page and one more (the `next` link). Page 1 of a fresh import costs one API or a few, not
  the import's every view. The total then counts built rows only, and says so
  (`total_is_estimate`). A search across APIs, or a deep page, may need many APIs: one
  request writes at most MAX_ROWS_PER_READ rows (a few seconds of inserts; the runs are
  sized to stay within it) in at most MAX_STEPS_PER_READ runs, then answers 503 with
  Retry-After, keeping what it built, so the next request goes on where this one stopped.
  Unbounded, such a request would outlive a client's timeout and, rolled back, never finish.
- The view is CPU work: a run of more than views._ON_LOOP APIs is computed in a worker
  thread (`views.rebuild`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import takewhile
from typing import Any, TypeVar

from sqlalchemy import Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from apidock.apis import views
from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apis.views_schema import MAX_EXAMPLES_PER_API, MAX_FIELDS_PER_API
from apidock.apps.models import App
from apidock.db import AnySelect
from apidock.db.pages import PageParams, paginate
from apidock.db.queries import lock_row
from apidock.errors import ApiError, ServiceUnavailable

ViewRowT = TypeVar("ViewRowT", ApiResponse, ApiExample)
# rows of views a list across APIs writes at most (fields and examples), and the steps it
# takes (each a run of stale APIs of one app, its locks and a count of the rows before it)
MAX_ROWS_PER_READ = 20_000
MAX_STEPS_PER_READ = 50
# the most rows one API's view has, and the stale APIs one step builds at most
_MAX_ROWS_PER_API = MAX_FIELDS_PER_API + MAX_EXAMPLES_PER_API
_MAX_RUN = 64


class ViewsStillBuilding(ServiceUnavailable):
    """A list across APIs that needs more views built than one request builds: what it
    built stays, and the next request goes on."""

    keep_changes = True
    message = "The rows of this list are still being built from the APIs' operations; try again"


async def page_of(
    session: AsyncSession,
    statement: Select[ViewRowT],
    api_id: InstrumentedAttribute[Any],
    page: PageParams,
    *,
    of_api: int | None,
) -> tuple[Sequence[ViewRowT], dict[str, Any]]:
    """The page `page` of `statement` (view rows ordered by their `api_id` first, of the API
    `of_api` or of all) and its `PageMeta` fields, the stale views it shows built first."""
    if of_api is not None:
        await build_api(session, of_api)
        return await paginate(session, statement, page)
    stale_left = await build_page(session, statement, api_id, page)
    rows, meta = await paginate(session, statement, page)
    if stale_left:
        meta["total_is_estimate"] = True
    return rows, meta


async def build_api(session: AsyncSession, api_id: int | None) -> bool:
    """The rows of API `api_id` built if its view is stale; whether they were."""
    stale = await _stale(session, api_ids=[api_id]) if api_id is not None else []
    if not stale:
        return False
    await _begin_writing(session)
    await _build_run(session, stale[0][1], [api_id for api_id, _ in stale])
    return True


async def fresh_row(
    session: AsyncSession, row: ApiResponse | ApiExample, missing: ApiError
) -> None:
    """`row` (loaded by id) as its API's current view has it: read again after the view is
    built; `missing` when the view no longer shows it."""
    if await build_api(session, row.api_id):
        await session.refresh(row)
        if row.deleted_at is not None:
            raise missing


async def build_page(
    session: AsyncSession,
    statement: AnySelect,
    api_id: InstrumentedAttribute[Any],
    page: PageParams,
) -> bool:
    """The stale views that the page `page` of `statement` (rows ordered by `api_id` first)
    shows built; whether stale views remain after it (its total does not count them)."""
    needed = page.offset + page.per_page + 1
    written = steps = 0
    run = 1
    while True:
        stale = await _stale(session, limit=run)
        if not stale:
            return False
        if await _rows_before(session, statement, api_id, stale[0][0], needed) >= needed:
            return True
        if written >= MAX_ROWS_PER_READ or steps >= MAX_STEPS_PER_READ:
            raise ViewsStillBuilding()
        app_id = stale[0][1]
        await _begin_writing(session)
        written += await _build_run(session, app_id, _first_app_run(stale))
        steps += 1
        room = max(1, (MAX_ROWS_PER_READ - written) // _MAX_ROWS_PER_API)
        run = min(run * 2, _MAX_RUN, room)


def _first_app_run(stale: list[tuple[int, int | None]]) -> list[int]:
    """The ids of `stale` (id, app) up to the first of another app than the first's."""
    first_app = stale[0][1]
    return [api_id for api_id, _ in takewhile(lambda found: found[1] == first_app, stale)]


async def _stale(
    session: AsyncSession, *, api_ids: list[int] | None = None, limit: int | None = None
) -> list[tuple[int, int | None]]:
    """The live APIs with a stale view (of `api_ids`, or the first `limit`), by id, with
    their apps."""
    statement = select(Api.id, Api.app_id).where(Api.views_stale, Api.deleted_at.is_(None))
    if api_ids is not None:
        statement = statement.where(Api.id.in_(api_ids))
    rows = await session.execute(statement.order_by(Api.id).limit(limit))
    return [(api_id, app_id) for api_id, app_id in rows]


async def _rows_before(
    session: AsyncSession,
    statement: AnySelect,
    api_id: InstrumentedAttribute[Any],
    first_stale: int,
    needed: int,
) -> int:
    """How many rows `statement` selects before the API `first_stale`, up to `needed`."""
    before = (
        statement.where(api_id < first_stale)
        .order_by(None)
        .with_only_columns(literal(1), maintain_column_froms=True)
        .limit(needed)
        .subquery()
    )
    return await session.scalar(select(func.count()).select_from(before)) or 0


async def _begin_writing(session: AsyncSession) -> None:
    """On SQLite, a deferred (read) transaction ended and a write transaction begun in its
    place; elsewhere, and in a write transaction, nothing."""
    connection = (await session.connection()).sync_connection
    if connection is None or connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
        return
    await session.commit()
    await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


async def _build_run(session: AsyncSession, app_id: int | None, api_ids: list[int]) -> int:
    """The views of `api_ids` (APIs of app `app_id`) built under the app's and their row
    locks, those still stale once the locks are held; the rows added."""
    if app_id is not None:
        await lock_row(session, App, app_id)
    locking = select(Api.id).where(Api.id.in_(api_ids)).order_by(Api.id).with_for_update()
    await session.execute(locking)
    still = await session.execute(
        select(Api.id, Api.operation)
        .where(Api.id.in_(api_ids), Api.views_stale, Api.deleted_at.is_(None))
        .order_by(Api.id)
    )
    stale = list(still)
    if not stale:
        return 0
    operations = [(api_id, operation) for api_id, operation in stale if operation is not None]
    components = None
    if app_id is not None:
        components = await session.scalar(select(App.components).where(App.id == app_id))
    added = await views.rebuild(session, components, operations)
    await views.clear_stale(session, [api_id for api_id, operation in stale if operation is None])
    return added
