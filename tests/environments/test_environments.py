"""`/apps/{id}/environments` and `/environments/{id}`: made, listed, read, changed and deleted,
names unique per app, bodies checked, `allow_hosts` left to administrators, every change
audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.environments.models import Environment
from apidock.logs.models import Log
from tests.catalog.helpers import API, make_app

Auth = dict[str, str]


async def create(client: httpx.AsyncClient, auth: Auth, app_id: int, **body: Any) -> httpx.Response:
    values = {"name": "staging", "base_url": "https://staging.example.com/v1"} | body
    return await client.post(f"{API}/apps/{app_id}/environments", json=values, headers=auth)


async def made(client: httpx.AsyncClient, auth: Auth, app_id: int, **body: Any) -> Any:
    response = await create(client, auth, app_id, **body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def one(environment_id: int) -> str:
    return f"{API}/environments/{environment_id}"


async def test_an_environment_is_made_read_listed_changed_and_deleted(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    response = await create(
        client,
        dev_auth,
        app["id"],
        variables={"user": "alice", "api.version": "2"},
        secrets={"token": "t0ps3cret", "password": "pw"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Environment created."
    created = response.json()["data"]
    assert created == created | {
        "app_id": app["id"],
        "name": "staging",
        "base_url": "https://staging.example.com/v1",
        "variables": {"user": "alice", "api.version": "2"},
        "secrets": ["password", "token"],
        "allow_hosts": [],
    }
    assert created["created_at"] is not None

    read = await client.get(one(created["id"]), headers=dev_auth)
    assert read.status_code == 200
    assert read.json()["data"] == created

    other = await made(client, dev_auth, app["id"], name="production")
    listed = await client.get(f"{API}/apps/{app['id']}/environments", headers=dev_auth)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["data"]["environments"]] == [
        other["id"],
        created["id"],
    ]

    patched = await client.patch(
        one(created["id"]), json={"name": "qa", "variables": {}}, headers=dev_auth
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"] == created | {
        "name": "qa",
        "variables": {},
        "updated_at": patched.json()["data"]["updated_at"],
    }

    deleted = await client.delete(one(created["id"]), headers=dev_auth)
    assert deleted.status_code == 200
    assert deleted.json()["message"] == "Environment deleted."
    for method in ("GET", "PATCH", "DELETE"):
        gone = await client.request(method, one(created["id"]), json={}, headers=dev_auth)
        assert gone.status_code == 404, method
        assert gone.json()["message"] == "Environment not found"
    listed = await client.get(f"{API}/apps/{app['id']}/environments", headers=dev_auth)
    assert [item["id"] for item in listed.json()["data"]["environments"]] == [other["id"]]


async def test_names_are_unique_per_live_app(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    first = await made(client, dev_auth, app["id"])
    again = await create(client, dev_auth, app["id"])
    assert again.status_code == 409
    assert "staging" in again.json()["message"]
    # another case is another name, on every database
    assert (await create(client, dev_auth, app["id"], name="Staging")).status_code == 201
    # another app may use it
    other_app = await make_app(client, dev_auth)
    assert (await create(client, dev_auth, other_app["id"])).status_code == 201
    # a rename onto it is refused too, a rename onto itself is none
    second = await made(client, dev_auth, app["id"], name="qa")
    renamed = await client.patch(one(second["id"]), json={"name": "staging"}, headers=dev_auth)
    assert renamed.status_code == 409
    same = await client.patch(one(first["id"]), json={"name": "staging"}, headers=dev_auth)
    assert same.status_code == 200
    # a deleted environment's name is free again
    assert (await client.delete(one(first["id"]), headers=dev_auth)).status_code == 200
    assert (await create(client, dev_auth, app["id"])).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"base_url": "ftp://files.example.com"}, "body.base_url"),
        ({"variables": {"1st": "x"}}, "body.variables.1st.[key]"),
        ({"secrets": {"s": ""}}, "body.secrets.s"),
        ({"allow_hosts": ["127.0.0.1"]}, "body.allow_hosts.0"),
        ({"owner": "me"}, "body.owner"),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, admin_auth: Auth, body: dict[str, Any], field: str
) -> None:
    """Each kind of refusal through HTTP; `test_environment_bodies` has them all."""
    app = await make_app(client, admin_auth)
    response = await create(client, admin_auth, app["id"], **body)
    assert response.status_code == 422, response.text
    assert field in [item["field"] for item in response.json()["data"]], response.text
    patched = await made(client, admin_auth, app["id"])
    response = await client.patch(one(patched["id"]), json=body, headers=admin_auth)
    assert response.status_code == 422, response.text
    assert field in [item["field"] for item in response.json()["data"]], response.text


async def test_a_name_is_a_variable_or_a_secret_not_both(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    both = await create(client, dev_auth, app["id"], variables={"k": "1"}, secrets={"k": "2"})
    assert both.status_code == 422
    assert both.json()["data"][0]["field"] == "body.secrets"
    environment = await made(client, dev_auth, app["id"], secrets={"k": "2"})
    clash = await client.patch(
        one(environment["id"]), json={"variables": {"k": "1"}}, headers=dev_auth
    )
    assert clash.status_code == 422
    assert clash.json()["data"][0]["field"] == "body.variables"
    # replacing the secrets at once frees the name
    swapped = await client.patch(
        one(environment["id"]), json={"variables": {"k": "1"}, "secrets": None}, headers=dev_auth
    )
    assert swapped.status_code == 200, swapped.text


async def test_allow_hosts_are_kept_normalised(client: httpx.AsyncClient, admin_auth: Auth) -> None:
    app = await make_app(client, admin_auth)
    environment = await made(
        client,
        admin_auth,
        app["id"],
        base_url="http://127.0.0.1:8080",
        allow_hosts=["127.0.0.1:8080", "LocalHost:08081", "[::1]:8080", "[0:0::1]:9"],
    )
    assert environment["allow_hosts"] == [
        "127.0.0.1:8080",
        "localhost:8081",
        "[::1]:8080",
        "[::1]:9",
    ]


async def test_only_an_administrator_sets_allow_hosts(
    client: httpx.AsyncClient, dev_auth: Auth, admin_auth: Auth, session: AsyncSession
) -> None:
    app = await make_app(client, dev_auth)
    refused = await create(client, dev_auth, app["id"], allow_hosts=["127.0.0.1:8080"])
    assert refused.status_code == 403
    assert refused.json()["message"] == "Requires permission: admin"
    assert await session.scalar(select(Environment.id)) is None
    # an empty list on a new environment changes nothing
    environment = await made(client, dev_auth, app["id"], allow_hosts=[])
    url = one(environment["id"])
    patched = await client.patch(url, json={"allow_hosts": ["127.0.0.1:8080"]}, headers=dev_auth)
    assert patched.status_code == 403
    assert patched.json()["message"] == "Requires permission: admin"

    allowed = await client.patch(url, json={"allow_hosts": ["127.0.0.1:8080"]}, headers=admin_auth)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["data"]["allow_hosts"] == ["127.0.0.1:8080"]
    # a writer changes the rest, and may send the list back as it is
    kept = await client.patch(
        url,
        json={"base_url": "http://127.0.0.1:8080", "allow_hosts": ["127.0.0.1:8080"]},
        headers=dev_auth,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["data"]["allow_hosts"] == ["127.0.0.1:8080"]
    for change in ([], ["127.0.0.1:8080", "127.0.0.1:8081"]):
        refused = await client.patch(url, json={"allow_hosts": change}, headers=dev_auth)
        assert refused.status_code == 403, change
    read = await client.get(url, headers=dev_auth)
    assert read.json()["data"]["allow_hosts"] == ["127.0.0.1:8080"]


async def test_readers_read_writers_write(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    environment = await made(client, dev_auth, app["id"])
    listing = f"{API}/apps/{app['id']}/environments"
    assert (await client.get(listing, headers=reader_auth)).status_code == 200
    assert (await client.get(one(environment["id"]), headers=reader_auth)).status_code == 200
    for refused in (
        await create(client, reader_auth, app["id"], name="other"),
        await client.patch(one(environment["id"]), json={"name": "x"}, headers=reader_auth),
        await client.delete(one(environment["id"]), headers=reader_auth),
    ):
        assert refused.status_code == 403
        assert refused.json()["message"] == "Requires permission: read_docs, write_docs"
    for anonymous in (
        await client.get(listing),
        await client.get(one(environment["id"])),
        await create(client, {}, app["id"]),
    ):
        assert anonymous.status_code == 401


async def test_an_unknown_or_deleted_app_has_no_environments(
    client: httpx.AsyncClient, admin_auth: Auth
) -> None:
    app = await make_app(client, admin_auth)
    environment = await made(client, admin_auth, app["id"])
    assert (await create(client, admin_auth, 999_999)).status_code == 404
    unknown = await client.get(f"{API}/apps/999999/environments", headers=admin_auth)
    assert unknown.status_code == 404
    assert (await client.get(one(999_999), headers=admin_auth)).status_code == 404

    assert (await client.delete(f"{API}/apps/{app['id']}", headers=admin_auth)).status_code == 200
    listing = f"{API}/apps/{app['id']}/environments"
    assert (await client.get(listing, headers=admin_auth)).status_code == 404
    assert (await create(client, admin_auth, app["id"], name="new")).status_code == 404
    for method in ("GET", "PATCH", "DELETE"):
        gone = await client.request(method, one(environment["id"]), json={}, headers=admin_auth)
        assert gone.status_code == 404, method


async def test_every_change_is_audited_with_names_only(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app = await make_app(client, dev_auth)
    environment = await made(client, dev_auth, app["id"], secrets={"b": "1", "a": "2"})
    url = one(environment["id"])
    await client.patch(
        url, json={"name": "renamed", "base_url": environment["base_url"]}, headers=dev_auth
    )
    await client.patch(url, json={"secrets": {"c": "3"}}, headers=dev_auth)
    await client.delete(url, headers=dev_auth)
    rows = (
        await session.scalars(select(Log).where(Log.target_type == "environment").order_by(Log.id))
    ).all()
    assert [(row.action, row.target_id, row.detail) for row in rows] == [
        (
            "environment.create",
            environment["id"],
            {"app_id": app["id"], "name": "staging", "secrets": ["a", "b"]},
        ),
        ("environment.update", environment["id"], {"changed": ["name"]}),
        ("environment.update", environment["id"], {"changed": ["secrets"], "secrets": ["c"]}),
        ("environment.delete", environment["id"], None),
    ]
    assert all(row.user_id is not None for row in rows)


async def test_an_app_holds_a_bounded_number_of_environments(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app = await make_app(client, dev_auth)
    session.add_all(
        Environment(app_id=app["id"], name=f"env{i}", base_url="https://x.example")
        for i in range(100)
    )
    await session.commit()
    full = await create(client, dev_auth, app["id"], name="one more")
    assert full.status_code == 409
    assert "at most 100" in full.json()["message"]
