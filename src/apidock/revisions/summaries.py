"""The one-line summary of a revision, made from the audit rows of its transaction.

The first change the transaction audited names the revision ("Updated API 12 GET /pets
(description)"); the others are counted ("; and 2 more changes"). A restore says which
revision it restored, whatever it wrote to do so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apps.models import App
from apidock.groups.models import ApiGroup
from apidock.revisions.models import SUMMARY_MAX_LENGTH

_VERBS = {"create": "Added", "update": "Updated", "delete": "Deleted"}
_COMPONENT_VERBS = {
    "component_create": "Added",
    "component_replace": "Replaced",
    "component_delete": "Deleted",
}


@dataclass(frozen=True, slots=True)
class Audited:
    """An audit row of a change to a description, as the transaction wrote it."""

    action: str
    kind: str
    target_id: int
    detail: dict[str, Any] | None
    actor_id: int | None


async def summary(
    session: AsyncSession,
    *,
    app: App,
    changes: list[Audited],
    restored: int | None,
    document: dict[str, Any],
) -> str:
    """The summary of the revision `changes` made to `app` (its document now `document`)."""
    if restored is not None:
        return f"Restored revision {restored}"
    text = await _describe(session, app, changes[0], document)
    others = len(changes) - 1
    if others:
        text += f"; and {others} more change{'s' if others > 1 else ''}"
    return text if len(text) <= SUMMARY_MAX_LENGTH else text[: SUMMARY_MAX_LENGTH - 1] + "…"


def _changed(detail: dict[str, Any]) -> str:
    names = detail.get("changed")
    if isinstance(names, list) and names:
        return " (" + ", ".join(str(name) for name in names) + ")"
    return ""


def _counted(detail: dict[str, Any]) -> str:
    operations = detail.get("operations")
    plural = "" if operations == 1 else "s"
    return f"({detail.get('format', 'a document')}, {operations} operation{plural})"


async def _describe(
    session: AsyncSession, app: App, change: Audited, document: dict[str, Any]
) -> str:
    detail = change.detail or {}
    kind, _, verb = change.action.partition(".")
    if kind == "app":
        return _describe_app(app, verb, detail, document)
    said = _VERBS.get(verb, verb.capitalize())
    if change.kind == "api":
        route = (
            await session.execute(
                select(Api.request_method, Api.request_url).where(Api.id == change.target_id)
            )
        ).first()
        where = f" {route.request_method} {route.request_url}" if route else ""
        return f"{said} API {change.target_id}{where}{_changed(detail)}"
    if change.kind == "api_group":
        title = await session.scalar(select(ApiGroup.title).where(ApiGroup.id == change.target_id))
        return f"{said} group {change.target_id} '{title}'"
    if change.kind == "api_response":
        field = (
            await session.execute(
                select(ApiResponse.field, ApiResponse.api_id).where(
                    ApiResponse.id == change.target_id
                )
            )
        ).first()
        if field is not None:
            return f"{said} response field '{field.field}' of API {field.api_id}"
    if change.kind == "api_example":
        example = (
            await session.execute(
                select(ApiExample.title, ApiExample.api_id).where(ApiExample.id == change.target_id)
            )
        ).first()
        if example is not None:
            return f"{said} example '{example.title}' of API {example.api_id}"
    return f"{said} {change.kind.replace('_', ' ')} {change.target_id}"


def _describe_app(app: App, verb: str, detail: dict[str, Any], document: dict[str, Any]) -> str:
    info = document.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    named = title if isinstance(title, str) and title else app.title
    if verb == "import":
        return f"Imported '{named}' {_counted(detail)}"
    if verb == "reimport":
        return f"Replaced the description with '{named}' {_counted(detail)}"
    if verb == "create":
        return f"Created the app '{app.title}'"
    if verb == "update":
        return f"Updated the app{_changed(detail)}"
    if verb == "components_replace":
        return f"Replaced the components{_changed(detail)}"
    if verb in _COMPONENT_VERBS:
        return f"{_COMPONENT_VERBS[verb]} the component {detail.get('kind')}/{detail.get('name')}"
    return f"Changed the app ({verb})"
