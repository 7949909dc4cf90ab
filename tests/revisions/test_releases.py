"""Releases: a version named on the current revision, unique per app; its document; the
app's `version` in its read; and who may make one."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.models import App
from apidock.revisions.recording import FIRST_SUMMARY
from apidock.users.models import User
from tests.catalog.helpers import API, make_app
from tests.revisions.helpers import Auth, imported_app, numbers, pets_document, revisions_of


async def _release(
    client: httpx.AsyncClient, auth: Auth, app_id: int, version: str, notes: str | None = None
) -> httpx.Response:
    body = {"version": version} if notes is None else {"version": version, "notes": notes}
    return await client.post(f"{API}/apps/{app_id}/releases", json=body, headers=auth)


async def test_a_release_names_the_current_revision_once(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, developer: User
) -> None:
    app = await imported_app(client, dev_auth, pets_document())
    await client.patch(f"{API}/apps/{app['id']}", json={"description": "Two"}, headers=dev_auth)

    made = await _release(client, dev_auth, app["id"], "2.0.0", "The first public one")

    assert made.status_code == 201, made.text
    release = made.json()["data"]
    assert release["version"] == "2.0.0"
    assert release["notes"] == "The first public one"
    assert release["revision"] == 2
    assert (release["author"], release["author_id"]) == (developer.name, developer.id)
    assert release["created_at"].endswith(("Z", "+00:00"))
    again = await _release(client, dev_auth, app["id"], "2.0.0")
    assert again.status_code == 409, again.text
    assert again.json()["status"] == "error"
    # versions are compared byte for byte, and are the app's own
    assert (await _release(client, dev_auth, app["id"], "2.0.0-RC")).status_code == 201
    other = await make_app(client, dev_auth)
    assert (await _release(client, dev_auth, other["id"], "2.0.0")).status_code == 201
    assert await numbers(session, app["id"]) == [1, 2]

    listed = await client.get(f"{API}/apps/{app['id']}/releases", headers=dev_auth)
    assert [item["version"] for item in listed.json()["data"]["releases"]] == ["2.0.0", "2.0.0-RC"]
    one = await client.get(f"{API}/apps/{app['id']}/releases/2.0.0", headers=dev_auth)
    assert one.json()["data"] == release
    document = await client.get(
        f"{API}/apps/{app['id']}/releases/2.0.0/openapi.json", headers=dev_auth
    )
    revision = await client.get(
        f"{API}/apps/{app['id']}/revisions/2/openapi.json", headers=dev_auth
    )
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/json"
    assert document.content == revision.content


async def test_the_apps_version_is_its_latest_releases(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth, version="0.9")
    assert app["version"] == "0.9"
    await _release(client, dev_auth, app["id"], "1.0")
    await _release(client, dev_auth, app["id"], "1.1-beta")

    read = await client.get(f"{API}/apps/{app['id']}", headers=dev_auth)
    assert read.json()["data"]["version"] == "1.1-beta"
    listed = await client.get(f"{API}/apps", params={"q": app["title"]}, headers=dev_auth)
    assert listed.json()["data"]["apps"][0]["version"] == "1.1-beta"
    changed = await client.patch(
        f"{API}/apps/{app['id']}", json={"title": "Renamed"}, headers=dev_auth
    )
    assert changed.json()["data"]["version"] == "1.1-beta"
    # the description's own version is still what its export says
    export = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)
    assert export.json()["info"]["version"] == "0.9"


async def test_unknown_releases_are_404_and_bad_versions_422(
    client: httpx.AsyncClient, dev_auth: Auth, admin_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    for path in (
        "releases/9.9",
        "releases/9.9/openapi.json",
        "revisions/2",
        "revisions/2/openapi.json",
    ):
        answer = await client.get(f"{API}/apps/{app['id']}/{path}", headers=dev_auth)
        assert answer.status_code == 404, (path, answer.text)
    for version in ("12", "", "a/b", "a b", "-x", "v" * 101, "é"):
        assert (await _release(client, dev_auth, app["id"], version)).status_code == 422, version
    assert (await _release(client, dev_auth, 2**31 - 1, "1.0")).status_code == 404
    await _release(client, dev_auth, app["id"], "1.0")
    await client.delete(f"{API}/apps/{app['id']}", headers=admin_auth)
    for path in ("releases", "releases/1.0", "revisions", "revisions/1"):
        answer = await client.get(f"{API}/apps/{app['id']}/{path}", headers=dev_auth)
        assert answer.status_code == 404, path


async def test_a_reader_reads_releases_but_makes_none(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    assert (await _release(client, reader_auth, app["id"], "1.0")).status_code == 403
    assert (await _release(client, {}, app["id"], "1.0")).status_code == 401
    await _release(client, dev_auth, app["id"], "1.0")
    answer = await client.get(f"{API}/apps/{app['id']}/releases/1.0", headers=reader_auth)
    assert answer.status_code == 200


async def test_an_app_from_before_revisions_gets_its_first_with_its_first_release(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    # written around the application (as the migration leaves an older app): no revision
    old = App(title="From before", slug="from-before", version="3.0")
    session.add(old)
    await session.commit()
    assert await numbers(session, old.id) == []

    made = await _release(client, dev_auth, old.id, "3.0")

    assert made.status_code == 201, made.text
    assert made.json()["data"]["revision"] == 1
    (first,) = await revisions_of(session, old.id)
    assert first.summary == FIRST_SUMMARY
    document = await client.get(f"{API}/apps/{old.id}/releases/3.0/openapi.json", headers=dev_auth)
    assert document.json()["info"] == {"title": "From before", "version": "3.0"}
    changed = await client.patch(
        f"{API}/apps/{old.id}", json={"description": "Now"}, headers=dev_auth
    )
    assert changed.status_code == 200
    assert await numbers(session, old.id) == [1, 2]
