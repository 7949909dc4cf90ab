"""Seeded roles are known by their seed key, never by their title: renaming one keeps it seeded,
a role made under a seeded title gains nothing from `apidock deploy`, and no API write sets a
seed key or the default flag. On every database, through the services and the real command."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import delete, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.models import Role, User
from apidock.permissions import (
    ADMIN_ROLE,
    ADMIN_ROLE_KEY,
    ALL_PERMISSIONS,
    DEFAULT_ROLE,
    DEFAULT_ROLE_KEY,
    SEEDED_ROLES,
    SEEDS,
    Permission,
)
from apidock.roles import service
from tests.conftest import DATABASE_PARAMS
from tests.factories import bearer, create_user, role_id
from tests.test_cli import empty_database, environment, execute, ok, roles_by_title, snapshot

ROLES = "/api/v1/roles"
BEFORE_SEED_KEYS = "2ecafeb6377a"  # the revision before roles had seed keys
MANAGER = Permission.MANAGE_ROLES | Permission.READ_DOCS

__all__ = ["environment"]  # a fixture of the command's tests, used here too


async def by_title(session: AsyncSession) -> dict[str, Role]:
    session.expire_all()  # the requests wrote through other sessions
    return {role.title: role for role in await session.scalars(select(Role).order_by(Role.id))}


async def make_manager(session: AsyncSession, settings: Settings) -> User:
    """A user who may manage roles and holds no more than `MANAGER`."""
    session.add(Role(title="Role managers", permissions=int(MANAGER)))
    await session.commit()
    return await create_user(session, settings, role="Role managers")


# --- the services ---------------------------------------------------------------------------


async def test_the_test_database_holds_the_seeded_roles_as_deploy_leaves_them(
    session: AsyncSession,
) -> None:
    found = await by_title(session)
    assert {seed.title: found[seed.title].seed_key for seed in SEEDS} == {
        seed.title: seed.key for seed in SEEDS
    }
    assert not (await service.seed_roles(session)).changed


@pytest.mark.parametrize("how", ["created", "renamed"])
async def test_a_renamed_administrator_stays_seeded_and_its_old_title_gains_nothing(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings, how: str
) -> None:
    admin = await create_user(session, settings, role=ADMIN_ROLE)
    manager = await make_manager(session, settings)
    admin_id = await role_id(session, ADMIN_ROLE)
    renamed = await client.patch(
        f"{ROLES}/{admin_id}", json={"title": "Admins"}, headers=bearer(app, admin)
    )
    assert renamed.status_code == 200, renamed.text
    # the old title taken by a role manager: a new role, or one of theirs renamed
    title = ADMIN_ROLE if how == "created" else "Helpers"
    made = await client.post(
        ROLES, json={"title": title, "permissions": ["manage_roles"]}, headers=bearer(app, manager)
    )
    assert made.status_code == 201, made.text
    if how == "renamed":
        retitled = await client.patch(
            f"{ROLES}/{made.json()['data']['id']}",
            json={"title": ADMIN_ROLE},
            headers=bearer(app, manager),
        )
        assert retitled.status_code == 200, retitled.text

    report = await service.seed_roles(session)

    assert not report.changed
    found = await by_title(session)
    impostor = found[ADMIN_ROLE]
    assert (impostor.seed_key, impostor.permissions, impostor.default) == (
        None,
        int(Permission.MANAGE_ROLES),
        False,
    )
    seeded = await service.get_seeded(session, key=ADMIN_ROLE_KEY)
    assert seeded is not None
    assert (seeded.id, seeded.title, seeded.permissions) == (admin_id, "Admins", ALL_PERMISSIONS)


async def test_the_default_role_cannot_be_taken_over_by_its_title(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    """Else a role manager's "User" role would become every new user's role at the next deploy."""
    manager = await make_manager(session, settings)
    headers = bearer(app, manager)
    default_id = await role_id(session, DEFAULT_ROLE)
    assert (
        await client.patch(f"{ROLES}/{default_id}", json={"title": "Members"}, headers=headers)
    ).status_code == 200
    made = await client.post(
        ROLES, json={"title": DEFAULT_ROLE, "permissions": ["manage_roles"]}, headers=headers
    )
    assert made.status_code == 201, made.text

    await service.seed_roles(session)

    default = await service.get_default(session)
    assert default is not None
    assert (default.id, default.title, default.seed_key) == (
        default_id,
        "Members",
        DEFAULT_ROLE_KEY,
    )
    assert not (await by_title(session))[DEFAULT_ROLE].default
    # a new user, made through the API without a role, gets the seeded default role
    writer = await create_user(session, settings, role=ADMIN_ROLE)
    created = await client.post(
        "/api/v1/users",
        json={"name": "newcomer", "password": "correct horse battery"},
        headers=bearer(app, writer),
    )
    assert created.status_code == 200, created.text
    newcomer = await session.scalar(select(User).where(User.name == "newcomer"))
    assert newcomer is not None
    assert newcomer.role_id == default_id


async def test_a_renamed_seeded_role_gets_its_definition_back_under_its_new_title(
    session: AsyncSession,
) -> None:
    await session.execute(
        update(Role).where(Role.title == "Developer").values(title="Devs", permissions=0)
    )

    report = await service.seed_roles(session)

    assert (report.created, report.updated, report.retitled) == ([], ["Devs"], {})
    found = await by_title(session)
    assert "Developer" not in found
    assert found["Devs"].permissions == int(SEEDED_ROLES["Developer"])


async def test_a_deleted_seeded_role_is_created_again(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role=ADMIN_ROLE)
    qa_id = await role_id(session, "QA")
    deleted = await client.delete(f"{ROLES}/{qa_id}", headers=bearer(app, admin))
    assert deleted.status_code == 200, deleted.text

    report = await service.seed_roles(session)

    assert (report.created, report.retitled) == (["QA"], {})
    qa = await service.get_seeded(session, key="qa")
    assert qa is not None
    assert (qa.title, qa.permissions, qa.default) == ("QA", int(SEEDED_ROLES["QA"]), False)
    assert not (await service.seed_roles(session)).changed


async def test_a_seeded_role_whose_title_a_made_role_holds_is_created_under_a_free_title(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(session, settings, role=ADMIN_ROLE)
    headers = bearer(app, admin)
    qa_id = await role_id(session, "QA")
    assert (await client.delete(f"{ROLES}/{qa_id}", headers=headers)).status_code == 200
    # titles are unique without regard to case: "qa" holds "QA" too
    for title in ("qa", "QA (seeded)"):
        made = await client.post(
            ROLES, json={"title": title, "permissions": ["read_docs"]}, headers=headers
        )
        assert made.status_code == 201, made.text

    report = await service.seed_roles(session)

    assert (report.created, report.retitled) == (["QA (seeded 2)"], {"QA": "QA (seeded 2)"})
    found = await by_title(session)
    for title in ("qa", "QA (seeded)"):
        assert (found[title].seed_key, found[title].permissions) == (
            None,
            int(Permission.READ_DOCS),
        )
    assert found["QA (seeded 2)"].seed_key == "qa"
    assert not (await service.seed_roles(session)).changed


@pytest.mark.parametrize(
    "body",
    [
        {"seed_key": ADMIN_ROLE_KEY},
        {"seed_key": None},
        {"default": True},
        {"title": "Taken over", "seed_key": DEFAULT_ROLE_KEY},
    ],
)
async def test_no_api_write_sets_a_seed_key_or_the_default_flag(
    client: httpx.AsyncClient,
    app: FastAPI,
    session: AsyncSession,
    settings: Settings,
    body: dict[str, object],
) -> None:
    admin = await create_user(session, settings, role=ADMIN_ROLE)
    headers = bearer(app, admin)
    before = {title: (r.seed_key, r.default) for title, r in (await by_title(session)).items()}
    qa_id = await role_id(session, "QA")

    created = await client.post(
        ROLES, json={"title": "New", "permissions": []} | body, headers=headers
    )
    patched = await client.patch(f"{ROLES}/{qa_id}", json=body, headers=headers)

    assert (created.status_code, patched.status_code) == (422, 422)
    after = {title: (r.seed_key, r.default) for title, r in (await by_title(session)).items()}
    assert after == before
    assert "seed_key" not in (await client.get(f"{ROLES}/{qa_id}", headers=headers)).text


async def test_a_seed_key_names_one_role_at_most(session: AsyncSession) -> None:
    with pytest.raises(sa_exc.IntegrityError):
        async with session.begin_nested():
            session.add(Role(title="Second admin", seed_key=ADMIN_ROLE_KEY))


# --- the real `apidock deploy` --------------------------------------------------------------


@pytest.fixture(params=DATABASE_PARAMS)
def deploy_url(
    request: pytest.FixtureRequest, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database for `apidock deploy`, on each database server in turn (the name
    `database_url` is this module's test database, from tests/conftest.py)."""
    yield from empty_database(request.param, environment, monkeypatch)


def test_deploy_finds_seeded_roles_by_key_and_grants_nothing_to_their_old_titles(
    deploy_url: str,
) -> None:
    ok("deploy")
    roles = roles_by_title(snapshot(deploy_url)["roles"])
    assert {title: row["seed_key"] for title, row in roles.items()} == {
        seed.title: seed.key for seed in SEEDS
    }
    admin_id, default_id = roles[ADMIN_ROLE]["id"], roles[DEFAULT_ROLE]["id"]
    # renamed by an administrator; then a role manager makes roles under the old titles
    execute(
        deploy_url,
        update(Role).where(Role.id == admin_id).values(title="Admins"),
        update(Role).where(Role.id == default_id).values(title="Members"),
        insert(Role).values(title=ADMIN_ROLE, permissions=int(Permission.MANAGE_ROLES)),
        insert(Role).values(title=DEFAULT_ROLE, permissions=int(Permission.MANAGE_ROLES)),
    )
    impostors = roles_by_title(snapshot(deploy_url)["roles"])
    execute(
        deploy_url,
        update(User).where(User.name == "sysop").values(role_id=impostors[ADMIN_ROLE]["id"]),
    )

    output = ok("deploy").output

    assert "Roles already as defined" in output
    assert "Root administrator 'sysop' given back its role" in output
    state = snapshot(deploy_url)
    roles = roles_by_title(state["roles"])
    for title in (ADMIN_ROLE, DEFAULT_ROLE):
        assert (roles[title]["seed_key"], roles[title]["permissions"], roles[title]["default"]) == (
            None,
            int(Permission.MANAGE_ROLES),
            False,
        )
    assert roles["Admins"]["permissions"] == int(ALL_PERMISSIONS)
    assert [title for title, row in roles.items() if row["default"]] == ["Members"]
    [sysop] = state["users"]
    assert sysop["role_id"] == admin_id
    ok("deploy")
    assert snapshot(deploy_url) == state


def test_deploy_creates_a_deleted_seeded_role_beside_a_role_holding_its_title(
    deploy_url: str,
) -> None:
    ok("deploy")
    roles = roles_by_title(snapshot(deploy_url)["roles"])
    execute(
        deploy_url,
        update(User).where(User.name == "sysop").values(role_id=roles["QA"]["id"]),
        delete(Role).where(Role.title == ADMIN_ROLE),
        insert(Role).values(title="administrator", permissions=int(Permission.MANAGE_ROLES)),
        insert(User).values(name="roleless", name_key="roleless", password_hash="x", status=1),
    )

    output = ok("deploy").output

    assert "Roles created: Administrator (seeded)" in output
    assert (
        "The title 'Administrator' is held by a role deploy did not make, left as it is: "
        "the seeded role is 'Administrator (seeded)'" in output
    )
    assert "Users without a role given the default role: 1" in output
    state = snapshot(deploy_url)
    roles = roles_by_title(state["roles"])
    made = roles["administrator"]
    assert (made["seed_key"], made["permissions"]) == (None, int(Permission.MANAGE_ROLES))
    seeded = roles["Administrator (seeded)"]
    assert (seeded["seed_key"], seeded["permissions"]) == (ADMIN_ROLE_KEY, int(ALL_PERMISSIONS))
    users = {user["name"]: user["role_id"] for user in state["users"]}
    assert users == {"sysop": seeded["id"], "roleless": roles[DEFAULT_ROLE]["id"]}
    again = ok("deploy").output
    assert "Roles already as defined" in again
    assert snapshot(deploy_url) == state


def test_deploy_after_the_upgrade_trusts_no_role_that_may_have_taken_a_seeded_title(
    deploy_url: str,
) -> None:
    """Before seed keys: Administrator renamed "Admins", then a role manager's "Administrator"."""
    ok("db", "upgrade", BEFORE_SEED_KEYS)
    old_roles = sa.table(
        "roles",
        sa.column("id", sa.Integer()),
        sa.column("title", sa.String()),
        sa.column("default", sa.Boolean()),
        sa.column("permissions", sa.Integer()),
    )
    execute(
        deploy_url,
        old_roles.insert().values(
            [
                {"title": title, "default": title == DEFAULT_ROLE, "permissions": int(bits)}
                for title, bits in [
                    *SEEDED_ROLES.items(),
                    ("Admins", ALL_PERMISSIONS),
                    ("Extra", Permission.READ_DOCS),
                ]
                if title != ADMIN_ROLE
            ]
        ),
        # made after the rename, by someone holding manage_roles
        old_roles.insert().values(title=ADMIN_ROLE, default=False, permissions=16),
        insert(User).values(
            name="sysop",
            name_key="sysop",
            password_hash="x",
            status=1,
            role_id=sa.select(old_roles.c.id)
            .where(old_roles.c.title == "Admins")
            .scalar_subquery(),
        ),
    )

    output = ok("deploy").output

    assert "Roles created: Administrator (seeded)" in output
    assert "the seeded role is 'Administrator (seeded)'" in output
    state = snapshot(deploy_url)
    roles = roles_by_title(state["roles"])
    assert {title: (row["seed_key"], row["permissions"]) for title, row in roles.items()} == {
        DEFAULT_ROLE: (DEFAULT_ROLE_KEY, int(SEEDED_ROLES[DEFAULT_ROLE])),
        "Developer": ("developer", int(SEEDED_ROLES["Developer"])),
        "QA": ("qa", int(SEEDED_ROLES["QA"])),
        "Admins": (None, int(ALL_PERMISSIONS)),
        "Extra": (None, int(Permission.READ_DOCS)),
        ADMIN_ROLE: (None, 16),
        "Administrator (seeded)": (ADMIN_ROLE_KEY, int(ALL_PERMISSIONS)),
    }
    [sysop] = state["users"]
    assert sysop["role_id"] == roles["Administrator (seeded)"]["id"]
