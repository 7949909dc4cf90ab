"""The import gate: `POST /apps/import?app_id=N&fail_on=...` refuses (409, writing nothing)
a document that breaks the app's latest release, listing only the changes at or above the
threshold; with no release, or below the threshold, the import goes through."""

from __future__ import annotations

import copy
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.helpers import API
from tests.revisions.helpers import (
    Auth,
    import_document,
    imported_app,
    numbers,
    pets_document,
    without_pet_name,
)


def _without_pet_tag(document: dict[str, Any]) -> dict[str, Any]:
    """Pet's optional `tag` removed: `response-optional-property-removed`, a warning."""
    changed = copy.deepcopy(document)
    del changed["components"]["schemas"]["Pet"]["properties"]["tag"]
    return changed


async def _released(client: httpx.AsyncClient, auth: Auth) -> int:
    app = await imported_app(client, auth, pets_document())
    made = await client.post(
        f"{API}/apps/{app['id']}/releases", json={"version": "1.0"}, headers=auth
    )
    assert made.status_code == 201, made.text
    return int(app["id"])


async def _export(client: httpx.AsyncClient, auth: Auth, app_id: int) -> bytes:
    return (await client.get(f"{API}/apps/{app_id}/openapi.json", headers=auth)).content


async def test_a_breaking_document_is_refused_with_its_breaking_changes_and_nothing_written(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app_id = await _released(client, dev_auth)
    before = await _export(client, dev_auth, app_id)
    document = _without_pet_tag(without_pet_name(pets_document()))

    refused = await import_document(client, dev_auth, document, app_id=app_id, fail_on="breaking")

    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["status"] == "error"
    assert "1.0" in body["message"]
    data = body["data"]
    assert data["release"] == "1.0"
    assert {change["level"] for change in data["changes"]} == {"breaking"}
    assert {change["id"] for change in data["changes"]} == {"response-required-property-removed"}
    assert data["summary"] == {"breaking": len(data["changes"]), "warning": 0, "info": 0}
    assert await numbers(session, app_id) == [1]
    assert await _export(client, dev_auth, app_id) == before


async def test_fail_on_warning_also_refuses_warnings_and_breaking_changes(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app_id = await _released(client, dev_auth)
    warned = _without_pet_tag(pets_document())

    passes = await import_document(client, dev_auth, warned, app_id=app_id, fail_on="breaking")
    assert passes.status_code == 200, passes.text
    assert await numbers(session, app_id) == [1, 2]
    refused = await import_document(client, dev_auth, warned, app_id=app_id, fail_on="warning")
    assert refused.status_code == 409, refused.text
    levels = {change["level"] for change in refused.json()["data"]["changes"]}
    assert levels == {"warning"}
    both = await import_document(
        client, dev_auth, without_pet_name(warned), app_id=app_id, fail_on="warning"
    )
    assert {change["level"] for change in both.json()["data"]["changes"]} == {"breaking", "warning"}
    assert await numbers(session, app_id) == [1, 2]


async def test_with_no_release_or_no_fail_on_the_import_goes_through(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth, pets_document("Unreleased"))
    breaking = without_pet_name(pets_document("Unreleased"))

    passes = await import_document(client, dev_auth, breaking, app_id=app["id"], fail_on="breaking")

    assert passes.status_code == 200, passes.text
    released = await _released(client, dev_auth)
    plain = await import_document(client, dev_auth, breaking, app_id=released)
    assert plain.status_code == 200, plain.text
    assert await numbers(session, app["id"]) == [1, 2]
    assert await numbers(session, released) == [1, 2]
    new_app = await import_document(client, dev_auth, pets_document("New"), fail_on="breaking")
    assert new_app.status_code == 201, new_app.text
    odd = await import_document(client, dev_auth, breaking, app_id=released, fail_on="info")
    assert odd.status_code == 422
