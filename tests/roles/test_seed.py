"""seed_roles: the four roles of the original, with their permissions, and one default role."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.models import Role
from apidock.permissions import ADMIN_ROLE, ALL_PERMISSIONS, DEFAULT_ROLE, SEEDED_ROLES, Permission
from apidock.roles import service


async def roles(session: AsyncSession) -> dict[str, Role]:
    return {role.title: role for role in await session.scalars(select(Role).order_by(Role.id))}


async def test_seeded_roles_are_created_in_order_with_one_default(session: AsyncSession) -> None:
    await session.execute(delete(Role))
    report = await service.seed_roles(session)
    assert report.created == ["User", "Developer", "QA", "Administrator"]
    assert report.updated == []
    found = await roles(session)
    assert list(found) == list(SEEDED_ROLES)
    assert {title: role.permissions for title, role in found.items()} == {
        title: int(bits) for title, bits in SEEDED_ROLES.items()
    }
    assert [title for title, role in found.items() if role.default] == [DEFAULT_ROLE]
    assert found[ADMIN_ROLE].permissions == int(ALL_PERMISSIONS)


async def test_seeding_again_changes_nothing(session: AsyncSession) -> None:
    await service.seed_roles(session)
    report = await service.seed_roles(session)
    assert not report.changed
    assert not session.dirty
    assert not session.new


async def test_seeded_roles_get_their_permissions_back_and_custom_roles_keep_theirs(
    session: AsyncSession,
) -> None:
    await service.seed_roles(session)
    found = await roles(session)
    found["QA"].permissions = int(ALL_PERMISSIONS)  # the original's defect: QA held admin rights
    found[DEFAULT_ROLE].default = False
    custom = Role(title="Auditors", permissions=int(Permission.READ_LOGS), default=True)
    session.add(custom)
    await session.flush()

    report = await service.seed_roles(session)
    assert report.created == []
    assert report.updated == [DEFAULT_ROLE, "QA", "Auditors"]
    found = await roles(session)
    assert found["QA"].permissions == int(SEEDED_ROLES["QA"])
    assert found["Auditors"].permissions == int(Permission.READ_LOGS)
    assert [title for title, role in found.items() if role.default] == [DEFAULT_ROLE]


async def test_default_and_lookups(session: AsyncSession) -> None:
    await service.seed_roles(session)
    default = await service.get_default(session)
    assert default is not None
    assert default.title == DEFAULT_ROLE
    admin = await service.get_by_title(session, title=ADMIN_ROLE)
    assert admin is not None
    assert await service.get(session, role_id=admin.id) is admin
    assert await service.get_by_title(session, title="Nobody") is None
