"""Roles: look-ups, the seeding of the four roles of the original, and their management."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock import policy
from apidock.auth.schemas import Principal
from apidock.errors import Conflict
from apidock.permissions import DEFAULT_ROLE_KEY, SEEDS, permission_bits
from apidock.roles.models import Role
from apidock.roles.schemas import RoleCreate, RoleUpdate
from apidock.users.models import User
from apidock.users.names import name_key
from apidock.work import Action, UnitOfWork


class RoleAction(Action):
    """What the audit rows of roles say was done (target type "role")."""

    CREATE = "role.create"
    UPDATE = "role.update"
    DELETE = "role.delete"


@dataclass
class SeedReport:
    """What `seed_roles` did: titles of the roles it created and of those it corrected."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # a seeded role's first title, held by a role deploy did not make: the title it got instead
    retitled: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


async def get(session: AsyncSession, *, role_id: int) -> Role | None:
    """The role with this id, or None."""
    return await session.get(Role, role_id)


async def get_by_title(session: AsyncSession, *, title: str) -> Role | None:
    """The role with this title (as the database's collation compares), or None.

    For an operator naming a role; a title says nothing of what a role is, so a seeded role
    is looked up with `get_seeded`.
    """
    return await session.scalar(select(Role).where(Role.title == title))


async def get_seeded(session: AsyncSession, *, key: str) -> Role | None:
    """The seeded role of this key (`apidock.permissions.SEEDS`), whatever its title, or None."""
    return await session.scalar(select(Role).where(Role.seed_key == key))


async def get_default(session: AsyncSession) -> Role | None:
    """The role a new user gets when none is named.

    The flag is written only by `seed_roles` (on the seeded default role, found by its key)
    and the migrations; no request body may carry it.
    """
    return await session.scalar(select(Role).where(Role.default.is_(True)).order_by(Role.id))


async def seed_roles(session: AsyncSession) -> SeedReport:
    """Create the seeded roles, or set them back to their defined permissions.

    Each is found by its seed key, never by its title: a renamed one keeps its new title,
    and a role made under a seeded title is left as it is and gains nothing. A missing one
    (deleted) is created again, under its first title or, when another role holds that
    title, under "<title> (seeded)" (`retitled` in the report). The seeded default role
    becomes the only default role; the titles and permissions of other roles are left
    alone. Nothing is written when every role is already as defined.
    """
    report = SeedReport()
    existing = (await session.scalars(select(Role).order_by(Role.id))).all()
    seeded = {role.seed_key: role for role in existing if role.seed_key is not None}
    for seed in SEEDS:
        is_default = seed.key == DEFAULT_ROLE_KEY
        role = seeded.get(seed.key)
        if role is None:
            title = await _free_seed_title(session, seed.title)
            session.add(
                Role(
                    title=title,
                    seed_key=seed.key,
                    permissions=int(seed.permissions),
                    default=is_default,
                )
            )
            await session.flush()  # the next look-up of a free title sees it
            report.created.append(title)
            if title != seed.title:
                report.retitled[seed.title] = title
        elif role.permissions != int(seed.permissions) or role.default != is_default:
            role.permissions = int(seed.permissions)
            role.default = is_default
            report.updated.append(role.title)
    for role in existing:
        if role.default and role.seed_key != DEFAULT_ROLE_KEY:
            role.default = False
            report.updated.append(role.title)
    await session.flush()
    return report


async def _free_seed_title(session: AsyncSession, title: str) -> str:
    """`title`, else the first of "<title> (seeded)", "<title> (seeded 2)"… no role holds."""
    candidate, attempt = title, 0
    while await _title_taken(session, title=candidate, role_id=None):
        attempt += 1
        candidate = f"{title} (seeded)" if attempt == 1 else f"{title} (seeded {attempt})"
    return candidate


async def list_all(session: AsyncSession) -> Sequence[Role]:
    """Every role, in the order they were made."""
    return (await session.scalars(select(Role).order_by(Role.id))).all()


async def _title_taken(session: AsyncSession, *, title: str, role_id: int | None) -> bool:
    """Whether a role other than `role_id` holds `title`."""
    # compared without regard to case, the same on every database whatever its collation
    statement = select(Role.id).where(func.lower(Role.title) == title.lower())
    if role_id is not None:
        statement = statement.where(Role.id != role_id)
    return await session.scalar(statement.limit(1)) is not None


async def _check_title_free(session: AsyncSession, *, title: str, role_id: int | None) -> None:
    if await _title_taken(session, title=title, role_id=role_id):
        raise Conflict(f"The role title {title!r} is already taken")


async def _save(work: UnitOfWork, action: RoleAction, role: Role) -> Role:
    """Flush the change of `role` (a title taken meanwhile is a `Conflict`), then audit it."""
    try:
        await work.session.flush()
    except sa_exc.IntegrityError:
        raise Conflict(f"The role title {role.title!r} is already taken") from None
    await work.audit(action, role)
    return role


async def _held_by_root(session: AsyncSession, *, role: Role, root_name: str) -> bool:
    # by key: the root's stored name may differ from APP_ROOT_ADMIN in case or width
    statement = select(User.id).where(User.role_id == role.id, User.name_key == name_key(root_name))
    return await session.scalar(statement) is not None


async def create(work: UnitOfWork, *, actor: Principal, role_in: RoleCreate) -> Role:
    """Add a role with permissions the actor holds; `Conflict` when the title is taken."""
    bits = permission_bits(role_in.permissions)
    policy.check_may_grant(actor, bits)
    await _check_title_free(work.session, title=role_in.title, role_id=None)
    # never a seed key: only deploy makes seeded roles, whatever the title
    role = Role(title=role_in.title, permissions=bits, default=False, seed_key=None)
    work.session.add(role)
    return await _save(work, RoleAction.CREATE, role)


async def update(
    work: UnitOfWork, *, actor: Principal, role: Role, role_in: RoleUpdate, root_name: str
) -> Role:
    """Change a role's title or permissions.

    The actor must hold every permission the role has before and after the change, and the
    root administrator's role keeps its permissions, so nobody demotes the root through it
    (`policy.check_may_change_role_permissions`).
    """
    policy.check_may_grant(actor, role.permissions)
    changes = role_in.model_dump(exclude_unset=True)
    if "permissions" in changes:
        bits = permission_bits(changes["permissions"])
        held_by_root = bits != role.permissions and await _held_by_root(
            work.session, role=role, root_name=root_name
        )
        policy.check_may_change_role_permissions(
            actor, current=role.permissions, new=bits, held_by_root=held_by_root
        )
        role.permissions = bits
    if "title" in changes and changes["title"] != role.title:
        await _check_title_free(work.session, title=changes["title"], role_id=role.id)
        role.title = changes["title"]
    return await _save(work, RoleAction.UPDATE, role)


async def delete(work: UnitOfWork, *, actor: Principal, role: Role) -> None:
    """Remove a role; `Conflict` while any user (even a deleted one) holds it, or if default."""
    policy.check_may_grant(actor, role.permissions)
    if role.default:
        raise Conflict("The default role cannot be deleted")
    holders = await work.session.scalar(select(func.count()).where(User.role_id == role.id))
    if holders:
        raise Conflict(f"The role is held by {holders} user(s)")
    await work.audit(RoleAction.DELETE, role)
    await work.session.delete(role)
    await work.session.flush()
