"""OpenAPI 3.1 export: every document validates, with the catalog's structure; the docs page."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.openapi_export import (
    ExportApi,
    ExportApp,
    ExportField,
    ExportGroup,
    build_document,
    group_tag_names,
    mock_server_object,
    response_schema,
)
from apidock.config import Settings
from apidock.models import Role
from apidock.permissions import Permission
from apidock.users.models import User
from tests.catalog.helpers import API, make_api, make_app, make_field, make_group, post
from tests.factories import bearer, create_user

Auth = dict[str, str]


async def export(client: httpx.AsyncClient, app_id: int, auth: Auth) -> dict[str, Any]:
    """The app's document, checked against the OpenAPI 3.1 specification."""
    response = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=auth)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    validate(document, cls=OpenAPIV31SpecValidator)
    return document


async def test_a_full_app_becomes_a_valid_document(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app = await make_app(
        client, dev_auth, title="Shop", version="2.1.0", description="Sells", auth_type="bearer"
    )
    parent = await make_group(client, dev_auth, app["id"], title="Users")
    child = await make_group(client, dev_auth, app["id"], title="Admin", pid=parent["id"])
    header = {"name": "X-Trace", "required": True, "description": "trace id", "example": "abc"}
    api = await make_api(
        client,
        dev_auth,
        app["id"],
        group_id=child["id"],
        title="Read a user's post",
        description="One post",
        request_url="/users/{user_id}/posts/{post_id}",
        request_method="GET",
        request_header=[header, {"name": "X-Optional"}],
        need_auth=True,
        status="released",
    )
    for path, data_type in (
        ("code", "integer"),
        ("data.user.id", "integer"),
        ("data.user.name", "string"),
        ("data.items", "array"),
        ("data.items[].score", "number"),
        ("data.items[].tags[]", "string"),
        ("data.active", "boolean"),
    ):
        await make_field(client, dev_auth, api["id"], path, data_type)
    await post(
        client,
        "/apis/responses",
        dev_auth,
        api_id=api["id"],
        field="data.user.email",
        data_type="string",
        nullable=True,
        description="if shared",
    )
    await post(client, "/apis/examples", dev_auth, api_id=api["id"], title="OK!", body='{"code":0}')
    await post(client, "/apis/examples", dev_auth, api_id=api["id"], title="ok", body="plain <b>")
    await post(client, "/apis/examples", dev_auth, api_id=api["id"], title="Empty")

    document = await export(client, app["id"], reader_auth)

    assert document["openapi"] == "3.1.0"
    assert document["info"] == {"title": "Shop", "version": "2.1.0", "description": "Sells"}
    assert document["tags"] == [{"name": "Users"}, {"name": "Users / Admin"}]
    assert document["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer"}
    }
    operation = document["paths"]["/users/{user_id}/posts/{post_id}"]["get"]
    assert operation["operationId"] == "get_users_user_id_posts_post_id"
    assert (operation["summary"], operation["description"]) == ("Read a user's post", "One post")
    assert operation["tags"] == ["Users / Admin"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "deprecated" not in operation
    assert operation["parameters"] == [
        {"name": "user_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "post_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {
            "name": "X-Trace",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "trace id",
            "example": "abc",
        },
        {"name": "X-Optional", "in": "header", "required": False, "schema": {"type": "string"}},
    ]
    media = operation["responses"]["200"]["content"]["application/json"]
    assert media["schema"] == {
        "type": "object",
        "properties": {
            "code": {"type": "integer"},
            "data": {
                "type": "object",
                "properties": {
                    "active": {"type": "boolean"},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "score": {"type": "number"},
                                "tags": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                    "user": {
                        "type": "object",
                        "properties": {
                            "email": {"type": ["string", "null"], "description": "if shared"},
                            "id": {"type": "integer"},
                            "name": {"type": "string"},
                        },
                    },
                },
            },
        },
    }
    assert media["examples"] == {
        "ok": {"summary": "OK!", "value": {"code": 0}},
        "ok-2": {"summary": "ok", "value": "plain <b>"},
        "empty": {"summary": "Empty"},
    }


@pytest.mark.parametrize(
    ("auth_type", "schemes"),
    [
        ("basic", {"basicAuth": {"type": "http", "scheme": "basic"}}),
        ("bearer", {"bearerAuth": {"type": "http", "scheme": "bearer"}}),
        (
            "oauth2",
            {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
                }
            },
        ),
        ("api_key", {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}),
        ("none", None),
    ],
)
async def test_need_auth_uses_the_scheme_of_the_apps_auth_type(
    client: httpx.AsyncClient,
    dev_auth: Auth,
    auth_type: str,
    schemes: dict[str, Any] | None,
) -> None:
    app = await make_app(client, dev_auth, auth_type=auth_type)
    await make_api(client, dev_auth, app["id"], request_url="/private", need_auth=True)
    await make_api(client, dev_auth, app["id"], request_url="/public", need_auth=False)

    document = await export(client, app["id"], dev_auth)

    assert document.get("components", {}).get("securitySchemes") == schemes
    private = document["paths"]["/private"]["get"]
    assert "security" not in document["paths"]["/public"]["get"]
    if schemes is None:
        assert "security" not in private
    else:
        assert private["security"] == [{next(iter(schemes)): []}]


async def test_status_methods_and_deleted_apis(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    for method, status in (("GET", "deprecated"), ("POST", "developing"), ("DELETE", "released")):
        await make_api(
            client, dev_auth, app["id"], request_url="/items", request_method=method, status=status
        )
    await make_api(client, dev_auth, app["id"], request_url="/", request_method="PUT")
    gone = await make_api(client, dev_auth, app["id"], request_url="/gone")
    await make_field(client, dev_auth, gone["id"], "id", "integer")
    assert (await client.delete(f"{API}/apis/{gone['id']}", headers=dev_auth)).status_code == 200

    document = await export(client, app["id"], dev_auth)

    assert set(document["paths"]) == {"/items", "/"}
    items = document["paths"]["/items"]
    assert set(items) == {"get", "post", "delete"}
    assert items["get"]["deprecated"] is True
    assert "deprecated" not in items["post"]
    assert "deprecated" not in items["delete"]
    assert [items[method]["x-apidock-status"] for method in ("get", "post", "delete")] == [
        "deprecated",
        "developing",
        "released",
    ]
    assert document["paths"]["/"]["put"]["operationId"] == "put_root"
    assert "tags" not in items["get"]
    assert items["get"]["responses"] == {"200": {"description": "Success"}}
    operation_ids = [
        op["operationId"] for path in document["paths"].values() for op in path.values()
    ]
    assert len(operation_ids) == len(set(operation_ids)) == 4


async def test_operation_ids_stay_unique_when_paths_spell_alike(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    await make_api(client, dev_auth, app["id"], request_url="/a-b")
    await make_api(client, dev_auth, app["id"], request_url="/a_b")
    await make_api(client, dev_auth, app["id"], request_url="/a.b")

    document = await export(client, app["id"], dev_auth)

    operation_ids = sorted(path["get"]["operationId"] for path in document["paths"].values())
    assert operation_ids == ["get_a_b", "get_a_b_2", "get_a_b_3"]


async def test_an_empty_app_is_a_valid_document(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth, title="Nothing yet", version="0.0.1")

    document = await export(client, app["id"], dev_auth)

    assert document == {
        "openapi": "3.1.0",
        "info": {"title": "Nothing yet", "version": "0.0.1"},
        # the one server of an app that has none of its own: its mock
        "servers": [mock_server_object(f"/mock/{app['slug']}")],
        "tags": [],
        "paths": {},
    }


async def test_deleted_groups_leave_no_tags(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth)
    kept = await make_group(client, dev_auth, app["id"], title="Kept")
    gone = await make_group(client, dev_auth, app["id"], title="Gone")
    await make_group(client, dev_auth, app["id"], title="Below", pid=gone["id"])
    url = f"{API}/apis/groups/{gone['id']}?cascade=true"
    assert (await client.delete(url, headers=dev_auth)).status_code == 200
    await make_api(client, dev_auth, app["id"], group_id=kept["id"], request_url="/k")

    document = await export(client, app["id"], dev_auth)

    assert document["tags"] == [{"name": "Kept"}]
    assert document["paths"]["/k"]["get"]["tags"] == ["Kept"]


async def test_the_export_is_the_same_by_slug(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app = await make_app(client, dev_auth, slug="by-slug-app", auth_type="oauth2")
    await make_api(client, dev_auth, app["id"], request_url="/x/{id}", need_auth=True)

    by_id = await export(client, app["id"], dev_auth)
    response = await client.get(f"{API}/apps/by-slug/by-slug-app/openapi.json", headers=dev_auth)

    assert response.status_code == 200
    assert response.json() == by_id


async def test_the_document_is_bare_and_errors_use_the_envelope(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    dev_auth: Auth,
    admin_auth: Auth,
    app: FastAPI,
) -> None:
    guarded = await make_app(client, dev_auth, slug="guarded")
    urls = [
        f"{API}/apps/{guarded['id']}/openapi.json",
        f"{API}/apps/by-slug/guarded/openapi.json",
    ]
    role = Role(title="No docs", permissions=int(Permission.READ_USERS), default=False)
    session.add(role)
    await session.commit()
    outsider: User = await create_user(session, settings, role="No docs")
    outsider_auth = bearer(app, outsider)

    for url in urls:
        ok = await client.get(url, headers=dev_auth)
        assert ok.headers["content-type"] == "application/json"
        assert "status" not in ok.json()
        unauthenticated = await client.get(url)
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["www-authenticate"] == "Bearer"
        assert unauthenticated.json()["status"] == "error"
        forbidden = await client.get(url, headers=outsider_auth)
        assert forbidden.status_code == 403
        assert forbidden.json()["status"] == "error"

    deleted = await client.delete(f"{API}/apps/{guarded['id']}", headers=admin_auth)
    assert deleted.status_code == 200
    for url in [*urls, f"{API}/apps/999999/openapi.json", f"{API}/apps/by-slug/nope/openapi.json"]:
        missing = await client.get(url, headers=dev_auth)
        assert missing.status_code == 404, url
        assert missing.json() == {"status": "error", "message": "App not found", "data": None}
    bad = await client.get(f"{API}/apps/by-slug/Not_A_Slug/openapi.json", headers=dev_auth)
    assert bad.status_code == 422


async def test_the_route_is_in_the_services_own_openapi(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/api/v1/apps/{app_id}/openapi.json"]["get"]
    assert "Requires: read_docs" in operation["description"]
    assert "envelope" in operation["description"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    assert "/docs/apps/{slug}" not in spec["paths"]


async def test_the_docs_page_loads_only_local_assets(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/apps/shop")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(source.startswith("/") and not source.startswith("//") for source in sources)
    assert "/static/docs/swagger-ui-bundle.js" in sources
    assert "/static/docs/swagger-ui.css" in sources
    assert '"/api/v1/apps/by-slug/shop/openapi.json"' in page
    assert "requestInterceptor" in page
    assert '"persistAuthorization": false' in page
    assets = [source for source in sources if source.startswith("/static/")]
    for asset in assets:
        assert (await client.get(asset)).status_code == 200, asset


async def test_the_docs_page_is_404_for_a_malformed_slug(client: httpx.AsyncClient) -> None:
    for slug in ("Upper", "two--hyphens", "a" * 81, "%3Cscript%3E"):
        response = await client.get(f"/docs/apps/{slug}")
        assert response.status_code == 404, slug
        assert response.json()["status"] == "error"


def test_the_builder_is_pure_and_tolerates_odd_trees() -> None:
    groups = [
        ExportGroup(id=1, pid=0, title="A / B"),
        ExportGroup(id=2, pid=0, title="A"),
        ExportGroup(id=3, pid=2, title="B"),
        ExportGroup(id=4, pid=99, title="Orphan"),
        ExportGroup(id=5, pid=5, title="Self"),
    ]
    assert group_tag_names(groups) == {
        2: "A",
        3: "A / B",
        1: "A / B (2)",
        4: "Orphan",
        5: "Self",
    }
    document = build_document(
        ExportApp(
            title="T",
            version="1",
            auth_type="unknown",
            groups=groups,
            apis=[ExportApi(id=1, title="t", request_url="/x", request_method="GET", group_id=1)],
        )
    )
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["paths"]["/x"]["get"]["tags"] == ["A / B (2)"]
    assert document == build_document(
        ExportApp(
            title="T",
            version="1",
            auth_type="unknown",
            groups=list(reversed(groups)),
            apis=[ExportApi(id=1, title="t", request_url="/x", request_method="GET", group_id=1)],
        )
    )


def test_undeclared_parents_follow_the_path_and_nullable_containers_union_null() -> None:
    schema = response_schema(
        [
            ExportField(path="list[].id", data_type="integer"),
            ExportField(path="meta", data_type="object", nullable=True),
            ExportField(path="meta.next", data_type="string", nullable=True),
            ExportField(path="tags[]", data_type="string", description="labels"),
        ]
    )
    assert schema == {
        "type": "object",
        "properties": {
            "list": {
                "type": "array",
                "items": {"type": "object", "properties": {"id": {"type": "integer"}}},
            },
            "tags": {"type": "array", "items": {"type": "string", "description": "labels"}},
            "meta": {
                "type": ["object", "null"],
                "properties": {"next": {"type": ["string", "null"]}},
            },
        },
    }
