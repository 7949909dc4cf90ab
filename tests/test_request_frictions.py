"""Small frictions of a first use: a trailing slash is served as without it (never an empty
307), a JSON body sent without its media type is told which header to send, and the Authorize
dialog of /docs hides the client fields the password flow does not use."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.cli.routes import route_table
from apidock.config import Settings
from apidock.http.docs_ui import UNUSED_CLIENT_FIELDS_HIDDEN
from apidock.http.errors import JSON_CONTENT_TYPE_HINT, install_error_handler
from apidock.http.trailing_slash import serve_paths_with_a_trailing_slash
from tests.factories import bearer, create_user


@pytest.fixture
async def auth(app: FastAPI, session: AsyncSession, settings: Settings) -> dict[str, str]:
    return bearer(app, await create_user(session, settings, role="Administrator"))


def _same(first: httpx.Response, second: httpx.Response) -> None:
    assert first.status_code == second.status_code, (first.text, second.text)
    assert first.headers.get("content-type") == second.headers.get("content-type")
    assert "location" not in first.headers


async def test_a_post_with_a_trailing_slash_is_the_post_without(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    slashed = await client.post("/api/v1/apps/", json={"title": "Slashed"}, headers=auth)
    plain = await client.post("/api/v1/apps", json={"title": "Plain"}, headers=auth)
    _same(slashed, plain)
    assert slashed.status_code == 201
    assert slashed.json()["data"]["title"] == "Slashed"
    empty = await client.post("/api/v1/apps/", headers=auth)
    _same(empty, await client.post("/api/v1/apps", headers=auth))
    assert empty.status_code == 422


async def test_a_get_with_a_trailing_slash_is_the_get_without(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    slashed = await client.get("/api/v1/users/", params={"per_page": 1}, headers=auth)
    plain = await client.get("/api/v1/users", params={"per_page": 1}, headers=auth)
    _same(slashed, plain)
    assert slashed.status_code == 200
    assert slashed.json() == plain.json()
    _same(await client.get("/docs/"), await client.get("/docs"))


async def test_what_matches_nothing_is_the_envelopes_404_or_405(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for path in ("/api/v1/nothing-here/", "/api/v1/apps//", "/static/docs"):
        missing = await client.get(path, headers=auth)
        assert missing.status_code == 404, path
        assert missing.json()["status"] == "error"
    wrong_method = await client.delete("/api/v1/apps/", headers=auth)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["status"] == "error"
    assert wrong_method.headers["allow"] == (await client.delete("/api/v1/apps")).headers["allow"]


def test_no_route_is_declared_with_a_trailing_slash(app: FastAPI) -> None:
    """So that no route can be reached in place of another by the fallback, which only runs
    when nothing matched the path as sent."""
    declared = [row.path for row in route_table(app) if row.path != "/"]
    assert declared
    assert [path for path in declared if path.endswith("/")] == []


async def test_a_route_declared_with_its_slash_still_answers_itself() -> None:
    toy = FastAPI()
    install_error_handler(toy)
    serve_paths_with_a_trailing_slash(toy)

    @toy.get("/items")
    async def items() -> str:
        return "without"

    @toy.get("/items/")
    async def items_slashed() -> str:
        return "with"

    @toy.get("/only")
    async def only() -> str:
        return "only"

    transport = httpx.ASGITransport(app=toy)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/items")).json() == "without"
        assert (await http.get("/items/")).json() == "with"
        assert (await http.get("/only/")).json() == "only"
        assert (await http.get("/only//")).status_code == 404
        assert (await http.get("/")).status_code == 404


async def test_a_json_body_without_its_content_type_is_told_the_header(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = b'{"title": "Untyped"}'
    for media_type in (None, "text/plain", "application/x-www-form-urlencoded"):
        headers = auth | ({"Content-Type": media_type} if media_type else {})
        answer = await client.post("/api/v1/apps", content=body, headers=headers)
        assert answer.status_code == 422, (media_type, answer.text)
        assert answer.json()["message"] == JSON_CONTENT_TYPE_HINT
        assert "Content-Type: application/json" in JSON_CONTENT_TYPE_HINT
        assert answer.json()["data"][0]["field"] == "body"
    typed = await client.post(
        "/api/v1/apps", content=body, headers=auth | {"Content-Type": "application/json"}
    )
    assert typed.status_code == 201


async def test_other_refusals_of_a_body_keep_their_messages(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    json_headers = auth | {"Content-Type": "application/json"}
    wrong_field = await client.post("/api/v1/apps", json={"title": 5}, headers=auth)
    assert wrong_field.json()["message"] == "Validation failed"
    not_an_object = await client.post("/api/v1/apps", content=b'"text"', headers=json_headers)
    assert not_an_object.json()["message"] == "Validation failed"
    malformed = await client.post("/api/v1/apps", content=b"{", headers=json_headers)
    assert (malformed.status_code, malformed.json()["message"]) == (400, "Malformed JSON body")
    # the OAuth2 form, sent as JSON, lacks its fields: nothing to say about JSON there
    form = await client.post("/api/v1/token", json={"username": "x", "password": "y"})
    assert form.status_code == 422
    assert form.json()["message"] == "Validation failed"


async def test_docs_hides_the_client_fields_the_password_flow_does_not_use(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/docs")).text
    assert UNUSED_CLIENT_FIELDS_HIDDEN in page
    for field in ("client_id_password", "client_secret_password", "password_type"):
        assert f'label[for="{field}"]' in UNUSED_CLIENT_FIELDS_HIDDEN
    assert "display: none" in UNUSED_CLIENT_FIELDS_HIDDEN
    document = (await client.get("/openapi.json")).json()
    flows = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert list(flows) == ["password"]
    # an app's page shows its own document, whose clients may well need those fields
    assert UNUSED_CLIENT_FIELDS_HIDDEN not in (await client.get("/docs/apps/shop")).text
