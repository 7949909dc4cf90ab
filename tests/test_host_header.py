"""No answer names the host a client claims: `prev`/`next` links and redirects are relative, and
with `TRUSTED_HOSTS` set a request for any other host is refused (400) before the app runs.

Hostile variants: a foreign host, with a port, userinfo-like (`a@evil`), a path smuggled into
the header, an invalid one, and the same host sent as X-Forwarded-Host / Forwarded instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.types import Message, Receive, Scope, Send

from apidock.config import Settings, SettingsError
from apidock.http.middleware import SecurityHeaders
from apidock.main import create_app
from tests.conftest import make_client, make_settings
from tests.factories import bearer, create_user

HOSTILE_HOSTS = [
    "evil.example",
    "evil.example:8443",
    "a@evil.example",
    "evil.example/x",
    "EVIL.example.",
    "[::1]@evil.example",
]
FORWARDED = {
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Server": "evil.example",
    "Forwarded": "host=evil.example;proto=https",
}


def assert_names_no_hostile_host(response: httpx.Response) -> None:
    for name, value in response.headers.multi_items():
        assert "evil" not in value.lower(), (response.request.url, name, value)
    assert "evil" not in response.text.lower(), (response.request.url, response.text[:300])


async def list_admin(session: AsyncSession, settings: Settings, app: FastAPI) -> dict[str, str]:
    admin = await create_user(session, settings, role="Administrator")
    for number in range(3):
        await create_user(session, settings, name=f"hosted{number}")
    return bearer(app, admin)


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
async def test_no_answer_names_a_hostile_host(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings, host: str
) -> None:
    auth = await list_admin(session, settings, app)
    headers = {"Host": host} | FORWARDED
    requests = [
        ("GET", "/", {}),
        ("GET", "/healthz", {}),
        ("GET", "/readyz", {}),
        ("GET", "/openapi.json", {}),
        ("GET", "/docs", {}),
        ("GET", "/docs/", {}),
        ("GET", "/redoc", {}),
        ("GET", "/redoc/", {}),
        ("GET", "/docs/oauth2-redirect", {}),
        ("GET", "/docs/apps/shop", {}),
        ("GET", "/docs/apps/shop/", {}),
        ("GET", "/static/docs", {}),
        ("GET", "/static/docs/", {}),
        ("GET", "/nothing-here", {}),
        ("GET", "/api/v1/users?page=2&per_page=1", auth),
        ("GET", "/api/v1/users/?page=2&per_page=1", auth),
        ("GET", "/api/v1/apps", auth),
        ("POST", "/api/v1/apps/", auth),
        ("GET", "/api/v1/logs?per_page=1", auth),
        ("GET", "/api/v1/apps/by-slug/shop/openapi.json", auth),
        ("POST", "/api/v1/login/", {}),
    ]
    for method, path, extra in requests:
        response = await client.request(method, path, headers=headers | extra)
        assert response.status_code < 500, (path, response.text)
        assert_names_no_hostile_host(response)


async def test_page_links_are_relative_and_keep_the_filters(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    auth = await list_admin(session, settings, app)
    middle = await client.get(
        "/api/v1/users",
        params={"name": "hosted", "per_page": 1, "page": 2},
        headers=auth | {"Host": "evil.example"} | FORWARDED,
    )
    assert middle.status_code == 200, middle.text
    data = middle.json()["data"]
    # the original's shape: `url_for(...)` without `_external`, a path and a query
    assert data["prev"] == "/api/v1/users?name=hosted&page=1&per_page=1"
    assert data["next"] == "/api/v1/users?name=hosted&page=3&per_page=1"


async def test_page_links_keep_the_mount_point(
    app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    auth = await list_admin(session, settings, app)
    transport = httpx.ASGITransport(app=app, root_path="/dock", client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
        page = await client.get("/dock/api/v1/users", params={"per_page": 1}, headers=auth)
    assert page.status_code == 200, page.text
    assert page.json()["data"]["next"] == "/dock/api/v1/users?page=2&per_page=1"


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
async def test_a_trailing_slash_is_served_not_redirected(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings, host: str
) -> None:
    """Once 307s to the path without the slash; now served as it (apidock.http.trailing_slash),
    so no answer carries a Location to name the host in."""
    auth = await list_admin(session, settings, app)
    for method, path, status in (
        ("POST", "/api/v1/apps/", 422),
        ("GET", "/api/v1/users/?page=2&per_page=1", 200),
        ("GET", "/docs/", 200),
        ("GET", "/docs/apps/shop/", 200),
        ("GET", "/static/docs", 404),
    ):
        response = await client.request(method, path, headers=auth | {"Host": host} | FORWARDED)
        assert response.status_code == status, (path, response.status_code, response.text)
        assert "location" not in response.headers, path
        assert_names_no_hostile_host(response)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/any/where", "/any/where?q=1"),
        ("//evil.example/x", "/%2Fevil.example/x?q=1"),
        ("/\\evil.example/x", "/%5Cevil.example/x?q=1"),
    ],
)
async def test_every_redirect_to_the_server_itself_is_made_relative(
    path: str, location: str
) -> None:
    """Any redirect the application builds from the request (Starlette's URL of the scope)."""

    async def redirect_to_itself(scope: Scope, receive: Receive, send: Send) -> None:
        target = URL(scope=scope).replace(path=path, query="q=1")
        await RedirectResponse(str(target))(scope, receive, send)

    transport = httpx.ASGITransport(app=SecurityHeaders(redirect_to_itself, api_prefix="/api"))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for host in [*HOSTILE_HOSTS, "testserver"]:
            response = await client.get("/", headers={"Host": host})
            assert response.status_code == 307
            assert response.headers["location"] == location, host


@pytest.mark.parametrize(
    "elsewhere", ["https://docs.example.net/guide", "https://testserver/secure", "//other.example/"]
)
async def test_a_redirect_elsewhere_is_left_alone(elsewhere: str) -> None:
    async def redirect_away(scope: Scope, receive: Receive, send: Send) -> None:
        await RedirectResponse(elsewhere)(scope, receive, send)

    transport = httpx.ASGITransport(app=SecurityHeaders(redirect_away, api_prefix="/api"))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/")
    assert response.headers["location"] == elsewhere


# --- TRUSTED_HOSTS ---------------------------------------------------------------------------


def test_trusted_hosts_are_parsed_and_checked(tmp_path: Path) -> None:
    settings = make_settings(
        "sqlite://", tmp_path, TRUSTED_HOSTS=" API.example.com, *.example.org ,127.0.0.1,[::1] "
    )
    assert settings.trusted_hosts == ["api.example.com", "*.example.org", "127.0.0.1", "[::1]"]
    assert make_settings("sqlite://", tmp_path).trusted_hosts == []
    assert make_settings("sqlite://", tmp_path, TRUSTED_HOSTS=" ").trusted_hosts == []
    for bad in (
        "https://api.example.com",
        "api.example.com:443",
        "a@api.example.com",
        "api.example.com/docs",
        "*",
        "api.*.com",
        "exa mple.com",
        "[::1",
    ):
        with pytest.raises(SettingsError, match="TRUSTED_HOSTS") as raised:
            make_settings("sqlite://", tmp_path, TRUSTED_HOSTS=bad)
        assert "\n" not in str(raised.value)


@pytest.fixture
async def trusted_client(app: FastAPI, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The test application with TRUSTED_HOSTS set, on the test's transaction."""
    trusting = settings.model_copy(
        update={"trusted_hosts": ["api.example.com", "*.example.org", "[::1]"]}
    )
    trusted_app = create_app(trusting, database=app.state.database)
    trusted_app.dependency_overrides = app.dependency_overrides
    async with make_client(trusted_app) as http:
        yield http


@pytest.mark.parametrize(
    "host",
    [
        "api.example.com",
        "API.Example.COM:8443",
        "api.example.com.",
        "docs.example.org",
        "[::1]:8000",
    ],
)
async def test_a_trusted_host_is_served(trusted_client: httpx.AsyncClient, host: str) -> None:
    for path in ("/", "/docs", "/api/v1/apps"):
        response = await trusted_client.get(path, headers={"Host": host} | FORWARDED)
        assert response.status_code in (200, 401), (host, path, response.text)


@pytest.mark.parametrize(
    "host",
    [
        *HOSTILE_HOSTS,
        "api.example.com.evil.example",
        "evil-api.example.com",
        "a@api.example.com",
        "api.example.com:8443@evil.example",
        "api.example.com:x",
        "example.org",
        "",
        "[::2]",
    ],
)
async def test_another_host_is_refused(trusted_client: httpx.AsyncClient, host: str) -> None:
    for method, path in (("GET", "/"), ("GET", "/docs"), ("POST", "/api/v1/login")):
        response = await trusted_client.request(method, path, headers={"Host": host})
        assert response.status_code == 400, (host, path, response.status_code)
        assert response.json() == {"status": "error", "message": "Invalid host", "data": None}
        assert response.headers["x-content-type-options"] == "nosniff"
        assert_names_no_hostile_host(response)


async def test_a_missing_host_is_refused(app: FastAPI, settings: Settings) -> None:
    trusting = settings.model_copy(update={"trusted_hosts": ["api.example.com"]})
    trusted_app = create_app(trusting, database=app.state.database)
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.0",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    await trusted_app(scope, receive, send)
    assert sent[0]["status"] == 400


async def test_a_forwarded_host_does_not_get_past_the_check(
    trusted_client: httpx.AsyncClient,
) -> None:
    response = await trusted_client.get(
        "/", headers={"Host": "evil.example", "X-Forwarded-Host": "api.example.com"}
    )
    assert response.status_code == 400


async def test_probes_by_address_are_answered_whatever_the_host(
    trusted_client: httpx.AsyncClient,
) -> None:
    # a kubelet probes the pod's IP: liveness and readiness reflect nothing, so they answer
    for host in ("10.1.2.3:8000", "evil.example"):
        for path in ("/healthz", "/readyz"):
            response = await trusted_client.get(path, headers={"Host": host})
            assert response.status_code == 200, (host, path, response.text)
            assert response.json() == {"status": "ok"}
    # only those two paths: their neighbours and look-alikes are checked
    for path in ("/healthz/", "/readyz/x", "/healthzz", "/api/v1/healthz"):
        response = await trusted_client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
