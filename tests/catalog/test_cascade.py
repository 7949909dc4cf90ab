"""Deleting an app hides everything it holds and removes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.groups.models import ApiGroup
from tests.catalog.helpers import API, make_api, make_app, make_field, make_group, post

Auth = dict[str, str]


async def test_deleting_an_app_hides_its_catalog(
    client: httpx.AsyncClient, session: AsyncSession, admin_auth: Auth, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    kept = await make_app(client, dev_auth)
    group = await make_group(client, dev_auth, app["id"])
    api = await make_api(client, dev_auth, app["id"], group_id=group["id"])
    field = await make_field(client, dev_auth, api["id"], "id", "integer")
    example = await post(client, "/apis/examples", dev_auth, api_id=api["id"], title="e")
    kept_api = await make_api(client, dev_auth, kept["id"])

    assert (await client.delete(f"{API}/apps/{app['id']}", headers=admin_auth)).status_code == 200

    for path in (
        f"/apis/groups/{group['id']}",
        f"/apis/{api['id']}",
        f"/apis/responses/{field['id']}",
        f"/apis/examples/{example['id']}",
    ):
        assert (await client.get(f"{API}{path}", headers=dev_auth)).status_code == 404, path
    listed = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    assert listed.json()["data"]["total"] == 0
    assert (await client.get(f"{API}/apis/{kept_api['id']}", headers=dev_auth)).status_code == 200
    # nothing to attach new things to
    orphan = await client.post(
        f"{API}/apis/examples", json={"api_id": api["id"], "title": "x"}, headers=dev_auth
    )
    assert orphan.status_code == 422

    for model, row_id in (
        (ApiGroup, group["id"]),
        (Api, api["id"]),
        (ApiResponse, field["id"]),
        (ApiExample, example["id"]),
    ):
        row = await session.scalar(select(model).where(model.id == row_id))
        assert row is not None, model
        assert row.deleted_at is not None, model
