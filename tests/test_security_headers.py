"""Security headers and CORS hold on every kind of answer: tokens, errors and refusals made
before the application runs (413)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from tests.factories import DEFAULT_PASSWORD, bearer, create_user

ORIGIN = {"Origin": "https://app.example"}


def assert_guarded(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", response.request.url
    assert response.headers["cache-control"] == "no-store", response.request.url
    assert response.headers["access-control-allow-origin"] == "*", response.request.url


async def test_token_answers_are_never_cached(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, settings)
    login = await client.post(
        "/api/v1/login", json={"name": user.name, "password": DEFAULT_PASSWORD}, headers=ORIGIN
    )
    assert login.status_code == 200, login.text
    assert_guarded(login)
    refresh_token = login.json()["data"]["refresh_token"]
    refreshed = await client.post(
        "/api/v1/token/refresh", headers=ORIGIN | {"Authorization": f"Bearer {refresh_token}"}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert_guarded(refreshed)
    form = await client.post(
        "/api/v1/token",
        data={"username": user.name, "password": DEFAULT_PASSWORD},
        headers=ORIGIN,
    )
    assert form.status_code == 200, form.text
    assert_guarded(form)


async def test_error_answers_carry_the_same_headers(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    auth = bearer(app, await create_user(session, settings))
    too_big = "x" * (settings.max_body_size + 1)
    for method, path, kwargs, status in (
        ("GET", "/api/v1/apps", {}, 401),
        ("POST", "/api/v1/login", {"json": {"name": "nobody", "password": "wrong one"}}, 401),
        ("POST", "/api/v1/apps", {"json": {"title": "x"}, "headers": auth}, 403),
        ("GET", "/api/v1/nothing-here", {}, 404),
        ("PUT", "/api/v1/apps", {}, 405),
        ("POST", "/api/v1/login", {"json": {"name": 1}}, 422),
        (
            "POST",
            "/api/v1/login",
            {"content": "{", "headers": {"content-type": "application/json"}},
            400,
        ),
        ("POST", "/api/v1/login", {"content": too_big}, 413),
    ):
        headers = ORIGIN | kwargs.pop("headers", {})
        response = await client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, (path, response.text)
        assert response.json()["status"] == "error"
        assert_guarded(response)
