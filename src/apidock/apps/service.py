"""Apps: slugs, look-ups, changes, and the soft delete that hides everything an app holds."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample, ApiResponse, ApiStatus
from apidock.apps.models import App, AppType, AuthType
from apidock.apps.openapi_export import (
    ExportApi,
    ExportApp,
    ExportExample,
    ExportField,
    ExportGroup,
    ExportHeader,
    build_document,
)
from apidock.apps.schemas import AppCreate, AppUpdate
from apidock.database import utcnow
from apidock.exceptions import Conflict, Unprocessable
from apidock.groups.models import ApiGroup
from apidock.logs import service as log_service

SLUG_MAX_LENGTH = 80


def slugify(title: str) -> str:
    """`title` as a slug: ASCII-folded, lowercase, runs of other characters made one hyphen."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def search(*, q: str | None = None) -> Select[App]:
    """Live apps, by title, optionally those whose title or slug contains `q`."""
    statement = select(App).where(App.deleted_at.is_(None)).order_by(App.title, App.id)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(or_(App.title.ilike(pattern), App.slug.ilike(pattern)))
    return statement


async def get(session: AsyncSession, *, app_id: int) -> App | None:
    """The live app `app_id`, or None."""
    return await session.scalar(select(App).where(App.id == app_id, App.deleted_at.is_(None)))


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


async def create(session: AsyncSession, *, app_in: AppCreate, actor_id: int, ip: str) -> App:
    """A new app; its slug is made from the title when none is given."""
    values = _stored(app_in.model_dump())
    if values["slug"] is None:
        values["slug"] = slugify(app_in.title)
        if not values["slug"]:
            raise Unprocessable(
                "A slug cannot be made from this title; give one",
                data=[{"field": "body.slug", "message": "required", "type": "missing"}],
            )
    await _ensure_unique(session, title=values["title"], slug=values["slug"], exclude_id=None)
    app = App(**values)
    session.add(app)
    await session.flush()
    await log_service.record(
        session, actor_id=actor_id, action="app.create", target_type="app", target_id=app.id, ip=ip
    )
    return app


async def update(
    session: AsyncSession, *, app: App, app_in: AppUpdate, actor_id: int, ip: str
) -> App:
    """`app` with the fields given in `app_in` changed."""
    values = _stored(app_in.model_dump(exclude_unset=True))
    await _ensure_unique(
        session, title=values.get("title"), slug=values.get("slug"), exclude_id=app.id
    )
    for name, value in values.items():
        setattr(app, name, value)
    await session.flush()
    await log_service.record(
        session, actor_id=actor_id, action="app.update", target_type="app", target_id=app.id, ip=ip
    )
    return app


async def soft_delete_apis(session: AsyncSession, *, api_ids: Sequence[int], at: datetime) -> None:
    """Mark the APIs `api_ids`, their response fields and examples deleted at `at`."""
    if not api_ids:
        return
    for model in (ApiResponse, ApiExample):
        await session.execute(
            update_rows(model)
            .where(model.api_id.in_(api_ids), model.deleted_at.is_(None))
            .values(deleted_at=at)
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        update_rows(Api)
        .where(Api.id.in_(api_ids), Api.deleted_at.is_(None))
        .values(deleted_at=at)
        .execution_options(synchronize_session=False)
    )


async def delete(session: AsyncSession, *, app: App, actor_id: int, ip: str) -> None:
    """Soft-delete `app` with its groups, APIs, response fields and examples; nothing is removed."""
    at = utcnow()
    api_ids = (
        await session.scalars(select(Api.id).where(Api.app_id == app.id, Api.deleted_at.is_(None)))
    ).all()
    await soft_delete_apis(session, api_ids=api_ids, at=at)
    await session.execute(
        update_rows(ApiGroup)
        .where(ApiGroup.app_id == app.id, ApiGroup.deleted_at.is_(None))
        .values(deleted_at=at)
        .execution_options(synchronize_session=False)
    )
    app.deleted_at = at
    await session.flush()
    await log_service.record(
        session, actor_id=actor_id, action="app.delete", target_type="app", target_id=app.id, ip=ip
    )


def _name(kind: type[AuthType] | type[ApiStatus], value: int | None) -> str | None:
    """The API name of a stored enumeration, or None for a value this version does not know."""
    try:
        return kind(value).name.lower() if value is not None else None
    except ValueError:
        return None


def _headers(stored: str | None) -> list[ExportHeader]:
    """The headers of an API's JSON text; rows the original left empty or malformed have none."""
    try:
        items = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [
        ExportHeader(
            name=item["name"],
            required=bool(item.get("required")),
            description=item.get("description"),
            example=item.get("example"),
        )
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]


async def export_openapi(session: AsyncSession, *, app: App) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`'s live catalog, read in four queries."""
    groups = (
        await session.scalars(
            select(ApiGroup).where(ApiGroup.app_id == app.id, ApiGroup.deleted_at.is_(None))
        )
    ).all()
    apis = (
        await session.scalars(select(Api).where(Api.app_id == app.id, Api.deleted_at.is_(None)))
    ).all()
    api_ids = [api.id for api in apis]
    fields: dict[int | None, list[ExportField]] = {}
    examples: dict[int | None, list[ExportExample]] = {}
    if api_ids:
        for row in await session.scalars(
            select(ApiResponse)
            .where(ApiResponse.api_id.in_(api_ids), ApiResponse.deleted_at.is_(None))
            .order_by(ApiResponse.field, ApiResponse.id)
        ):
            fields.setdefault(row.api_id, []).append(
                ExportField(
                    path=row.field,
                    data_type=row.data_type,
                    nullable=bool(row.nullable),
                    description=row.description,
                )
            )
        for example in await session.scalars(
            select(ApiExample)
            .where(ApiExample.api_id.in_(api_ids), ApiExample.deleted_at.is_(None))
            .order_by(ApiExample.id)
        ):
            examples.setdefault(example.api_id, []).append(
                ExportExample(title=example.title, body=example.body)
            )
    return build_document(
        ExportApp(
            title=app.title,
            version=app.version,
            description=app.description,
            auth_type=_name(AuthType, app.auth_type) or "none",
            groups=[ExportGroup(id=group.id, pid=group.pid, title=group.title) for group in groups],
            apis=[
                ExportApi(
                    id=api.id,
                    title=api.title,
                    request_url=api.request_url,
                    request_method=api.request_method,
                    group_id=api.group_id,
                    description=api.description,
                    headers=_headers(api.request_header),
                    need_auth=bool(api.need_auth),
                    status=_name(ApiStatus, api.status),
                    fields=fields.get(api.id, []),
                    examples=examples.get(api.id, []),
                )
                for api in apis
            ],
        )
    )
