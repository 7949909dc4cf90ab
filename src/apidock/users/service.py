"""Users: look-ups, creation, and the changes the API makes, audited.

Who may make which change is `apidock.policy`; the rules of names are `users.names`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CursorResult, select
from sqlalchemy import exc as sa_exc
from sqlalchemy import update as update_statement
from sqlalchemy.ext.asyncio import AsyncSession

from apidock import policy
from apidock.auth.limiter import LoginLimiter
from apidock.auth.passwords import PasswordHasher
from apidock.auth.schemas import Principal
from apidock.db import utcnow
from apidock.errors import Conflict, Forbidden, NotFound, Unprocessable
from apidock.permissions import Permission
from apidock.roles import service as role_service
from apidock.users.models import User, UserStatus

# the rules stay part of this service's interface (deploy and the CLI use them)
from apidock.users.names import name_key as name_key
from apidock.users.names import normalize_name as normalize_name
from apidock.users.names import validate_password as validate_password
from apidock.users.schemas import (
    STATUS_VALUES,
    ProfileUpdate,
    UserCreate,
    UserUpdate,
)
from apidock.work import Action, UnitOfWork


class UserAction(Action):
    """What the audit rows of users say was done (target type "user")."""

    CREATE = "user.create"
    ROLE = "user.role"
    BLOCK = "user.block"
    UNBLOCK = "user.unblock"
    RENAME = "user.rename"
    PASSWORD = "user.password"  # noqa: S105 (an action, not a secret)
    DELETE = "user.delete"


@dataclass(frozen=True, slots=True)
class AccountRules:
    """What a change of an account follows beyond the database: how passwords are hashed,
    the counts of password attempts (which follow a renamed account), and the root
    administrator's name (`APP_ROOT_ADMIN`), which `policy` protects."""

    hasher: PasswordHasher
    limiter: LoginLimiter
    root_name: str


def _checked_name(name: str) -> str:
    try:
        return normalize_name(name)
    except ValueError as exc:
        raise Unprocessable(
            f"Invalid name: {exc}",
            data=[{"field": "name", "message": str(exc), "type": "value_error"}],
        ) from None


async def get(session: AsyncSession, *, user_id: int) -> User | None:
    """The user with this id, deleted or not, or None."""
    return await session.get(User, user_id)


async def get_by_name(
    session: AsyncSession, *, name: str, include_deleted: bool = False
) -> User | None:
    """The user whose name matches `name` without regard to case or width, or None."""
    statement = select(User).where(User.name_key == name_key(name))
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    return await session.scalar(statement)


async def create(
    session: AsyncSession,
    *,
    name: str,
    password_hash: str,
    role_id: int | None,
    status: UserStatus = UserStatus.NORMAL,
) -> User:
    """Add a user; `Conflict` when the name is taken, even by a deleted user or in another case.

    `Unprocessable` when the name breaks the rules of `normalize_name`.
    """
    normalized = _checked_name(name)
    if await get_by_name(session, name=normalized, include_deleted=True) is not None:
        raise Conflict(f"The name {normalized!r} is already taken")
    user = User(
        name=normalized,
        name_key=name_key(normalized),
        password_hash=password_hash,
        role_id=role_id,
        status=int(status),
    )
    session.add(user)
    await _flush_unique_name(session, normalized)
    return user


async def _flush_unique_name(session: AsyncSession, name: str) -> None:
    # two requests can both find a name free; the unique index on name_key settles the race
    try:
        await session.flush()
    except sa_exc.IntegrityError:
        raise Conflict(f"The name {name!r} is already taken") from None


def reinstate(user: User, *, role_id: int) -> bool:
    """Give `user` the role `role_id`, normal status and undo a deletion; True if that changed it.

    A change of role bumps the token version, so tokens issued under the old role stop working.
    """
    changed = False
    if user.role_id != role_id:
        user.role_id = role_id
        user.token_version += 1
        changed = True
    if user.status != UserStatus.NORMAL:
        user.status = int(UserStatus.NORMAL)
        changed = True
    if user.deleted_at is not None:
        user.deleted_at = None
        changed = True
    return changed


async def give_role_to_roleless(session: AsyncSession, *, role_id: int) -> int:
    """Give `role_id` to every user without a role (the original left some); how many got it.

    Their status, deletion and password stay as they are; their token version is bumped, as
    on any change of role.
    """
    result = await session.execute(
        update_statement(User)
        .where(User.role_id.is_(None))
        .values(role_id=role_id, token_version=User.token_version + 1)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


async def _assignable_role_id(session: AsyncSession, *, actor: Principal, role_id: int) -> int:
    """`role_id` when it names a role the actor may hand out (manage_roles, no more rights)."""
    policy.need(actor, Permission.MANAGE_ROLES)
    role = await role_service.get(session, role_id=role_id)
    if role is None:
        raise Unprocessable(
            "No such role",
            data=[{"field": "body.role_id", "message": "no such role", "type": "value_error"}],
        )
    policy.check_may_grant(actor, role.permissions)
    return role.id


async def _role_permissions(session: AsyncSession, user: User) -> int | None:
    """The permissions of `user`'s role, None when they have none (what `policy` weighs)."""
    role = await role_service.get(session, role_id=user.role_id) if user.role_id else None
    return role.permissions if role is not None else None


async def _rename(session: AsyncSession, *, user: User, name: str, rules: AccountRules) -> bool:
    """Give `user` the name; True if it changed. `Conflict` if another user, or the root, has it.

    The password attempts counted against the old name follow the account to the new one: a
    new name is no new set of guesses.
    """
    normalized = _checked_name(name)
    if normalized == user.name:
        return False
    if not policy.is_root(user, rules.root_name):
        policy.check_not_root_name(normalized, root_name=rules.root_name)
    holder = await get_by_name(session, name=normalized, include_deleted=True)
    if holder is not None and holder.id != user.id:
        raise Conflict(f"The name {normalized!r} is already taken")
    old_key = user.name_key
    user.name = normalized
    user.name_key = name_key(normalized)
    await rules.limiter.renamed(old=old_key, new=user.name_key)
    return True


async def _save(work: UnitOfWork, user: User, actions: list[UserAction]) -> User:
    """Flush the changes of `user` (a name taken meanwhile is a `Conflict`), then audit each."""
    await _flush_unique_name(work.session, user.name)
    for action in actions:
        await work.audit(action, user)
    return user


async def register(
    work: UnitOfWork, *, actor: Principal, user_in: UserCreate, rules: AccountRules
) -> User:
    """Create a user with the default role, or with a role the actor may hand out.

    Never under the root's name (`policy.check_not_root_name`).
    """
    if user_in.role_id is not None:
        role_id: int | None = await _assignable_role_id(
            work.session, actor=actor, role_id=user_in.role_id
        )
    else:
        default = await role_service.get_default(work.session)
        if default is not None:
            # the default role is handed out like any other: nobody grants rights they lack
            policy.check_may_grant(actor, default.permissions)
        role_id = default.id if default else None
    policy.check_not_root_name(_checked_name(user_in.name), root_name=rules.root_name)
    return await create_audited(
        work, name=user_in.name, password=user_in.password, role_id=role_id, hasher=rules.hasher
    )


async def create_audited(
    work: UnitOfWork, *, name: str, password: str, role_id: int | None, hasher: PasswordHasher
) -> User:
    """Add a user and its `user.create` audit row: the path of the API and `apidock create-user`.

    The caller has checked that the role may be handed out; the command line's unit of work
    names no actor.
    """
    # the cheap checks run before the costly hash
    normalized = _checked_name(name)
    if await get_by_name(work.session, name=normalized, include_deleted=True) is not None:
        raise Conflict(f"The name {normalized!r} is already taken")
    user = await create(
        work.session, name=normalized, password_hash=await hasher.hash(password), role_id=role_id
    )
    await work.audit(UserAction.CREATE, user)
    return user


async def update(
    work: UnitOfWork, *, actor: Principal, user_id: int, user_in: UserUpdate, rules: AccountRules
) -> User:
    """Apply a partial update of user `user_id`, each field under its own permission.

    Reading the user comes first (read_users, or being them), then the rights of the fields
    sent (`policy.check_may_change_user`); only then is the user looked up, so that neither
    its existence nor its protections are told to a caller who lacks them. Nobody changes
    their own role, status or password here (their own password goes through
    `update_profile`, with the current one), and a blocked or re-roled user's tokens die.
    """
    changes = user_in.model_dump(exclude_unset=True)
    policy.check_may_change_user(actor, user_id=user_id, fields=changes.keys())
    user = await work.live(User, user_id)
    if user is None:
        raise NotFound("User not found")
    if not changes:
        # nothing to change: answered as GET answers, whoever the user is
        return user
    if user.id != actor.id:
        role_permissions = await _role_permissions(work.session, user)
        policy.check_may_act_on(
            actor, user=user, role_permissions=role_permissions, root_name=rules.root_name
        )
    elif "name" in changes:
        policy.check_may_rename_self(user, root_name=rules.root_name)
    actions: list[UserAction] = []
    if "role_id" in changes and changes["role_id"] != user.role_id:
        user.role_id = await _assignable_role_id(
            work.session, actor=actor, role_id=changes["role_id"]
        )
        user.token_version += 1
        actions.append(UserAction.ROLE)
    if "status" in changes:
        status = STATUS_VALUES[changes["status"]]
        if status != user.status:
            user.status = int(status)
            if status == UserStatus.BLOCKED:
                user.token_version += 1
                actions.append(UserAction.BLOCK)
            else:
                actions.append(UserAction.UNBLOCK)
    if "name" in changes and await _rename(
        work.session, user=user, name=changes["name"], rules=rules
    ):
        actions.append(UserAction.RENAME)
    if "password" in changes:
        user.password_hash = await rules.hasher.hash(changes["password"])
        user.token_version += 1
        actions.append(UserAction.PASSWORD)
    return await _save(work, user, actions)


async def update_profile(
    work: UnitOfWork, *, user: User, profile_in: ProfileUpdate, rules: AccountRules
) -> User:
    """Change one's own name or password (`user`: the caller); a new password needs the
    current one.

    The current password is an attempt like a login's, on the same counters (the name's and
    the address's), and one user's checks run one at a time: a stolen access token guesses
    no faster than a login would. A new name keeps the count of the old one.
    """
    changes = profile_in.model_dump(exclude_unset=True)
    account = user.name_key  # the counter of the name the password is checked under
    actions: list[UserAction] = []
    if "name" in changes:
        if _checked_name(changes["name"]) != user.name:
            policy.check_may_rename_self(user, root_name=rules.root_name)
        if await _rename(work.session, user=user, name=changes["name"], rules=rules):
            actions.append(UserAction.RENAME)
    if "password" in changes:
        # a request always has an address; "unknown" is what `client_address` says without one
        address = work.address or "unknown"
        hasher, limiter = rules.hasher, rules.limiter
        async with limiter.one_check_at_a_time(user.id):
            async with limiter.attempt(account=account, address=address):
                matches, _ = await hasher.verify(changes["current_password"], user.password_hash)
                if not matches:
                    raise Forbidden("The current password is wrong")
            user.password_hash = await hasher.hash(changes["password"])
        user.token_version += 1
        actions.append(UserAction.PASSWORD)
    return await _save(work, user, actions)


async def reset_password(
    work: UnitOfWork, *, user: User, password: str, hasher: PasswordHasher
) -> User:
    """Give `user` a new password without the current one (`apidock reset-password`: whoever
    runs it holds the database). Its tokens die, as after any change of password, and the
    change is audited as one (`user.password`)."""
    user.password_hash = await hasher.hash(validate_password(password))
    user.token_version += 1
    await work.audit(UserAction.PASSWORD, user)
    return user


async def delete(work: UnitOfWork, *, actor: Principal, user: User, rules: AccountRules) -> User:
    """Soft-delete another user: their tokens die at once and their name stays reserved."""
    role_permissions = await _role_permissions(work.session, user)
    policy.check_may_delete(
        actor, user=user, role_permissions=role_permissions, root_name=rules.root_name
    )
    user.deleted_at = utcnow()
    user.token_version += 1
    await work.audit(UserAction.DELETE, user)
    return user
