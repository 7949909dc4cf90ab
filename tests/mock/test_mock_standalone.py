"""`apidock mock`: the same server on a port of its own, every app at `/{slug}/...` or one app
at `/` with `--app`; the command's options."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from apidock.cli import cli
from apidock.config import Settings
from apidock.mock.server import MockServer
from tests.mock.helpers import Auth, import_app, keyed, make_key, shape_of_404


def standalone(app: FastAPI, settings: Settings, slug: str | None) -> MockServer:
    """A server of its own, reaching the database as the test's application does."""
    mounted: MockServer = app.state.mock
    server = MockServer(mounted.database, settings, app_slug=slug, log=mounted.log)
    server.core = mounted.core
    server.documents.sessions = mounted.documents.sessions
    return server


@pytest.fixture
async def own_port(app: FastAPI, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=standalone(app, settings, None))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
        yield http


async def test_every_app_is_served_at_its_slug(
    client: httpx.AsyncClient, own_port: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await import_app(client, dev_auth)
    key = await make_key(client, dev_auth, app["id"])
    answer = await own_port.get(f"/{app['slug']}/items", headers=keyed(key["key"]))
    assert answer.status_code == 200
    assert answer.json()[0]["name"] == "cup"
    assert answer.headers["content-security-policy"] == "sandbox"
    refused = await own_port.get(f"/{app['slug']}/items")
    assert shape_of_404(refused) == shape_of_404(await own_port.get("/no-such-app/items"))
    # the API's own paths are not served here
    assert (await own_port.get("/api/v1/users")).status_code == 404


async def test_one_app_is_served_at_the_root(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, dev_auth: Auth
) -> None:
    described = await import_app(client, dev_auth)
    key = await make_key(client, dev_auth, described["id"])
    transport = httpx.ASGITransport(app=standalone(app, settings, described["slug"]))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as one:
        answer = await one.get("/items/3", headers=keyed(key["key"]))
        assert answer.status_code == 200
        assert set(answer.json()) >= {"id", "name"}
        assert (await one.get("/items/3")).status_code == 404


def test_the_command_names_its_options() -> None:
    result = CliRunner().invoke(cli, ["mock", "--help"])
    assert result.exit_code == 0
    for option in ("--app", "--host", "--port", "--loop"):
        assert option in result.output
    assert "4010" in result.output
