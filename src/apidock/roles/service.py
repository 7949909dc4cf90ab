"""Roles: look-ups and the seeding of the four roles of the original."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.permissions import DEFAULT_ROLE, SEEDED_ROLES, Permission
from apidock.roles.models import Role


@dataclass
class SeedReport:
    """What `seed_roles` did: titles of the roles it created and of those it corrected."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


async def get(session: AsyncSession, *, role_id: int) -> Role | None:
    """The role with this id, or None."""
    return await session.get(Role, role_id)


async def get_by_title(session: AsyncSession, *, title: str) -> Role | None:
    """The role with exactly this title, or None."""
    return await session.scalar(select(Role).where(Role.title == title))


async def get_default(session: AsyncSession) -> Role | None:
    """The role a new user gets when none is named."""
    return await session.scalar(select(Role).where(Role.default.is_(True)).order_by(Role.id))


async def seed_roles(
    session: AsyncSession,
    *,
    roles: Mapping[str, Permission] = SEEDED_ROLES,
    default_title: str = DEFAULT_ROLE,
) -> SeedReport:
    """Create the seeded roles, or set them back to their defined permissions.

    `default_title` becomes the only default role, so another role that was marked default
    loses the mark; the permissions and titles of other roles are left alone. Nothing is
    written when every role is already as defined, so running this again changes nothing.
    """
    report = SeedReport()
    existing = {role.title: role for role in await session.scalars(select(Role).order_by(Role.id))}
    for title, permissions in roles.items():
        is_default = title == default_title
        role = existing.get(title)
        if role is None:
            session.add(Role(title=title, permissions=int(permissions), default=is_default))
            report.created.append(title)
        elif role.permissions != int(permissions) or role.default != is_default:
            role.permissions = int(permissions)
            role.default = is_default
            report.updated.append(title)
    for title, role in existing.items():
        if title not in roles and role.default:
            role.default = False
            report.updated.append(title)
    await session.flush()
    return report
