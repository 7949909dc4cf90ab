"""Apps: slugs, look-ups, changes, and the soft delete that hides everything an app holds."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import anyio
from sqlalchemy import Executable, Row, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from apidock.apis.models import Api, ApiExample, ApiResponse, ApiStatus
from apidock.apis.schemas import stored_headers
from apidock.apps import description
from apidock.apps.described_export import Syntax, render_described, stored_parts
from apidock.apps.models import App, AppType, AuthType
from apidock.apps.openapi_export import (
    MAX_DOCUMENT_BYTES,
    MOCK_PREFIX,
    DocumentTooLarge,
    ExportApi,
    ExportApp,
    ExportExample,
    ExportField,
    ExportGroup,
    ExportHeader,
    render_document,
)
from apidock.apps.schemas import AppCreate, AppUpdate
from apidock.catalog import service as catalog
from apidock.db.queries import contains_text, lock_row
from apidock.descriptions.parts import DescriptionParts, OperationPart
from apidock.errors import Conflict, Unprocessable
from apidock.groups.models import ApiGroup
from apidock.work import Action, UnitOfWork

SLUG_MAX_LENGTH = 80
# Documents built at once per process. The build is pure Python and holds the GIL, so more
# threads build no faster; they would only take the event loop's turns and the threads that
# other work in the process runs on.
_EXPORT_THREADS = anyio.CapacityLimiter(2)
_EXPORT_READ_BATCH = 1000
# What a stored row costs an export besides its text, charged against MAX_DOCUMENT_BYTES: an
# operation's frame (its responses, parameters, tag and id), or a field's, example's or tag's.
_EXPORT_API_COST = 1024
_EXPORT_ROW_COST = 64
_TOO_LARGE = (
    f"The catalog is too large to export as one document (at most {MAX_DOCUMENT_BYTES} bytes)"
)


class AppAction(Action):
    CREATE = "app.create"
    UPDATE = "app.update"
    DELETE = "app.delete"


def slugify(title: str) -> str:
    """`title` as a slug: ASCII-folded, lowercase, runs of other characters made one hyphen."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


# The parts of a description an app's read does not show: a list leaves them in the database
# (and fails loudly, rather than reading one app at a time, if anything asks for them).
_NOT_READ = (App.components, App.webhooks, App.paths, App.extensions)


def search(*, q: str | None = None) -> Select[App]:
    """Live apps, by title, optionally those whose title or slug contains `q`."""
    statement = catalog.live_rows(App, App.title, App.id).options(
        *(defer(column, raiseload=True) for column in _NOT_READ)
    )
    if q:
        statement = statement.where(or_(contains_text(App.title, q), contains_text(App.slug, q)))
    return statement


async def get_by_slug(session: AsyncSession, *, slug: str) -> App | None:
    """The live app whose slug is `slug`, or None."""
    return await session.scalar(select(App).where(App.slug == slug, App.deleted_at.is_(None)))


async def _ensure_unique(
    session: AsyncSession, *, title: str | None, slug: str | None, exclude_id: int | None
) -> None:
    """409 when another app, live or deleted, already holds `title` or `slug`.

    Deleted apps keep their title and slug: the columns are unique in the database, and a
    deleted app's slug may still be written in old links and exports.
    """
    for column, value in ((App.title, title), (App.slug, slug)):
        if value is None:
            continue
        statement = select(App.id, App.deleted_at).where(column == value)
        if exclude_id is not None:
            statement = statement.where(App.id != exclude_id)
        found = (await session.execute(statement)).first()
        if found is not None:
            state = " (a deleted app)" if found.deleted_at is not None else ""
            raise Conflict(f"An app{state} already has this {column.key}: {value}")


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Values with the API's enumeration names turned into the database's integers."""
    if values.get("type") is not None:
        values["type"] = int(AppType[values["type"].upper()])
    if values.get("auth_type") is not None:
        values["auth_type"] = int(AuthType[values["auth_type"].upper()])
    return values


async def create(work: UnitOfWork, *, app_in: AppCreate) -> App:
    """A new app; its slug is made from the title when none is given."""
    values = _stored(app_in.model_dump())
    if values["slug"] is None:
        values["slug"] = slugify(app_in.title)
        if not values["slug"]:
            raise Unprocessable(
                "A slug cannot be made from this title; give one",
                data=[{"field": "body.slug", "message": "required", "type": "missing"}],
            )
    await _ensure_unique(work.session, title=values["title"], slug=values["slug"], exclude_id=None)
    return await catalog.add(work, AppAction.CREATE, App(**values))


async def update(work: UnitOfWork, *, app: App, app_in: AppUpdate) -> App:
    """`app` with the fields given in `app_in` changed, its description's parts once the
    document they make is valid (`description`); audited with the names of what changed."""
    values = _stored(app_in.model_dump(exclude_unset=True))
    parts = {field: values.pop(field) for field in description.APP_PART_FIELDS & values.keys()}
    if parts:
        await description.lock_app(work, app)
    await _ensure_unique(
        work.session, title=values.get("title"), slug=values.get("slug"), exclude_id=app.id
    )
    changed = [name for name, value in values.items() if getattr(app, name) != value]
    if parts:
        changed += await description.write_app_parts(work, app=app, given=parts)
    if "title" in values:
        description.follow_title(app, values["title"])
    for name, value in values.items():
        setattr(app, name, value)
    await work.audit(AppAction.UPDATE, app, {"changed": sorted(changed)})
    return app


async def delete(work: UnitOfWork, *, app: App) -> None:
    """Soft-delete `app` with all it holds (its groups, APIs, response fields and examples,
    as their domains declare in `apidock.catalog.cascade`); nothing is removed."""
    # a group or an API added at the same time would otherwise stay live in a deleted app
    await lock_row(work.session, App, app.id)
    await catalog.delete(work, AppAction.DELETE, app)


def _name(kind: type[AuthType] | type[ApiStatus], value: int | None) -> str | None:
    """The API name of a stored enumeration, or None for a value this version does not know."""
    try:
        return kind(value).name.lower() if value is not None else None
    except ValueError:
        return None


def _headers(stored: str | None) -> list[ExportHeader]:
    """The headers of an API's JSON text, as `stored_headers` reads them."""
    return [ExportHeader(**header) for header in stored_headers(stored)]


class _ReadBudget:
    """The text an export may still read: a catalog past MAX_DOCUMENT_BYTES is refused (409)
    as soon as its rows say so, before it is all held in memory."""

    def __init__(self) -> None:
        self.left = MAX_DOCUMENT_BYTES

    def spend(self, cost: int, *texts: str | None) -> None:
        self.left -= cost + sum(len(text) for text in texts if text)
        if self.left < 0:
            raise Conflict(_TOO_LARGE)


async def _each_row(session: AsyncSession, statement: Executable) -> AsyncIterator[Row[Any]]:
    """The rows of `statement`, fetched a batch at a time: between two batches the event loop
    serves other requests, however large the catalog read."""
    result = await session.stream(statement)
    try:
        async for batch in result.partitions(_EXPORT_READ_BATCH):
            for row in batch:
                yield row
    finally:  # also when the budget stops the read: the cursor is not left open
        await result.close()


async def export_openapi(
    session: AsyncSession, *, app: App, syntax: Syntax = "json", mock_base: str | None = None
) -> list[bytes]:
    """The OpenAPI 3.1 document of `app`'s live catalog as JSON (or YAML) pieces, read in four
    queries; 409 when it would take more than MAX_DOCUMENT_BYTES.

    An app with a stored description (imported, `described_export`) is exported from it, with
    any API added through the original's routes beside its operations.

    The rows are read here, as plain columns in batches; the document is built and encoded
    in a worker thread, since a large catalog takes long enough to hold up every other
    request on the event loop.

    A document without servers gets one: the app's mock, at `{mock_base}/{slug}` (`mock_base`
    is MOCK_BASE_URL, or `/mock`, the mock on the API's port, when None).
    """
    parts, document = await read_description(session, app=app)
    base = (mock_base or MOCK_PREFIX).rstrip("/")
    document = dataclasses.replace(document, mock_server=f"{base}/{app.slug}")
    try:
        if parts is None and syntax == "json":
            return await anyio.to_thread.run_sync(
                render_document, document, limiter=_EXPORT_THREADS
            )
        return await anyio.to_thread.run_sync(
            lambda: render_described(parts, document, syntax), limiter=_EXPORT_THREADS
        )
    except DocumentTooLarge:
        raise Conflict(_TOO_LARGE) from None


async def read_description(
    session: AsyncSession, *, app: App
) -> tuple[DescriptionParts | None, ExportApp]:
    """What `app`'s document is made of: its stored description (None for an app of the
    original's routes alone) and its catalog rows, read in four queries within the export's
    budget (409 past it). `described_export.described_document` joins them (CPU work: in a
    worker thread)."""
    # a subquery, not the ids: an app may have more APIs than a statement takes parameters
    live_apis = select(Api.id).where(Api.app_id == app.id, Api.deleted_at.is_(None))
    budget = _ReadBudget()
    groups: list[ExportGroup] = []
    async for row in _each_row(
        session,
        select(ApiGroup.id, ApiGroup.pid, ApiGroup.title).where(
            ApiGroup.app_id == app.id, ApiGroup.deleted_at.is_(None)
        ),
    ):
        budget.spend(_EXPORT_ROW_COST, row.title)
        groups.append(ExportGroup(id=row.id, pid=row.pid, title=row.title))
    fields: dict[int, list[ExportField]] = {}
    async for row in _each_row(
        session,
        select(
            ApiResponse.api_id,
            ApiResponse.field,
            ApiResponse.data_type,
            ApiResponse.nullable,
            ApiResponse.description,
        )
        .where(ApiResponse.api_id.in_(live_apis), ApiResponse.deleted_at.is_(None))
        .order_by(ApiResponse.field, ApiResponse.id),
    ):
        budget.spend(_EXPORT_ROW_COST, row.field, row.description)
        fields.setdefault(row.api_id, []).append(
            ExportField(
                path=row.field,
                data_type=row.data_type,
                nullable=bool(row.nullable),
                description=row.description,
            )
        )
    examples: dict[int, list[ExportExample]] = {}
    async for row in _each_row(
        session,
        select(ApiExample.api_id, ApiExample.title, ApiExample.body)
        .where(ApiExample.api_id.in_(live_apis), ApiExample.deleted_at.is_(None))
        .order_by(ApiExample.id),
    ):
        budget.spend(_EXPORT_ROW_COST, row.title, row.body)
        examples.setdefault(row.api_id, []).append(ExportExample(title=row.title, body=row.body))
    apis: list[ExportApi] = []
    described: list[OperationPart] = []
    async for row in _each_row(
        session,
        select(
            Api.id,
            Api.title,
            Api.request_url,
            Api.request_method,
            Api.group_id,
            Api.description,
            Api.request_header,
            Api.need_auth,
            Api.status,
            Api.operation,
        )
        .where(Api.app_id == app.id, Api.deleted_at.is_(None))
        .order_by(Api.id),
    ):
        budget.spend(
            _EXPORT_API_COST, row.title, row.request_url, row.description, row.request_header
        )
        if row.operation is not None:
            described.append(
                OperationPart(row.request_url, row.request_method.lower(), row.operation)
            )
            continue
        apis.append(
            ExportApi(
                id=row.id,
                title=row.title,
                request_url=row.request_url,
                request_method=row.request_method,
                group_id=row.group_id,
                description=row.description,
                headers=_headers(row.request_header),
                need_auth=bool(row.need_auth),
                status=_name(ApiStatus, row.status),
                fields=fields.get(row.id, []),
                examples=examples.get(row.id, []),
            )
        )
    document = ExportApp(
        title=app.title,
        version=app.version,
        description=app.description,
        auth_type=_name(AuthType, app.auth_type) or "none",
        groups=groups,
        apis=apis,
    )
    return stored_parts(app, described), document
