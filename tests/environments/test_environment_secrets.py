"""An environment's secrets are written, never read back: a canary value is in no response, no
audit row, no log line, and not in the stored row, which holds it sealed for the runner."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.environments.models import Environment
from apidock.environments.secrets import decrypt_secrets, settings_key
from apidock.logs.models import Log
from tests.catalog.helpers import API, make_app

Auth = dict[str, str]
CANARY = "canary-7f3b9c2e-secret-value"


async def _stored(session: AsyncSession, environment_id: int) -> Environment:
    session.expire_all()
    row = await session.scalar(select(Environment).where(Environment.id == environment_id))
    assert row is not None
    return row


async def _raw_rows(session: AsyncSession) -> str:
    """Every column of every environment row, as the database holds them."""
    rows = (await session.execute(text("SELECT * FROM environments"))).all()
    return repr([tuple(row) for row in rows])


async def test_a_canary_secret_is_in_no_response_audit_row_log_line_or_stored_column(
    client: httpx.AsyncClient,
    app: FastAPI,
    dev_auth: Auth,
    session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    catalog = await make_app(client, dev_auth)
    environments = f"{API}/apps/{catalog['id']}/environments"
    body = {
        "name": "staging",
        "base_url": "https://staging.example.com",
        "secrets": {"api_token": CANARY, "other": CANARY + "-2"},
    }
    answers: list[httpx.Response] = [await client.post(environments, json=body, headers=dev_auth)]
    assert answers[0].status_code == 201, answers[0].text
    environment_id = answers[0].json()["data"]["id"]
    url = f"{API}/environments/{environment_id}"
    answers += [
        await client.get(url, headers=dev_auth),
        await client.get(environments, headers=dev_auth),
        await client.patch(url, json={"name": "renamed"}, headers=dev_auth),
        await client.patch(url, json={"secrets": {"api_token": CANARY}}, headers=dev_auth),
        # refused writes quote no value either
        await client.patch(url, json={"secrets": {"api_token": CANARY + "\x00"}}, headers=dev_auth),
        await client.patch(url, json={"secrets": {"x": CANARY * 400}}, headers=dev_auth),
        await client.patch(url, json={"secrets": {"bad name": CANARY}}, headers=dev_auth),
        await client.patch(
            url, json={"secrets": {"api_token": CANARY}, "allow_hosts": ["a:1"]}, headers=dev_auth
        ),
        await client.post(environments, json=body | {"name": "renamed"}, headers=dev_auth),
    ]
    assert [answer.status_code for answer in answers] == [
        201, 200, 200, 200, 200, 422, 422, 422, 403, 409,
    ]  # fmt: skip
    for answer in answers:
        assert CANARY not in answer.text, answer.text
        assert CANARY not in str(answer.headers)
    assert answers[1].json()["data"]["secrets"] == ["api_token", "other"]
    assert answers[4].json()["data"]["secrets"] == ["api_token"]

    audit = (await session.scalars(select(Log))).all()
    assert {row.action for row in audit} >= {"environment.create", "environment.update"}
    assert CANARY not in repr([(row.action, row.detail) for row in audit])

    assert CANARY not in await _raw_rows(session)
    stored = await _stored(session, environment_id)
    assert stored.secrets_token is not None
    assert CANARY not in repr(stored)
    # the runner's way in: the key of this server's SECRET_KEY, for this app only
    key = settings_key(app.state.settings)
    assert decrypt_secrets(stored.secrets_token, key=key, app_id=catalog["id"]) == {
        "api_token": CANARY
    }
    assert CANARY not in caplog.text


async def _environment(client: httpx.AsyncClient, auth: Auth, **body: Any) -> tuple[int, int]:
    catalog = await make_app(client, auth)
    values = {"name": "staging", "base_url": "https://staging.example.com"} | body
    response = await client.post(
        f"{API}/apps/{catalog['id']}/environments", json=values, headers=auth
    )
    assert response.status_code == 201, response.text
    return catalog["id"], response.json()["data"]["id"]


async def test_a_patch_without_secrets_keeps_them(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    _, environment_id = await _environment(client, dev_auth, secrets={"token": "t"})
    before = (await _stored(session, environment_id)).secrets_token
    url = f"{API}/environments/{environment_id}"
    for change in ({}, {"name": "qa"}, {"variables": {"user": "bob"}}):
        patched = await client.patch(url, json=change, headers=dev_auth)
        assert patched.status_code == 200, patched.text
        assert patched.json()["data"]["secrets"] == ["token"]
    assert (await _stored(session, environment_id)).secrets_token == before


async def test_secrets_given_replace_them_all_and_null_removes_them(
    client: httpx.AsyncClient, app: FastAPI, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, environment_id = await _environment(
        client, dev_auth, secrets={"token": "t", "password": "p"}
    )
    url = f"{API}/environments/{environment_id}"
    key = settings_key(app.state.settings)
    before = (await _stored(session, environment_id)).secrets_token

    replaced = await client.patch(url, json={"secrets": {"key": "k"}}, headers=dev_auth)
    assert replaced.json()["data"]["secrets"] == ["key"]
    replacement = (await _stored(session, environment_id)).secrets_token
    assert replacement != before
    assert decrypt_secrets(replacement, key=key, app_id=app_id) == {"key": "k"}

    # the same values again are sealed anew (another nonce)
    again = await client.patch(url, json={"secrets": {"key": "k"}}, headers=dev_auth)
    assert again.status_code == 200
    assert (await _stored(session, environment_id)).secrets_token != replacement

    for cleared in (None, {}):
        await client.patch(url, json={"secrets": {"key": "k"}}, headers=dev_auth)
        emptied = await client.patch(url, json={"secrets": cleared}, headers=dev_auth)
        assert emptied.status_code == 200, emptied.text
        assert emptied.json()["data"]["secrets"] == []
        row = await _stored(session, environment_id)
        assert (row.secrets_token, row.secret_names) == (None, [])
        assert decrypt_secrets(row.secrets_token, key=key, app_id=app_id) == {}


async def test_fields_that_are_never_null_refuse_null(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    _, environment_id = await _environment(client, dev_auth)
    url = f"{API}/environments/{environment_id}"
    for name in ("name", "base_url", "variables", "allow_hosts"):
        refused = await client.patch(url, json={name: None}, headers=dev_auth)
        assert refused.status_code == 422, (name, refused.text)


async def test_secrets_past_64_kib_are_stored_on_every_database(
    client: httpx.AsyncClient, app: FastAPI, dev_auth: Auth, session: AsyncSession
) -> None:
    """MySQL's TEXT holds 64 KiB: the token is a MEDIUMTEXT there."""
    many = {f"s{i}": "é" * 9_000 for i in range(10)}  # 180,000 bytes of UTF-8
    app_id, environment_id = await _environment(client, dev_auth, secrets=many)
    token = (await _stored(session, environment_id)).secrets_token
    assert token is not None
    assert len(token) > 240_000
    assert decrypt_secrets(token, key=settings_key(app.state.settings), app_id=app_id) == many
