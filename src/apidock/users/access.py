"""Who may read and change which user: the rights of a caller, and the root's protection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.schemas import Principal
from apidock.errors import Conflict, Forbidden
from apidock.permissions import Permission, has_permissions
from apidock.roles import service as role_service
from apidock.users.models import User
from apidock.users.names import is_root_name


def need(actor: Principal, permission: Permission) -> None:
    """`Forbidden` unless the actor holds `permission` (the root holds every one)."""
    if not (actor.is_root or has_permissions(actor.permissions, permission)):
        raise Forbidden(f"Requires permission: {permission.api_name}")


def is_root(user: User, root_name: str) -> bool:
    """True when `user` is the root administrator (`APP_ROOT_ADMIN`), in any case or width."""
    return is_root_name(user.name, root_name)


def check_may_read(actor: Principal, *, user_id: int) -> None:
    """`Forbidden` unless the actor may read user `user_id`: read_users, or being that user.

    Checked before the user is looked up, so that whether an id exists (404), and why a
    change of it is refused, is told only to those who may read it.
    """
    if user_id != actor.id:
        need(actor, Permission.READ_USERS)


async def check_may_act_on(
    session: AsyncSession, *, actor: Principal, user: User, root_name: str
) -> None:
    """Others may not touch the root, nor a user whose role holds rights the actor lacks."""
    if actor.is_root:
        return
    if is_root(user, root_name):
        raise Forbidden("The root administrator cannot be changed by anyone else")
    role = await role_service.get(session, role_id=user.role_id) if user.role_id else None
    if role is not None and not has_permissions(actor.permissions, Permission(role.permissions)):
        raise Forbidden("You cannot change a user who holds rights you do not hold")


def check_not_root_name(name: str, *, root_name: str) -> None:
    """`Conflict` when `name` is the root's (`APP_ROOT_ADMIN`, in any case or width).

    The root is known by its name alone (`Principal.is_root`), so through the API nobody
    takes it, even while no user holds it (before deploy, or after `APP_ROOT_ADMIN` changed):
    whoever did would be the root. Refused as a taken name is, so that the answer does not
    tell whether the root exists; only deploy (and the command line) make the root.
    """
    if is_root_name(name, root_name):
        raise Conflict(f"The name {name!r} is already taken")
