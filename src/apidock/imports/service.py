"""Importing a description: a new app, or a new description for an existing one, in one
transaction with one audit row carrying the import's counts.

The document is read, converted and checked off the event loop (`descriptions.intake`); the
rows are written here. Decisions:

- A new app's title is the document's `info.title` (cut to 80 characters); when another
  app holds it already, the slug is added in parentheses (`Petstore (petstore-2)`) and then a
  number, so an import never fails for a title. `info.title` stays as written in the stored
  Info Object, and the export gives it.
- The slug is the one asked for, or made from the title; a slug in use is 409.
- Replacing (`app_id`) keeps the app's id, slug and title; its groups and APIs are
  soft-deleted (with their fields and examples, as a delete does) and the document's written.
- An operation becomes an API: title from `summary`, else `operationId`, else `METHOD path`
  (cut to 80; the operation keeps its own), `need_auth` when its effective security requires
  a scheme, status `deprecated` or else `released` (a document describes a published API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import insert, select

from apidock.apis.models import Api, ApiStatus
from apidock.apps.models import App, AppType, AuthType
from apidock.apps.service import slugify
from apidock.catalog import cascade
from apidock.db import utcnow
from apidock.db.queries import lock_row
from apidock.descriptions.intake import Intake, IntakeLimits, take_in
from apidock.descriptions.parts import DescriptionParts, OperationPart
from apidock.descriptions.problems import DocumentRefused, Problem, pointer
from apidock.errors import Conflict, NotFound, Unprocessable
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.imports.tree import plan_groups
from apidock.work import Action, UnitOfWork

TITLE_MAX = 80
REQUEST_URL_MAX = 256
DEFAULT_VERSION = "1.0.0"
# Documents read at once per process: the work holds the GIL, more threads go no faster.
_INTAKE_THREADS = anyio.CapacityLimiter(2)
_INSERT_BATCH = 500


class ImportAction(Action):
    CREATE = "app.import"
    REPLACE = "app.reimport"


@dataclass(slots=True)
class Imported:
    app: App
    created: bool
    report: dict[str, Any]


async def read_document(raw: bytes, *, media_type: str | None, limits: IntakeLimits) -> Intake:
    """`descriptions.intake.take_in` in a worker thread: the event loop keeps serving."""
    return await anyio.to_thread.run_sync(
        lambda: take_in(raw, media_type=media_type, limits=limits), limiter=_INTAKE_THREADS
    )


async def import_document(
    work: UnitOfWork,
    *,
    raw: bytes,
    media_type: str | None,
    limits: IntakeLimits,
    slug: str | None = None,
    app_id: int | None = None,
) -> Imported:
    """The document `raw` as a new app (`slug`) or as the description of app `app_id`."""
    if slug is not None and app_id is not None:
        raise Unprocessable(
            "Give a slug for a new app or an app_id to replace, not both",
            data=[{"field": "query.app_id", "message": "not with slug", "type": "conflict"}],
        )
    intake = await read_document(raw, media_type=media_type, limits=limits)
    _check_templates(intake.parts.operations)
    session = work.session
    if app_id is not None:
        app = await work.live(App, app_id)
        if app is None:
            raise NotFound("App not found")
        await lock_row(session, App, app.id)
        await _clear(work, app)
        created = False
    else:
        app = await _new_app(work, intake, slug)
        created = True
    _describe(app, intake.parts)
    await session.flush()
    await _write_catalog(work, app, intake)
    report = intake.as_report()
    counts = {key: report[key] for key in ("format", "operations", "schemas", "examples")}
    await work.audit(ImportAction.CREATE if created else ImportAction.REPLACE, app, counts)
    return Imported(app=app, created=created, report=report)


def _check_templates(operations: list[OperationPart]) -> None:
    problems = [
        Problem(
            pointer("paths", part.path),
            f"a path template takes at most {REQUEST_URL_MAX} characters",
            "document.path",
        )
        for part in operations
        if len(part.path) > REQUEST_URL_MAX
    ]
    if problems:
        raise DocumentRefused(problems[:100])


async def _new_app(work: UnitOfWork, intake: Intake, slug: str | None) -> App:
    info = intake.parts.info
    title = _text(info.get("title"))[:TITLE_MAX].strip() or "Imported API"
    slug = slug or slugify(title)
    if not slug:
        raise Unprocessable(
            "A slug cannot be made from this title; give one",
            data=[{"field": "query.slug", "message": "required", "type": "missing"}],
        )
    session = work.session
    if await session.scalar(select(App.id).where(App.slug == slug)) is not None:
        raise Conflict(f"An app already has this slug: {slug}")
    app = App(
        title=await _free_title(work, title, slug),
        slug=slug,
        version=_text(info.get("version"))[:TITLE_MAX] or DEFAULT_VERSION,
        description=_text(info.get("description")) or None,
        type=int(AppType.WEB),
        auth_type=int(AuthType.NONE),
    )
    session.add(app)
    return app


async def _free_title(work: UnitOfWork, title: str, slug: str) -> str:
    """`title`, or the first of `title (slug)`, `title (slug) 2`, … no app holds."""
    candidates = [title, f"{title[: TITLE_MAX - len(slug) - 3]} ({slug})"]
    taken = set(await work.session.scalars(select(App.title).where(App.title.in_(candidates))))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    base = candidates[1]
    number = 2
    while True:
        suffix = f" {number}"
        candidate = base[: TITLE_MAX - len(suffix)] + suffix
        if await work.session.scalar(select(App.id).where(App.title == candidate)) is None:
            return candidate
        number += 1


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _describe(app: App, parts: DescriptionParts) -> None:
    app.info = parts.info
    app.servers = parts.servers
    app.security = parts.security
    app.tags = parts.tags
    app.external_docs = parts.external_docs
    app.webhooks = parts.webhooks
    app.components = parts.components
    app.json_schema_dialect = parts.json_schema_dialect
    app.extensions = parts.extensions
    app.paths = parts.paths


async def _clear(work: UnitOfWork, app: App) -> None:
    """Soft-delete what `app` holds (groups, APIs and theirs), keeping the app itself."""
    session = work.session
    at = utcnow()
    for model in (ApiGroup, Api):
        table: Any = model
        ids = (
            await session.scalars(
                select(table.id).where(table.app_id == app.id, table.deleted_at.is_(None))
            )
        ).all()
        await cascade.soft_delete(session, model, ids, at)


async def _write_catalog(work: UnitOfWork, app: App, intake: Intake) -> None:
    session = work.session
    plan = plan_groups(intake.parts.tags, intake.parts.operations, intake.report)
    group_ids: dict[tuple[str, ...], int] = {}
    for planned in plan.groups:
        parent = planned.parent
        group = ApiGroup(
            app_id=app.id,
            pid=group_ids[parent] if parent is not None else ROOT_PID,
            title=planned.title,
        )
        session.add(group)
        await session.flush()
        group_ids[planned.key] = group.id
    default_security = intake.parts.security
    rows = [
        _api_row(app.id, group_ids.get(key) if key is not None else None, part, default_security)
        for part, key in zip(intake.parts.operations, plan.operation_groups, strict=True)
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        await session.execute(insert(Api), rows[start : start + _INSERT_BATCH])


def _api_row(
    app_id: int, group_id: int | None, part: OperationPart, default_security: list[Any] | None
) -> dict[str, Any]:
    operation = part.operation
    title = (
        _text(operation.get("summary")).strip()
        or _text(operation.get("operationId")).strip()
        or f"{part.method.upper()} {part.path}"
    )
    description = operation.get("description")
    security = operation.get("security", default_security)
    need_auth = (
        isinstance(security, list)
        and bool(security)
        and all(isinstance(requirement, dict) and requirement for requirement in security)
    )
    now = utcnow()
    return {
        "app_id": app_id,
        "group_id": group_id,
        "title": title[:TITLE_MAX],
        "description": description if isinstance(description, str) else None,
        "request_url": part.path,
        "request_method": part.method.upper(),
        "request_header": None,
        "need_auth": need_auth,
        "status": int(
            ApiStatus.DEPRECATED if operation.get("deprecated") is True else ApiStatus.RELEASED
        ),
        "operation": operation,
        "created_at": now,
        "updated_at": now,
    }
