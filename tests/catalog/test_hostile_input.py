"""Input the fuzzer found (scripts/fuzz.py): ids past the INTEGER columns, NUL characters, times
that are not RFC 3339, methods a path does not have, values of another JSON type than
documented; 4xx in the envelope, never 500 and never coerced.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.config import Settings
from tests.catalog.helpers import API, make_api, make_app

Auth = dict[str, str]
TOO_BIG = 2**31  # one past the largest INTEGER id
HUGE = 10**30


@pytest.mark.parametrize(
    "path",
    [
        "/apps/{id}",
        "/apps/{id}/openapi.json",
        "/apis/{id}",
        "/apis/groups/{id}",
        "/apis/responses/{id}",
        "/apis/examples/{id}",
        "/users/{id}",
        "/roles/{id}",
    ],
)
async def test_an_id_past_the_integer_columns_is_422_on_every_route(
    client: httpx.AsyncClient, admin_auth: Auth, path: str
) -> None:
    for number in (TOO_BIG, HUGE):
        response = await client.get(f"{API}{path.format(id=number)}", headers=admin_auth)
        assert response.status_code == 422, (path, number, response.text)
        assert response.json()["data"][0]["field"].startswith("path.")
    # the largest id is a valid one that names nothing
    response = await client.get(f"{API}{path.format(id=TOO_BIG - 1)}", headers=admin_auth)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/apis", "app_id"),
        ("/apis", "group_id"),
        ("/apis/groups", "app_id"),
        ("/apis/groups/tree", "app_id"),
        ("/logs", "user_id"),
        ("/logs", "target_id"),
    ],
)
async def test_an_id_past_the_integer_columns_in_a_query_is_422(
    client: httpx.AsyncClient, admin_auth: Auth, path: str, query: str
) -> None:
    response = await client.get(f"{API}{path}", params={query: TOO_BIG}, headers=admin_auth)
    assert response.status_code == 422, response.text
    assert response.json()["data"][0]["field"] == f"query.{query}"


async def test_an_id_past_the_integer_columns_in_a_body_is_422(
    client: httpx.AsyncClient, admin_auth: Auth
) -> None:
    for path, body in (
        ("/apis/groups", {"app_id": TOO_BIG, "title": "G"}),
        ("/apis", {"app_id": TOO_BIG, "title": "A", "request_url": "/a"}),
        ("/apis/responses", {"api_id": TOO_BIG, "field": "id", "data_type": "integer"}),
        ("/apis/examples", {"api_id": TOO_BIG, "title": "E"}),
    ):
        response = await client.post(f"{API}{path}", json=body, headers=admin_auth)
        assert response.status_code == 422, (path, response.text)


async def test_a_value_of_another_json_type_is_422_never_coerced(
    client: httpx.AsyncClient, admin_auth: Auth
) -> None:
    """`0` for false and `false` for 0 were accepted (the fuzzer's `nullable: 0`, `pid: false`)."""
    app = await make_app(client, admin_auth)
    api = await make_api(client, admin_auth, app["id"])
    field = {"api_id": api["id"], "field": "data.id", "data_type": "integer"}
    made = await client.post(f"{API}/apis/responses", json=field, headers=admin_auth)
    assert made.status_code == 201, made.text
    for method, path, body, bad in (
        ("POST", "/apis/groups", {"app_id": app["id"], "pid": False, "title": "G"}, "body.pid"),
        ("POST", "/apis/groups", {"app_id": str(app["id"]), "title": "G"}, "body.app_id"),
        ("POST", "/apis/responses", field | {"nullable": 0}, "body.nullable"),
        ("PATCH", f"/apis/responses/{made.json()['data']['id']}", {"nullable": 1}, "body.nullable"),
        ("PATCH", f"/apis/{api['id']}", {"need_auth": "true"}, "body.need_auth"),
        ("POST", "/apis/examples", {"api_id": float(api["id"]), "title": "E"}, "body.api_id"),
        (
            "POST",
            "/users",
            {"name": "typed", "password": "a password", "role_id": "1"},
            "body.role_id",
        ),
    ):
        response = await client.request(method, f"{API}{path}", json=body, headers=admin_auth)
        assert response.status_code == 422, (path, body, response.text)
        assert bad in [item["field"] for item in response.json()["data"]], response.text


async def test_a_nul_character_in_a_body_is_422_naming_the_field(
    client: httpx.AsyncClient, admin_auth: Auth
) -> None:
    app = await make_app(client, admin_auth)
    api = await make_api(client, admin_auth, app["id"])
    for method, path, body, field in (
        ("POST", "/apps", {"title": "a\x00b"}, "body.title"),
        ("PATCH", f"/apps/{app['id']}", {"description": "\x00"}, "body.description"),
        (
            "PATCH",
            f"/apis/{api['id']}",
            {"request_header": [{"name": "X-A", "example": "a\x00"}]},
            "body.request_header.0.example",
        ),
        ("POST", "/users", {"name": "nul", "password": "pass\x00word!"}, "body.password"),
    ):
        response = await client.request(method, f"{API}{path}", json=body, headers=admin_auth)
        assert response.status_code == 422, (path, response.text)
        fields = [item["field"] for item in response.json()["data"]]
        assert field in fields, fields


async def test_a_nul_character_in_a_query_filter_is_never_a_server_error(
    client: httpx.AsyncClient, admin_auth: Auth, settings: Settings
) -> None:
    # PostgreSQL cannot compare text holding NUL: the one error handler answers 422; SQLite
    # and MariaDB simply find nothing
    expected = 422 if settings.database_backend == "postgresql" else 200
    for path, query in (("/apps", "q"), ("/logs", "action"), ("/users", "name")):
        response = await client.get(f"{API}{path}", params={query: "a\x00b"}, headers=admin_auth)
        assert response.status_code == expected, (path, response.text)
        assert response.json()["status"] == ("error" if expected == 422 else "success")


@pytest.mark.parametrize(
    "moment",
    ["0.5", "1700000000", "2024-01-01", "2024-01-01T00:00:00", "9999-12-31T23:59:59-23:59"],
)
async def test_log_times_must_be_rfc3339_with_a_timezone_and_in_range(
    client: httpx.AsyncClient, admin_auth: Auth, moment: str
) -> None:
    response = await client.get(f"{API}/logs", params={"until": moment}, headers=admin_auth)
    assert response.status_code == 422, response.text
    assert response.json()["data"][0]["field"] == "query.until"
    fine = await client.get(
        f"{API}/logs", params={"since": "2024-01-01T00:00:00+02:00"}, headers=admin_auth
    )
    assert fine.status_code == 200, fine.text


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/apis/examples", {"GET", "POST"}),
        ("PATCH", "/apis/groups/tree", {"GET"}),
        ("DELETE", "/users/me", {"GET", "PATCH"}),
        ("PUT", "/apps/1", {"GET", "PATCH", "DELETE"}),
        ("OPTIONS", "/roles", {"GET", "POST"}),
    ],
)
async def test_a_method_the_path_lacks_is_405_listing_every_method_it_has(
    client: httpx.AsyncClient, admin_auth: Auth, method: str, path: str, allowed: set[str]
) -> None:
    response = await client.request(method, f"{API}{path}", headers=admin_auth)
    assert response.status_code == 405, response.text
    assert set(response.headers["allow"].split(", ")) == allowed
    assert response.json()["status"] == "error"


def test_patch_fields_that_refuse_null_are_documented_as_never_null(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for model, names in (
        ("AppUpdate", ["title", "slug", "version", "type", "auth_type"]),
        ("GroupUpdate", ["pid", "title"]),
        ("RoleUpdate", ["title", "permissions"]),
        ("UserUpdate", ["name", "password", "status", "role_id"]),
        ("ProfileUpdate", ["name", "password", "current_password"]),
    ):
        for name in names:
            field = schemas[model]["properties"][name]
            assert "null" not in str(field.get("anyOf", field.get("type"))), (model, name, field)
            assert name not in schemas[model].get("required", [])
    # a field that may be null still says so
    assert {"type": "null"} in schemas["AppUpdate"]["properties"]["description"]["anyOf"]


@pytest.mark.parametrize(
    ("stored", "readable"),
    [
        ("[" * 5_000 + "]" * 5_000, []),
        ("not json", []),
        ('"a string"', []),
        ('{"name": "X-A"}', []),
        ('[1, null, {"required": true}, {"name": 7}]', []),
        (
            '[{"name": "X-A", "required": "yes", "example": 5}, {"name": "X-B"}]',
            [{"name": "X-B", "required": False, "description": None, "example": None}],
        ),
    ],
    ids=["nested", "not-json", "string", "object", "no-names", "mixed"],
)
async def test_stored_headers_the_api_never_wrote_are_read_without_a_server_error(
    client: httpx.AsyncClient,
    session: AsyncSession,
    dev_auth: dict[str, str],
    stored: str,
    readable: list[dict[str, object]],
) -> None:
    """A row written by the original or by hand holds any text: what isn't a header is left out."""
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"])
    await session.execute(update(Api).where(Api.id == api["id"]).values(request_header=stored))
    await session.commit()

    one = await client.get(f"{API}/apis/{api['id']}", headers=dev_auth)
    listed = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    exported = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)

    assert one.status_code == 200, one.text
    assert one.json()["data"]["request_header"] == readable
    assert listed.status_code == 200, listed.text
    assert listed.json()["data"]["apis"][0]["request_header"] == readable
    assert exported.status_code == 200, exported.text
    operation = exported.json()["paths"][api["request_url"]]["get"]
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
    assert names == [header["name"] for header in readable]
