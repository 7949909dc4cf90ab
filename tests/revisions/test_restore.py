"""Restore: a revision's document made the app's description again, as a new revision with
the restored one's hash, after which the app's export is that revision's `openapi.json`, byte
for byte; and what a restore refuses."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.helpers import API, make_api, make_app, make_field, post
from tests.revisions.helpers import Auth, imported_app, numbers, pets_document, revisions_of


async def _restore(
    client: httpx.AsyncClient, auth: Auth, app_id: int, number: int
) -> httpx.Response:
    return await client.post(f"{API}/apps/{app_id}/revisions/{number}/restore", headers=auth)


async def test_restoring_an_imported_revision_gives_its_document_back_byte_for_byte(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth, pets_document())
    app_id = app["id"]
    first_export = (await client.get(f"{API}/apps/{app_id}/openapi.json", headers=dev_auth)).content
    apis = (await client.get(f"{API}/apis", params={"app_id": app_id}, headers=dev_auth)).json()
    owners = next(api for api in apis["data"]["apis"] if api["request_url"] == "/owners")
    await client.patch(f"{API}/apps/{app_id}", json={"description": "Edited"}, headers=dev_auth)
    assert (await client.delete(f"{API}/apis/{owners['id']}", headers=dev_auth)).status_code == 200
    recorded = await client.get(f"{API}/apps/{app_id}/revisions/1/openapi.json", headers=dev_auth)
    assert recorded.content == first_export

    restored = await _restore(client, dev_auth, app_id, 1)

    assert restored.status_code == 201, restored.text
    revision = restored.json()["data"]
    assert (revision["number"], revision["summary"]) == (4, "Restored revision 1")
    assert await numbers(session, app_id) == [1, 2, 3, 4]
    hashes = [row.hash for row in await revisions_of(session, app_id)]
    assert revision["hash"] == hashes[0] != hashes[2]
    export = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=dev_auth)
    assert export.content == recorded.content
    again = await client.get(f"{API}/apps/{app_id}/revisions/4/openapi.json", headers=dev_auth)
    assert again.content == recorded.content


async def test_restoring_a_revision_of_an_app_made_through_the_original_routes(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth, auth_type="bearer", description="Old")
    api = await make_api(client, dev_auth, app["id"], need_auth=True)
    await make_field(client, dev_auth, api["id"], "name", "string")
    await post(client, "/apis/examples", dev_auth, api_id=api["id"], title="One", body='{"a":1}')
    recorded = await client.get(
        f"{API}/apps/{app['id']}/revisions/4/openapi.json", headers=dev_auth
    )
    await make_api(client, dev_auth, app["id"], request_url="/later")
    await client.patch(f"{API}/apps/{app['id']}", json={"description": "New"}, headers=dev_auth)

    restored = await _restore(client, dev_auth, app["id"], 4)

    assert restored.status_code == 201, restored.text
    assert restored.json()["data"]["number"] == 7
    export = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)
    assert export.content == recorded.content
    hashes = [row.hash for row in await revisions_of(session, app["id"])]
    assert hashes[6] == hashes[3]


async def test_a_restore_of_a_revision_the_app_does_not_have_is_404_and_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, admin_auth: Auth
) -> None:
    mine = await make_app(client, dev_auth)
    other = await make_app(client, dev_auth)
    for title in ("a", "b", "c"):
        await client.patch(f"{API}/apps/{other['id']}", json={"title": title}, headers=dev_auth)

    # revision 3 is the other app's only: numbers are per app, and never name another's
    for number in (2, 3, 99, 2**31 - 1):
        refused = await _restore(client, dev_auth, mine["id"], number)
        assert refused.status_code == 404, refused.text
        assert refused.json()["message"] == "Revision not found"
    assert (await _restore(client, dev_auth, mine["id"], 0)).status_code == 422
    assert (await _restore(client, dev_auth, 2**31 - 1, 1)).status_code == 404
    assert await numbers(session, mine["id"]) == [1]
    assert await numbers(session, other["id"]) == [1, 2, 3, 4]
    await client.delete(f"{API}/apps/{other['id']}", headers=admin_auth)
    assert (await _restore(client, dev_auth, other["id"], 1)).status_code == 404


async def test_a_reader_may_read_the_history_but_not_restore(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    assert (
        await client.get(f"{API}/apps/{app['id']}/revisions", headers=reader_auth)
    ).status_code == 200
    refused = await _restore(client, reader_auth, app["id"], 1)
    assert refused.status_code == 403
    assert (await _restore(client, {}, app["id"], 1)).status_code == 401
    assert (await client.get(f"{API}/apps/{app['id']}/revisions")).status_code == 401
    assert await numbers(session, app["id"]) == [1]
