"""Users: look-ups, creation, and the changes the API makes, audited (names: `users.names`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, select
from sqlalchemy import exc as sa_exc
from sqlalchemy import update as update_statement
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.limiter import LoginLimiter
from apidock.auth.passwords import PasswordHasher
from apidock.auth.schemas import Principal
from apidock.db import utcnow
from apidock.db.pages import PageParams, paginate
from apidock.db.queries import contains_text
from apidock.errors import Conflict, Forbidden, NotFound, Unprocessable
from apidock.logs import service as log_service
from apidock.permissions import Permission
from apidock.roles import service as role_service
from apidock.users.access import (
    check_may_act_on,
    check_may_read,
    check_not_root_name,
    is_root,
    need,
)
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


async def get_page(
    session: AsyncSession,
    *,
    params: PageParams,
    name: str | None = None,
    status: UserStatus | None = None,
    role_id: int | None = None,
    include_deleted: bool = False,
) -> tuple[Sequence[User], dict[str, Any]]:
    """One page of users, by id; `name` matches a fragment without regard to case or width."""
    statement = select(User).order_by(User.id)
    if name:
        statement = statement.where(contains_text(User.name_key, name_key(name), ignore_case=False))
    if status is not None:
        statement = statement.where(User.status == int(status))
    if role_id is not None:
        statement = statement.where(User.role_id == role_id)
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    return await paginate(session, statement, params)


async def _assignable_role_id(session: AsyncSession, *, actor: Principal, role_id: int) -> int:
    """`role_id` when it names a role the actor may hand out (manage_roles, no more rights)."""
    need(actor, Permission.MANAGE_ROLES)
    role = await role_service.get(session, role_id=role_id)
    if role is None:
        raise Unprocessable(
            "No such role",
            data=[{"field": "body.role_id", "message": "no such role", "type": "value_error"}],
        )
    role_service.check_grantable(actor, role.permissions)
    return role.id


async def _rename(
    session: AsyncSession, *, user: User, name: str, root_name: str, limiter: LoginLimiter
) -> bool:
    """Give `user` the name; True if it changed. `Conflict` if another user, or the root, has it.

    The password attempts counted against the old name follow the account to the new one: a
    new name is no new set of guesses.
    """
    normalized = _checked_name(name)
    if normalized == user.name:
        return False
    if not is_root(user, root_name):
        check_not_root_name(normalized, root_name=root_name)
    holder = await get_by_name(session, name=normalized, include_deleted=True)
    if holder is not None and holder.id != user.id:
        raise Conflict(f"The name {normalized!r} is already taken")
    old_key = user.name_key
    user.name = normalized
    user.name_key = name_key(normalized)
    await limiter.renamed(old=old_key, new=user.name_key)
    return True


async def _audit(
    session: AsyncSession, *, actor: Principal | None, action: str, user: User, address: str
) -> None:
    await log_service.record(
        session,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type="user",
        target_id=user.id,
        ip=address,
    )


async def register(
    session: AsyncSession,
    *,
    actor: Principal,
    user_in: UserCreate,
    address: str,
    hasher: PasswordHasher,
    root_name: str,
) -> User:
    """Create a user with the default role, or with a role the actor may hand out.

    Never under the root's name (`_check_not_root_name`).
    """
    if user_in.role_id is not None:
        role_id: int | None = await _assignable_role_id(
            session, actor=actor, role_id=user_in.role_id
        )
    else:
        default = await role_service.get_default(session)
        if default is not None:
            # the default role is handed out like any other: nobody grants rights they lack
            role_service.check_grantable(actor, default.permissions)
        role_id = default.id if default else None
    check_not_root_name(_checked_name(user_in.name), root_name=root_name)
    return await create_audited(
        session,
        actor=actor,
        name=user_in.name,
        password=user_in.password,
        role_id=role_id,
        address=address,
        hasher=hasher,
    )


async def create_audited(
    session: AsyncSession,
    *,
    actor: Principal | None,
    name: str,
    password: str,
    role_id: int | None,
    address: str,
    hasher: PasswordHasher,
) -> User:
    """Add a user and its `user.create` audit row: the path of the API and `apidock create-user`.

    The caller has checked that the role may be handed out; `actor` is None when no account
    acts (the command line).
    """
    # the cheap checks run before the costly hash
    normalized = _checked_name(name)
    if await get_by_name(session, name=normalized, include_deleted=True) is not None:
        raise Conflict(f"The name {normalized!r} is already taken")
    user = await create(
        session, name=normalized, password_hash=await hasher.hash(password), role_id=role_id
    )
    await _audit(session, actor=actor, action="user.create", user=user, address=address)
    return user


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    user_id: int,
    user_in: UserUpdate,
    address: str,
    hasher: PasswordHasher,
    limiter: LoginLimiter,
    root_name: str,
) -> User:
    """Apply a partial update of user `user_id`, each field under its own permission.

    Reading the user comes first (read_users, or being them), then the rights of the fields
    sent: name and password need write_users, status block_users, role_id manage_roles; only
    then is the user looked up, so that neither its existence nor its protections are told
    to a caller who lacks them. Nobody changes their own role, status or password here (their
    own password goes through `update_profile`, with the current one), and a blocked or
    re-roled user's tokens die.
    """
    changes = user_in.model_dump(exclude_unset=True)
    check_may_read(actor, user_id=user_id)
    if user_id == actor.id and changes.keys() & {"role_id", "status", "password"}:
        raise Forbidden(
            "You cannot change your own role or status; change your password at /users/me"
        )
    if changes.keys() & {"name", "password"}:
        need(actor, Permission.WRITE_USERS)
    if "status" in changes:
        need(actor, Permission.BLOCK_USERS)
    if "role_id" in changes:
        need(actor, Permission.MANAGE_ROLES)
    user = await get(session, user_id=user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("User not found")
    if not changes:
        # nothing to change: answered as GET answers, whoever the user is
        return user
    if user.id != actor.id:
        await check_may_act_on(session, actor=actor, user=user, root_name=root_name)
    elif "name" in changes and is_root(user, root_name):
        raise Forbidden("The root administrator cannot be renamed")
    actions: list[str] = []
    if "role_id" in changes and changes["role_id"] != user.role_id:
        user.role_id = await _assignable_role_id(session, actor=actor, role_id=changes["role_id"])
        user.token_version += 1
        actions.append("user.role")
    if "status" in changes:
        status = STATUS_VALUES[changes["status"]]
        if status != user.status:
            user.status = int(status)
            if status == UserStatus.BLOCKED:
                user.token_version += 1
                actions.append("user.block")
            else:
                actions.append("user.unblock")
    if "name" in changes and await _rename(
        session, user=user, name=changes["name"], root_name=root_name, limiter=limiter
    ):
        actions.append("user.rename")
    if "password" in changes:
        user.password_hash = await hasher.hash(changes["password"])
        user.token_version += 1
        actions.append("user.password")
    await _flush_unique_name(session, user.name)
    for action in actions:
        await _audit(session, actor=actor, action=action, user=user, address=address)
    return user


async def update_profile(
    session: AsyncSession,
    *,
    actor: Principal,
    user: User,
    profile_in: ProfileUpdate,
    address: str,
    hasher: PasswordHasher,
    limiter: LoginLimiter,
    root_name: str,
) -> User:
    """Change one's own name or password; a new password needs the current one.

    The current password is an attempt like a login's, on the same counters (the name's and
    the address's), and one user's checks run one at a time: a stolen access token guesses
    no faster than a login would. A new name keeps the count of the old one.
    """
    changes = profile_in.model_dump(exclude_unset=True)
    account = user.name_key  # the counter of the name the password is checked under
    actions: list[str] = []
    if "name" in changes:
        if is_root(user, root_name) and _checked_name(changes["name"]) != user.name:
            raise Forbidden("The root administrator cannot be renamed")
        if await _rename(
            session, user=user, name=changes["name"], root_name=root_name, limiter=limiter
        ):
            actions.append("user.rename")
    if "password" in changes:
        async with limiter.one_check_at_a_time(user.id):
            async with limiter.attempt(account=account, address=address):
                matches, _ = await hasher.verify(changes["current_password"], user.password_hash)
                if not matches:
                    raise Forbidden("The current password is wrong")
            user.password_hash = await hasher.hash(changes["password"])
        user.token_version += 1
        actions.append("user.password")
    await _flush_unique_name(session, user.name)
    for action in actions:
        await _audit(session, actor=actor, action=action, user=user, address=address)
    return user


async def delete(
    session: AsyncSession, *, actor: Principal, user: User, address: str, root_name: str
) -> User:
    """Soft-delete another user: their tokens die at once and their name stays reserved."""
    if user.id == actor.id:
        raise Forbidden("You cannot delete yourself")
    await check_may_act_on(session, actor=actor, user=user, root_name=root_name)
    user.deleted_at = utcnow()
    user.token_version += 1
    await session.flush()
    await _audit(session, actor=actor, action="user.delete", user=user, address=address)
    return user
