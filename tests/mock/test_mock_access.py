"""Who the mock answers: a key of the app's own, or anyone when its mock is public; every
other request gets the very same 404 as an unknown slug."""

from __future__ import annotations

import httpx

from tests.catalog.helpers import API
from tests.mock.helpers import Auth, import_app, keyed, make_key, shape_of_404


async def test_a_private_mock_refuses_every_request_without_a_live_key_of_its_own_alike(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await import_app(client, dev_auth)
    other = await import_app(client, dev_auth, slug="other-shop")
    own = await make_key(client, dev_auth, app["id"])
    others = await make_key(client, dev_auth, other["id"])
    revoked = await make_key(client, dev_auth, app["id"])
    await client.delete(f"{API}/apps/{app['id']}/mock-keys/{revoked['id']}", headers=dev_auth)
    mock = f"/mock/{app['slug']}/items"
    unknown = shape_of_404(await client.get("/mock/no-such-shop/items", headers=keyed(own["key"])))
    assert unknown[0] == 404
    assert unknown[1] == "application/problem+json"
    for headers in (
        {},
        keyed(""),
        keyed("mk_wrong"),
        keyed(own["key"] + "x"),
        keyed(others["key"]),
        keyed(revoked["key"]),
        keyed("k" * 10_000),
        {"Authorization": f"Bearer {own['key']}"},
    ):
        refused = await client.get(mock, headers=headers)
        assert shape_of_404(refused) == unknown, headers
    assert (await client.get(mock, headers=keyed(own["key"]))).status_code == 200


async def test_a_public_mock_answers_anyone_and_a_private_one_again_needs_a_key(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await import_app(client, dev_auth)
    assert app["mock_public"] is False
    assert app["mock_strict"] is False
    mock = f"/mock/{app['slug']}/items"
    assert (await client.get(mock)).status_code == 404
    changed = await client.patch(
        f"{API}/apps/{app['id']}", json={"mock_public": True}, headers=dev_auth
    )
    assert changed.status_code == 200
    assert changed.json()["data"]["mock_public"] is True
    assert (await client.get(mock)).status_code == 200
    await client.patch(f"{API}/apps/{app['id']}", json={"mock_public": False}, headers=dev_auth)
    assert (await client.get(mock)).status_code == 404


async def test_a_deleted_app_has_no_mock(client: httpx.AsyncClient, admin_auth: Auth) -> None:
    app = await import_app(client, admin_auth)
    key = await make_key(client, admin_auth, app["id"])
    mock = f"/mock/{app['slug']}/items"
    assert (await client.get(mock, headers=keyed(key["key"]))).status_code == 200
    assert (await client.delete(f"{API}/apps/{app['id']}", headers=admin_auth)).status_code == 200
    refused = await client.get(mock, headers=keyed(key["key"]))
    assert shape_of_404(refused) == shape_of_404(await client.get("/mock/nothing/items"))


async def test_paths_that_name_no_app_are_the_same_404(client: httpx.AsyncClient) -> None:
    expected = shape_of_404(await client.get("/mock/no-such-shop/items"))
    for path in (
        "/mock",
        "/mock/",
        "/mock/UPPER/x",
        "/mock/a..b/x",
        "/mock/%2e%2e/x",
        "/mock/" + "a" * 81,
    ):
        assert shape_of_404(await client.get(path)) == expected, path


async def test_the_flags_are_refused_unless_booleans(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await import_app(client, dev_auth)
    for body in ({"mock_public": "yes"}, {"mock_strict": 1}, {"mock_public": None}):
        response = await client.patch(f"{API}/apps/{app['id']}", json=body, headers=dev_auth)
        assert response.status_code == 422, body
