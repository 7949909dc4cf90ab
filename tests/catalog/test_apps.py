"""Apps: list, create, read, update, delete, with slugs, enums, permissions and audit rows."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.models import App, AppType, AuthType
from apidock.users.models import User
from tests.catalog.helpers import API, log_rows, make_app

Auth = dict[str, str]


async def test_create_makes_a_slug_and_speaks_enum_names(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, developer: User
) -> None:
    response = await client.post(
        f"{API}/apps",
        json={"title": "Crème Brûlée Shop!", "type": "pc", "auth_type": "bearer"},
        headers=dev_auth,
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["slug"] == "creme-brulee-shop"
    assert (data["type"], data["auth_type"], data["version"]) == ("pc", "bearer", "1.0.0")
    stored = await session.scalar(select(App).where(App.id == data["id"]))
    assert stored is not None
    assert (stored.type, stored.auth_type) == (AppType.PC, AuthType.BEARER)
    [row] = await log_rows(session, "app.create", data["id"])
    assert (row.user_id, row.target_type, row.ip) == (developer.id, "app", "127.0.0.1")


async def test_create_refuses_bad_slugs_and_enums(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    for body in (
        {"title": "A", "slug": "Upper"},
        {"title": "A", "slug": "two--hyphens"},
        {"title": "A", "slug": "-edge"},
        {"title": "A", "type": "mainframe"},
        {"title": "A", "auth_type": "digest"},
        {"title": "!!!"},
        {"title": "   "},
        {"title": "A", "unknown": 1},
    ):
        response = await client.post(f"{API}/apps", json=body, headers=dev_auth)
        assert response.status_code == 422, body
        assert response.json()["status"] == "error"


async def test_title_and_slug_are_unique_even_after_delete(
    client: httpx.AsyncClient, dev_auth: Auth, admin_auth: Auth
) -> None:
    app = await make_app(client, dev_auth, title="Billing", slug="billing")
    same_title = await client.post(
        f"{API}/apps", json={"title": "Billing", "slug": "b2"}, headers=dev_auth
    )
    same_slug = await client.post(
        f"{API}/apps", json={"title": "Other", "slug": "billing"}, headers=dev_auth
    )
    assert (same_title.status_code, same_slug.status_code) == (409, 409)
    assert (await client.delete(f"{API}/apps/{app['id']}", headers=admin_auth)).status_code == 200
    again = await client.post(f"{API}/apps", json={"title": "Billing"}, headers=dev_auth)
    assert again.status_code == 409
    assert "deleted" in again.json()["message"]


async def test_list_pages_and_searches(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    for title in ("Zeta search-me", "Alpha search-me", "Unrelated"):
        await make_app(client, dev_auth, title=title)
    response = await client.get(
        f"{API}/apps", params={"q": "SEARCH-ME", "per_page": 1}, headers=reader_auth
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["total"], data["page"], data["per_page"]) == (2, 1, 1)
    assert [app["title"] for app in data["apps"]] == ["Alpha search-me"]
    assert data["prev"] is None
    assert data["next"] is not None


async def test_read_update_and_audit(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    read = await client.get(f"{API}/apps/{app['id']}", headers=reader_auth)
    assert read.status_code == 200
    # MySQL's DATETIME keeps whole seconds, so the timestamps are left out of the comparison
    stamps = {"created_at", "updated_at"}
    assert {k: v for k, v in read.json()["data"].items() if k not in stamps} == {
        k: v for k, v in app.items() if k not in stamps
    }
    response = await client.patch(
        f"{API}/apps/{app['id']}",
        json={"version": "2.0", "auth_type": "oauth2", "description": None},
        headers=dev_auth,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["version"], data["auth_type"], data["title"]) == ("2.0", "oauth2", app["title"])
    assert len(await log_rows(session, "app.update", app["id"])) == 1


async def test_update_refuses_null_and_duplicates(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    first = await make_app(client, dev_auth)
    second = await make_app(client, dev_auth)
    null = await client.patch(f"{API}/apps/{first['id']}", json={"title": None}, headers=dev_auth)
    assert null.status_code == 422
    taken = await client.patch(
        f"{API}/apps/{first['id']}", json={"slug": second["slug"]}, headers=dev_auth
    )
    assert taken.status_code == 409
    own = await client.patch(
        f"{API}/apps/{first['id']}", json={"slug": first["slug"]}, headers=dev_auth
    )
    assert own.status_code == 200


async def test_permissions_and_missing(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    url = f"{API}/apps/{app['id']}"
    unauthenticated = await client.get(f"{API}/apps")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert (
        await client.post(f"{API}/apps", json={"title": "X"}, headers=reader_auth)
    ).status_code == 403
    assert (await client.patch(url, json={"title": "X"}, headers=reader_auth)).status_code == 403
    # writing docs does not include deleting apps
    assert (await client.delete(url, headers=dev_auth)).status_code == 403
    assert (await client.get(f"{API}/apps/999999", headers=reader_auth)).status_code == 404
    # an id is digits (`{app_id:int}`): anything else names no resource
    assert (await client.get(f"{API}/apps/abc", headers=reader_auth)).status_code == 404


async def test_delete_hides_the_app(
    client: httpx.AsyncClient, session: AsyncSession, admin_auth: Auth, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    url = f"{API}/apps/{app['id']}"
    assert (await client.delete(url, headers=admin_auth)).status_code == 200
    assert (await client.get(url, headers=dev_auth)).status_code == 404
    assert (await client.patch(url, json={"version": "3"}, headers=dev_auth)).status_code == 404
    assert (await client.delete(url, headers=admin_auth)).status_code == 404
    listed = await client.get(f"{API}/apps", params={"q": app["slug"]}, headers=dev_auth)
    assert listed.json()["data"]["total"] == 0
    assert len(await log_rows(session, "app.delete", app["id"])) == 1
