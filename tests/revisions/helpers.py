"""Documents and requests the revisions' tests share."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.revisions.models import Release, Revision
from tests.catalog.helpers import API

Auth = dict[str, str]

PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "tag": {"type": "string"},
    },
}


def pets_document(title: str = "Pets") -> dict[str, Any]:
    """An OpenAPI 3.1 document of three operations sharing the component `Pet`."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0"},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "responses": {
                        "200": {
                            "description": "The pets",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Pet"},
                                    }
                                }
                            },
                        }
                    },
                },
            },
            "/pets/{petId}": {
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": {
                    "operationId": "showPet",
                    "responses": {"200": {"description": "The pet", "content": content}},
                },
            },
            "/owners": {
                "get": {
                    "operationId": "listOwners",
                    "responses": {"200": {"description": "The owners"}},
                }
            },
        },
        "components": {"schemas": {"Pet": copy.deepcopy(PET)}},
    }


def without_owners(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the path `/owners` removed: `api-path-removed-without-deprecation`."""
    changed = copy.deepcopy(document)
    del changed["paths"]["/owners"]
    return changed


def without_pet_name(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with Pet's required `name` removed: `response-required-property-removed`
    on both GET operations."""
    changed = copy.deepcopy(document)
    pet = changed["components"]["schemas"]["Pet"]
    del pet["properties"]["name"]
    pet["required"] = ["id"]
    return changed


async def import_document(
    client: httpx.AsyncClient, auth: Auth, document: dict[str, Any], **params: Any
) -> httpx.Response:
    """POST the document to `/apps/import` with `params` in the query."""
    return await client.post(
        f"{API}/apps/import",
        content=json.dumps(document),
        params={name: str(value) for name, value in params.items()},
        headers={**auth, "Content-Type": "application/json"},
    )


async def imported_app(
    client: httpx.AsyncClient, auth: Auth, document: dict[str, Any], **params: Any
) -> dict[str, Any]:
    answer = await import_document(client, auth, document, **params)
    assert answer.status_code in (200, 201), answer.text
    app: dict[str, Any] = answer.json()["data"]["app"]
    return app


async def revisions_of(session: AsyncSession, app_id: int) -> list[Revision]:
    """The app's revision rows, by number (read fresh: the requests wrote them)."""
    rows = await session.scalars(
        select(Revision)
        .where(Revision.app_id == app_id)
        .order_by(Revision.number)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def numbers(session: AsyncSession, app_id: int) -> list[int]:
    return [revision.number for revision in await revisions_of(session, app_id)]


async def releases_of(session: AsyncSession, app_id: int) -> list[Release]:
    rows = await session.scalars(select(Release).where(Release.app_id == app_id))
    return list(rows)
