"""Existence oracles and holes in the checks: who learns that an id exists, and who may create.

Every route with an id in its path authenticates before it loads anything (401 before 404), and
a caller who may not read that kind of record, or lacks the right the route needs, gets the same
answer for an existing id and a missing one. Creating a user passes the same grant check as
changing one: nobody hands out, through the default role, rights they lack.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, get_args

import httpx
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.dependencies import ApiDep, ExampleDep, FieldDep
from apidock.apps.dependencies import AppBySlugDep, AppDep
from apidock.cases.dependencies import CaseDep
from apidock.config import Settings
from apidock.environments.dependencies import EnvironmentDep
from apidock.groups.dependencies import GroupDep
from apidock.models import Log, Role, User
from apidock.permissions import ALL_PERMISSIONS, DEFAULT_ROLE, Permission
from apidock.roles.dependencies import RoleDep
from apidock.runs.dependencies import RunDep
from apidock.users.dependencies import UserDep
from tests.catalog.helpers import make_api, make_app, make_field, make_group, post
from tests.factories import bearer, create_user, role_id

API = "/api/v1"
USERS = f"{API}/users"
MISSING = 999_999
_titles = itertools.count(1)

# What a caller must hold to read the records a path parameter names (None: anyone signed in).
READ_RIGHT: dict[str, Permission | None] = {
    "user_id": Permission.READ_USERS,
    "role_id": None,
    "app_id": Permission.READ_DOCS,
    "slug": Permission.READ_DOCS,
    "group_id": Permission.READ_DOCS,
    "api_id": Permission.READ_DOCS,
    "field_id": Permission.READ_DOCS,
    "example_id": Permission.READ_DOCS,
    "environment_id": Permission.READ_DOCS,
    "case_id": Permission.READ_DOCS,
    "run_id": Permission.READ_DOCS,
}
# Bodies a PATCH may carry: empty, a field set to what it already is, and real changes.
PATCH_BODIES: list[dict[str, Any]] = [
    {},
    {"status": "normal"},
    {"status": "blocked"},
    {"title": "Renamed"},
    {"name": "renamed"},
    {"permissions": []},
]


async def custom_role(session: AsyncSession, bits: int) -> str:
    """The title of a new role holding exactly `bits`."""
    title = f"Custom {next(_titles)}"
    session.add(Role(title=title, permissions=bits, default=False))
    await session.commit()
    return title


async def user_with(session: AsyncSession, settings: Settings, bits: int) -> User:
    return await create_user(session, settings, role=await custom_role(session, bits))


def answer(response: httpx.Response) -> tuple[int, Any]:
    """What a response tells: its status and message."""
    body = response.json()
    return response.status_code, body.get("message")


@dataclass(frozen=True)
class PathRoute:
    method: str
    path: str
    param: str

    def url(self, value: object) -> str:
        path = self.path.replace(f"{{{self.param}}}", str(value))
        for name, named in NAMED.items():
            path = path.replace(f"{{{name}}}", named)
        return path


# the path parameters beside the one that names the record: a component's kind and name, a
# mock key's id, a revision's number and a release's version (under their app, whose id is the
# one checked)
NAMED = {"kind": "schemas", "name": "Thing", "key_id": "1", "number": "1", "version": "v1"}


def id_routes(app: FastAPI) -> list[PathRoute]:
    """Every route of the API whose path names a record, from the OpenAPI document."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        params = [param for param in re.findall(r"{(\w+)}", path) if param not in NAMED]
        if not params:
            continue
        assert len(params) == 1, path
        assert params[0] in READ_RIGHT, f"cover the route {path}"
        routes.extend(PathRoute(method.upper(), path, params[0]) for method in operations)
    return routes


@pytest.fixture
async def records(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> dict[str, object]:
    """An existing record of every kind a path names, made by an administrator."""
    admin = await create_user(session, settings, role="Administrator")
    auth = bearer(app, admin)
    target = await create_user(session, settings)
    made = await make_app(client, auth)
    api = await make_api(client, auth, made["id"])
    example = await post(client, "/apis/examples", auth, api_id=api["id"], title="ok")
    environment = await post(
        client, f"/apps/{made['id']}/environments", auth, name="e", base_url="http://e.example"
    )
    case = await post(client, f"/apis/{api['id']}/cases", auth, name="c")
    run = await client.post(
        f"{API}/apps/{made['id']}/runs", json={"environment": environment["id"]}, headers=auth
    )
    assert run.status_code == 202, run.text
    return {
        "user_id": target.id,
        "role_id": await role_id(session, "Developer"),
        "app_id": made["id"],
        "slug": made["slug"],
        "group_id": (await make_group(client, auth, made["id"]))["id"],
        "api_id": api["id"],
        "field_id": (await make_field(client, auth, api["id"], "id", "integer"))["id"],
        "example_id": example["id"],
        "environment_id": environment["id"],
        "case_id": case["id"],
        "run_id": run.json()["data"]["id"],
    }


def missing_value(param: str) -> object:
    return "no-such-app" if param == "slug" else MISSING


async def call(
    client: httpx.AsyncClient, route: PathRoute, value: object, headers: dict[str, str], body: Any
) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": headers}
    if route.method == "PATCH":
        kwargs["json"] = body
    return await client.request(route.method, route.url(value), **kwargs)


def bodies(route: PathRoute) -> list[dict[str, Any] | None]:
    return list(PATCH_BODIES) if route.method == "PATCH" else [None]


async def test_every_id_route_authenticates_before_it_looks(
    client: httpx.AsyncClient, app: FastAPI, records: dict[str, object]
) -> None:
    routes = id_routes(app)
    assert {route.param for route in routes} == set(READ_RIGHT)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        for route in routes:
            for body in bodies(route):
                existing = await call(client, route, records[route.param], headers, body)
                missing = await call(client, route, missing_value(route.param), headers, body)
                assert existing.status_code == 401, (route, body, existing.text)
                assert answer(existing) == answer(missing), (route, body)
            if route.param != "slug":
                # ids out of range are not even validated before the caller is known
                for wrong in (0, 2**31, 10**30):
                    refused = await call(client, route, wrong, headers, {})
                    assert refused.status_code == 401, (route, wrong, refused.text)


@pytest.mark.parametrize(
    "bits",
    [0, *(int(flag) for flag in Permission if flag != Permission.ADMIN)],
    ids=lambda bits: "none" if not bits else Permission(bits).api_name,
)
async def test_nobody_learns_whether_an_id_exists_without_the_right(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    records: dict[str, object],
    bits: int,
) -> None:
    caller = await user_with(session, settings, bits)
    headers = bearer(app, caller)
    for route in id_routes(app):
        right = READ_RIGHT[route.param]
        may_read = right is None or bool(bits & right)
        for body in bodies(route):
            existing = await call(client, route, records[route.param], headers, body)
            missing = await call(client, route, missing_value(route.param), headers, body)
            context = (route, body, existing.text, missing.text)
            if not may_read:
                assert existing.status_code == 403, context
                assert answer(existing) == answer(missing), context
                assert existing.json().get("data") is None, context
            elif existing.status_code == 403 and "Requires permission" in existing.text:
                # lacking the route's right is told the same way, whether the id exists or not
                assert answer(existing) == answer(missing), context


# each path parameter's loader, as routes name it (an `Annotated[Model, Depends(loader)]`)
LOADERS: dict[str, Any] = {
    param: get_args(alias)[1].dependency
    for param, alias in {
        "user_id": UserDep,
        "role_id": RoleDep,
        "app_id": AppDep,
        "slug": AppBySlugDep,
        "group_id": GroupDep,
        "api_id": ApiDep,
        "field_id": FieldDep,
        "example_id": ExampleDep,
        "environment_id": EnvironmentDep,
        "case_id": CaseDep,
        "run_id": RunDep,
    }.items()
}


async def test_every_loader_checks_the_caller_before_it_looks(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    records: dict[str, object],
) -> None:
    # a route that names only the loader, none of the checks: the loader brings them along
    assert set(LOADERS) == set(READ_RIGHT)
    for param, loader in LOADERS.items():

        async def probe(_: object = Depends(loader)) -> dict[str, str]:
            return {}

        app.add_api_route(f"/probe/{param}/{{{param}}}", probe, methods=["GET"])
    nobody = bearer(app, await user_with(session, settings, 0))
    for param in LOADERS:
        urls = [f"/probe/{param}/{value}" for value in (records[param], missing_value(param))]
        for url in urls:
            assert (await client.get(url)).status_code == 401, url
        existing, missing = [await client.get(url, headers=nobody) for url in urls]
        if READ_RIGHT[param] is None:
            assert (existing.status_code, missing.status_code) == (200, 404), param
        else:
            assert existing.status_code == 403, param
            assert answer(existing) == answer(missing), param


async def test_catalog_writers_who_may_not_read_learn_no_ids_from_bodies(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    records: dict[str, object],
) -> None:
    writer = bearer(app, await user_with(session, settings, int(Permission.WRITE_DOCS)))
    for path, key, parent, extra in (
        ("/apis", "app_id", "app_id", {"title": "t", "request_url": "/x", "request_method": "GET"}),
        ("/apis/groups", "app_id", "app_id", {"title": "t"}),
        ("/apis/responses", "api_id", "api_id", {"field": "f", "data_type": "string"}),
        ("/apis/examples", "api_id", "api_id", {"title": "t"}),
    ):
        answers = [
            await client.post(f"{API}{path}", json=extra | {key: value}, headers=writer)
            for value in (records[parent], MISSING)
        ]
        assert [a.status_code for a in answers] == [403, 403], (path, answers[0].text)
        assert answer(answers[0]) == answer(answers[1]), path


# --- PATCH /users/{id} -----------------------------------------------------------------------


async def test_patch_that_changes_nothing_needs_read_users(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    plain = await create_user(session, settings)
    other = await create_user(session, settings, name="olga")
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, plain)
    for body in ({}, {"status": "normal"}, {"name": "olga"}, {"role_id": other.role_id}):
        for target in (other.id, admin.id, MISSING):
            refused = await client.patch(f"{USERS}/{target}", json=body, headers=headers)
            assert answer(refused) == (403, "Requires permission: read_users"), (body, target)
            assert "olga" not in refused.text
    # oneself may be read, so an empty change answers one's own record
    own = await client.patch(f"{USERS}/{plain.id}", json={}, headers=headers)
    assert own.status_code == 200
    assert own.json()["data"]["id"] == plain.id


async def test_a_reader_patching_nothing_gets_what_get_gives(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await create_user(session, settings, name=settings.app_root_admin, role="Administrator")
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, await create_user(session, settings, role="Developer"))
    for target in (root, admin):
        read = await client.get(f"{USERS}/{target.id}", headers=headers)
        patched = await client.patch(f"{USERS}/{target.id}", json={}, headers=headers)
        assert (patched.status_code, patched.json()["data"]) == (200, read.json()["data"])
    assert (await client.patch(f"{USERS}/{MISSING}", json={}, headers=headers)).status_code == 404
    assert await session.scalar(select(func.count()).select_from(Log)) == 0


async def test_field_rights_are_checked_before_the_target_is_looked_at(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await create_user(session, settings, name=settings.app_root_admin, role="Administrator")
    admin = await create_user(session, settings, role="Administrator")
    reader = bearer(app, await create_user(session, settings, role="Developer"))
    for body, right in (
        ({"status": "blocked"}, "block_users"),
        ({"name": "newname"}, "write_users"),
        ({"password": "a new password"}, "write_users"),
        ({"role_id": root.role_id}, "manage_roles"),
    ):
        for target in (root.id, admin.id, MISSING):
            refused = await client.patch(f"{USERS}/{target}", json=body, headers=reader)
            assert answer(refused) == (403, f"Requires permission: {right}"), (body, target)


async def test_root_and_rights_messages_reach_only_readers(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    root = await create_user(session, settings, name=settings.app_root_admin, role="Administrator")
    admin = await create_user(session, settings, role="Administrator")
    blind = Permission.WRITE_USERS | Permission.BLOCK_USERS | Permission.DELETE_USERS
    headers = bearer(app, await user_with(session, settings, int(blind | Permission.MANAGE_ROLES)))
    for target in (root.id, admin.id, MISSING):
        for body in ({"status": "blocked"}, {"name": "takeover"}, {}):
            refused = await client.patch(f"{USERS}/{target}", json=body, headers=headers)
            assert answer(refused) == (403, "Requires permission: read_users"), (body, target)
        deleted = await client.delete(f"{USERS}/{target}", headers=headers)
        assert answer(deleted) == (403, "Requires permission: read_users"), target
    # with read_users the caller may learn who the target is, and why it is refused
    sighted = bearer(app, await user_with(session, settings, int(blind | Permission.READ_USERS)))
    on_root = await client.patch(f"{USERS}/{root.id}", json={"status": "blocked"}, headers=sighted)
    assert answer(on_root) == (403, "The root administrator cannot be changed by anyone else")
    on_admin = await client.delete(f"{USERS}/{admin.id}", headers=sighted)
    assert answer(on_admin) == (403, "You cannot change a user who holds rights you do not hold")
    gone = await client.delete(f"{USERS}/{MISSING}", headers=sighted)
    assert gone.status_code == 404


async def test_nobody_changes_their_own_role_or_status_whatever_they_hold(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role="Administrator")
    headers = bearer(app, admin)
    for body in ({"status": "blocked"}, {"role_id": admin.role_id}, {"password": "new password"}):
        refused = await client.patch(f"{USERS}/{admin.id}", json=body, headers=headers)
        assert refused.status_code == 403, body


async def test_an_admin_still_changes_and_deletes_others(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = bearer(app, await create_user(session, settings, role="Administrator"))
    other = await create_user(session, settings)
    developer = await role_id(session, "Developer")
    changed = await client.patch(
        f"{USERS}/{other.id}",
        json={"status": "blocked", "role_id": developer, "name": "other2"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["name"] == "other2"
    assert (await client.delete(f"{USERS}/{other.id}", headers=admin)).status_code == 200
    assert (await client.delete(f"{USERS}/{other.id}", headers=admin)).status_code == 404


# --- POST /users: the default role passes the grant check -------------------------------------


async def users_named(session: AsyncSession, name: str) -> int:
    statement = select(func.count()).select_from(User).where(User.name == name)
    return await session.scalar(statement) or 0


async def test_creating_with_the_default_role_needs_its_rights(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    writer = bearer(app, await user_with(session, settings, int(Permission.WRITE_USERS)))
    body = {"name": "newbie", "password": "long enough"}
    refused = await client.post(USERS, json=body, headers=writer)
    assert answer(refused) == (403, "You cannot grant permissions you do not hold: read_docs")
    assert await users_named(session, "newbie") == 0
    assert await session.scalar(select(func.count()).select_from(Log)) == 0

    holder = Permission.WRITE_USERS | Permission.READ_DOCS
    created = await client.post(
        USERS, json=body, headers=bearer(app, await user_with(session, settings, int(holder)))
    )
    assert created.status_code == 200, created.text
    assert created.json()["data"]["role_id"] == await role_id(session, DEFAULT_ROLE)


async def test_a_default_role_with_more_rights_is_refused_to_those_without_them(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    holder = Permission.WRITE_USERS | Permission.READ_DOCS
    writer = bearer(app, await user_with(session, settings, int(holder)))
    await session.execute(
        update(Role).where(Role.default.is_(True)).values(permissions=int(ALL_PERMISSIONS))
    )
    await session.commit()
    refused = await client.post(
        USERS, json={"name": "climber", "password": "long enough"}, headers=writer
    )
    assert refused.status_code == 403
    assert "admin" in refused.json()["message"]
    assert await users_named(session, "climber") == 0
    admin = bearer(app, await create_user(session, settings, role="Administrator"))
    made = await client.post(
        USERS, json={"name": "climber", "password": "long enough"}, headers=admin
    )
    assert made.status_code == 200


async def test_creating_with_another_role_still_needs_manage_roles_and_its_rights(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    holder = Permission.WRITE_USERS | Permission.READ_DOCS | Permission.MANAGE_ROLES
    writer = bearer(app, await user_with(session, settings, int(holder)))
    for title in ("Developer", "Administrator"):
        body = {
            "name": "someone",
            "password": "long enough",
            "role_id": await role_id(session, title),
        }
        assert (await client.post(USERS, json=body, headers=writer)).status_code == 403, title
    assert await users_named(session, "someone") == 0
