"""`/apps/{id}/mock-keys`: a key shown once, stored hashed, listed without it, revoked at once."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.logs.models import Log
from apidock.mock.keys import key_hash
from apidock.mock.models import MockKey
from tests.catalog.helpers import API
from tests.mock.helpers import Auth, import_app, keyed, make_key, shape_of_404


async def test_a_key_is_shown_once_stored_hashed_and_listed_without_it(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app = await import_app(client, dev_auth)
    created = await make_key(client, dev_auth, app["id"], "web team")
    secret = created["key"]
    assert secret.startswith("mk_")
    assert len(secret) >= 40
    assert (created["name"], created["prefix"], created["revoked_at"]) == (
        "web team",
        secret[:8],
        None,
    )
    row = await session.scalar(select(MockKey).where(MockKey.id == created["id"]))
    assert row is not None
    assert row.key_hash == key_hash(secret)
    assert secret not in (row.key_hash, row.prefix)
    listed = await client.get(f"{API}/apps/{app['id']}/mock-keys", headers=dev_auth)
    assert listed.status_code == 200
    assert secret not in listed.text
    keys = listed.json()["data"]["keys"]
    assert [(key["id"], key["name"], key["prefix"]) for key in keys] == [
        (created["id"], "web team", secret[:8])
    ]
    audit = await session.scalars(select(Log.action).where(Log.target_id == created["id"]))
    assert "mock_key.create" in list(audit)


async def test_two_keys_differ(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await import_app(client, dev_auth)
    one = await make_key(client, dev_auth, app["id"])
    two = await make_key(client, dev_auth, app["id"])
    assert one["key"] != two["key"]
    assert one["id"] != two["id"]


async def test_who_lacks_write_docs_may_neither_make_nor_list_nor_revoke(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await import_app(client, dev_auth)
    key = await make_key(client, dev_auth, app["id"])
    url = f"{API}/apps/{app['id']}/mock-keys"
    assert (await client.post(url, json={"name": "x"}, headers=reader_auth)).status_code == 403
    assert (await client.get(url, headers=reader_auth)).status_code == 403
    assert (await client.delete(f"{url}/{key['id']}", headers=reader_auth)).status_code == 403
    assert (await client.post(url, json={"name": "x"})).status_code == 401


async def test_a_key_needs_a_name(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await import_app(client, dev_auth)
    url = f"{API}/apps/{app['id']}/mock-keys"
    for body in ({}, {"name": ""}, {"name": "x" * 81}, {"name": 7}):
        assert (await client.post(url, json=body, headers=dev_auth)).status_code == 422, body
    assert (
        await client.post(f"{API}/apps/999999/mock-keys", json={"name": "x"}, headers=dev_auth)
    ).status_code == 404


async def test_a_revoked_key_is_refused_at_its_next_request(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app = await import_app(client, dev_auth)
    key = await make_key(client, dev_auth, app["id"])
    mock = f"/mock/{app['slug']}/items"
    assert (await client.get(mock, headers=keyed(key["key"]))).status_code == 200
    url = f"{API}/apps/{app['id']}/mock-keys/{key['id']}"
    revoked = await client.delete(url, headers=dev_auth)
    assert revoked.status_code == 200, revoked.text
    refused = await client.get(mock, headers=keyed(key["key"]))
    unknown = await client.get("/mock/no-such-app/items")
    assert shape_of_404(refused) == shape_of_404(unknown)
    assert (await client.delete(url, headers=dev_auth)).status_code == 404
    listed = (await client.get(f"{API}/apps/{app['id']}/mock-keys", headers=dev_auth)).json()
    assert listed["data"]["keys"][0]["revoked_at"] is not None
    audit = await session.scalars(select(Log.action).where(Log.target_id == key["id"]))
    assert "mock_key.revoke" in list(audit)


async def test_another_apps_key_id_is_not_revoked_through_this_app(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    one = await import_app(client, dev_auth)
    two = await import_app(client, dev_auth, slug="shop-two")
    key = await make_key(client, dev_auth, two["id"])
    url = f"{API}/apps/{one['id']}/mock-keys/{key['id']}"
    assert (await client.delete(url, headers=dev_auth)).status_code == 404
    answered = await client.get(f"/mock/{two['slug']}/items", headers=keyed(key["key"]))
    assert answered.status_code == 200
