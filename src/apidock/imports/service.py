"""Importing a description: a new app, or a new description for an existing one, in one
transaction with one audit row carrying the import's counts.

The document is read, converted and checked off the event loop (`descriptions.intake`); the
rows are written here. Decisions:

- The document is read, converted, checked and encoded in an import process
  (`imports.prepare`, `imports.pool`): the server's event loop only writes rows.
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
- The flat routes' rows of an API (its fields and examples, views of its operation) are not
  written: read through every `$ref`, the views of a 1 MB, 250-operation document are
  166,000 rows (bench/import_speed.py's document), which made the import seventy times
  slower. Every API written, by a new import or a replacing one, is marked `views_stale`,
  and the first read of its rows builds them (`apis.views_lazy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from apidock.apis.models import Api
from apidock.apps.models import App, AppType, AuthType
from apidock.apps.service import slugify
from apidock.catalog import cascade
from apidock.db import utcnow
from apidock.db.queries import lock_row
from apidock.descriptions.intake import IntakeLimits
from apidock.descriptions.problems import DocumentRefused
from apidock.diffing.changes import Level
from apidock.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable
from apidock.groups.models import ROOT_PID, ApiGroup
from apidock.imports import pool
from apidock.imports.prepare import TITLE_MAX, PreparedImport, text_of
from apidock.metrics import count_import
from apidock.revisions import gate
from apidock.work import Action, UnitOfWork

DEFAULT_VERSION = "1.0.0"
# rows an INSERT writes: the event loop serves other requests between two batches
_INSERT_BATCH = 200


class ImportAction(Action):
    CREATE = "app.import"
    REPLACE = "app.reimport"


@dataclass(slots=True)
class Imported:
    app: App
    created: bool
    report: dict[str, Any]


async def import_document(
    work: UnitOfWork,
    *,
    raw: bytes,
    media_type: str | None,
    limits: IntakeLimits,
    slug: str | None = None,
    app_id: int | None = None,
    fail_on: Level | None = None,
) -> Imported:
    """The document `raw` as a new app (`slug`) or as the description of app `app_id`.

    The document is read in an import process (`imports.pool`); its rows are written here, in
    the request's transaction. The app's large parts (components, webhooks, path items) are
    written as the text that process encoded and are not read back: within this request the
    `App` object does not hold them (they are read where they are used, by the export).

    `fail_on` (a replacement's): 409, the transaction rolled back, when the new description
    makes changes at that level or graver to the app's latest release (`revisions.gate`).
    """
    if slug is not None and app_id is not None:
        raise Unprocessable(
            "Give a slug for a new app or an app_id to replace, not both",
            data=[{"field": "query.app_id", "message": "not with slug", "type": "conflict"}],
        )
    try:
        prepared = await pool.prepare(raw, media_type=media_type, limits=limits)
    except (DocumentRefused, PayloadTooLarge):
        count_import(None, "refused")
        raise
    session = work.session
    if app_id is not None:
        app = await work.live(App, app_id)
        if app is None:
            raise NotFound("App not found")
        await lock_row(session, App, app.id)
        await _clear(work, app)
        app.version = text_of(prepared.info.get("version"))[:TITLE_MAX] or app.version
        app.description = text_of(prepared.info.get("description")) or None
        created = False
    else:
        app = await _new_app(work, prepared, slug)
        created = True
    app.info = prepared.info
    for name, value in prepared.small_parts.items():
        setattr(app, name, value)
    await session.flush()
    await session.execute(update(App).where(App.id == app.id).values(**prepared.large_parts))
    await _write_catalog(work, app, prepared)
    if fail_on is not None and not created:
        await gate.refuse_what_breaks(session, app=app, fail_on=fail_on)
    action = ImportAction.CREATE if created else ImportAction.REPLACE
    await work.audit(action, app, prepared.counts)
    count_import(prepared.report.get("format"), "created" if created else "replaced")
    return Imported(app=app, created=created, report=prepared.report)


async def _new_app(work: UnitOfWork, prepared: PreparedImport, slug: str | None) -> App:
    info = prepared.info
    title = text_of(info.get("title"))[:TITLE_MAX].strip() or "Imported API"
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
        version=text_of(info.get("version"))[:TITLE_MAX] or DEFAULT_VERSION,
        description=text_of(info.get("description")) or None,
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


async def _write_catalog(work: UnitOfWork, app: App, prepared: PreparedImport) -> None:
    session = work.session
    group_ids: dict[tuple[str, ...], int] = {}
    for planned in prepared.groups:
        parent = planned.parent
        group = ApiGroup(
            app_id=app.id,
            pid=group_ids[parent] if parent is not None else ROOT_PID,
            title=planned.title,
        )
        session.add(group)
        await session.flush()
        group_ids[planned.key] = group.id
    now = utcnow()
    apis = prepared.apis
    rows = [
        {
            "app_id": app.id,
            "group_id": group_ids.get(api.group) if api.group is not None else None,
            "title": api.title,
            "description": api.description,
            "request_url": api.request_url,
            "request_method": api.request_method,
            "request_header": None,
            "need_auth": api.need_auth,
            "status": api.status,
            "operation": api.operation,
            "views_stale": True,
            "created_at": now,
            "updated_at": now,
        }
        for api in apis
    ]
    # no rows of the flat routes: each API's are built at their first read (apis.views_lazy)
    for start in range(0, len(rows), _INSERT_BATCH):
        await session.execute(insert(Api), rows[start : start + _INSERT_BATCH])
