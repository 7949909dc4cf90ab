"""Roles: look-ups, the seeding of the four roles of the original, and their management."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.schemas import Principal
from apidock.exceptions import Conflict, Forbidden
from apidock.logs import service as log_service
from apidock.permissions import (
    DEFAULT_ROLE,
    SEEDED_ROLES,
    Permission,
    has_permissions,
    permission_bits,
    permission_names,
)
from apidock.roles.models import Role
from apidock.roles.schemas import RoleCreate, RoleUpdate
from apidock.users.models import User


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
    """The role with this title (as the database's collation compares), or None."""
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


async def list_all(session: AsyncSession) -> Sequence[Role]:
    """Every role, in the order they were made."""
    return (await session.scalars(select(Role).order_by(Role.id))).all()


def check_grantable(actor: Principal, bits: int) -> None:
    """`Forbidden` unless `actor` holds every permission of `bits`: nobody grants what they lack."""
    if actor.is_root or has_permissions(actor.permissions, Permission(bits)):
        return
    missing = permission_names(bits & ~actor.permissions)
    raise Forbidden(f"You cannot grant permissions you do not hold: {', '.join(missing)}")


async def _check_title_free(session: AsyncSession, *, title: str, role_id: int | None) -> None:
    # compared without regard to case, the same on every database whatever its collation
    statement = select(Role.id).where(func.lower(Role.title) == title.lower())
    if role_id is not None:
        statement = statement.where(Role.id != role_id)
    if await session.scalar(statement) is not None:
        raise Conflict(f"The role title {title!r} is already taken")


async def _flush_unique(session: AsyncSession, title: str) -> None:
    try:
        await session.flush()
    except sa_exc.IntegrityError:
        raise Conflict(f"The role title {title!r} is already taken") from None


async def _held_by_root(session: AsyncSession, *, role: Role, root_name: str) -> bool:
    statement = select(User.id).where(User.role_id == role.id, User.name == root_name)
    return await session.scalar(statement) is not None


async def create(
    session: AsyncSession, *, actor: Principal, role_in: RoleCreate, address: str
) -> Role:
    """Add a role with permissions the actor holds; `Conflict` when the title is taken."""
    bits = permission_bits(role_in.permissions)
    check_grantable(actor, bits)
    await _check_title_free(session, title=role_in.title, role_id=None)
    role = Role(title=role_in.title, permissions=bits, default=False)
    session.add(role)
    await _flush_unique(session, role_in.title)
    await log_service.record(
        session,
        actor_id=actor.id,
        action="role.create",
        target_type="role",
        target_id=role.id,
        ip=address,
    )
    return role


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    role: Role,
    role_in: RoleUpdate,
    address: str,
    root_name: str,
) -> Role:
    """Change a role's title or permissions.

    The actor must hold every permission the role has before and after the change, and the
    root administrator's role keeps its permissions, so nobody demotes the root through it.
    """
    check_grantable(actor, role.permissions)
    changes = role_in.model_dump(exclude_unset=True)
    if "permissions" in changes:
        bits = permission_bits(changes["permissions"])
        check_grantable(actor, bits)
        if bits != role.permissions and await _held_by_root(
            session, role=role, root_name=root_name
        ):
            raise Forbidden("The root administrator's role keeps its permissions")
        role.permissions = bits
    if "title" in changes and changes["title"] != role.title:
        await _check_title_free(session, title=changes["title"], role_id=role.id)
        role.title = changes["title"]
    await _flush_unique(session, role.title)
    await log_service.record(
        session,
        actor_id=actor.id,
        action="role.update",
        target_type="role",
        target_id=role.id,
        ip=address,
    )
    return role


async def delete(session: AsyncSession, *, actor: Principal, role: Role, address: str) -> None:
    """Remove a role; `Conflict` while any user (even a deleted one) holds it, or if default."""
    check_grantable(actor, role.permissions)
    if role.default:
        raise Conflict("The default role cannot be deleted")
    holders = await session.scalar(select(func.count()).where(User.role_id == role.id))
    if holders:
        raise Conflict(f"The role is held by {holders} user(s)")
    await log_service.record(
        session,
        actor_id=actor.id,
        action="role.delete",
        target_type="role",
        target_id=role.id,
        ip=address,
    )
    await session.delete(role)
    await session.flush()
