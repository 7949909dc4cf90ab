"""Who may do what to accounts: the one authorization policy of routes, users and roles.

Every rule decides from the caller (`Principal`) and from values its caller looked up, and
raises `Forbidden` (or `Conflict`, for the root's name) when the answer is no; none reads the
database or knows HTTP. The routes ask it through `auth.dependencies.require`, the users and
roles services before they change anything, so that a rule changed here is changed for all.

The rules:
- a caller needs the permissions an action names (`need`);
- nobody grants rights they do not hold (`check_may_grant`), nor changes a user whose role
  holds rights they lack (`check_may_act_on`);
- a user is read by those who read users, and by themselves (`check_may_read_user`), and who
  may not read one learns neither whether it exists nor why a change of it is refused;
- the root administrator (`APP_ROOT_ADMIN`) holds every permission whatever its role, keeps
  its name, its role's permissions and its account from everybody else.
"""

from __future__ import annotations

from collections.abc import Collection

from apidock.auth.schemas import Principal
from apidock.errors import Conflict, Forbidden
from apidock.permissions import Permission, has_permissions, permission_names
from apidock.users.models import User
from apidock.users.names import is_root_name

# The fields of a change of another user, with the right each needs, in the order checked.
_FIELD_RIGHTS: tuple[tuple[frozenset[str], Permission], ...] = (
    (frozenset({"name", "password"}), Permission.WRITE_USERS),
    (frozenset({"status"}), Permission.BLOCK_USERS),
    (frozenset({"role_id"}), Permission.MANAGE_ROLES),
)
# What nobody changes of themselves as another user's change (their password needs the
# current one: `PATCH /users/me`).
_NOT_OF_ONESELF = frozenset({"role_id", "status", "password"})


def holds(actor: Principal, bits: int) -> bool:
    """Whether the actor holds every permission of `bits`: the root holds all of them,
    anyone else those of their role (administration holding all)."""
    return actor.is_root or has_permissions(actor.permissions, Permission(bits))


def need(actor: Principal, needed: Permission, *, root_holds_all: bool = True) -> None:
    """`Forbidden` ("Requires permission: …") unless the actor holds every flag of `needed`.

    A route's gate (`require`) passes `root_holds_all=False`: it asks the caller's role
    alone, as the hot read of a user does, and the root passes it through the
    administrator's role, which deploy gives it and nobody takes away through the API.
    """
    held = holds(actor, needed) if root_holds_all else has_permissions(actor.permissions, needed)
    if not held:
        raise Forbidden(f"Requires permission: {', '.join(permission_names(needed))}")


def check_may_grant(actor: Principal, bits: int) -> None:
    """`Forbidden` unless `actor` holds every permission of `bits`: nobody grants what they
    lack, whether by making or changing a role or by handing one out to a user."""
    if not holds(actor, bits):
        missing = permission_names(bits & ~actor.permissions)
        raise Forbidden(f"You cannot grant permissions you do not hold: {', '.join(missing)}")


def check_may_change_role_permissions(
    actor: Principal, *, current: int, new: int, held_by_root: bool
) -> None:
    """A role's permissions become `new` only when the actor may grant them, and the root
    administrator's role keeps its own, so that nobody demotes the root through it.

    `held_by_root` may be False whenever `new == current`: the caller need not look it up.
    """
    check_may_grant(actor, new)
    if new != current and held_by_root:
        raise Forbidden("The root administrator's role keeps its permissions")


def is_root(user: User, root_name: str) -> bool:
    """True when `user` is the root administrator (`APP_ROOT_ADMIN`), in any case or width."""
    return is_root_name(user.name, root_name)


def check_may_read_user(actor: Principal, *, user_id: int) -> None:
    """`Forbidden` unless the actor may read user `user_id`: read_users, or being that user.

    Checked before the user is looked up, so that whether an id exists (404), and why a
    change of it is refused, is told only to those who may read it.
    """
    if user_id != actor.id:
        need(actor, Permission.READ_USERS)


def check_may_change_user(actor: Principal, *, user_id: int, fields: Collection[str]) -> None:
    """Before user `user_id` is looked up: the actor may read them, does not change their own
    role, status or password this way, and holds the right of each field sent."""
    check_may_read_user(actor, user_id=user_id)
    if user_id == actor.id and _NOT_OF_ONESELF.intersection(fields):
        raise Forbidden(
            "You cannot change your own role or status; change your password at /users/me"
        )
    for names, permission in _FIELD_RIGHTS:
        if names.intersection(fields):
            need(actor, permission)


def check_may_act_on(
    actor: Principal, *, user: User, role_permissions: int | None, root_name: str
) -> None:
    """Others may not touch the root, nor a user whose role (its permissions:
    `role_permissions`, None without one) holds rights the actor lacks."""
    if actor.is_root:
        return
    if is_root(user, root_name):
        raise Forbidden("The root administrator cannot be changed by anyone else")
    if role_permissions is not None and not holds(actor, role_permissions):
        raise Forbidden("You cannot change a user who holds rights you do not hold")


def check_may_delete(
    actor: Principal, *, user: User, role_permissions: int | None, root_name: str
) -> None:
    """Nobody deletes themselves, and others only as `check_may_act_on` lets them."""
    if user.id == actor.id:
        raise Forbidden("You cannot delete yourself")
    check_may_act_on(actor, user=user, role_permissions=role_permissions, root_name=root_name)


def check_may_rename_self(user: User, *, root_name: str) -> None:
    """The root administrator keeps its name: whoever held another would no longer be root."""
    if is_root(user, root_name):
        raise Forbidden("The root administrator cannot be renamed")


def check_not_root_name(name: str, *, root_name: str) -> None:
    """`Conflict` when `name` is the root's (`APP_ROOT_ADMIN`, in any case or width).

    The root is known by its name alone (`Principal.is_root`), so through the API nobody
    takes it, even while no user holds it (before deploy, or after `APP_ROOT_ADMIN` changed):
    whoever did would be the root. Refused as a taken name is, so that the answer does not
    tell whether the root exists; only deploy (and the command line) make the root.
    """
    if is_root_name(name, root_name):
        raise Conflict(f"The name {name!r} is already taken")
