"""The soft-delete cascade is what each domain declares (`apidock.catalog.cascade.follows`):
deleting an app marks what follows it, at one time, under one audit row."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apps.models import App
from apidock.catalog import cascade
from apidock.groups.models import ApiGroup
from apidock.logs.models import Log
from tests.catalog.helpers import API, make_api, make_app, make_field, make_group, post

Auth = dict[str, str]


async def _catalog(client: httpx.AsyncClient, auth: Auth) -> dict[type, int]:
    """An app with a group, an API in it, an ungrouped API, a field and an example."""
    app = await make_app(client, auth)
    group = await make_group(client, auth, app["id"])
    api = await make_api(client, auth, app["id"], group_id=group["id"])
    await make_api(client, auth, app["id"])
    field = await make_field(client, auth, api["id"], "id", "integer")
    example = await post(client, "/apis/examples", auth, api_id=api["id"], title="e")
    return {
        App: app["id"],
        ApiGroup: group["id"],
        Api: api["id"],
        ApiResponse: field["id"],
        ApiExample: example["id"],
    }


async def _deleted_at(session: AsyncSession, model: type, row_id: int) -> object:
    return await session.scalar(select(model.deleted_at).where(model.id == row_id))


async def test_deleting_an_app_marks_what_follows_it_at_one_time_under_one_audit_row(
    client: httpx.AsyncClient, session: AsyncSession, admin_auth: Auth, dev_auth: Auth
) -> None:
    ids = await _catalog(client, dev_auth)
    headers = admin_auth | {"X-Request-ID": "cascade-probe-1"}
    answer = await client.delete(f"{API}/apps/{ids[App]}", headers=headers)
    assert answer.status_code == 200, answer.text

    times = {model: await _deleted_at(session, model, row_id) for model, row_id in ids.items()}
    assert None not in times.values(), times
    assert len(set(times.values())) == 1, times
    ungrouped = await session.scalars(
        select(Api.deleted_at).where(Api.app_id == ids[App], Api.group_id.is_(None))
    )
    assert set(ungrouped) == {times[App]}
    logs = (await session.scalars(select(Log).where(Log.request_id == "cascade-probe-1"))).all()
    assert [(log.action, log.target_type, log.target_id) for log in logs] == [
        ("app.delete", "app", ids[App])
    ]


async def test_a_row_no_declaration_names_is_left_live(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin_auth: Auth,
    dev_auth: Auth,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = await _catalog(client, dev_auth)
    # as if the apis domain had not declared that examples follow their API
    followers = [f for f in cascade._FOLLOWERS[Api] if f.model is not ApiExample]
    monkeypatch.setitem(cascade._FOLLOWERS, Api, followers)

    answer = await client.delete(f"{API}/apps/{ids[App]}", headers=admin_auth)
    assert answer.status_code == 200, answer.text

    assert await _deleted_at(session, ApiResponse, ids[ApiResponse]) is not None
    assert await _deleted_at(session, ApiExample, ids[ApiExample]) is None


async def test_deleting_a_group_with_cascade_marks_its_subgroups_and_their_apis(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    ids = await _catalog(client, dev_auth)
    child = await make_group(client, dev_auth, ids[App], pid=ids[ApiGroup])
    nested = await make_api(client, dev_auth, ids[App], group_id=child["id"])
    held = await client.delete(f"{API}/apis/groups/{ids[ApiGroup]}", headers=dev_auth)
    assert held.status_code == 409, held.text

    answer = await client.delete(
        f"{API}/apis/groups/{ids[ApiGroup]}", params={"cascade": "true"}, headers=dev_auth
    )
    assert answer.status_code == 200, answer.text

    marked = [
        await _deleted_at(session, model, row_id)
        for model, row_id in (
            (ApiGroup, ids[ApiGroup]),
            (ApiGroup, child["id"]),
            (Api, ids[Api]),
            (Api, nested["id"]),
            (ApiResponse, ids[ApiResponse]),
            (ApiExample, ids[ApiExample]),
        )
    ]
    assert None not in marked, marked
    assert len(set(marked)) == 1, marked
    assert await _deleted_at(session, App, ids[App]) is None
    ungrouped = await session.scalars(
        select(Api.deleted_at).where(Api.app_id == ids[App], Api.group_id.is_(None))
    )
    assert list(ungrouped) == [None]
