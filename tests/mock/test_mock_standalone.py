"""`apidock mock`: the same server on a port of its own, every app at `/{slug}/...` or one app
at `/` with `--app`; the command's options."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from sqlalchemy import update

from apidock.apps.models import App
from apidock.cli import cli
from apidock.config import Settings
from apidock.mock.server import MockServer
from tests.cli.test_project_paths import _apidock
from tests.mock.helpers import Auth, import_app, keyed, make_key, shape_of_404
from tests.test_cli import (  # noqa: F401  (environment: a fixture)
    _child_environment,
    _free_port,
    _get_until_up,
    environment,
    execute,
)

PETSTORE = Path(__file__).parents[1] / "documents" / "openapi-3.0" / "oai-petstore.yaml"


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


def test_the_command_serves_with_request_ids_and_request_lines(
    environment: dict[str, str],  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    """The real `apidock mock --access-log`: every answer carries an `X-Request-ID` (a plain
    one sent is kept), and each request is one JSON line on standard output naming it."""
    url = environment["DATABASE_URL"]
    child = _child_environment(environment)

    def command(*args: str) -> None:
        _apidock(child, tmp_path, *args)

    command("deploy")
    command("import", str(PETSTORE), "--slug", "pets")
    execute(url, update(App).where(App.slug == "pets").values(mock_public=True))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "apidock", "mock", "--port", str(port), "--access-log"],
        env=child,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _get_until_up(f"http://127.0.0.1:{port}/pets/pets", server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            given = http.get("/pets/pets", headers={"X-Request-ID": "ci-run-42"})
            made = http.get("/pets/no/such/path")
    finally:
        server.terminate()
        out, err = server.communicate(timeout=60)
    assert given.status_code == 200, given.text
    assert given.headers["x-request-id"] == "ci-run-42"
    assert made.status_code == 404
    assert made.headers["x-request-id"]
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    by_id = {line["request_id"]: line for line in lines if "request_id" in line}
    assert by_id["ci-run-42"]["status"] == 200, lines
    assert by_id[made.headers["x-request-id"]]["status"] == 404, lines
    assert by_id["ci-run-42"]["route"] == "/{slug}"
    assert "Traceback" not in err
