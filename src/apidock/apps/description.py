"""An app's description as its edits read and check it: the stored parts with the operations
of its APIs, a change checked off the event loop, and the app-level parts a PATCH writes.

Every edit of a description takes the app's row lock first (`lock_app`) and reads the parts
again under it: whether a change is valid depends on the whole document (an operationId used
twice, a `$ref` to a component another request is deleting), so the edits of one app are
made one at a time, each checked against what the previous one committed.

The app-level parts a PATCH of `/apps/{id}` carries have snake_case names like the rest of
the API; their values are the OpenAPI objects as OpenAPI spells them (a tag's
`externalDocs`, a license's `identifier`), stored as written:

    body field            in the document
    summary               info.summary
    terms_of_service      info.termsOfService
    contact, license      info.contact, info.license
    servers, security     servers, security
    tags                  tags
    external_docs         externalDocs
    json_schema_dialect   jsonSchemaDialect

null removes a part (for `security`, null is no top-level requirement; `[]` is explicitly
none). An app made through the original's routes has no stored Info Object: its first part
written gives it one (`title` and `version` its columns'), and from then on it is exported as
a described app, its original APIs merged in (`described_export`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import anyio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.apps.described_export import stored_parts
from apidock.apps.description_checks import Written, change_problems, needs_auth, referrers
from apidock.apps.models import App
from apidock.db.queries import id_batches, lock_row_and_reload
from apidock.descriptions.parts import DescriptionParts, OperationPart, join_document
from apidock.descriptions.problems import pointer
from apidock.errors import NotFound, Unprocessable
from apidock.work import UnitOfWork

# Checks run at once per process: pure Python holding the GIL, as the export's builds.
_CHECK_THREADS = anyio.CapacityLimiter(2)
INVALID_MESSAGE = "The description would not be valid OpenAPI 3.1; `data` lists the problems"

# the fields of `info` a PATCH writes, by body field
INFO_FIELDS = {
    "summary": "summary",
    "terms_of_service": "termsOfService",
    "contact": "contact",
    "license": "license",
}
# the top-level parts a PATCH writes, by body field (the same name on App and DescriptionParts)
TOP_FIELDS = {
    "servers": "servers",
    "security": "security",
    "tags": "tags",
    "external_docs": "externalDocs",
    "json_schema_dialect": "jsonSchemaDialect",
}
APP_PART_FIELDS = frozenset(INFO_FIELDS) | frozenset(TOP_FIELDS)


async def lock_app(work: UnitOfWork, app: App) -> None:
    """Hold `app`'s row lock and read it again; 404 if it was deleted meanwhile."""
    if not await lock_row_and_reload(work.session, App, app.id, app):
        raise NotFound("App not found")


async def described_operations(
    session: AsyncSession, *, app_id: int
) -> list[tuple[int, OperationPart]]:
    """The operations of the app's live described APIs, with their ids, in the export's order."""
    statement = (
        select(Api.id, Api.request_url, Api.request_method, Api.operation)
        .where(Api.app_id == app_id, Api.deleted_at.is_(None))
        .order_by(Api.id)
    )
    return [
        (row.id, OperationPart(row.request_url, row.request_method.lower(), row.operation))
        for row in await session.execute(statement)
        if row.operation is not None
    ]


def parts_of(app: App, operations: list[OperationPart]) -> DescriptionParts:
    """The document parts of `app` with `operations`, as the export joins them; an app with no
    description yet has its columns' title and version."""
    parts = stored_parts(app, operations)
    if parts is None:
        return DescriptionParts(info={"title": app.title, "version": app.version})
    return parts


async def refuse_invalid(
    *, after: DescriptionParts, before: DescriptionParts, written: list[Written]
) -> None:
    """422 listing the problems of the change from `before` to `after` (see
    `description_checks`), checked in a worker thread: a large document takes long enough to
    hold up every other request on the event loop."""
    problems = await anyio.to_thread.run_sync(
        change_problems, after, before, written, limiter=_CHECK_THREADS
    )
    if problems:
        raise Unprocessable(INVALID_MESSAGE, data=problems)


async def references_to(parts: DescriptionParts, *, kind: str, name: str) -> list[str]:
    """Where the document of `parts` refers to the component `kind`/`name`
    (`description_checks.referrers`), found in a worker thread."""
    return await anyio.to_thread.run_sync(
        lambda: referrers(join_document(parts), kind, name), limiter=_CHECK_THREADS
    )


def _info_of(base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    info = dict(base)
    for field, key in INFO_FIELDS.items():
        if field not in given:
            continue
        if given[field] is None:
            info.pop(key, None)
        else:
            info[key] = given[field]
    return info


async def write_app_parts(work: UnitOfWork, *, app: App, given: dict[str, Any]) -> list[str]:
    """The app-level parts `given` (body fields of `APP_PART_FIELDS`) written into `app` once
    the document they make is valid; the names of those that changed. The caller holds the
    app's lock (`lock_app`).

    A new top-level `security` is the effective security of every operation without its own:
    their APIs' `need_auth` follows it, as an import sets it."""
    described = await described_operations(work.session, app_id=app.id)
    before = parts_of(app, [part for _, part in described])
    tops = {field: given[field] for field in TOP_FIELDS if field in given}
    after = dataclasses.replace(before, info=_info_of(before.info, given), **tops)
    written = [Written(pointer(key), "/" + field) for field, key in TOP_FIELDS.items()]
    written += [Written(pointer("info", key), "/" + field) for field, key in INFO_FIELDS.items()]
    await refuse_invalid(
        after=after, before=before, written=[part for part in written if part.sent[1:] in given]
    )
    stored_info = app.info if app.info is not None else before.info
    changed = [
        field
        for field, key in INFO_FIELDS.items()
        if field in given and stored_info.get(key) != given[field]
    ]
    changed += [field for field, value in tops.items() if getattr(app, field) != value]
    if app.info is None or any(field in given for field in INFO_FIELDS):
        app.info = _info_of(stored_info, given)
    for field, value in tops.items():
        setattr(app, field, value)
    if "security" in changed:
        inheriting = [key for key, part in described if "security" not in part.operation]
        for batch in id_batches(inheriting):
            await work.session.execute(
                update(Api)
                .where(Api.id.in_(batch))
                .values(need_auth=needs_auth({}, app.security))
                .execution_options(synchronize_session=False)
            )
    return changed


def follow_title(app: App, title: str) -> None:
    """The stored `info.title` renamed with the app while the two are the same. An app whose
    title an import made unique (`Pet store (pet-store-2)`) keeps its document's (`Pet store`)."""
    if app.info is not None and app.info.get("title") == app.title:
        app.info = {**app.info, "title": title}
