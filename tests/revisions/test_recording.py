"""Which transactions make a revision: exactly one per app for every change of a
description (each kind of catalog write, an import), none for reads and for what is not the
description; numbered from 1 per app, with author, a timezone-aware time and the hash of the
document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.revisions.storage import content_hash
from apidock.users.models import User
from tests.catalog.helpers import API, make_api, make_app, make_field, make_group, post
from tests.revisions.helpers import Auth, imported_app, numbers, pets_document, revisions_of


async def _described(client: httpx.AsyncClient, auth: Auth) -> dict[str, int]:
    """An app with a group, an API with a response field and an example, and a component
    `Existing`: their ids."""
    app = await make_app(client, auth)
    group = await make_group(client, auth, app["id"])
    api = await make_api(client, auth, app["id"], group_id=group["id"])
    field = await make_field(client, auth, api["id"], "name", "string")
    example = await post(client, "/apis/examples", auth, api_id=api["id"], title="One")
    url = f"{API}/apps/{app['id']}/components/schemas/Existing"
    assert (await client.put(url, json={"type": "object"}, headers=auth)).status_code == 201
    rows = {"app": app, "group": group, "api": api, "field": field, "example": example}
    return {name: row["id"] for name, row in rows.items()}


# each kind of catalog write, as (method, path, body) for the ids `_described` made
Request = tuple[str, str, Any]
CATALOG_WRITES: dict[str, Callable[[dict[str, int]], Request]] = {
    "app.update": lambda ids: ("PATCH", f"/apps/{ids['app']}", {"description": "Changed"}),
    "app.components_replace": lambda ids: (
        "PUT",
        f"/apps/{ids['app']}/components",
        {"schemas": {"Thing": {"type": "object"}}},
    ),
    "app.component_create": lambda ids: (
        "PUT",
        f"/apps/{ids['app']}/components/schemas/Thing",
        {"type": "string"},
    ),
    "app.component_replace": lambda ids: (
        "PUT",
        f"/apps/{ids['app']}/components/schemas/Existing",
        {"type": "integer"},
    ),
    "app.component_delete": lambda ids: (
        "DELETE",
        f"/apps/{ids['app']}/components/schemas/Existing",
        None,
    ),
    "group.create": lambda ids: ("POST", "/apis/groups", {"app_id": ids["app"], "title": "G"}),
    "group.update": lambda ids: ("PATCH", f"/apis/groups/{ids['group']}", {"title": "Renamed"}),
    "group.delete": lambda ids: ("DELETE", f"/apis/groups/{ids['group']}?cascade=true", None),
    "api.create": lambda ids: (
        "POST",
        "/apis",
        {"app_id": ids["app"], "title": "New", "request_url": "/new", "request_method": "POST"},
    ),
    "api.update": lambda ids: ("PATCH", f"/apis/{ids['api']}", {"description": "Changed"}),
    "api.delete": lambda ids: ("DELETE", f"/apis/{ids['api']}", None),
    "api_response.create": lambda ids: (
        "POST",
        "/apis/responses",
        {"api_id": ids["api"], "field": "age", "data_type": "integer"},
    ),
    "api_response.update": lambda ids: (
        "PATCH",
        f"/apis/responses/{ids['field']}",
        {"description": "The name"},
    ),
    "api_response.delete": lambda ids: ("DELETE", f"/apis/responses/{ids['field']}", None),
    "api_example.create": lambda ids: (
        "POST",
        "/apis/examples",
        {"api_id": ids["api"], "title": "Two"},
    ),
    "api_example.update": lambda ids: (
        "PATCH",
        f"/apis/examples/{ids['example']}",
        {"body": '{"a": 1}'},
    ),
    "api_example.delete": lambda ids: ("DELETE", f"/apis/examples/{ids['example']}", None),
}


@pytest.mark.parametrize("action", list(CATALOG_WRITES))
async def test_each_kind_of_catalog_write_makes_exactly_one_revision(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, action: str
) -> None:
    ids = await _described(client, dev_auth)
    before = await numbers(session, ids["app"])
    method, path, body = CATALOG_WRITES[action](ids)

    answer = await client.request(method, f"{API}{path}", json=body, headers=dev_auth)

    assert answer.status_code in (200, 201), answer.text
    assert await numbers(session, ids["app"]) == [*before, len(before) + 1]
    assert (await revisions_of(session, ids["app"]))[-1].summary


async def test_numbers_count_from_1_per_app_with_author_time_and_hash(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, developer: User
) -> None:
    first = await make_app(client, dev_auth)
    second = await make_app(client, dev_auth)
    await client.patch(f"{API}/apps/{first['id']}", json={"version": "2.0"}, headers=dev_auth)

    assert await numbers(session, first["id"]) == [1, 2]
    assert await numbers(session, second["id"]) == [1]
    listed = await client.get(f"{API}/apps/{first['id']}/revisions", headers=dev_auth)
    assert listed.status_code == 200, listed.text
    page = listed.json()["data"]
    assert page["total"] == 2
    latest = page["revisions"][1]
    assert latest["number"] == 2
    assert (latest["author"], latest["author_id"]) == (developer.name, developer.id)
    assert latest["summary"] == "Updated the app (version)"
    assert page["revisions"][0]["summary"] == f"Created the app '{first['title']}'"
    stored = (await revisions_of(session, first["id"]))[1]
    assert stored.created_at.utcoffset() == timedelta(0)
    assert latest["created_at"].endswith(("Z", "+00:00"))
    export = await client.get(f"{API}/apps/{first['id']}/openapi.json", headers=dev_auth)
    bare = export.json()
    bare.pop("servers")  # the mock's, which the export adds and a revision does not keep
    assert latest["hash"] == content_hash(bare)
    one = await client.get(f"{API}/apps/{first['id']}/revisions/2", headers=dev_auth)
    assert one.json()["data"] == latest


async def test_an_import_makes_one_revision_and_a_replacing_one_the_next(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth, pets_document("Imported pets"))
    assert await numbers(session, app["id"]) == [1]
    await imported_app(client, dev_auth, pets_document("Imported pets"), app_id=app["id"])

    revisions = await revisions_of(session, app["id"])
    assert [revision.number for revision in revisions] == [1, 2]
    assert revisions[0].summary == "Imported 'Imported pets' (openapi-3.1.0, 3 operations)"
    assert revisions[1].summary.startswith("Replaced the description with 'Imported pets'")
    # the same document again: a revision all the same, with the same hash
    assert revisions[0].hash == revisions[1].hash


async def test_reads_settings_releases_diffs_and_lazy_views_make_none(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth, pets_document())
    app_id = app["id"]
    apis = (await client.get(f"{API}/apis", params={"app_id": app_id}, headers=dev_auth)).json()
    api_id = apis["data"]["apis"][0]["id"]
    settings_only = await client.patch(
        f"{API}/apps/{app_id}", json={"mock_public": True}, headers=dev_auth
    )
    assert settings_only.status_code == 200
    release = await client.post(
        f"{API}/apps/{app_id}/releases", json={"version": "1.0"}, headers=dev_auth
    )
    assert release.status_code == 201, release.text
    for path in (
        f"/apps/{app_id}",
        f"/apps/{app_id}/openapi.json",
        f"/apps/{app_id}/openapi.yaml",
        f"/apps/{app_id}/components",
        f"/apps/{app_id}/revisions",
        f"/apps/{app_id}/revisions/1/openapi.json",
        f"/apps/{app_id}/releases/1.0/openapi.json",
        f"/apps/{app_id}/diff?from=1",
        # the views of the operations, built on their first read (`apis.views_lazy`)
        f"/apis/responses?api_id={api_id}",
        f"/apis/examples?api_id={api_id}",
        "/apis/responses",
    ):
        answer = await client.get(f"{API}{path}", headers=dev_auth)
        assert answer.status_code == 200, (path, answer.text)

    assert await numbers(session, app_id) == [1]


async def test_a_write_of_two_apps_makes_one_revision_each_and_an_app_delete_none(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, admin_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"])
    several = [
        await client.patch(f"{API}/apis/{api['id']}", json={"title": title}, headers=dev_auth)
        for title in ("One", "Two")
    ]
    assert [answer.status_code for answer in several] == [200, 200]
    assert await numbers(session, app["id"]) == [1, 2, 3, 4]
    summaries = [revision.summary for revision in await revisions_of(session, app["id"])]
    assert summaries[1] == f"Added API {api['id']} GET {api['request_url']}"
    assert summaries[3] == f"Updated API {api['id']} GET {api['request_url']} (title)"

    deleted = await client.delete(f"{API}/apps/{app['id']}", headers=admin_auth)
    assert deleted.status_code == 200, deleted.text
    assert await numbers(session, app["id"]) == [1, 2, 3, 4]
    gone = await client.get(f"{API}/apps/{app['id']}/revisions", headers=dev_auth)
    assert gone.status_code == 404


async def test_a_component_written_as_it_was_still_makes_a_revision(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth, pets_document())
    pet = pets_document()["components"]["schemas"]["Pet"]
    url = f"{API}/apps/{app['id']}/components/schemas/Pet"
    answer = await client.put(url, json=pet, headers=dev_auth)
    assert answer.status_code == 200, answer.text

    revisions = await revisions_of(session, app["id"])
    assert [revision.number for revision in revisions] == [1, 2]
    assert revisions[1].hash == revisions[0].hash
    assert revisions[1].summary == "Replaced the component schemas/Pet"
